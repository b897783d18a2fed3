/**
 * Judging the fleet from the latest heartbeats: which devices need a visit and why, their state
 * for the "devices by state" figure, and the orders the fleet table can be sorted in.
 */
import type { DeviceRow } from './queries.js';

/** What can be wrong with a device, worst first (this is also the order of `state`). */
export const DEVICE_PROBLEMS = ['never-seen', 'stale-heartbeat', 'old-queue', 'queue-age-unreadable', 'past-retention', 'clock-offset', 'old-trust'] as const;
export type DeviceProblem = (typeof DEVICE_PROBLEMS)[number];
export type DeviceState = DeviceProblem | 'ok';
export const DEVICE_STATES: readonly DeviceState[] = ['ok', ...DEVICE_PROBLEMS];

export interface FleetThresholds {
  /** Latest heartbeat older than this → `stale-heartbeat` (ms). */
  staleHeartbeatMs: number;
  /** Oldest undelivered check-in older than this → `old-queue` (ms). */
  oldQueueMs: number;
  /** |kiosk clock − server clock| above this → `clock-offset` (ms). */
  clockToleranceMs: number;
  /**
   * A device still on a trust bundle issued before the published one, this long after it was
   * published (ms), → `old-trust`. A device that reports no bundle at all is `old-trust` too.
   */
  trustGraceMs: number;
  /**
   * A device holding personal data (heartbeat `oldestIdentityAt`) older than this → `past-retention`
   * (ms; default 21 days and 2 hours: the kiosk purges hourly).
   */
  retentionMs?: number;
}

const DEFAULT_RETENTION_MS = 21 * 86_400_000 + 2 * 3_600_000;

export const DEFAULT_FLEET_THRESHOLDS: FleetThresholds = {
  staleHeartbeatMs: 15 * 60_000,
  oldQueueMs: 60 * 60_000,
  clockToleranceMs: 2 * 60_000,
  trustGraceMs: 60 * 60_000,
};

export interface FleetDevice extends DeviceRow {
  /** Every problem, worst first; empty when the device is fine. */
  problems: DeviceProblem[];
  /** The worst problem, or 'ok'. */
  state: DeviceState;
  /** Age of the oldest undelivered check-in at `nowMs` (ms), null when none or unparseable. */
  queueAgeMs: number | null;
}

/**
 * Whether the latest heartbeat's queue age cannot be read: its `oldestPendingAt` was unreadable
 * (stored as null and named in `unreadableTimes`), or is a stored text no date (a heartbeat kept
 * from before such texts were refused), while the queue is not known to be empty. The room cannot
 * tell whether such a queue is old, so it says so (`queue-age-unreadable`) instead of nothing.
 */
export function queueAgeUnreadable(d: Pick<DeviceRow, 'queueDepth' | 'oldestPendingAt' | 'unreadableTimes'>): boolean {
  if (d.queueDepth === 0) return false;
  if (d.unreadableTimes?.includes('oldestPendingAt')) return true;
  return d.oldestPendingAt !== null && !Number.isFinite(Date.parse(d.oldestPendingAt));
}

/**
 * @param publishedTrustIssuedAt `issuedAt` (ms) of the trust bundle the server publishes now.
 */
export function judgeDevice(d: DeviceRow, nowMs: number, publishedTrustIssuedAtMs: number, t: FleetThresholds): FleetDevice {
  const problems: DeviceProblem[] = [];
  const oldest = d.oldestPendingAt ? Date.parse(d.oldestPendingAt) : NaN;
  const queueAgeMs = Number.isFinite(oldest) ? Math.max(0, nowMs - oldest) : null;
  if (d.lastHeartbeatMs === null) {
    problems.push('never-seen');
  } else {
    if (nowMs - d.lastHeartbeatMs > t.staleHeartbeatMs) problems.push('stale-heartbeat');
    if (queueAgeMs !== null && queueAgeMs > t.oldQueueMs) problems.push('old-queue');
    if (queueAgeUnreadable(d)) problems.push('queue-age-unreadable');
    const held = d.oldestIdentityAt ? Date.parse(d.oldestIdentityAt) : NaN;
    if (Number.isFinite(held) && nowMs - held > (t.retentionMs ?? DEFAULT_RETENTION_MS)) problems.push('past-retention');
    if (d.clockOffsetMs !== null && Math.abs(d.clockOffsetMs) > t.clockToleranceMs) problems.push('clock-offset');
    const trust = d.trustIssuedAt ? Date.parse(d.trustIssuedAt) : NaN;
    const behind = !Number.isFinite(trust) || trust < publishedTrustIssuedAtMs;
    if (behind && nowMs - publishedTrustIssuedAtMs > t.trustGraceMs) problems.push('old-trust');
  }
  return { ...d, problems, state: problems[0] ?? 'ok', queueAgeMs };
}

/** Devices per state (each device counted once, under its worst problem). */
export function countByState(devices: readonly FleetDevice[]): Record<DeviceState, number> {
  const out = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
  for (const d of devices) out[d.state] += 1;
  return out;
}

export const FLEET_SORTS = ['problem', 'heartbeat', 'queue', 'clock', 'trust', 'name'] as const;
export type FleetSort = (typeof FLEET_SORTS)[number];

const rank = (d: FleetDevice) => (d.state === 'ok' ? DEVICE_PROBLEMS.length : DEVICE_PROBLEMS.indexOf(d.state));
const nullsFirst = (v: number | null) => (v === null ? -Infinity : v);
const timeOf = (iso: string | null) => {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? ms : -Infinity;
};

/**
 * Sorted copy, the device needing attention most first:
 * problem = most problems, then worst problem; heartbeat = oldest (never first); queue = oldest
 * undelivered check-in, then deepest queue; clock = largest |offset|; trust = oldest bundle (none
 * first); name = alphabetical. Ties by name, then id.
 */
export function sortFleet<T extends FleetDevice>(devices: readonly T[], by: FleetSort): T[] {
  const byName = (a: FleetDevice, b: FleetDevice) => a.name.localeCompare(b.name) || a.deviceId.localeCompare(b.deviceId);
  const cmp: Record<FleetSort, (a: FleetDevice, b: FleetDevice) => number> = {
    problem: (a, b) => b.problems.length - a.problems.length || rank(a) - rank(b),
    heartbeat: (a, b) => nullsFirst(a.lastHeartbeatMs) - nullsFirst(b.lastHeartbeatMs),
    queue: (a, b) => (b.queueAgeMs ?? -1) - (a.queueAgeMs ?? -1) || (b.queueDepth ?? -1) - (a.queueDepth ?? -1),
    clock: (a, b) => Math.abs(b.clockOffsetMs ?? 0) - Math.abs(a.clockOffsetMs ?? 0),
    trust: (a, b) => timeOf(a.trustIssuedAt) - timeOf(b.trustIssuedAt),
    name: () => 0,
  };
  return [...devices].sort((a, b) => cmp[by](a, b) || byName(a, b));
}
