/**
 * Provisioning by card, end to end on real processes: the central server issues a CKP1 card
 * (`central provision-card`), a fresh kiosk on a socat pty with no --server/--enroll reads it as
 * a scan, enrolls, and its next scan reaches the server with the card's checkpoint. The same card
 * on a second kiosk is refused; forged cards are refused and enroll nothing; an enrolled kiosk
 * ignores cards. No card text and no code ever appears on stdout or in the logs.
 */
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { startPtyPair, waitFor, type PtyPair } from '../helpers/pty.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { cardJwk, rawCard } from '../helpers/provisioning.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';

let dir: string;
let central: CliProcess;
let url: string;
const ptys: PtyPair[] = [];
const kiosks: CliProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-prov-'));
  central = startCli(['central', '--data-dir', join(dir, 'central'), '--port', '0']);
  url = (await central.waitFor((l) => l.event === 'listening', 20_000)).url as string;
});
afterAll(async () => {
  for (const k of kiosks) {
    if (k.child.exitCode === null) k.child.kill('SIGTERM');
    await k.exited;
  }
  central.child.kill('SIGTERM');
  await central.exited;
  for (const p of ptys) await p.close();
  rmSync(dir, { recursive: true, force: true });
});

function issue(checkpoint: string, extra: string[] = []): { card: string; expiresAt: string } {
  const r = runCli(['central', 'provision-card', '--data-dir', join(dir, 'central'), '--checkpoint', checkpoint, '--ttl-hours', '2', '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return r.lines[0] as { card: string; expiresAt: string };
}

async function freshKiosk(name: string): Promise<{ kiosk: CliProcess; pty: PtyPair; data: string }> {
  const pty = await startPtyPair();
  ptys.push(pty);
  const data = join(dir, name);
  const kiosk = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--heartbeat-seconds', '5']);
  kiosks.push(kiosk);
  await kiosk.waitFor((l) => l.event === 'ready', 20_000);
  return { kiosk, pty, data };
}

const CCCD = '001090000001|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';

describe('provisioning card, end to end', () => {
  it('enrolls a fresh kiosk from one scan; the card is single use; forged cards enroll nothing', async () => {
    const { card, expiresAt } = issue('GATE-7', ['--direction', 'out', '--png', join(dir, 'card.png')]);
    expect(card.startsWith('CKP1:')).toBe(true);
    expect(readFileSync(join(dir, 'card.png')).subarray(1, 4).toString()).toBe('PNG');
    const code = (verifyProvisioningCard(card, { now: new Date() }) as { ok: true; card: { code: string } }).card.code;
    expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(3600_000);

    const a = await freshKiosk('kiosk-a');
    await a.pty.write(`${card}\r\n`);
    const done = await a.kiosk.waitFor((l) => l.event === 'provisioned' || l.event === 'provisioning-refused', 20_000);
    expect(done).toEqual({ event: 'provisioned', server: url, checkpoint: 'GATE-7', direction: 'out' });
    expect(a.kiosk.lines.some((l) => l.event === 'checkin')).toBe(false);
    expect(existsSync(join(a.data, 'enrollment.json'))).toBe(true);

    await a.pty.write(`${CCCD}\r\n`);
    const checkin = await a.kiosk.waitFor((l) => l.event === 'checkin', 20_000);
    const onServer = await waitFor(
      () => runCli(['central', 'export', '--data-dir', join(dir, 'central')]).lines.find((l) => l.id === checkin.id),
      { timeoutMs: 30_000, intervalMs: 300, what: 'the check-in on the server' },
    );
    expect(onServer).toMatchObject({ checkpointId: 'GATE-7', direction: 'out' });

    // An enrolled kiosk ignores cards unless the technician panel asked for re-provisioning.
    const other = issue('GATE-8');
    const before = a.kiosk.lines.length;
    await a.pty.write(`${other.card}\r\n`);
    expect(await a.kiosk.waitFor((l) => l.event === 'provisioning-ignored', 10_000, before)).toMatchObject({ message: expect.stringMatching(/technician only/) });

    // The same card on a second kiosk: the code is spent.
    const b = await freshKiosk('kiosk-b');
    await b.pty.write(`${card}\r\n`);
    const used = await b.kiosk.waitFor((l) => l.event === 'provisioning-refused', 20_000);
    expect(used).toMatchObject({ reason: 'enrollment', message: expect.stringMatching(/already used/) });
    expect(existsSync(join(b.data, 'enrollment.json'))).toBe(false);

    // Forgeries that carry a live code: signed by another key, and the real card with its rootKey swapped.
    const fresh = issue('GATE-9');
    const live = (verifyProvisioningCard(fresh.card, { now: new Date() }) as { ok: true; card: { code: string } }).card;
    const root = createPrivateKey(readFileSync(join(dir, 'central', 'root-key.pem'), 'utf8'));
    const attacker = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const t = Math.floor(Date.now() / 1000);
    const prov = { v: 1, url, code: live.code, checkpoint: 'EVIL' };
    const forged = [
      rawCard({ prov: { ...prov, rootKey: cardJwk(root) }, signer: attacker, kidKey: root, iat: t, exp: t + 600 }),
      rawCard({ prov: { ...prov, rootKey: cardJwk(attacker) }, signer: root, iat: t, exp: t + 600 }),
      rawCard({ prov: { ...prov, rootKey: cardJwk(root) }, signer: root, iat: t - 7200, exp: t - 3600 }),
    ];
    const reasons: unknown[] = [];
    for (const f of forged) {
      const from = b.kiosk.lines.length;
      await b.pty.write(`${f}\r\n`);
      reasons.push((await b.kiosk.waitFor((l) => l.event === 'provisioning-refused', 10_000, from)).reason);
    }
    expect(reasons).toEqual(['bad-signature', 'bad-signature', 'expired']);
    expect(existsSync(join(b.data, 'enrollment.json'))).toBe(false);

    // The live code was not spent by the forgeries: the genuine card still enrolls kiosk B.
    const from = b.kiosk.lines.length;
    await b.pty.write(`${fresh.card}\r\n`);
    expect(await b.kiosk.waitFor((l) => l.event === 'provisioned', 20_000, from)).toMatchObject({ checkpoint: 'GATE-9' });

    // Never logged, never printed: no card text and no code on stdout or stderr of any process.
    for (const p of [central, a.kiosk, b.kiosk]) {
      const all = JSON.stringify(p.lines) + p.stderr();
      for (const secret of [code, live.code, card.slice(5, 60)]) expect(all.includes(secret)).toBe(false);
    }
  }, 120_000);

  it('a card refused while the server is down, then a test scan: the card scanned again (in lower case, Caps Lock on) enrolls the headless kiosk', async () => {
    // The card names a proxy whose first enrollment request fails (the server down), then passes.
    const proxy = await startFaultProxy({ target: url, match: (req) => req.url === '/api/v1/enroll' });
    try {
      proxy.plan([{ kind: 'status', status: 503 }]);
      const { card } = issue('GATE-5', ['--direction', 'out', '--url', proxy.url]);
      const data = join(dir, 'kiosk-c');
      const kiosk = startCli(['run', '--data-dir', data, '--scanner', 'stdin']);
      kiosks.push(kiosk);
      await kiosk.waitFor((l) => l.event === 'ready', 20_000);
      kiosk.child.stdin!.write(`${card}\n`);
      const refused = await kiosk.waitFor((l) => l.event === 'provisioning-refused', 20_000);
      expect(refused).toMatchObject({ reason: 'enrollment', message: expect.stringMatching(/Nothing was changed\. Once that is fixed, scan this card .* again: this kiosk takes it even if check-ins were recorded meanwhile/) });
      kiosk.child.stdin!.write(`${CCCD}\n`);
      await kiosk.waitFor((l) => l.event === 'checkin', 20_000);
      const from = kiosk.lines.length;
      kiosk.child.stdin!.write(`${card.toLowerCase()}\n`);
      expect(await kiosk.waitFor((l) => l.event === 'provisioned' || String(l.event).startsWith('provisioning-'), 20_000, from)).toEqual({ event: 'provisioned', server: proxy.url, checkpoint: 'GATE-5', direction: 'out' });
      expect(existsSync(join(data, 'enrollment.json'))).toBe(true);
      expect(JSON.stringify(kiosk.lines) + kiosk.stderr()).not.toContain(card.slice(5, 60).toLowerCase());
    } finally {
      await proxy.close();
    }
  }, 120_000);
});
