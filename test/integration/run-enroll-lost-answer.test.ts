/**
 * An enrollment whose answer is lost on the way (the server spent the code and made the device,
 * then the connection dropped: a timeout on a flaky link, a power cut before enrollment.json was
 * written). The kiosk kept its attempt secret with the code; started again with the same code it
 * gets the same device back with a new token, instead of "already used" and a technician needing
 * a new code. Real central server (SQLite) in its own process, a proxy that drops the first
 * answer, the real `run` command twice on one data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { runCli, startCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { freePort, killAndWait, spawnCentral } from '../helpers/sync-fixtures.js';

const CODE = 'LOST-ANSWER-7Q';
const cccd = (serial: string) => `001090${serial}|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021`;
let dir: string;
let central: { child: ChildProcess; url: string };
let proxy: FaultProxy;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-enroll-lost-'));
  central = await spawnCentral(['--data-dir', join(dir, 'central'), '--port', String(await freePort()), '--enrollment-code', CODE]);
  proxy = await startFaultProxy({ target: central.url, match: (req) => req.url === '/api/v1/enroll' });
}, 90_000);
afterAll(async () => {
  await proxy.close();
  await killAndWait(central.child, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function serverRows(): { devices: { id: string }[]; checkins: number } {
  const db = new Database(join(dir, 'central', 'central.sqlite'), { readonly: true });
  try {
    return {
      devices: db.prepare('SELECT id FROM devices').all() as { id: string }[],
      checkins: (db.prepare('SELECT COUNT(*) AS n FROM checkins').get() as { n: number }).n,
    };
  } finally {
    db.close();
  }
}

it('gets the device the lost answer carried when started again with the same code, and delivers with it', async () => {
  const kiosk = join(dir, 'kiosk');
  proxy.plan([{ kind: 'lose-response' }]);
  // Asynchronous: the proxy runs in this process and must answer while the kiosk runs.
  const first = startCli(['run', '--data-dir', kiosk, '--scanner', 'stdin', '--server', proxy.url, '--enroll', CODE, '--drain-seconds', '0']);
  first.child.stdin?.end(`${cccd('100001')}\n`);
  expect((await first.exited).code, first.stderr()).toBe(0);
  expect(proxy.applied['lose-response']).toBe(1);
  // The server spent the code and made the device; the kiosk never heard of it.
  const made = serverRows().devices;
  expect(made).toHaveLength(1);
  expect(first.lines.find((l) => l.event === 'error' && l.reason === 'enrollment')?.message).toMatch(/enrollment failed/);
  expect(first.lines.filter((l) => l.event === 'checkin')).toHaveLength(1);
  expect(first.lines.filter((l) => l.event === 'enrolled')).toEqual([]);

  // Started again with the same code (a systemd unit, or the technician re-running the command).
  const second = runCli(['run', '--data-dir', kiosk, '--scanner', 'stdin', '--server', central.url, '--enroll', CODE], `${cccd('100002')}\n`, { CHECKPOINT_KIOSK_LOG: 'info' });
  expect(second.code, second.stderr).toBe(0);
  expect(second.lines.filter((l) => l.event === 'error'), second.stderr).toEqual([]);
  expect(second.stderr).toContain('the server had enrolled this kiosk before its answer was lost');
  // stdout says it too: the device id and the server, never the token or the code.
  expect(second.lines.filter((l) => l.event === 'enrolled')).toEqual([{ event: 'enrolled', deviceId: made[0]!.id, server: central.url }]);
  expect(second.stdout).not.toContain(CODE);
  expect(second.lines.find((l) => l.event === 'pending')).toBeUndefined();
  // One device, the one the first try made, and both check-ins delivered under it.
  const after = serverRows();
  expect(after.devices).toEqual(made);
  expect(after.checkins).toBe(2);
}, 120_000);

it('still refuses the spent code to another kiosk (another data dir: no attempt secret of its own)', () => {
  const other = runCli(['run', '--data-dir', join(dir, 'other'), '--scanner', 'stdin', '--server', central.url, '--enroll', CODE, '--drain-seconds', '0'], `${cccd('100003')}\n`);
  expect(other.code, other.stderr).toBe(0);
  expect(other.lines.find((l) => l.event === 'error' && l.reason === 'enrollment')?.message).toMatch(/already used/);
  expect(serverRows().devices).toHaveLength(1);
}, 120_000);
