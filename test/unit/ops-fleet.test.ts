/** Judging devices from their latest heartbeat and sorting the fleet table by problem. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_FLEET_THRESHOLDS, countByState, judgeDevice, sortFleet } from '../../server/ops/fleet.js';
import type { FleetDevice } from '../../server/ops/fleet.js';
import type { DeviceRow } from '../../server/ops/queries.js';

const NOW = Date.parse('2026-11-25T09:41:27.250Z');
const PUBLISHED = NOW - 3 * 3_600_000;
const MIN = 60_000;

function row(over: Partial<DeviceRow>): DeviceRow {
  return {
    deviceId: over.name ?? 'd',
    name: 'd',
    enrolledAt: '2026-11-01T00:00:00Z',
    lastHeartbeatMs: NOW - MIN,
    queueDepth: 0,
    oldestPendingAt: null,
    clockOffsetMs: 0,
    trustIssuedAt: new Date(PUBLISHED).toISOString(),
    version: '0.1.0',
    ...over,
  };
}

const judge = (over: Partial<DeviceRow>) => judgeDevice(row(over), NOW, PUBLISHED, DEFAULT_FLEET_THRESHOLDS);

describe('judgeDevice', () => {
  it('finds each problem just past its threshold and not at it', () => {
    expect(judge({}).state).toBe('ok');
    expect(judge({ lastHeartbeatMs: NOW - 15 * MIN }).problems).toEqual([]);
    expect(judge({ lastHeartbeatMs: NOW - 15 * MIN - 1 }).problems).toEqual(['stale-heartbeat']);
    expect(judge({ oldestPendingAt: new Date(NOW - 60 * MIN).toISOString() }).problems).toEqual([]);
    expect(judge({ oldestPendingAt: new Date(NOW - 60 * MIN - 1000).toISOString() }).problems).toEqual(['old-queue']);
    expect(judge({ clockOffsetMs: 2 * MIN }).problems).toEqual([]);
    expect(judge({ clockOffsetMs: -(2 * MIN + 1) }).problems).toEqual(['clock-offset']);
    expect(judge({ trustIssuedAt: new Date(PUBLISHED - 1).toISOString() }).problems).toEqual(['old-trust']);
    expect(judge({ trustIssuedAt: null }).problems).toEqual(['old-trust']);
    expect(judge({ lastHeartbeatMs: null }).problems).toEqual(['never-seen']);
  });

  it('gives a new bundle time to reach the kiosks before calling theirs old', () => {
    const justPublished = NOW - 30 * MIN;
    expect(judgeDevice(row({ trustIssuedAt: '2026-11-20T00:00:00Z' }), NOW, justPublished, DEFAULT_FLEET_THRESHOLDS).problems).toEqual([]);
  });

  it('lists every problem, worst first, and ignores an unparseable oldest-pending time', () => {
    const d = judge({ lastHeartbeatMs: NOW - 3 * 3_600_000, clockOffsetMs: 10 * MIN, oldestPendingAt: new Date(NOW - 5 * 3_600_000).toISOString() });
    expect(d.problems).toEqual(['stale-heartbeat', 'old-queue', 'clock-offset']);
    expect(d.state).toBe('stale-heartbeat');
    expect(d.queueAgeMs).toBe(5 * 3_600_000);
    expect(judge({ oldestPendingAt: 'soon' }).queueAgeMs).toBeNull();
  });

  it('flags a queue whose age cannot be read (unreadable oldestPendingAt) unless the queue is empty', () => {
    // The heartbeat's text was unreadable: stored as null, named in unreadableTimes.
    const d = judge({ queueDepth: 5, oldestPendingAt: null, unreadableTimes: ['oldestPendingAt'] });
    expect([d.problems, d.queueAgeMs]).toEqual([['queue-age-unreadable'], null]);
    // A text no date stored before such texts were refused, under a non-empty or unknown queue.
    expect(judge({ queueDepth: 3, oldestPendingAt: 'soon' }).problems).toEqual(['queue-age-unreadable']);
    expect(judge({ queueDepth: null, oldestPendingAt: 'soon' }).problems).toEqual(['queue-age-unreadable']);
    // An empty queue has no age; another unreadable time is not the queue's.
    expect(judge({ queueDepth: 0, unreadableTimes: ['oldestPendingAt'] }).problems).toEqual([]);
    expect(judge({ queueDepth: 5, unreadableTimes: ['lastScanAt'] }).problems).toEqual([]);
    // Never seen: nothing else is judged.
    expect(judge({ lastHeartbeatMs: null, queueDepth: 5, unreadableTimes: ['oldestPendingAt'] }).problems).toEqual(['never-seen']);
  });
});

describe('sortFleet and countByState', () => {
  const fleet: FleetDevice[] = [
    judge({ name: 'ok-b' }),
    judge({ name: 'ok-a' }),
    judge({ name: 'two', lastHeartbeatMs: NOW - 20 * MIN, clockOffsetMs: 5 * MIN }),
    judge({ name: 'clock', clockOffsetMs: -9 * MIN }),
    judge({ name: 'queue', queueDepth: 5, oldestPendingAt: new Date(NOW - 2 * 3_600_000).toISOString() }),
    judge({ name: 'silent', lastHeartbeatMs: null, clockOffsetMs: null, trustIssuedAt: null, queueDepth: null }),
  ];
  const names = (by: Parameters<typeof sortFleet>[1]) => sortFleet(fleet, by).map((d) => d.name);

  it('puts the device needing attention most first for each column', () => {
    expect(names('problem')).toEqual(['two', 'silent', 'queue', 'clock', 'ok-a', 'ok-b']);
    expect(names('heartbeat')).toEqual(['silent', 'two', 'clock', 'ok-a', 'ok-b', 'queue']);
    expect(names('queue')[0]).toBe('queue');
    expect(names('clock').slice(0, 2)).toEqual(['clock', 'two']);
    expect(names('trust')[0]).toBe('silent');
    expect(names('name')).toEqual(['clock', 'ok-a', 'ok-b', 'queue', 'silent', 'two']);
    expect(fleet.map((d) => d.name)[0]).toBe('ok-b'); // a sorted copy: the input is untouched
  });

  it('counts each device once, under its worst problem', () => {
    expect(countByState(fleet)).toEqual({ ok: 2, 'never-seen': 1, 'stale-heartbeat': 1, 'old-queue': 1, 'queue-age-unreadable': 0, 'clock-offset': 1, 'old-trust': 0, 'past-retention': 0 });
  });
});
