/**
 * Validation of one received check-in record. The batch schema only says "an array of at most
 * 1,000 objects": each record is checked here so that a bogus record is rejected on its own,
 * with a specific reason, and never takes the rest of the batch down with it.
 */
import type { CheckIn, Direction, FormatId, Override, Subject, VerdictKind } from '../src/shared/types.js';
import type { ReasonCode } from '../src/shared/reasons.js';
import { problemOfFreeText, problemOfIdentifier } from './text-safety.js';

export type Validated = { ok: true; value: CheckIn } | { ok: false; id: string; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** UTC or offset ISO-8601 date-time with seconds (what `Date.toISOString()` produces, and more). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const TOKEN = /^[a-z0-9][a-z0-9._:-]*$/i;
const VERDICTS: readonly VerdictKind[] = ['accept', 'reject', 'refer'];
const DIRECTIONS: readonly Direction[] = ['in', 'out'];
const SUBJECT_KEYS = new Set(['idType', 'idNo', 'altId', 'name', 'dob', 'sex']);

/** Bounds on one record (characters). */
export const RECORD_LIMITS = {
  idChars: 64,
  deviceIdChars: 128,
  checkpointIdChars: 128,
  formatChars: 32,
  reasons: 32,
  reasonChars: 80,
  subjectFieldChars: 200,
  overrideFieldChars: 500,
  /** The whole record serialised. */
  recordChars: 8192,
} as const;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function boundedString(v: unknown, max: number, min = 1): v is string {
  return typeof v === 'string' && v.length >= min && v.length <= max;
}

/**
 * An ISO 8601 date-time as the protocol carries it (`2026-11-25T08:00:00.000Z`, or with an offset)
 * naming a day that exists: `2026-02-30T08:00:00Z` is refused (Date.parse would roll it into March).
 */
export function isIsoTime(v: unknown): v is string {
  if (typeof v !== 'string' || v.length > 40 || !ISO_TIME.test(v)) return false;
  if (Number.isNaN(Date.parse(v))) return false;
  const [y, m, d] = v.slice(0, 10).split('-').map(Number) as [number, number, number];
  const day = new Date(Date.UTC(2000, m - 1, d));
  day.setUTCFullYear(y);
  return day.getUTCMonth() === m - 1 && day.getUTCDate() === d && Number(v.slice(11, 13)) < 24;
}

/**
 * The scan times a server stores (ms): not before 2000-01-01 (no kiosk's clock is that far back
 * unless it was never set) and at most a day after the server's own clock. A time outside is a
 * kiosk clock that is wrong; stored, it would sit outside retention's reach (a future day is never
 * purged) and, on PostgreSQL, make a day partition of its own.
 */
export const SCANNED_AT_BOUNDS = {
  earliestMs: Date.UTC(2000, 0, 1),
  maxAheadMs: 24 * 3_600_000,
} as const;

/**
 * Why a record time `field` (already an ISO time) lies outside SCANNED_AT_BOUNDS at server time
 * `nowMs`, or undefined when it does not.
 */
export function timeBoundProblem(field: string, value: string, nowMs: number): string | undefined {
  const ms = Date.parse(value);
  if (ms < SCANNED_AT_BOUNDS.earliestMs) return `${field}: ${value} is before 2000; the kiosk's clock was not set`;
  if (ms > nowMs + SCANNED_AT_BOUNDS.maxAheadMs) return `${field}: ${value} is more than 24 hours after the server's time (${new Date(nowMs).toISOString()}); check the kiosk's clock`;
  return undefined;
}

function checkSubject(v: unknown): Subject | string {
  if (v === undefined) return {};
  if (!isObject(v)) return 'subject: not an object';
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    // A field this server does not know (a newer kiosk's) is ignored, as the protocol promises;
    // it is not stored either: only the identity fields tracing needs are kept.
    if (!SUBJECT_KEYS.has(k)) continue;
    if (val === undefined) continue;
    if (!boundedString(val, RECORD_LIMITS.subjectFieldChars, 0)) return `subject.${k}: not a string of at most ${RECORD_LIMITS.subjectFieldChars} chars`;
    const problem = problemOfFreeText(`subject.${k}`, val);
    if (problem) return problem;
    out[k] = val;
  }
  if (out.sex !== undefined && out.sex !== 'M' && out.sex !== 'F') return 'subject.sex: not M or F';
  return out as Subject;
}

function checkOverride(v: unknown, nowMs: number): Override | undefined | string {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) return 'override: not an object';
  const { by, reason, verdict, at } = v;
  if (!boundedString(by, RECORD_LIMITS.overrideFieldChars)) return 'override.by: missing or too long';
  if (!boundedString(reason, RECORD_LIMITS.overrideFieldChars)) return 'override.reason: missing or too long';
  const problem = problemOfFreeText('override.by', by) ?? problemOfFreeText('override.reason', reason);
  if (problem) return problem;
  if (!VERDICTS.includes(verdict as VerdictKind)) return 'override.verdict: not accept|reject|refer';
  if (!isIsoTime(at)) return 'override.at: not an ISO date-time';
  // The latest override by `at` decides the verdict: one dated ahead would outrank every later one.
  const atProblem = timeBoundProblem('override.at', at, nowMs);
  if (atProblem) return atProblem;
  return { by, reason, verdict: verdict as VerdictKind, at };
}

/** A manual entry's marker (optional): `{by}`, the officer who typed the ID card in. */
function checkManual(v: unknown): { by: string } | undefined | string {
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) return 'manual: not an object';
  const { by } = v;
  if (!boundedString(by, RECORD_LIMITS.overrideFieldChars)) return 'manual.by: missing or too long';
  const problem = problemOfFreeText('manual.by', by);
  if (problem) return problem;
  return { by };
}

/**
 * The protocol's times are UTC (`…Z`): one sent with an offset (`2026-12-07T05:00:00+07:00`) is
 * stored as the same instant in UTC, so exports, traces and day partitions read one spelling. A
 * UTC text is kept as sent.
 */
function utcIso(text: string): string {
  const last = text.charCodeAt(text.length - 1);
  return last === 0x5a || last === 0x7a ? text : new Date(Date.parse(text)).toISOString();
}

/** Why `value` is no ISO date-time: a well-formed one naming a day or hour that does not exist is said so. */
function notIsoTimeProblem(field: string, value: unknown): string {
  if (typeof value === 'string' && value.length <= 40 && ISO_TIME.test(value)) {
    return `${field}: ${value} names a date or time that does not exist; check the kiosk's clock`;
  }
  return `${field}: not an ISO date-time`;
}

/**
 * Checks one record and returns it normalised (known fields only; unknown ones are ignored), or
 * why it was refused. `nowMs` is the server's clock (ms), against which `scannedAt` is bounded
 * (SCANNED_AT_BOUNDS).
 */
export function validateCheckIn(raw: unknown, nowMs: number): Validated {
  if (!isObject(raw)) return { ok: false, id: '', reason: 'record: not an object' };
  const rawId = raw.id;
  const id = typeof rawId === 'string' ? rawId.slice(0, RECORD_LIMITS.idChars) : '';
  const fail = (reason: string): Validated => ({ ok: false, id, reason });
  if (typeof rawId !== 'string' || !UUID.test(rawId)) return fail('id: not a UUID');
  let size: number;
  try {
    size = JSON.stringify(raw).length;
  } catch {
    return fail('record: not serialisable');
  }
  if (size > RECORD_LIMITS.recordChars) return fail(`record: larger than ${RECORD_LIMITS.recordChars} chars`);
  if (!boundedString(raw.deviceId, RECORD_LIMITS.deviceIdChars)) return fail('deviceId: missing or too long');
  if (!boundedString(raw.checkpointId, RECORD_LIMITS.checkpointIdChars, 0)) return fail('checkpointId: not a string of at most 128 chars');
  const identifierProblem = problemOfIdentifier('deviceId', raw.deviceId) ?? problemOfIdentifier('checkpointId', raw.checkpointId);
  if (identifierProblem) return fail(identifierProblem);
  if (!DIRECTIONS.includes(raw.direction as Direction)) return fail('direction: not in|out');
  if (!isIsoTime(raw.scannedAt)) return fail(notIsoTimeProblem('scannedAt', raw.scannedAt));
  const scanProblem = timeBoundProblem('scannedAt', raw.scannedAt, nowMs);
  if (scanProblem) return fail(scanProblem);
  if (!boundedString(raw.format, RECORD_LIMITS.formatChars) || !TOKEN.test(raw.format)) return fail('format: not a format identifier');
  if (!VERDICTS.includes(raw.verdict as VerdictKind)) return fail('verdict: not accept|reject|refer');
  const reasons = raw.reasons;
  if (!Array.isArray(reasons) || reasons.length > RECORD_LIMITS.reasons) return fail(`reasons: not an array of at most ${RECORD_LIMITS.reasons}`);
  if (!reasons.every((r) => boundedString(r, RECORD_LIMITS.reasonChars))) return fail('reasons: every reason must be a short string');
  const reasonProblem = (reasons as string[]).map((r) => problemOfIdentifier('reasons', r)).find((p) => p !== undefined);
  if (reasonProblem) return fail(reasonProblem);
  const subject = checkSubject(raw.subject);
  if (typeof subject === 'string') return fail(subject);
  const override = checkOverride(raw.override, nowMs);
  if (typeof override === 'string') return fail(override);
  const value: CheckIn = {
    id: rawId,
    deviceId: raw.deviceId,
    checkpointId: raw.checkpointId,
    direction: raw.direction as Direction,
    scannedAt: utcIso(raw.scannedAt),
    format: raw.format as FormatId,
    verdict: raw.verdict as VerdictKind,
    reasons: reasons as ReasonCode[],
    subject,
  };
  if (override) value.override = override;
  const manual = checkManual(raw.manual);
  if (typeof manual === 'string') return fail(manual);
  if (manual) value.manual = manual;
  return { ok: true, value };
}
