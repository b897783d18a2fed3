/**
 * The dashboard figures health officials used in 2021: scan points active today, check-ins today
 * and the 7-day average, by checkpoint and by hour, and devices that need a visit (heartbeat
 * stale, queue old, or personal data held past the retention). "Today" is the local day at `utcOffsetMinutes` (Hanoi: +420).
 */
import type { CentralStorage } from './storage/types.js';

export interface StatsOptions {
  nowMs: number;
  utcOffsetMinutes: number;
  /** A device whose last heartbeat is older than this is stale (ms). */
  staleHeartbeatMs: number;
  /** A device whose oldest pending check-in is older than this has an old queue (ms). */
  oldQueueMs: number;
  /**
   * A device reporting identity data (heartbeat `oldestIdentityAt`) older than this holds data
   * past its retention (ms; default 21 days and 2 hours: the kiosk purges hourly).
   */
  deviceRetentionMs?: number;
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
  /** Scan time of the oldest check-in the device still holds, from its last heartbeat. */
  oldestIdentityAt: string | null;
  /** It holds personal data longer than the retention allows. */
  pastRetention: boolean;
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
const DEFAULT_DEVICE_RETENTION_MS = 21 * DAY_MS + 2 * 3_600_000;

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
    const oldestHeld = r.oldestIdentityAt ? Date.parse(r.oldestIdentityAt) : NaN;
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
      oldestIdentityAt: r.oldestIdentityAt,
      pastRetention: Number.isFinite(oldestHeld) && o.nowMs - oldestHeld > (o.deviceRetentionMs ?? DEFAULT_DEVICE_RETENTION_MS),
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
    attention: devices.filter((d) => d.heartbeatStale || d.queueOld || d.pastRetention),
    totalCheckins: total,
  };
}
