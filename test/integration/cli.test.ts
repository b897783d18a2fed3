/**
 * The CLI contract (README.md) through the real command run from its sources (test/integration/build.test.ts runs the built one): verify's JSON line and exit codes, usage
 * errors that name the bad flag (exit 2), export and a headless run on a sim: scanner.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTechPin } from '../helpers/tech-pin.js';
import { runCli, startCli } from '../helpers/cli.js';
import { newEcKey } from '../helpers/keys.js';
import { issueProvisioningCard } from '../../src/credentials/provisioning/index.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('verify', () => {
  it('prints one JSON line with format, verdict, reasons and subject, exit 0', () => {
    const r = runCli(['verify', '--at', '2026-11-25T00:00:00Z', AN]);
    expect(r.code).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatchObject({ format: 'cccd', verdict: 'accept', reasons: ['identity-only'], subject: { idNo: '001090001234', dob: '1990-02-01', sex: 'M' } });
  });
  it('names a CKP1 provisioning card as a technician\'s enrollment card, not a credential (never "unknown format")', () => {
    const root = newEcKey();
    const card = issueProvisioningCard({ url: 'https://central.example:8443', code: 'K7QM-2XRP-9HTD', checkpoint: 'gate-3' }, root.privateKey, { now: new Date(), validHours: 1 });
    const r = runCli(['verify', card]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ verdict: 'reject', subject: {} });
    expect(r.lines[0]?.messages).toEqual([expect.stringMatching(/^a provisioning card \(CKP1\): a technician's enrollment card .*not a credential; it is never recorded as a check-in$/)]);
    // The card's enrollment code is never echoed.
    expect(r.stdout).not.toContain('K7QM-2XRP-9HTD');
  });
  it('reads the payload from standard input with -', () => {
    const r = runCli(['verify', '-'], `${AN}\r\n`);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ format: 'cccd', verdict: 'accept' });
  });
  it('refuses several payloads on standard input instead of reading them as one (one verdict per run)', () => {
    const cccd2 = '001090005678|123456789|Trần Thị Bình|02031991|Nữ|Hà Nội|15082021';
    const r = runCli(['verify', '-'], `${AN}\n${cccd2}\n`);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('verify: standard input holds 2 lines; give one payload per run');
    // Blank lines around one payload are still one payload.
    expect(runCli(['verify', '-'], `\n${AN}\r\n\n`).lines).toEqual([expect.objectContaining({ format: 'cccd', verdict: 'accept' })]);
  });
  it('exits 0 with a reject verdict for garbage, and explains the steps', () => {
    const r = runCli(['verify', '--explain', '001090001234|x|Nguyễn Văn An|31021990|Nam|Hà Nội|15082021']);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ verdict: 'reject', reasons: ['schema-invalid'] });
    const steps = r.lines[0]?.steps as { step: string; ok: boolean; detail?: string }[];
    expect(steps.some((s) => !s.ok && /31021990/.test(s.detail ?? ''))).toBe(true);
  });
  it('turns an oversize payload on stdin into too-large naming the bound, not the truncated length', () => {
    const r = runCli(['verify', '-'], 'A'.repeat(3_000_000));
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({ verdict: 'reject', reasons: ['too-large'] });
    expect(r.lines[0]?.messages).toEqual([expect.stringMatching(/^input is larger than 1048576 bytes \(1 MiB\), the most verify reads from standard input/)]);
    expect(JSON.stringify(r.lines[0])).not.toMatch(/1048576 characters/);
  });
  it('stops reading an endless standard input at the bound and answers (it never reads it all)', async () => {
    const p = startCli(['verify', '-']);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    // Writes until the command closes its end; an unbounded reader would never answer.
    const pump = () => {
      while (p.child.stdin?.writable && p.child.stdin.write(chunk));
      if (p.child.stdin?.writable) p.child.stdin.once('drain', pump);
    };
    p.child.stdin?.on('error', () => undefined);
    pump();
    const line = await p.waitFor((l) => l.verdict !== undefined, 30_000);
    expect(line).toMatchObject({ verdict: 'reject', reasons: ['too-large'] });
    expect((await p.exited).code).toBe(0);
  });
  it.each([
    [['verify', '--bogus', AN], /--bogus/],
    [['verify'], /PAYLOAD/],
    [['verify', '--at', 'yesterday', AN], /--at.*yesterday/],
    [['verify', '--trust', '/nonexistent/trust.json', AN], /--trust.*\/nonexistent\/trust\.json/],
    [['verify', '--policy', '/nonexistent/p.json', AN], /^verify: --policy \/nonexistent\/p\.json: cannot read the policy file: no such file/],
    [['run', '--data-dir', '/tmp/x'], /--scanner/],
    [['run', '--scanner', 'stdin'], /--data-dir/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'stdin', '--direction', 'sideways'], /--direction.*sideways/],
    [['run', '--data-dir', '/tmp/x', '--ui', 'web', '--port', '99999'], /--port/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'bogus:1'], /--scanner.*bogus/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'serial:/dev/ttyX?baud=abc'], /--scanner.*baud.*abc/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'stdin', '--port', '8080'], /--port is only used with --ui web/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'stdin', '--server', 'ftp://x'], /--server.*ftp:\/\/x/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'stdin', '--enroll', 'C'], /--enroll needs --server/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'stdin', '--ca', '/nonexistent.pem'], /--ca \/nonexistent\.pem/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'stdin', '--relay', 'gate:1'], /--relay.*gate:1/],
    [['run', '--data-dir', '/tmp/x', '--scanner', 'stdin', '--heartbeat-seconds', '1'], /--heartbeat-seconds.*5 to 86400/],
    [['export'], /--data-dir/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('usage error %j exits 2 naming the problem', (args, message) => {
    const r = runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout.trim()).toBe('');
  });
  it.each([['http://admin:Pw0rd@127.0.0.1:47320'], ['http://127.0.0.1:47321,https://admin:Pw0rd@node2.example']])(
    'run --server %j with a user name and password exits 2 naming the problem, never the password',
    (server) => {
      const r = runCli(['run', '--data-dir', join(dir, 'userinfo'), '--scanner', 'stdin', '--server', server]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^run: --server: the URL carries a user name or password before "@" \(not shown\)/);
      expect(r.stderr).not.toMatch(/Pw0rd|admin/);
      expect(r.stdout.trim()).toBe('');
    },
  );
  it('run --server with one slash before user-info (a typo the URL parser reads as user-info) exits 2 without the password', () => {
    const r = runCli(['run', '--data-dir', join(dir, 'userinfo-typo'), '--scanner', 'stdin', '--server', 'http:/bob:s3cret@127.0.0.1:47900']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^run: --server must be an http:\/\/ or https:\/\/ URL, got "http:\/\*\*\*@127\.0\.0\.1:47900"/);
    expect(r.stderr).not.toMatch(/s3cret|bob/);
  });
  it('a policy file that is not JSON is named once, with the reason the parser gives', () => {
    const file = join(dir, 'broken-policy.json');
    writeFileSync(file, '{');
    const r = runCli(['verify', '--policy', file, AN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^verify: --policy \S*broken-policy\.json: not valid JSON \(/);
    expect(r.stderr).not.toMatch(/policy.*policy file/);
  });
  it('an invalid policy file is a usage error naming the key', () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ identityOnly: 'sometimes' }));
    const r = runCli(['verify', '--policy', file, AN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/identityOnly/);
  });
  it('a misspelt key in a trust bundle or policy file is a usage error naming it and the nearest valid key', () => {
    const trust = join(dir, 'typo-trust.json');
    writeFileSync(trust, JSON.stringify({ version: 1, issuedAt: '2026-11-25T00:00:00Z', stauts: { entries: [{ id: '001090001234', status: 'blocked' }] } }));
    const r = runCli(['verify', '--trust', trust, AN]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('trust bundle: unknown key "stauts" at $ (did you mean "status"?)');
    expect(r.stdout.trim()).toBe('');
    const policy = join(dir, 'typo-policy.json');
    writeFileSync(policy, JSON.stringify({ statusAction: { blocked: 'reject' } }));
    const p = runCli(['verify', '--policy', policy, AN]);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('unknown key "statusAction" at $ (did you mean "statusActions"?)');
    // run refuses it too, before opening anything.
    const run = runCli(['run', '--data-dir', join(dir, 'typo-run'), '--scanner', 'stdin', '--trust', trust], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('did you mean "status"?');
  }, 90_000);
  it('a policy that refers identity-only credentials changes the verdict', () => {
    const file = join(dir, 'refer.json');
    writeFileSync(file, JSON.stringify({ declarationRequired: true }));
    expect(runCli(['verify', '--policy', file, AN]).lines[0]).toMatchObject({ verdict: 'refer', reasons: ['identity-only'] });
  });
});

describe('devices', () => {
  it('lists what it finds as JSON lines with a score and a recommendation, exit 0', () => {
    const r = runCli(['devices']);
    expect(r.code).toBe(0);
    for (const l of r.lines) {
      if (l.kind === 'error') expect(l.message).toEqual(expect.any(String));
      else expect(l).toMatchObject({ uri: expect.any(String), score: expect.any(Number), recommended: expect.any(Boolean), why: expect.any(String) });
    }
  });
});

describe('run and export', () => {
  it('headless run on a sim scanner prints ready, check-ins after commit and duplicates; export has them', async () => {
    const data = join(dir, 'data');
    const scans = join(dir, 'scans.txt');
    writeFileSync(scans, `${AN}\n${AN}\nnot a credential\n`);
    const p = startCli(['run', '--data-dir', data, '--scanner', `sim:${scans}`, '--checkpoint', 'HN-07', '--direction', 'out']);
    await p.waitFor((l) => l.event === 'ready');
    const dup = await p.waitFor((l) => l.event === 'duplicate');
    await p.waitFor((l) => l.event === 'checkin' && l.format === 'unknown');
    p.child.kill('SIGTERM');
    expect(await p.exited).toEqual({ code: 0, signal: null });
    const checkins = p.lines.filter((l) => l.event === 'checkin');
    expect(checkins).toHaveLength(2);
    expect(checkins[0]).toMatchObject({ format: 'cccd', verdict: 'accept', reasons: ['identity-only'] });
    expect(dup.of).toBe(checkins[0]?.id);
    expect(checkins[1]).toMatchObject({ verdict: 'reject', reasons: ['unknown-format'] });

    const exported = runCli(['export', '--data-dir', data]);
    expect(exported.code).toBe(0);
    expect(exported.lines.map((l) => l.id)).toEqual(checkins.map((c) => c.id));
    // Without --reveal the identity fields stay out; the technician PIN reveals them.
    expect(exported.lines[0]).toMatchObject({ checkpointId: 'HN-07', direction: 'out', delivery: 'pending', subject: { idType: 'cccd' } });
    expect(exported.stdout).not.toContain('001090001234');
    await setTechPin(data, '4321');
    const revealed = runCli(['export', '--data-dir', data, '--reveal'], '4321\n');
    expect(revealed.code).toBe(0);
    expect(revealed.lines[0]).toMatchObject({ subject: { idNo: '001090001234' } });
  });
  it('--ui web serves the screens on 127.0.0.1 behind the printed token URL', async () => {
    const p = startCli(['run', '--data-dir', join(dir, 'web'), '--ui', 'web']);
    const { url } = (await p.waitFor((l) => l.event === 'ui')) as { url: string };
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{32,}$/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  });
  it('with only finite sources (stdin), ends by itself after the last check-in is committed', () => {
    const data = join(dir, 'stdin');
    const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin'], `${AN}\r\nnot a credential\n${AN}\n`);
    expect(r.code).toBe(0);
    const events = r.lines.map((l) => l.event);
    expect(events.filter((e) => e === 'checkin')).toHaveLength(2);
    expect(events.filter((e) => e === 'duplicate')).toHaveLength(1);
    expect(events.at(-1)).toBe('stopped');
    expect(runCli(['export', '--data-dir', data]).lines).toHaveLength(2);
  });
  it('refuses a second kiosk on the same data dir, while export still reads it', async () => {
    const data = join(dir, 'locked');
    const scans = join(dir, 'one.txt');
    writeFileSync(scans, `${AN}\n`);
    const first = startCli(['run', '--data-dir', data, '--scanner', `sim:${scans}?loop=1&intervalMs=60000`]);
    await first.waitFor((l) => l.event === 'checkin');
    const second = runCli(['run', '--data-dir', data, '--scanner', `sim:${scans}`]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(new RegExp(`another kiosk \\(pid ${first.child.pid}\\) is using the data dir`));
    expect(runCli(['export', '--data-dir', data]).lines).toHaveLength(1);
    first.child.kill('SIGTERM');
    await first.exited;
    // Released on a clean stop: the next kiosk starts.
    const third = startCli(['run', '--data-dir', data, '--scanner', `sim:${scans}?loop=1&intervalMs=60000`]);
    await third.waitFor((l) => l.event === 'ready');
    third.child.kill('SIGTERM');
    expect((await third.exited).code).toBe(0);
  });
  it('export of a directory without a kiosk database fails clearly (a configuration error: exit 2, as every command)', () => {
    const r = runCli(['export', '--data-dir', join(dir, 'nothing-here')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no kiosk database in .*nothing-here/);
  });
});
