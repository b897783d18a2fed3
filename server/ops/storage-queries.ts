/**
 * OpsQueries over the storage seam: every backend (SQLite, PostgreSQL) serves the operations
 * room through the same CentralStorage methods.
 */
import type { CentralStorage } from '../storage/types.js';
import { trace } from '../trace.js';
import { assertHourArgs } from './queries.js';
import type { OpsQueries } from './queries.js';

export function storageOpsQueries(storage: CentralStorage): OpsQueries {
  return {
    async activity(r) {
      const f = await storage.checkInFigures(r.fromMs, r.toMs);
      return { checkins: Number(f.count), devices: Number(f.devices), checkpoints: Number(f.checkpoints) };
    },
    async countByHour(fromMs, hours) {
      assertHourArgs(fromMs, hours);
      const counts = await storage.checkInsByHour(fromMs, hours);
      // A backend that ever answers with fractional or missing hours fails loudly here instead of
      // drawing an empty chart.
      if (counts.length !== hours || !counts.every((n) => Number.isInteger(n) && n >= 0)) {
        throw new Error(`storage answered ${counts.length} hourly counts for ${hours} hours (${counts.slice(0, 4).join(',')}…): expected whole counts per whole hour`);
      }
      return counts;
    },
    // Counts as numbers whatever the driver gives (node-postgres returns bigint counts as text).
    countByCheckpoint: async (r, limit) => (await storage.checkInsByCheckpoint(r.fromMs, r.toMs, limit)).map((c) => ({ checkpointId: c.checkpointId, count: Number(c.count) })),
    countByVerdict: async (r) => (await storage.checkInsByVerdict(r.fromMs, r.toMs)).map((v) => ({ verdict: v.verdict, count: Number(v.count) })),
    // The counters, not count(*): the total must not cost a scan of every check-in kept.
    totalCheckIns: () => storage.checkInTotal(),
    async devices(limit) {
      const rows = await storage.devicesWithHeartbeat(limit);
      return rows.map((r) => ({
        deviceId: r.deviceId,
        name: r.name,
        enrolledAt: r.enrolledAt,
        lastHeartbeatMs: r.lastHeartbeatMs,
        queueDepth: r.queueDepth,
        oldestPendingAt: r.oldestPendingAt,
        clockOffsetMs: r.clockOffsetMs,
        trustIssuedAt: r.trustIssuedAt,
        version: r.version,
        oldestIdentityAt: r.oldestIdentityAt,
        reportedCheckpointId: r.checkpointId,
        reportedDirection: r.direction,
        unreadableTimes: r.unreadableTimes,
      }));
    },
    trace: (q) => trace(storage, q),
  };
}
