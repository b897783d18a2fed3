/**
 * `verify` with a kiosk's own trust files, on real processes: a central server publishes a bundle
 * and a configuration profile, a real kiosk enrolls, syncs and stops; then the technician points
 * `verify` at what the kiosk left in its data dir. `--trust trust-bundle.jws` (or the .meta.json
 * beside it) says what the file is and what to use; `--data-dir` gives the kiosk's verdict.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { waitFor } from '../helpers/pty.js';

/** A unified personal QR whose QID the central bundle lists as blocked. */
const BLOCKED_QR = '******205678|PHAM QUOC HUNG|1988-**-**|0|Q0012088HUNG|';
let dir: string;
let central: CliProcess | undefined;
let kioskDir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-verify-dd-'));
  const bundle = join(dir, 'bundle.json');
  writeFileSync(bundle, JSON.stringify({ version: 1, issuedAt: new Date(Date.now() - 3_600_000).toISOString(), status: { entries: [{ id: 'Q0012088HUNG', status: 'blocked' }] } }));
  const centralDir = join(dir, 'central');
  central = startCli(['central', '--data-dir', centralDir, '--port', '0', '--trust', bundle, '--enrollment-code', 'VERIFY-DD-1']);
  const url = (await central.waitFor((l) => l.event === 'listening', 30_000)).url as string;
  kioskDir = join(dir, 'kiosk');
  const kiosk = startCli(['run', '--data-dir', kioskDir, '--scanner', 'stdin', '--server', url, '--enroll', 'VERIFY-DD-1', '--sync-seconds', '5']);
  try {
    await kiosk.waitFor((l) => l.event === 'ready', 30_000);
    await waitFor(() => existsSync(join(kioskDir, 'trust-bundle.jws')) && existsSync(join(kioskDir, 'trust-bundle.meta.json')), { timeoutMs: 30_000, what: 'the kiosk to keep the signed bundle' });
    // The central profile of this device turns a blocked status into reject (the default is refer).
    const { deviceId } = JSON.parse(readFileSync(join(kioskDir, 'enrollment.json'), 'utf8')) as { deviceId: string };
    const profile = join(dir, 'profile.json');
    writeFileSync(profile, JSON.stringify({ policy: { statusActions: { blocked: 'reject' } } }));
    expect(runCli(['central', 'config', 'set', '--data-dir', centralDir, '--device', deviceId, '--file', profile]).code).toBe(0);
    await kiosk.waitFor((l) => l.event === 'config-applied', 30_000);
  } finally {
    kiosk.child.stdin?.end();
    kiosk.child.kill('SIGTERM');
    await kiosk.exited;
  }
}, 120_000);
afterAll(async () => {
  central?.child.kill('SIGTERM');
  await central?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('verify and a kiosk data dir', () => {
  it('--trust on the kiosk\'s trust-bundle.jws says it is a signed bundle and what to use instead (exit 2)', () => {
    const file = join(kioskDir, 'trust-bundle.jws');
    const r = runCli(['verify', '--trust', file, BLOCKED_QR]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`verify: --trust ${file} is a signed trust bundle as a kiosk keeps it (JWS)`);
    // Still in the kiosk's data dir: the advice names that dir.
    expect(r.stderr).toContain(`use \`verify --data-dir ${kioskDir}\` or a plain JSON bundle from \`central trust-bundle --out FILE\``);
    expect(r.stderr).not.toContain('not valid JSON');
    // Copied away from it: the advice says which dir to give.
    const copy = join(dir, 'copied-bundle.jws');
    cpSync(file, copy);
    const away = runCli(['verify', '--trust', copy, BLOCKED_QR]);
    expect(away.code).toBe(2);
    expect(away.stderr).toContain("use `verify --data-dir <the kiosk's data dir>` or a plain JSON bundle from `central trust-bundle --out FILE`");
    // `run --trust` reads the same way and gives the same answer.
    const run = runCli(['run', '--data-dir', join(dir, 'other-kiosk'), '--scanner', 'stdin', '--trust', file], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is a signed trust bundle as a kiosk keeps it');
  });

  it('--trust on trust-bundle.meta.json says it is the kiosk\'s bookkeeping, with no key suggestion', () => {
    const file = join(kioskDir, 'trust-bundle.meta.json');
    const r = runCli(['verify', '--trust', file, BLOCKED_QR]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`verify: --trust ${file} is the kiosk's bookkeeping for its trust bundle (ETag and last sync time), not a trust bundle`);
    expect(r.stderr).not.toContain('did you mean');
  });

  it('--data-dir gives the kiosk\'s verdict: its signed bundle and its central profile\'s policy', () => {
    const r = runCli(['verify', '--data-dir', kioskDir, BLOCKED_QR]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.lines).toEqual([expect.objectContaining({ format: 'vnqr', verdict: 'reject', reasons: ['identity-only', 'status:blocked'] })]);
    // Without the kiosk's files: no status list at all, and the default policy.
    expect(runCli(['verify', BLOCKED_QR]).lines[0]).toMatchObject({ verdict: 'accept', reasons: ['identity-only'] });
  });

  it('--data-dir refuses a bundle whose signature does not verify with the pinned key, as the kiosk does', () => {
    const copy = join(dir, 'tampered');
    cpSync(kioskDir, copy, { recursive: true });
    const file = join(copy, 'trust-bundle.jws');
    const [h, p, s] = readFileSync(file, 'utf8').split('.') as [string, string, string];
    const payload = Buffer.from(p, 'base64url').toString('utf8').replace('"blocked"', '"f1"');
    writeFileSync(file, `${h}.${Buffer.from(payload).toString('base64url')}.${s}`);
    const r = runCli(['verify', '--data-dir', copy, BLOCKED_QR]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`verify: --data-dir ${copy}: ${file}: signed trust bundle refused: signature does not verify with the pinned root key`);
  });

  it('--data-dir says what is missing: no such dir, a kiosk never enrolled, and not with --trust', () => {
    const none = runCli(['verify', '--data-dir', join(dir, 'nope'), BLOCKED_QR]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('no such directory');
    const local = join(dir, 'local-kiosk');
    mkdirSync(local);
    const never = runCli(['verify', '--data-dir', local, BLOCKED_QR]);
    expect(never.code).toBe(2);
    expect(never.stderr).toContain('this kiosk was never enrolled with a central server');
    expect(never.stderr).toContain('give that file with --trust');
    const both = runCli(['verify', '--data-dir', kioskDir, '--trust', join(dir, 'bundle.json'), BLOCKED_QR]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give either --data-dir');
  });
});
