/**
 * The dashboard figures health officials used in 2021: scan points active today, check-ins today
 * and the 7-day average, by checkpoint and by hour, and devices that need a visit (heartbeat
 * stale or queue old). "Today" is the local day at `utcOffsetMinutes` (Hanoi: +420).
 */
import type { CentralDb } from './db.js';

export interface StatsOptions {
  nowMs: number;
  utcOffsetMinutes: number;
  /** A device whose last heartbeat is older than this is stale (ms). */
  staleHeartbeatMs: number;
  /** A device whose oldest pending check-in is older than this has an old queue (ms). */
  oldQueueMs: number;
}

export interface DeviceHealth {
  deviceId: string;
  name: string;
  lastHeartbeatAt: string | null;
  queueDepth: number | null;
  oldestPendingAt: string | null;
  trustIssuedAt: string | null;
  version: string | null;
  heartbeatStale: boolean;
  queueOld: boolean;
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

export function computeStats(db: CentralDb, o: StatsOptions): Stats {
  const offsetMs = o.utcOffsetMinutes * 60_000;
  const dayStart = Math.floor((o.nowMs + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
  const dayEnd = dayStart + DAY_MS;
  const today = db
    .prepare(
      `SELECT count(*) AS n, count(DISTINCT sender_device_id) AS devices, count(DISTINCT checkpoint_id) AS checkpoints
       FROM checkins WHERE scanned_ms >= ? AND scanned_ms < ?`,
    )
    .get(dayStart, dayEnd) as { n: number; devices: number; checkpoints: number };
  const week = db.prepare('SELECT count(*) AS n FROM checkins WHERE scanned_ms >= ? AND scanned_ms < ?').get(dayStart - 7 * DAY_MS, dayStart) as {
    n: number;
  };
  const byCheckpoint = db
    .prepare(
      `SELECT checkpoint_id AS checkpointId, count(*) AS count FROM checkins
       WHERE scanned_ms >= ? AND scanned_ms < ? GROUP BY checkpoint_id ORDER BY count DESC, checkpoint_id LIMIT 500`,
    )
    .all(dayStart, dayEnd) as { checkpointId: string; count: number }[];
  const hours = db
    .prepare(
      `SELECT (scanned_ms - ?) / 3600000 AS hour, count(*) AS n FROM checkins
       WHERE scanned_ms >= ? AND scanned_ms < ? GROUP BY hour`,
    )
    .all(dayStart, dayStart, dayEnd) as { hour: number; n: number }[];
  const byHour = new Array<number>(24).fill(0);
  for (const h of hours) if (h.hour >= 0 && h.hour < 24) byHour[h.hour] = h.n;
  const deviceRows = db
    .prepare(
      `SELECT d.id, d.name, h.received_at, h.received_ms, h.queue_depth, h.oldest_pending_at, h.trust_issued_at, h.version
       FROM devices d LEFT JOIN heartbeats h ON h.device_id = d.id ORDER BY d.enrolled_at LIMIT 5000`,
    )
    .all() as {
    id: string;
    name: string;
    received_at: string | null;
    received_ms: number | null;
    queue_depth: number | null;
    oldest_pending_at: string | null;
    trust_issued_at: string | null;
    version: string | null;
  }[];
  const devices = deviceRows.map((r): DeviceHealth => {
    const oldest = r.oldest_pending_at ? Date.parse(r.oldest_pending_at) : NaN;
    return {
      deviceId: r.id,
      name: r.name,
      lastHeartbeatAt: r.received_at,
      queueDepth: r.queue_depth,
      oldestPendingAt: r.oldest_pending_at,
      trustIssuedAt: r.trust_issued_at,
      version: r.version,
      heartbeatStale: r.received_ms === null || o.nowMs - r.received_ms > o.staleHeartbeatMs,
      queueOld: Number.isFinite(oldest) && o.nowMs - oldest > o.oldQueueMs,
    };
  });
  const total = db.prepare('SELECT count(*) AS n FROM checkins').get() as { n: number };
  return {
    generatedAt: new Date(o.nowMs).toISOString(),
    dayStart: new Date(dayStart).toISOString(),
    scanPointsActiveToday: today.devices,
    checkpointsActiveToday: today.checkpoints,
    checkinsToday: today.n,
    sevenDayAverage: Math.round((week.n / 7) * 10) / 10,
    byCheckpoint,
    byHour,
    devices,
    attention: devices.filter((d) => d.heartbeatStale || d.queueOld),
    totalCheckins: total.n,
  };
}
