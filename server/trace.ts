/**
 * Tracing ("epidemiological landmarks"): a person's check-ins in a time range, and for each of
 * them everyone else checked in at the same checkpoint within ±windowMinutes. Contacts are people:
 * a scan that names nobody (an unreadable or unknown code: no ID number, no second identifier, no
 * name) is counted per landmark (`unidentifiedNearby`), not listed.
 *
 * Each nearby check-in is read once and listed once. Landmarks at one checkpoint whose windows
 * overlap (a person scanned every few minutes, a window of hours) are read as one span, and a
 * check-in near several of them is listed under the nearest in time (the earlier on a tie) with
 * `nearLandmarks` naming the run of landmarks it was near. Without overlapping windows the answer
 * is what it always was. The whole answer is bounded: more than TRACE_LIMITS.maxNearbyTotal check-
 * ins near the landmarks refuse the trace (TraceTooLargeError) after reading at most one more, so
 * neither the work nor the answer can grow with a frequently scanned ID.
 */
import type { CheckIn } from '../src/shared/types.js';
import type { CentralStorage } from './storage/types.js';
import { asExported } from './overrides.js';
import { isSkippedWallTime, parseLocalDateTime, toLocalIso } from './ops/local-time.js';
import { startsWithRealDate } from '../src/credentials/text.js';

export interface TraceQuery {
  idNo: string;
  /**
   * The range searched for the person's check-ins, epoch ms, half-open: scanned at or after
   * `fromMs` and before `toMs` (so consecutive ranges sharing an end never count a check-in twice).
   */
  fromMs: number;
  toMs: number;
  windowMinutes: number;
  /** IANA zone the range was read in (times given without a zone); the answer echoes the range in it. */
  timeZone?: string;
}

/**
 * The landmarks a contact was within the window of, when more than one: the landmarks at its
 * checkpoint from `first` to `last` (check-in ids) in time order, `count` of them (≥ 2). A window
 * is symmetric, so they are always such a run.
 */
export interface NearLandmarks {
  count: number;
  first: string;
  last: string;
}

/** A contact: the check-in as exported, with `nearLandmarks` only when it was near several landmarks. */
export type TraceContact = CheckIn & { nearLandmarks?: NearLandmarks };

export interface TraceLandmark {
  checkIn: CheckIn;
  /**
   * Other people at the same checkpoint within the window (the person's own records excluded):
   * check-ins that name someone (`identifiesPerson`), oldest first. A check-in within the window of
   * several landmarks is listed under the nearest one only (see `nearLandmarks`).
   */
  nearby: TraceContact[];
  /** Check-ins in the same checkpoint and window that name nobody, counted (under the nearest landmark, as contacts are), never listed. */
  unidentifiedNearby: number;
  /**
   * Kept for older readers: always false now. A landmark's check-ins are no longer cut; a trace
   * whose landmarks have more than TRACE_LIMITS.maxNearbyTotal check-ins near them is refused whole.
   */
  truncated: boolean;
}

/** Whether a check-in names a person: an ID number, a second identifier or a name. */
export function identifiesPerson(c: CheckIn): boolean {
  const s = c.subject as CheckIn['subject'] | undefined;
  return Boolean(s?.idNo || s?.altId || s?.name);
}

export interface TraceResult {
  idNo: string;
  /** The range searched, UTC ISO: check-ins scanned at or after `from` and before `to`. */
  from: string;
  to: string;
  /** The zone the range was read in, and the range in it with its offset (`2026-12-06T08:00:00+07:00`). */
  timeZone?: string;
  fromLocal?: string;
  toLocal?: string;
  windowMinutes: number;
  landmarks: TraceLandmark[];
  /** True when the person has more than TRACE_LIMITS.maxLandmarks check-ins in the range (the first ones are answered). */
  truncated: boolean;
}

/**
 * Bounds of one trace: landmarks answered (the person's first check-ins in the range), check-ins
 * near them read and listed in all (contacts and scans naming nobody, each once), ± minutes.
 */
export const TRACE_LIMITS = { maxLandmarks: 1000, maxNearbyTotal: 20_000, maxWindowMinutes: 24 * 60 } as const;

/**
 * A trace refused because more than `limit` check-ins lie near its landmarks: nothing is handed
 * out. The message names the bound and how to narrow the question (API: 422 `trace-too-large`;
 * CLI: exit 2; operations room: the form's error).
 */
export class TraceTooLargeError extends Error {
  readonly code = 'trace-too-large';
  constructor(
    readonly limit: number,
    readonly landmarks: number,
    readonly windowMinutes: number,
  ) {
    super(
      `nearby: more than ${limit} check-ins within ±${windowMinutes} minutes of the person's ${landmarks} check-in${landmarks === 1 ? '' : 's'} in the range ` +
        `(at most ${limit} are handed out in one trace); nothing was handed out: narrow the trace — a shorter range (from/to) or a smaller windowMinutes`,
    );
  }
}

/** One storage read: landmarks at one checkpoint whose windows overlap, in time order. */
interface Span {
  checkpointId: string;
  fromMs: number;
  toMs: number;
  /** Indexes into the answer's landmarks, oldest first; `at` their scan times. */
  marks: number[];
  at: number[];
}

/** Lets queued I/O (ingest, heartbeats) run between storage reads: SQLite reads block the event loop. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Runs a tracing query through the storage, bounded by TRACE_LIMITS: at most maxLandmarks + 1 of
 * the person's check-ins and maxNearbyTotal + 1 others are read. Throws TraceTooLargeError beyond
 * maxNearbyTotal; storage errors as they come.
 */
export async function trace(storage: CentralStorage, q: TraceQuery): Promise<TraceResult> {
  // The storage reads closed ranges: the range's last millisecond is the one before `toMs`.
  const own = await storage.checkInsOfPerson(q.idNo, q.fromMs, q.toMs - 1, TRACE_LIMITS.maxLandmarks + 1);
  const marks = own.slice(0, TRACE_LIMITS.maxLandmarks);
  const windowMs = q.windowMinutes * 60_000;
  const landmarks: TraceLandmark[] = marks.map((c) => ({ checkIn: asExported(c), nearby: [], unidentifiedNearby: 0, truncated: false }));
  const ownIds = new Set(marks.map((c) => c.id.toLowerCase()));
  let budget: number = TRACE_LIMITS.maxNearbyTotal;
  for (const span of spansOf(marks, windowMs)) {
    for await (const page of spanPages(storage, span, q.idNo, marks[span.marks[0] as number]!.id, () => budget)) {
      if (page.length > budget) throw new TraceTooLargeError(TRACE_LIMITS.maxNearbyTotal, marks.length, q.windowMinutes);
      budget -= page.length;
      for (const c of page) {
        if (ownIds.has(c.id.toLowerCase())) continue;
        const near = nearOf(span, Date.parse(c.scannedAt), windowMs);
        if (!near) continue;
        const landmark = landmarks[near.nearest]!;
        if (!identifiesPerson(c)) {
          landmark.unidentifiedNearby++;
          continue;
        }
        // Records carry their current verdict (an officer's override) with originalVerdict beside it.
        const contact: TraceContact = asExported(c);
        if (near.count > 1) contact.nearLandmarks = { count: near.count, first: marks[near.first]!.id, last: marks[near.last]!.id };
        landmark.nearby.push(contact);
      }
    }
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
 * Rows read per storage call. SQLite answers synchronously (and the sealed storage opens each
 * record as it comes): a page of this size holds the event loop for tens of milliseconds, and
 * other requests run between pages, where one read of 20,000 rows held it for seconds.
 */
const NEARBY_PAGE = 1000;

/**
 * The check-ins of `span` (other people's, oldest first) in pages of at most NEARBY_PAGE new
 * ones, or `budget() + 1` when less is left (the caller refuses the trace on seeing more than its
 * budget), yielding to queued I/O before each page after the first. Pages follow on by scan time:
 * the next starts at the last page's last millisecond, the rows of that millisecond already given
 * skipped, so none is given twice or lost whatever the backend's order within one millisecond.
 */
async function* spanPages(storage: CentralStorage, span: Span, idNo: string, excludeId: string, budget: () => number): AsyncGenerator<CheckIn[]> {
  let fromMs = span.fromMs;
  let seenAtFrom = new Set<string>();
  for (let first = true; ; first = false) {
    if (!first) await yieldToIo();
    const want = Math.min(budget() + 1, NEARBY_PAGE) + seenAtFrom.size;
    const rows = await storage.checkInsNear({ checkpointId: span.checkpointId, fromMs, toMs: span.toMs, excludeId, excludePerson: idNo, limit: want });
    yield rows.filter((c) => !seenAtFrom.has(c.id));
    const last = rows.at(-1);
    // Fewer than asked: the span is read to its end.
    if (!last || rows.length < want) return;
    const lastMs = Date.parse(last.scannedAt);
    // Each round gives at least one new row (want exceeds the rows skipped), so this ends.
    const atLast = rows.filter((c) => Date.parse(c.scannedAt) === lastMs).map((c) => c.id);
    seenAtFrom = new Set(lastMs === fromMs ? [...seenAtFrom, ...atLast] : atLast);
    fromMs = lastMs;
  }
}

/** The landmarks grouped per checkpoint into runs whose windows [at − w, at + w] overlap or touch. */
function spansOf(marks: readonly CheckIn[], windowMs: number): Span[] {
  const open = new Map<string, Span>();
  const spans: Span[] = [];
  marks.forEach((c, i) => {
    const at = Date.parse(c.scannedAt);
    const span = open.get(c.checkpointId);
    // `marks` is oldest first, so a checkpoint's last span is the only one this one can join.
    if (span && at - windowMs <= span.toMs) {
      span.toMs = Math.max(span.toMs, at + windowMs);
      span.marks.push(i);
      span.at.push(at);
      return;
    }
    const next: Span = { checkpointId: c.checkpointId, fromMs: at - windowMs, toMs: at + windowMs, marks: [i], at: [at] };
    open.set(c.checkpointId, next);
    spans.push(next);
  });
  return spans;
}

/**
 * The landmarks of `span` within `windowMs` of `t`: a run (first..last, landmark indexes), its
 * length and the nearest (the earlier on a tie); undefined when none (cannot happen for a row of
 * the span's own read, kept for safety).
 */
function nearOf(span: Span, t: number, windowMs: number): { first: number; last: number; count: number; nearest: number } | undefined {
  // First landmark with at >= t - w (binary search: a span can hold a thousand landmarks).
  let lo = 0;
  let hi = span.at.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((span.at[mid] as number) < t - windowMs) lo = mid + 1;
    else hi = mid;
  }
  let last = lo - 1;
  let nearest = -1;
  for (let k = lo; k < span.at.length && (span.at[k] as number) <= t + windowMs; k++) {
    last = k;
    if (nearest < 0 || Math.abs((span.at[k] as number) - t) < Math.abs((span.at[nearest] as number) - t)) nearest = k;
  }
  if (nearest < 0) return undefined;
  return { first: span.marks[lo] as number, last: span.marks[last] as number, count: last - lo + 1, nearest: span.marks[nearest] as number };
}

/**
 * Parses and bounds trace parameters (shared by the API, the CLI and the operations room). `from`
 * and `to` are ISO 8601: with `Z` or an offset they are taken as given; without a zone they are
 * wall-clock times in `timeZone` (the server's `--time-zone`, as the operations room reads them),
 * and a date alone is its local midnight. The range is half-open — `to` itself is not in it — so
 * `from 2026-11-30 to 2026-12-01` is the whole of 30 November and the next day's range starts
 * where it ends without sharing a check-in; `to` must be later than `from`. Returns an error text
 * or the query.
 */
export function parseTraceQuery(p: { idNo?: unknown; from?: unknown; to?: unknown; windowMinutes?: unknown }, timeZone: string): TraceQuery | string {
  if (typeof p.idNo !== 'string' || p.idNo.length < 1 || p.idNo.length > 64) return 'idNo: required, at most 64 chars';
  const fromMs = typeof p.from === 'string' ? resolveDateTime(p.from, timeZone, 'first') : NaN;
  const toMs = typeof p.to === 'string' ? resolveDateTime(p.to, timeZone, 'last') : NaN;
  if (!Number.isFinite(fromMs)) return dateTimeProblem('from', p.from, timeZone);
  if (!Number.isFinite(toMs)) return dateTimeProblem('to', p.to, timeZone);
  const order = rangeOrderProblem(fromMs, toMs, 'from', 'to');
  if (order) return order;
  const w = p.windowMinutes === undefined || p.windowMinutes === '' ? 30 : Number(p.windowMinutes);
  if (!Number.isInteger(w) || w < 0 || w > TRACE_LIMITS.maxWindowMinutes) return `windowMinutes: integer 0..${TRACE_LIMITS.maxWindowMinutes}`;
  return { idNo: p.idNo, fromMs, toMs, windowMinutes: w, timeZone };
}

/**
 * `to: …` when a half-open range [fromMs, toMs) holds nothing: `to` before `from`, or equal to it
 * (with how a whole day is written). Shared with the lawful export, which names its flags.
 */
export function rangeOrderProblem(fromMs: number, toMs: number, fromName: string, toName: string): string | undefined {
  if (toMs < fromMs) return `${toName}: before ${fromName}`;
  if (toMs === fromMs) {
    return `${toName}: the same instant as ${fromName}: the range ends just before ${toName}, so it would hold nothing (a whole day is ${fromName} 2026-12-01 ${toName} 2026-12-02)`;
  }
  return undefined;
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
