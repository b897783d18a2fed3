/**
 * Tracing ("epidemiological landmarks"): a person's check-ins in a time range, and for each of
 * them everyone else checked in at the same checkpoint within ±windowMinutes. Contacts are people:
 * a scan that names nobody (an unreadable or unknown code: no ID number, no second identifier, no
 * name) is counted per landmark (`unidentifiedNearby`), not listed.
 */
import type { CheckIn } from '../src/shared/types.js';
import type { CentralStorage } from './storage/types.js';
import { asExported } from './overrides.js';

export interface TraceQuery {
  idNo: string;
  fromMs: number;
  toMs: number;
  windowMinutes: number;
}

export interface TraceLandmark {
  checkIn: CheckIn;
  /**
   * Other people at the same checkpoint within the window (the person's own records excluded):
   * check-ins that name someone (`identifiesPerson`).
   */
  nearby: CheckIn[];
  /** Check-ins in the same checkpoint and window that name nobody: counted, never listed. */
  unidentifiedNearby: number;
  /** True when the check-ins read for this landmark were cut at the limit (both lists may miss some). */
  truncated: boolean;
}

/** Whether a check-in names a person: an ID number, a second identifier or a name. */
export function identifiesPerson(c: CheckIn): boolean {
  const s = c.subject as CheckIn['subject'] | undefined;
  return Boolean(s?.idNo || s?.altId || s?.name);
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

/** Runs a tracing query through the storage (bounded by TRACE_LIMITS). */
export async function trace(storage: CentralStorage, q: TraceQuery): Promise<TraceResult> {
  const own = await storage.checkInsOfPerson(q.idNo, q.fromMs, q.toMs, TRACE_LIMITS.maxLandmarks + 1);
  const windowMs = q.windowMinutes * 60_000;
  const landmarks: TraceLandmark[] = [];
  for (const checkIn of own.slice(0, TRACE_LIMITS.maxLandmarks)) {
    const at = Date.parse(checkIn.scannedAt);
    const rows = await storage.checkInsNear({
      checkpointId: checkIn.checkpointId,
      fromMs: at - windowMs,
      toMs: at + windowMs,
      excludeId: checkIn.id,
      excludePerson: q.idNo,
      limit: TRACE_LIMITS.maxNearbyPerLandmark + 1,
    });
    const read = rows.slice(0, TRACE_LIMITS.maxNearbyPerLandmark);
    const people = read.filter(identifiesPerson);
    // Records carry their current verdict (an officer's override) with originalVerdict beside it.
    landmarks.push({
      checkIn: asExported(checkIn),
      nearby: people.map(asExported),
      unidentifiedNearby: read.length - people.length,
      truncated: rows.length > TRACE_LIMITS.maxNearbyPerLandmark,
    });
  }
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
  if (!Number.isFinite(fromMs)) return dateTimeProblem('from', p.from);
  if (!Number.isFinite(toMs)) return dateTimeProblem('to', p.to);
  if (toMs < fromMs) return 'to: before from';
  const w = p.windowMinutes === undefined || p.windowMinutes === '' ? 30 : Number(p.windowMinutes);
  if (!Number.isInteger(w) || w < 0 || w > TRACE_LIMITS.maxWindowMinutes) return `windowMinutes: integer 0..${TRACE_LIMITS.maxWindowMinutes}`;
  return { idNo: p.idNo, fromMs, toMs, windowMinutes: w };
}

/**
 * `name: problem` for a missing or unparseable date-time parameter: a value that was given is
 * quoted (bounded), so "required" is never said of something the user typed. Shared with the
 * lawful export.
 */
export function dateTimeProblem(name: string, value: unknown): string {
  const example = '(e.g. 2026-12-06T08:00 or 2026-12-06T08:00:00Z)';
  if (value === undefined || value === '') return `${name}: required ISO date-time ${example}`;
  const shown = typeof value === 'string' ? (value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value;
  return `${name}: not an ISO date-time: ${shown} ${example}`;
}
