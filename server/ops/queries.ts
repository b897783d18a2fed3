/**
 * The queries behind the operations room (dashboard, stats, tracing), as one small interface a
 * storage backend implements. Everything here is a count or a short bounded list; every method is
 * async so that a networked database (PostgreSQL) can implement it as well as SQLite.
 *
 * Time is always UTC milliseconds since the epoch and ranges are half-open [fromMs, toMs).
 * Local hours, days and time zones are NOT the backend's business: callers ask for fixed-width
 * buckets (e.g. 15 minutes, which divide every real time-zone offset) and map them to local hours
 * themselves (see hourly.ts). Bucket indexes must be computed with integer arithmetic in the
 * database: a bound JS number arrives as a float in SQLite, and float division once made every
 * "by hour" figure land on a fraction that matched no hour.
 */
import type { TraceQuery, TraceResult } from '../trace.js';
import type { VerdictKind } from '../../src/shared/types.js';

/** Half-open UTC range [fromMs, toMs) in ms since the epoch. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
}

/** Check-ins counted in one bucket: index = floor((scannedMs - fromMs) / bucketMs), an integer ≥ 0. */
export interface BucketCount {
  bucket: number;
  count: number;
}

export interface CheckpointCount {
  checkpointId: string;
  count: number;
}

export interface VerdictCount {
  verdict: VerdictKind;
  count: number;
}

/** What the operations room shows as "today's activity" next to the counts. */
export interface ActivitySummary {
  checkins: number;
  /** Distinct sending devices (scan points). */
  devices: number;
  checkpoints: number;
}

/**
 * One enrolled device and its latest heartbeat, as stored (null where the device never sent
 * that field). Judging (stale, old, offset) is done by fleet.ts, not by the backend.
 */
export interface DeviceRow {
  deviceId: string;
  name: string;
  enrolledAt: string;
  /** When the server received the latest heartbeat (ms since the epoch), null = never. */
  lastHeartbeatMs: number | null;
  queueDepth: number | null;
  /** ISO time of the oldest check-in the kiosk has not delivered yet. */
  oldestPendingAt: string | null;
  /** Kiosk clock minus server clock (ms) from the heartbeat, when the kiosk reports it. */
  clockOffsetMs: number | null;
  /** `issuedAt` of the trust bundle the kiosk uses. */
  trustIssuedAt: string | null;
  /** App version from the latest heartbeat, else from enrollment. */
  version: string | null;
}

export interface OpsQueries {
  /** Check-ins, distinct devices and distinct checkpoints scanned in the range. */
  activity(range: TimeRange): Promise<ActivitySummary>;
  /**
   * Check-ins per fixed-width bucket of the range, sparse (empty buckets omitted), by bucket.
   * `bucketMs` is a positive integer number of ms and `range.fromMs` an integer.
   */
  countByBucket(range: TimeRange, bucketMs: number): Promise<BucketCount[]>;
  /** Check-ins per checkpoint in the range, most first (ties by id), at most `limit` rows. */
  countByCheckpoint(range: TimeRange, limit: number): Promise<CheckpointCount[]>;
  /** Check-ins per verdict in the range (verdicts without check-ins omitted). */
  countByVerdict(range: TimeRange): Promise<VerdictCount[]>;
  /** All check-ins ever received. */
  totalCheckIns(): Promise<number>;
  /** Enrolled devices with their latest heartbeat, oldest enrollment first, at most `limit`. */
  devices(limit: number): Promise<DeviceRow[]>;
  /** A person's check-ins in a range and who else was at the same checkpoint within ±window. */
  trace(q: TraceQuery): Promise<TraceResult>;
}

/** Throws when a range or bucket width would make bucket indexes fractional or unbounded. */
export function assertBucketArgs(range: TimeRange, bucketMs: number): void {
  if (!Number.isSafeInteger(range.fromMs) || !Number.isSafeInteger(range.toMs) || range.toMs < range.fromMs) {
    throw new RangeError(`time range must be integer ms with from ≤ to (got ${range.fromMs}..${range.toMs})`);
  }
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0) throw new RangeError(`bucketMs must be a positive integer (got ${bucketMs})`);
  if ((range.toMs - range.fromMs) / bucketMs > 100_000) throw new RangeError('at most 100,000 buckets per query');
}
