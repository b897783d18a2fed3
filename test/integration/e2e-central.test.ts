/**
 * End to end on real processes (issue 4): the reference central server, a kiosk enrolled with a
 * one-time code, a real pty scanner. 1,000 scans → the server holds exactly those 1,000 ids and
 * the kiosk's queue drains. Then a restart with the same (now used) code does not re-enroll.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { openStore } from '../../src/store/index.js';
import { API_SETTINGS } from '../../src/app/api.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { startPtyPair, waitFor, type PtyPair } from '../helpers/pty.js';

const SCANS = 1000;
let dir: string;
let pty: PtyPair;
let central: CliProcess;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-e2e-'));
  pty = await startPtyPair();
  central = startCli(['central', '--data-dir', join(dir, 'central'), '--port', '0', '--enrollment-code', 'E2E-CODE-1', '--enrollment-code', 'E2E-CODE-2', '--enrollment-code', 'E2E-CODE-3']);
  url = (await central.waitFor((l) => l.event === 'listening', 20_000)).url as string;
});
afterAll(async () => {
  central.child.kill('SIGTERM');
  await central.exited;
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

/** One setting of a kiosk's store, read while the kiosk runs (WAL: a second reader is fine). */
function openStoreSetting(data: string, key: string): string | undefined {
  const store = openStore({ dir: data, logger: silentLogger, clock: systemClock });
  try {
    return store.getSetting(key);
  } finally {
    store.close();
  }
}

function scan(i: number): string {
  return `001090${String(i).padStart(6, '0')}|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021`;
}

describe('kiosk → central, end to end', () => {
  it(`delivers ${SCANS} scans exactly once`, async () => {
    const data = join(dir, 'kiosk');
    const kiosk = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--server', url, '--enroll', 'E2E-CODE-1', '--checkpoint', 'QL1A-KM12']);
    await kiosk.waitFor((l) => l.event === 'ready', 20_000);
    for (let i = 0; i < SCANS; i += 20) {
      await pty.write(Array.from({ length: 20 }, (_, j) => `${scan(i + j)}\r\n`).join(''));
      await new Promise((r) => setTimeout(r, 5));
    }
    await waitFor(() => kiosk.lines.filter((l) => l.event === 'checkin').length >= SCANS, { timeoutMs: 60_000, what: 'all check-ins printed' });
    const printed = kiosk.lines.filter((l) => l.event === 'checkin').map((l) => l.id as string);
    expect(printed).toHaveLength(SCANS);
    expect(kiosk.lines.filter((l) => l.event === 'error')).toEqual([]);

    const onServer = await waitFor(
      () => {
        const ids = runCli(['central', 'export', '--data-dir', join(dir, 'central')]).lines.map((l) => l.id as string);
        return ids.length >= SCANS ? ids : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500, what: 'the server to hold every check-in' },
    );
    expect(new Set(onServer).size).toBe(onServer.length);
    expect([...onServer].sort()).toEqual([...printed].sort());
    kiosk.child.kill('SIGTERM');
    expect((await kiosk.exited).code).toBe(0);

    const exported = runCli(['export', '--data-dir', data]).lines;
    expect(exported.every((l) => l.delivery === 'forwarded')).toBe(true);
    expect(exported[0]).toMatchObject({ checkpointId: 'QL1A-KM12' });
    expect(statSync(join(data, 'enrollment.json')).mode & 0o777).toBe(0o600);
    // The technician screen reads where the kiosk is enrolled from the store's settings.
    const settings = openStore({ dir: data, logger: silentLogger, clock: systemClock });
    expect(settings.getSetting(API_SETTINGS.serverUrl)).toBe(url);
    expect(settings.getSetting(API_SETTINGS.enrolled)).toMatch(/^\d{4}-\d\d-\d\dT/);
    settings.close();

    // Restarted with the same flags: the used code is not replayed and scanning goes on.
    const again = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--server', url, '--enroll', 'E2E-CODE-1']);
    await again.waitFor((l) => l.event === 'ready', 20_000);
    await pty.write(`${scan(SCANS + 1)}\r\n`);
    const extra = await again.waitFor((l) => l.event === 'checkin');
    await waitFor(() => runCli(['central', 'export', '--data-dir', join(dir, 'central')]).lines.some((l) => l.id === extra.id), {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'the post-restart check-in on the server',
    });
    again.child.kill('SIGTERM');
    await again.exited;
    expect(again.lines.filter((l) => l.event === 'error')).toEqual([]);

    // A different code is a deliberate re-enrollment (after a revocation, say): a new device id,
    // and scans go on reaching the server. Given again on the next start, it is not replayed.
    const deviceOf = () => (JSON.parse(readFileSync(join(data, 'enrollment.json'), 'utf8')) as { deviceId: string }).deviceId;
    const before = deviceOf();
    for (const round of [1, 2]) {
      const moved = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--server', url, '--enroll', 'E2E-CODE-2']);
      await moved.waitFor((l) => l.event === 'ready', 20_000);
      await waitFor(() => deviceOf() !== before || undefined, { timeoutMs: 30_000, what: 're-enrollment with the new code' });
      await pty.write(`${scan(SCANS + 1 + round)}\r\n`);
      const next = await moved.waitFor((l) => l.event === 'checkin');
      await waitFor(() => runCli(['central', 'export', '--data-dir', join(dir, 'central')]).lines.some((l) => l.id === next.id), {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: 'the check-in after re-enrollment on the server',
      });
      moved.child.kill('SIGTERM');
      await moved.exited;
      expect(moved.lines.filter((l) => l.event === 'error')).toEqual([]);
    }
  }, 240_000);

  it('a card read before enrollment and again after it is one check-in: enrollment renames the device, it does not make a new one', async () => {
    const data = join(dir, 'kiosk-late');
    const card = scan(SCANS + 100);
    // Not linked yet: the check-in is recorded under the kiosk's local id.
    const local = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--checkpoint', 'QL1A-KM12']);
    await local.waitFor((l) => l.event === 'ready', 20_000);
    await pty.write(`${card}\r\n`);
    const first = await local.waitFor((l) => l.event === 'checkin');
    local.child.kill('SIGTERM');
    await local.exited;

    // Enrolled on the next start, then the same card again, in the window: "already checked in".
    const enrolled = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--server', url, '--enroll', 'E2E-CODE-3']);
    await enrolled.waitFor((l) => l.event === 'ready', 20_000);
    await waitFor(() => existsSync(join(data, 'enrollment.json')) || undefined, { timeoutMs: 30_000, what: 'the enrollment' });
    await waitFor(() => openStoreSetting(data, 'device.id')?.startsWith('local-') === false || undefined, { timeoutMs: 30_000, what: 'the enrolled device id in force' });
    await pty.write(`${card}\r\n`);
    expect(await enrolled.waitFor((l) => l.event === 'duplicate' || l.event === 'checkin')).toMatchObject({ event: 'duplicate', of: first.id });
    enrolled.child.kill('SIGTERM');
    await enrolled.exited;

    // The former id is kept: after a restart the window still holds.
    const restarted = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--server', url]);
    await restarted.waitFor((l) => l.event === 'ready', 20_000);
    await pty.write(`${card}\r\n`);
    expect(await restarted.waitFor((l) => l.event === 'duplicate' || l.event === 'checkin')).toMatchObject({ event: 'duplicate', of: first.id });
    restarted.child.kill('SIGTERM');
    await restarted.exited;
    expect(runCli(['export', '--data-dir', data]).lines).toHaveLength(1);
  }, 120_000);
});
