/**
 * The dashboard figures health officials used in 2021: scan points active today, check-ins today
 * and the 7-day average, by checkpoint and by hour, and devices that need a visit (heartbeat
 * stale or queue old). "Today" is the local day at `utcOffsetMinutes` (Hanoi: +420).
 */
import type { CentralStorage } from './storage/types.js';

export interface StatsOptions {
  nowMs: number;
  utcOffsetMinutes: number;
  /** A device whose last heartbeat is older than this is stale (ms). */
  staleHeartbeatMs: number;
  /** A device whose oldest pending check-in is older than this has an old queue (ms). */
  oldQueueMs: number;
  /** A device whose |clock offset| exceeds this is flagged (ms; default 5 min, the kiosk's default tolerance). */
  clockToleranceMs?: number;
}

export interface DeviceHealth {
  deviceId: string;
  name: string;
  lastHeartbeatAt: string | null;
  queueDepth: number | null;
  oldestPendingAt: string | null;
  trustIssuedAt: string | null;
  version: string | null;
  /** Kiosk clock minus server clock (ms) from its last heartbeat. */
  clockOffsetMs: number | null;
  heartbeatStale: boolean;
  queueOld: boolean;
  /** |clockOffsetMs| beyond the clock tolerance: its time checks (expiry, iat) are off by that much. */
  clockOff: boolean;
}

export interface Stats {
  generatedAt: string;
  dayStart: string;
  scanPointsActiveToday: number;
  checkpointsActiveToday: number;
  checkinsToday: number;
  sevenDayAverage: number;
  byCheckpoint: { checkpointId: string; count: number }[];
  /** Check-ins today per local hour 0..23. */
  byHour: number[];
  devices: DeviceHealth[];
  attention: DeviceHealth[];
  totalCheckins: number;
}

const DAY_MS = 86_400_000;

/** The dashboard figures at `o.nowMs`, read through the storage. */
export async function computeStats(storage: CentralStorage, o: StatsOptions): Promise<Stats> {
  const offsetMs = o.utcOffsetMinutes * 60_000;
  const dayStart = Math.floor((o.nowMs + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
  const dayEnd = dayStart + DAY_MS;
  const [today, week, byCheckpoint, byHour, deviceRows, total] = await Promise.all([
    storage.checkInFigures(dayStart, dayEnd),
    storage.checkInFigures(dayStart - 7 * DAY_MS, dayStart),
    storage.checkInsByCheckpoint(dayStart, dayEnd, 500),
    storage.checkInsByHour(dayStart, 24),
    storage.devicesWithHeartbeat(5000),
    storage.countCheckIns(),
  ]);
  const devices = deviceRows.map((r): DeviceHealth => {
    const oldest = r.oldestPendingAt ? Date.parse(r.oldestPendingAt) : NaN;
    return {
      deviceId: r.deviceId,
      name: r.name,
      lastHeartbeatAt: r.lastHeartbeatAt,
      queueDepth: r.queueDepth,
      oldestPendingAt: r.oldestPendingAt,
      trustIssuedAt: r.trustIssuedAt,
      version: r.version,
      clockOffsetMs: r.clockOffsetMs,
      heartbeatStale: r.lastHeartbeatMs === null || o.nowMs - r.lastHeartbeatMs > o.staleHeartbeatMs,
      queueOld: Number.isFinite(oldest) && o.nowMs - oldest > o.oldQueueMs,
      clockOff: r.clockOffsetMs !== null && Math.abs(r.clockOffsetMs) > (o.clockToleranceMs ?? 300_000),
    };
  });
  return {
    generatedAt: new Date(o.nowMs).toISOString(),
    dayStart: new Date(dayStart).toISOString(),
    scanPointsActiveToday: today.devices,
    checkpointsActiveToday: today.checkpoints,
    checkinsToday: today.count,
    sevenDayAverage: Math.round((week.count / 7) * 10) / 10,
    byCheckpoint,
    byHour,
    devices,
    attention: devices.filter((d) => d.heartbeatStale || d.queueOld || d.clockOff),
    totalCheckins: total,
  };
}
