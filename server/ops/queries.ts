/**
 * The queries behind the operations room (dashboard, stats, tracing), as one small interface.
 * Implemented over the storage seam (storage-queries.ts), so it works on every backend the seam
 * has (SQLite, PostgreSQL). Everything here is a count or a short bounded list, and async.
 *
 * Time is always UTC milliseconds since the epoch and ranges are half-open [fromMs, toMs).
 * Local days, hours and time zones are NOT the backend's business: callers ask for whole hours
 * from a local midnight and map them to local hours themselves (hourly.ts). Hour indexes are
 * integers by construction (array positions); the old dashboard computed the hour as a float
 * quotient in SQL (a bound JS number is REAL in SQLite), matched no hour and showed 0 everywhere.
 */
import type { TraceQuery, TraceResult } from '../trace.js';
import type { VerdictKind } from '../../src/shared/types.js';

/** Half-open UTC range [fromMs, toMs) in ms since the epoch. */
export interface TimeRange {
  fromMs: number;
  toMs: number;
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
  /** Scan time of the oldest check-in the kiosk still holds (heartbeat `oldestIdentityAt`). */
  oldestIdentityAt?: string | null;
  /** Checkpoint id and direction (`in` | `out`) the kiosk reported in its latest heartbeat, null when unreported. */
  reportedCheckpointId?: string | null;
  reportedDirection?: string | null;
  /** Time members of the latest heartbeat the server could not read (stored as null), e.g. `oldestPendingAt`. */
  unreadableTimes?: readonly string[];
}

export interface OpsQueries {
  /** Check-ins, distinct devices and distinct checkpoints scanned in the range. */
  activity(range: TimeRange): Promise<ActivitySummary>;
  /**
   * Check-ins per whole hour from `fromMs`: element h counts scans in [fromMs + h h,
   * fromMs + (h+1) h), h = 0..hours-1 (dense: 0 where none). `fromMs` an integer, hours 1..24·8.
   */
  countByHour(fromMs: number, hours: number): Promise<number[]>;
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

/** Throws when an hour query would be unbounded or start at a fractional millisecond. */
export function assertHourArgs(fromMs: number, hours: number): void {
  if (!Number.isSafeInteger(fromMs)) throw new RangeError(`fromMs must be an integer number of ms (got ${fromMs})`);
  if (!Number.isInteger(hours) || hours < 1 || hours > 24 * 8) throw new RangeError(`hours must be an integer 1..192 (got ${hours})`);
}
