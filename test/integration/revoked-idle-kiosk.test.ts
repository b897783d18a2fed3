/**
 * A kiosk revoked while it has nothing to forward still says "enroll again" on stdout
 * (`{"event":"error","reason":"reenroll-needed"}`, what docs/OPERATIONS.md says to alert on):
 * its heartbeat is refused first, and that is enough; it must not wait for the next scan.
 * A real central server on 127.0.0.1 (SQLite data dir) and the real `run` command.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { startCli, type CliProcess } from '../helpers/cli.js';

let dir: string;
let server: CentralServer;
let kiosk: CliProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-revoked-idle-'));
  server = await startCentral({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['IDLE-CODE-1'] });
});
afterAll(async () => {
  if (kiosk && kiosk.child.exitCode === null) {
    kiosk.child.kill('SIGTERM');
    await kiosk.exited;
  }
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

it('an idle kiosk whose device is revoked says reenroll-needed once, without a scan', async () => {
  const data = join(dir, 'kiosk');
  kiosk = startCli(['run', '--data-dir', data, '--scanner', 'stdin', '--server', server.url, '--enroll', 'IDLE-CODE-1', '--heartbeat-seconds', '5', '--sync-seconds', '3600', '--drain-seconds', '0']);
  await kiosk.waitFor((l) => l.event === 'ready', 30_000);
  // Enrolled: the enrollment file names the device.
  let deviceId: string | undefined;
  for (let i = 0; i < 100 && !deviceId; i++) {
    try {
      deviceId = (JSON.parse(readFileSync(join(data, 'enrollment.json'), 'utf8')) as { deviceId: string }).deviceId;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  expect(deviceId).toBeTruthy();
  const from = kiosk.lines.length;
  await server.storage.fleet.revokeDevice(deviceId as string, Date.now());
  const said = await kiosk.waitFor((l) => l.event === 'error' && l.reason === 'reenroll-needed', 20_000, from);
  expect(said.message).toBe('the central server no longer accepts this device: enroll it again');
  // Nothing was scanned: no check-in line, and the next heartbeats do not repeat it.
  await new Promise((r) => setTimeout(r, 6_000));
  expect(kiosk.lines.slice(from).filter((l) => l.event === 'checkin')).toEqual([]);
  expect(kiosk.lines.slice(from).filter((l) => l.reason === 'reenroll-needed')).toHaveLength(1);
}, 60_000);
