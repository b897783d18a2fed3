/**
 * The kiosk learns how wrong its clock is from the central server's answers (serverTime in the
 * JSON of /checkins and /heartbeat, else the Date header), reports it in the heartbeat, and the
 * server's device data flags a kiosk whose offset exceeds the clock threshold. A trust bundle "issued" in the
 * future beyond the tolerance is refused. Real central server on 127.0.0.1, real kiosk store.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import type { Clock } from '../../src/shared/ports.js';
import { ClockOffset } from '../../src/sync/clock-offset.js';
import { enroll, type Enrollment } from '../../src/sync/enrollment.js';
import { startForwarder } from '../../src/sync/forwarder.js';
import { startHeartbeat } from '../../src/sync/heartbeat.js';
import { startTrustSync } from '../../src/sync/trust-sync.js';
import { openKioskStore, seed, waitFor } from '../helpers/sync-fixtures.js';

const TEN_MIN = 10 * 60_000;
let tmp: string;
let central: CentralServer;
let enrollment: Enrollment;
const stops: Array<() => Promise<void> | void> = [];

async function startWith(serverClock: Clock = systemClock) {
  central = await startCentral({ dataDir: path.join(tmp, 'central'), port: 0, logger: silentLogger, clock: serverClock, enrollmentCodes: ['CLOCK-CODE'] });
  enrollment = await enroll({ serverUrl: central.url, code: 'CLOCK-CODE', dataDir: path.join(tmp, 'kiosk'), device: { name: 'k', version: '0', platform: 'linux' } });
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'clock-off-'));
});
afterEach(async () => {
  for (const s of stops.splice(0).reverse()) await s();
  await central?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

async function stats(): Promise<{ devices: { deviceId: string; clockOffsetMs: number | null; problems: string[] }[]; attention: { deviceId: string }[] }> {
  const res = await fetch(`${central.url}/api/v1/stats`, { headers: { authorization: `Bearer ${central.adminToken}` } });
  return (await res.json()) as never;
}

describe('clock offset', () => {
  it('a kiosk clock 10 minutes fast: measured from the heartbeat answer, reported, flagged on the dashboard', async () => {
    await startWith();
    const kioskClock: Clock = { now: () => Date.now() + TEN_MIN };
    const offset = new ClockOffset(kioskClock);
    const beat = startHeartbeat({
      serverUrl: central.url,
      token: enrollment.token,
      clock: kioskClock,
      timers: systemTimers,
      logger: silentLogger,
      intervalMs: 3_600_000,
      clockOffset: offset,
      collect: () => ({ queueDepth: 0, oldestPendingAt: null, lastScanAt: null, scanners: [], trustIssuedAt: null, version: 't', ...(offset.offsetMs() !== undefined ? { clockOffsetMs: offset.offsetMs()! } : {}) }),
    });
    stops.push(() => beat.stop());
    await waitFor(() => offset.offsetMs() !== undefined, 'a first answer');
    expect(Math.abs(offset.offsetMs()! - TEN_MIN)).toBeLessThan(2_000);
    expect(offset.state().source).toBe('serverTime');
    expect(await beat.sendNow()).toBe(true);
    const s = await stats();
    const device = s.devices.find((d) => d.deviceId === enrollment.deviceId)!;
    expect(Math.abs(device.clockOffsetMs! - TEN_MIN)).toBeLessThan(2_000);
    expect(device.problems).toContain('clock-offset');
    expect(s.attention.map((d) => d.deviceId)).toContain(enrollment.deviceId);
  });

  it('a kiosk clock in time is not flagged; the check-ins answer carries serverTime too', async () => {
    await startWith();
    const offset = new ClockOffset(systemClock);
    const store = openKioskStore(path.join(tmp, 'kiosk'));
    stops.push(() => store.close());
    seed(store, 3);
    const fwd = startForwarder({ store, serverUrl: central.url, token: enrollment.token, clock: systemClock, timers: systemTimers, logger: silentLogger, clockOffset: offset });
    stops.push(() => fwd.stop());
    await waitFor(() => store.queueStats().depth === 0, 'delivery');
    expect(Math.abs(offset.offsetMs()!)).toBeLessThan(2_000);
    const beat = startHeartbeat({
      serverUrl: central.url, token: enrollment.token, clock: systemClock, timers: systemTimers, logger: silentLogger, intervalMs: 3_600_000,
      collect: () => ({ queueDepth: 0, oldestPendingAt: null, lastScanAt: null, scanners: [], trustIssuedAt: null, version: 't', clockOffsetMs: offset.offsetMs()! }),
    });
    stops.push(() => beat.stop());
    expect(await beat.sendNow()).toBe(true);
    const device = (await stats()).devices.find((d) => d.deviceId === enrollment.deviceId)!;
    expect(device.problems).not.toContain('clock-offset');
  });

  it('falls back on the HTTP Date header when an answer has no serverTime', () => {
    let now = Date.parse('2026-11-26T08:00:10.000Z');
    const offset = new ClockOffset({ now: () => now });
    offset.observe(now - 100, now, { ok: true }, 'Thu, 26 Nov 2026 08:00:00 GMT');
    expect(offset.state()).toMatchObject({ offsetMs: 10_000 - 500 - 50, source: 'date-header' });
    now += 1000;
    offset.observe(now - 40, now, { serverTime: '2026-11-26T08:00:01.000Z' }, 'Thu, 26 Nov 2026 08:00:01 GMT');
    expect(offset.state()).toMatchObject({ offsetMs: 10_000 - 20, source: 'serverTime' });
  });

  it('a trust bundle issued a day after the kiosk clock is refused, and the old one kept', async () => {
    await startWith({ now: () => Date.now() + 24 * 3_600_000 });
    const sync = startTrustSync({
      serverUrl: central.url, token: enrollment.token, trustKey: enrollment.trustKey, dataDir: path.join(tmp, 'kiosk'),
      clock: systemClock, timers: systemTimers, logger: silentLogger, intervalMs: 3_600_000, backoff: { baseMs: 3_600_000, capMs: 3_600_000 },
      clockOffset: new ClockOffset(systemClock),
    });
    stops.push(() => sync.stop());
    const state = await sync.syncNow();
    expect(state.refused).toBeGreaterThanOrEqual(1);
    expect(state.lastError).toMatch(/issuedAt .* is in the future/);
    expect(state.status).toBe('none');
  });
});
