/**
 * OpsQueries over the central SQLite database (see db.ts for the tables). Every statement is
 * prepared once; each call is one short read (WAL: never blocks ingest).
 */
import type { CentralDb } from '../db.js';
import { trace } from '../trace.js';
import type { VerdictKind } from '../../src/shared/types.js';
import { assertBucketArgs } from './queries.js';
import type { BucketCount, DeviceRow, OpsQueries } from './queries.js';

export function sqliteOpsQueries(db: CentralDb): OpsQueries {
  const activity = db.prepare(
    `SELECT count(*) AS checkins, count(DISTINCT sender_device_id) AS devices, count(DISTINCT checkpoint_id) AS checkpoints
     FROM checkins WHERE scanned_ms >= @from AND scanned_ms < @to`,
  );
  // better-sqlite3 binds JS numbers as REAL: without the casts, (REAL - INTEGER) / INTEGER is a
  // fraction and no bucket index would ever be an integer.
  const byBucket = db.prepare(
    `SELECT CAST((scanned_ms - CAST(@from AS INTEGER)) / CAST(@bucket AS INTEGER) AS INTEGER) AS bucket, count(*) AS count
     FROM checkins WHERE scanned_ms >= @from AND scanned_ms < @to GROUP BY bucket ORDER BY bucket`,
  );
  const byCheckpoint = db.prepare(
    `SELECT checkpoint_id AS checkpointId, count(*) AS count FROM checkins
     WHERE scanned_ms >= @from AND scanned_ms < @to GROUP BY checkpoint_id ORDER BY count DESC, checkpoint_id LIMIT @limit`,
  );
  const byVerdict = db.prepare(
    `SELECT verdict, count(*) AS count FROM checkins WHERE scanned_ms >= @from AND scanned_ms < @to GROUP BY verdict ORDER BY verdict`,
  );
  const total = db.prepare('SELECT count(*) AS n FROM checkins');
  // The heartbeat body keeps optional members (clockOffsetMs...) that have no column of their own.
  const devices = db.prepare(
    `SELECT d.id AS deviceId, d.name, d.enrolled_at AS enrolledAt, h.received_ms AS lastHeartbeatMs, h.queue_depth AS queueDepth,
       h.oldest_pending_at AS oldestPendingAt, json_extract(h.body, '$.clockOffsetMs') AS clockOffsetMs,
       h.trust_issued_at AS trustIssuedAt, coalesce(h.version, d.version) AS version
     FROM devices d LEFT JOIN heartbeats h ON h.device_id = d.id ORDER BY d.enrolled_at, d.id LIMIT @limit`,
  );
  const range = (r: { fromMs: number; toMs: number }) => ({ from: r.fromMs, to: r.toMs });
  return {
    async activity(r) {
      return activity.get(range(r)) as { checkins: number; devices: number; checkpoints: number };
    },
    async countByBucket(r, bucketMs) {
      assertBucketArgs(r, bucketMs);
      return byBucket.all({ ...range(r), bucket: bucketMs }) as BucketCount[];
    },
    async countByCheckpoint(r, limit) {
      return byCheckpoint.all({ ...range(r), limit }) as { checkpointId: string; count: number }[];
    },
    async countByVerdict(r) {
      return byVerdict.all(range(r)) as { verdict: VerdictKind; count: number }[];
    },
    async totalCheckIns() {
      return (total.get() as { n: number }).n;
    },
    async devices(limit) {
      const rows = devices.all({ limit }) as (DeviceRow & { clockOffsetMs: unknown })[];
      return rows.map((r) => ({ ...r, clockOffsetMs: typeof r.clockOffsetMs === 'number' && Number.isFinite(r.clockOffsetMs) ? r.clockOffsetMs : null }));
    },
    async trace(q) {
      return trace(db, q);
    },
  };
}
