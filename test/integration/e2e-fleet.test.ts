/**
 * Running a fleet, end to end on real processes: a profile changed on the server reaches a running
 * kiosk within one sync period and changes its duplicate window; a malformed profile is refused
 * and the old one kept; a revoked device is refused by every node at once (two server processes on
 * one real PostgreSQL database), keeps its unsent check-ins, and delivers them after re-enrollment
 * with a new card.
 */
import pg from 'pg';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';
import { startPtyPair, waitFor, type PtyPair } from '../helpers/pty.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';

let dir: string;
let central: CliProcess;
let second: CliProcess;
let pty: PtyPair;
let kiosk: CliProcess;
let url: string;
let url2: string;
let cluster: PgCluster;
let db: string;
let sql: pg.Pool;

const CCCD = '001090000001|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-fleet-'));
  pty = await startPtyPair();
  cluster = await startPgCluster({ fsync: 'off' });
  db = await cluster.createDatabase();
  sql = new pg.Pool({ connectionString: db, max: 2 });
  central = startCli(['central', '--database', db, '--port', '0', '--enrollment-code', 'FLEET-CODE-1']);
  url = (await central.waitFor((l) => l.event === 'listening', 30_000)).url as string;
  second = startCli(['central', '--database', db, '--port', '0']);
  url2 = (await second.waitFor((l) => l.event === 'listening', 30_000)).url as string;
}, 90_000);
afterAll(async () => {
  for (const p of [kiosk, central, second]) {
    if (p && p.child.exitCode === null) p.child.kill('SIGTERM');
    await p?.exited;
  }
  await pty.close();
  await sql?.end();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function scan(from = kiosk.lines.length) {
  await pty.write(`${CCCD}\r\n`);
  return kiosk.waitFor((l) => l.event === 'checkin' || l.event === 'duplicate', 20_000, from);
}

async function status(base: string, token: string): Promise<number> {
  return (await fetch(`${base}/api/v1/trust-bundle`, { headers: { authorization: `Bearer ${token}` } })).status;
}

describe('fleet: remote configuration and revocation', () => {
  it('applies a changed profile, refuses a malformed one, cuts off a revoked device everywhere and delivers its queue after re-enrollment', async () => {
    const data = join(dir, 'kiosk');
    kiosk = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--server', url, '--enroll', 'FLEET-CODE-1', '--sync-seconds', '5', '--heartbeat-seconds', '5']);
    await kiosk.waitFor((l) => l.event === 'ready', 20_000);
    await waitFor(() => { try { return JSON.parse(readFileSync(join(data, 'enrollment.json'), 'utf8')) as { deviceId: string; token: string }; } catch { return undefined; } }, { timeoutMs: 20_000, what: 'enrollment' });
    const enrollment = JSON.parse(readFileSync(join(data, 'enrollment.json'), 'utf8')) as { deviceId: string; token: string };

    // Default duplicate window (5 min): the second scan of the same card is a duplicate.
    expect((await scan()).event).toBe('checkin');
    expect((await scan()).event).toBe('duplicate');

    // The server sets a 0-minute window for this device: within one sync period it applies.
    writeFileSync(join(dir, 'p1.json'), JSON.stringify({ duplicateWindowMinutes: 0, direction: 'out' }));
    const set = runCli(['central', 'config', 'set', '--database', db, '--device', enrollment.deviceId, '--file', join(dir, 'p1.json')]);
    expect(set.code, set.stderr).toBe(0);
    const version = set.lines[0]?.version as number;
    expect(await kiosk.waitFor((l) => l.event === 'config-applied', 20_000)).toMatchObject({ version });
    expect((await scan()).event).toBe('checkin');
    expect((await scan()).event).toBe('checkin');

    // The CLI refuses an unknown key outright …
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ duplicateWindowMinutes: 60, dupWindow: 1 }));
    const refused = runCli(['central', 'config', 'set', '--database', db, '--device', enrollment.deviceId, '--file', join(dir, 'bad.json')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/dupWindow/);
    // … and a malformed profile that reaches the kiosk anyway (written behind the CLI's back) is refused there.
    await sql.query("INSERT INTO fleet_profiles (scope, target, config, set_at) VALUES ('device', $1, $2, $3)", [enrollment.deviceId, JSON.stringify({ duplicateWindowMinutes: 60, bogus: true }), new Date().toISOString()]);
    const from = kiosk.lines.length;
    expect(await kiosk.waitFor((l) => l.event === 'error' && l.reason === 'config', 20_000, from)).toMatchObject({ message: expect.stringMatching(/bogus/) });
    expect((await scan()).event).toBe('checkin');
    expect((await scan()).event).toBe('checkin');

    // The heartbeat reports the version in force.
    const deadline = Date.now() + 20_000;
    let reported: { applied_config_version: string; update_state: string } | undefined;
    while (Date.now() < deadline) {
      reported = (await sql.query('SELECT applied_config_version, update_state FROM heartbeats WHERE device_id = $1', [enrollment.deviceId])).rows[0] as typeof reported;
      if (reported?.applied_config_version === String(version)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    expect(reported).toEqual({ applied_config_version: String(version), update_state: 'manual' });

    // Revocation: both nodes refuse the token at once.
    expect(await status(url, enrollment.token)).toBe(200);
    expect(await status(url2, enrollment.token)).toBe(200);
    const rev = runCli(['central', 'revoke-device', '--database', db, '--device', enrollment.deviceId]);
    expect(rev.code, rev.stderr).toBe(0);
    expect(await status(url, enrollment.token)).toBe(401);
    expect(await status(url2, enrollment.token)).toBe(401);

    // The kiosk keeps scanning; what it cannot deliver stays queued, and it says "enroll again".
    const queued = [await scan(), await scan()].map((l) => l.id as string);
    await kiosk.waitFor((l) => l.event === 'error' && l.reason === 'reenroll-needed', 30_000);
    const onServer = () => new Set(runCli(['central', 'export', '--database', db]).lines.map((l) => l.id as string));
    expect(queued.some((id) => onServer().has(id))).toBe(false);

    // A new card re-enrolls it (no technician panel needed: the server refused it) and the queue is delivered.
    const card = runCli(['central', 'provision-card', '--database', db, '--checkpoint', 'GATE-2']).stdout.trim();
    const before = kiosk.lines.length;
    await pty.write(`${card}\r\n`);
    expect(await kiosk.waitFor((l) => l.event === 'provisioned' || l.event === 'provisioning-refused', 30_000, before)).toMatchObject({ event: 'provisioned', checkpoint: 'GATE-2' });
    await waitFor(() => (queued.every((id) => onServer().has(id)) ? true : undefined), { timeoutMs: 30_000, intervalMs: 500, what: 'the queued check-ins on the server' });

    // The fleet page shows the revoked device and the used card.
    const admin = runCli(['central', 'admin-token', '--database', db]).stdout.trim();
    const html = await (await getSignedIn(`${url2}/dashboard/fleet`, await signIn(url2, admin))).text();
    expect(html).toContain(enrollment.deviceId);
    expect(html).toMatch(/data-figure="revoked">1</);
    expect(html).toMatch(/data-figure="cards-used">1 \/ 1</);
  }, 180_000);
});
