/**
 * GET /api/v1/stats: the dashboard figures as JSON — scan points active today, check-ins today
 * and the 7-day average, by checkpoint, by local hour (with the 7-day average per hour), the
 * verdict mix and the devices that need a visit. "Today" is the local day in the configured time
 * zone (default Asia/Ho_Chi_Minh). Built from the same Overview as the dashboard.
 */
import type { VerdictKind } from '../src/shared/types.js';
import type { DeviceProblem, DeviceState } from './ops/fleet.js';
import type { Overview } from './ops/overview.js';

export interface DeviceHealth {
  deviceId: string;
  name: string;
  lastHeartbeatAt: string | null;
  queueDepth: number | null;
  oldestPendingAt: string | null;
  trustIssuedAt: string | null;
  clockOffsetMs: number | null;
  version: string | null;
  heartbeatStale: boolean;
  queueOld: boolean;
  /** The latest heartbeat's oldestPendingAt could not be read while the queue is not empty: its age is unknown. */
  queueAgeUnreadable: boolean;
  problems: DeviceProblem[];
}

export interface Stats {
  generatedAt: string;
  timeZone: string;
  /** UTC instant the local day starts. */
  dayStart: string;
  scanPointsActiveToday: number;
  checkpointsActiveToday: number;
  checkinsToday: number;
  sevenDayAverage: number;
  byCheckpoint: { checkpointId: string; count: number }[];
  /** Check-ins today per local hour 0..23. */
  byHour: number[];
  /** Mean check-ins per local hour 0..23 over the previous 7 days. */
  byHourSevenDayAverage: number[];
  verdicts: Record<VerdictKind, number>;
  devicesByState: Record<DeviceState, number>;
  devices: DeviceHealth[];
  attention: DeviceHealth[];
  totalCheckins: number;
}

export function statsOf(o: Overview): Stats {
  const devices = o.fleet.map(
    (d): DeviceHealth => ({
      deviceId: d.deviceId,
      name: d.name,
      lastHeartbeatAt: d.lastHeartbeatMs === null ? null : new Date(d.lastHeartbeatMs).toISOString(),
      queueDepth: d.queueDepth,
      oldestPendingAt: d.oldestPendingAt,
      trustIssuedAt: d.trustIssuedAt,
      clockOffsetMs: d.clockOffsetMs,
      version: d.version,
      heartbeatStale: d.problems.includes('never-seen') || d.problems.includes('stale-heartbeat'),
      queueOld: d.problems.includes('old-queue'),
      queueAgeUnreadable: d.problems.includes('queue-age-unreadable'),
      problems: d.problems,
    }),
  );
  return {
    generatedAt: new Date(o.nowMs).toISOString(),
    timeZone: o.timeZone,
    dayStart: new Date(o.hourly.day.fromMs).toISOString(),
    scanPointsActiveToday: o.today.devices,
    checkpointsActiveToday: o.today.checkpoints,
    checkinsToday: o.today.checkins,
    sevenDayAverage: o.weekDailyAverage,
    byCheckpoint: o.byCheckpoint,
    byHour: o.hourly.today,
    byHourSevenDayAverage: o.hourly.weekAverage,
    verdicts: o.verdicts,
    devicesByState: o.states,
    devices,
    attention: devices.filter((d) => d.problems.length > 0),
    totalCheckins: o.totalCheckins,
  };
}
