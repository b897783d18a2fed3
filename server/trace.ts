/**
 * Tracing ("epidemiological landmarks"): a person's check-ins in a time range, and for each of
 * them everyone else checked in at the same checkpoint within ±windowMinutes.
 */
import type { CheckIn } from '../src/shared/types.js';
import type { CentralDb } from './db.js';

export interface TraceQuery {
  idNo: string;
  fromMs: number;
  toMs: number;
  windowMinutes: number;
}

export interface TraceLandmark {
  checkIn: CheckIn;
  /** Other people at the same checkpoint within the window (the person's own records excluded). */
  nearby: CheckIn[];
  /** True when `nearby` was cut at the limit. */
  truncated: boolean;
}

export interface TraceResult {
  idNo: string;
  from: string;
  to: string;
  windowMinutes: number;
  landmarks: TraceLandmark[];
  truncated: boolean;
}

export const TRACE_LIMITS = { maxLandmarks: 1000, maxNearbyPerLandmark: 2000, maxWindowMinutes: 24 * 60 } as const;

export function trace(db: CentralDb, q: TraceQuery): TraceResult {
  const own = db
    .prepare(
      `SELECT record FROM checkins WHERE (id_no = @idNo OR alt_id = @idNo) AND scanned_ms >= @from AND scanned_ms <= @to
       ORDER BY scanned_ms, seq LIMIT @limit`,
    )
    .all({ idNo: q.idNo, from: q.fromMs, to: q.toMs, limit: TRACE_LIMITS.maxLandmarks + 1 }) as { record: string }[];
  const nearbyStmt = db.prepare(
    `SELECT record FROM checkins WHERE checkpoint_id = @cp AND scanned_ms >= @from AND scanned_ms <= @to
       AND id <> @id AND (id_no IS NULL OR id_no <> @idNo) AND (alt_id IS NULL OR alt_id <> @idNo)
     ORDER BY scanned_ms, seq LIMIT @limit`,
  );
  const windowMs = q.windowMinutes * 60_000;
  const landmarks = own.slice(0, TRACE_LIMITS.maxLandmarks).map((row): TraceLandmark => {
    const checkIn = JSON.parse(row.record) as CheckIn;
    const at = Date.parse(checkIn.scannedAt);
    const rows = nearbyStmt.all({
      cp: checkIn.checkpointId,
      from: at - windowMs,
      to: at + windowMs,
      id: checkIn.id,
      idNo: q.idNo,
      limit: TRACE_LIMITS.maxNearbyPerLandmark + 1,
    }) as { record: string }[];
    return {
      checkIn,
      nearby: rows.slice(0, TRACE_LIMITS.maxNearbyPerLandmark).map((r) => JSON.parse(r.record) as CheckIn),
      truncated: rows.length > TRACE_LIMITS.maxNearbyPerLandmark,
    };
  });
  return {
    idNo: q.idNo,
    from: new Date(q.fromMs).toISOString(),
    to: new Date(q.toMs).toISOString(),
    windowMinutes: q.windowMinutes,
    landmarks,
    truncated: own.length > TRACE_LIMITS.maxLandmarks,
  };
}

/** Parses and bounds trace parameters (shared by the API and the CLI). Returns an error text or the query. */
export function parseTraceQuery(p: { idNo?: unknown; from?: unknown; to?: unknown; windowMinutes?: unknown }): TraceQuery | string {
  if (typeof p.idNo !== 'string' || p.idNo.length < 1 || p.idNo.length > 64) return 'idNo: required, at most 64 chars';
  const fromMs = typeof p.from === 'string' ? Date.parse(p.from) : NaN;
  const toMs = typeof p.to === 'string' ? Date.parse(p.to) : NaN;
  if (!Number.isFinite(fromMs)) return 'from: required ISO date-time';
  if (!Number.isFinite(toMs)) return 'to: required ISO date-time';
  if (toMs < fromMs) return 'to: before from';
  const w = p.windowMinutes === undefined || p.windowMinutes === '' ? 30 : Number(p.windowMinutes);
  if (!Number.isInteger(w) || w < 0 || w > TRACE_LIMITS.maxWindowMinutes) return `windowMinutes: integer 0..${TRACE_LIMITS.maxWindowMinutes}`;
  return { idNo: p.idNo, fromMs, toMs, windowMinutes: w };
}
