/**
 * Tracing ("epidemiological landmarks"): a person's check-ins in a time range, and for each of
 * them everyone else checked in at the same checkpoint within ±windowMinutes. Contacts are people:
 * a scan that names nobody (an unreadable or unknown code: no ID number, no second identifier, no
 * name) is counted per landmark (`unidentifiedNearby`), not listed.
 */
import type { CheckIn } from '../src/shared/types.js';
import type { CentralStorage } from './storage/types.js';
import { asExported } from './overrides.js';
import { isSkippedWallTime, parseLocalDateTime, toLocalIso } from './ops/local-time.js';
import { startsWithRealDate } from '../src/credentials/text.js';

export interface TraceQuery {
  idNo: string;
  fromMs: number;
  toMs: number;
  windowMinutes: number;
  /** IANA zone the range was read in (times given without a zone); the answer echoes the range in it. */
  timeZone?: string;
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
  /** The range searched, UTC ISO. */
  from: string;
  to: string;
  /** The zone the range was read in, and the range in it with its offset (`2026-12-06T08:00:00+07:00`). */
  timeZone?: string;
  fromLocal?: string;
  toLocal?: string;
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
    ...(q.timeZone ? { timeZone: q.timeZone, fromLocal: toLocalIso(q.timeZone, q.fromMs), toLocal: toLocalIso(q.timeZone, q.toMs) } : {}),
    windowMinutes: q.windowMinutes,
    landmarks,
    truncated: own.length > TRACE_LIMITS.maxLandmarks,
  };
}

/**
 * Parses and bounds trace parameters (shared by the API, the CLI and the operations room). `from`
 * and `to` are ISO 8601: with `Z` or an offset they are taken as given; without a zone they are
 * wall-clock times in `timeZone` (the server's `--time-zone`, as the operations room reads them),
 * and a date alone is its local midnight. Returns an error text or the query.
 */
export function parseTraceQuery(p: { idNo?: unknown; from?: unknown; to?: unknown; windowMinutes?: unknown }, timeZone: string): TraceQuery | string {
  if (typeof p.idNo !== 'string' || p.idNo.length < 1 || p.idNo.length > 64) return 'idNo: required, at most 64 chars';
  const fromMs = typeof p.from === 'string' ? resolveDateTime(p.from, timeZone, 'first') : NaN;
  const toMs = typeof p.to === 'string' ? resolveDateTime(p.to, timeZone, 'last') : NaN;
  if (!Number.isFinite(fromMs)) return dateTimeProblem('from', p.from, timeZone);
  if (!Number.isFinite(toMs)) return dateTimeProblem('to', p.to, timeZone);
  if (toMs < fromMs) return 'to: before from';
  const w = p.windowMinutes === undefined || p.windowMinutes === '' ? 30 : Number(p.windowMinutes);
  if (!Number.isInteger(w) || w < 0 || w > TRACE_LIMITS.maxWindowMinutes) return `windowMinutes: integer 0..${TRACE_LIMITS.maxWindowMinutes}`;
  return { idNo: p.idNo, fromMs, toMs, windowMinutes: w, timeZone };
}

/** Longest date-time text looked at (an ISO 8601 date-time with fraction and offset is ~32). */
const MAX_DATE_TIME = 40;

/**
 * Epoch ms of an ISO 8601 date-time: with `Z` or an offset as given; without a zone as wall-clock
 * time in `timeZone` (`YYYY-MM-DD[THH:MM[:SS[.fff]]]`, a date alone = local midnight). NaN for
 * anything else, and for a date that does not exist (2026-02-30). A wall time shown twice (the
 * night the clocks go back) is its first instant for `occurrence` 'first' (a range's start) and
 * its second for 'last' (its end), so a range over it misses neither hour.
 */
export function resolveDateTime(text: string, timeZone: string, occurrence?: 'first' | 'last'): number {
  if (text.length > MAX_DATE_TIME) return NaN;
  if (!startsWithRealDate(text)) return NaN;
  if (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text)) return /^\d{4}-\d{2}-\d{2}T/i.test(text) ? Date.parse(text) : NaN;
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.(\d{1,3}))?)?$/i.exec(text);
  if (!m) return NaN;
  // A date alone is read as before even where its midnight is skipped (a few zones do).
  const wall = parseLocalDateTime(timeZone, `${m[1]}T${m[2] ?? '00:00'}`, { allowSkipped: m[2] === undefined, ...(occurrence ? { occurrence } : {}) });
  return wall + (m[3] ? Number(m[3].padEnd(3, '0')) : 0);
}

/**
 * `name: problem` for a missing or unparseable date-time parameter: a value that was given is
 * quoted (bounded), so "required" is never said of something the user typed. Shared with the
 * lawful export; with `timeZone` the example says a time without a zone is read in it.
 */
export function dateTimeProblem(name: string, value: unknown, timeZone?: string): string {
  const example = timeZone ? `(e.g. 2026-12-06T08:00, read in ${timeZone}, or 2026-12-06T08:00:00Z)` : '(e.g. 2026-12-06T08:00 or 2026-12-06T08:00:00Z)';
  if (value === undefined || value === '') return `${name}: required ISO date-time ${example}`;
  const shown = typeof value === 'string' ? (value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value;
  if (timeZone && typeof value === 'string' && isSkippedWallTime(timeZone, value.replace(/\.\d{1,3}$/, ''))) {
    return `${name}: ${shown} does not exist in ${timeZone}: the clocks skip it (a daylight-saving change); give a time before or after it, or one with Z or an offset`;
  }
  return `${name}: not an ISO date-time: ${shown} ${example}`;
}
