/**
 * Overrides travel (protocol v1 extension): an officer's change of a check-in's verdict reaches the
 * server as its own record, `POST /api/v1/overrides {overrides: [{id, checkinId, verdict, reasons,
 * by, reason, at}]}` (at most 1,000) → `{accepted: [id], duplicate: [id], rejected: [{id, reason}],
 * serverTime}`. Exactly once by override id: a retry reports `duplicate`. An override whose
 * check-in the server does not hold (yet) is rejected with `unknown-checkin`; the kiosk retries it
 * later (it sends check-ins before overrides). An override for a check-in another device sent is
 * rejected with `foreign-checkin`.
 *
 * The stored check-in record then carries its current verdict and reasons (the latest override's,
 * by `at` then id), `originalVerdict`, `originalReasons` and `overrides` oldest first, so `central export` and tracing show
 * the current verdict without further joins.
 */
import type { CheckIn, VerdictKind } from '../src/shared/types.js';
import { isIsoTime, RECORD_LIMITS, timeBoundProblem } from './checkin-validation.js';
import { problemOfFreeText, problemOfIdentifier, problemOfOfficerReason } from './text-safety.js';
import type { CentralStorage } from './storage/types.js';

/** At most this many overrides per POST (same bound as check-ins). */
export const MAX_OVERRIDES_PER_REQUEST = 1000;

/** One override as it travels. */
export interface OverrideRecord {
  /** UUIDv7 of the override record. */
  id: string;
  checkinId: string;
  verdict: VerdictKind;
  reasons: string[];
  /** Officer or technician id (never a name). */
  by: string;
  reason: string;
  /** ISO time of the override. */
  at: string;
}

/** An override as listed on an exported check-in (the check-in id is implied). */
export type OverrideEntry = Omit<OverrideRecord, 'checkinId'>;

/** A check-in as `central export` and tracing print it. */
export interface ExportedCheckIn extends CheckIn {
  /** The verdict the kiosk recorded at the scan. `verdict` is the current one. */
  originalVerdict: VerdictKind;
  /**
   * The reasons the kiosk recorded at the scan, when an override changed them: `reasons` is then
   * the current verdict's (the latest override's). Absent on a check-in without overrides.
   */
  originalReasons?: CheckIn['reasons'];
  /** Oldest first; absent when there are none. */
  overrides?: OverrideEntry[];
}

/** Why an override was refused on its own (the rest of the batch is unaffected). */
export type OverrideRejection = 'unknown-checkin' | 'foreign-checkin' | string;

export interface OverrideIngestResult {
  accepted: string[];
  duplicate: string[];
  rejected: { id: string; reason: OverrideRejection }[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const VERDICTS: readonly VerdictKind[] = ['accept', 'reject', 'refer'];

const bounded = (v: unknown, max: number, min = 1): v is string => typeof v === 'string' && v.length >= min && v.length <= max;

/**
 * Checks one received override; returns it normalised or why it is refused. `nowMs` (server clock)
 * bounds `at` as a check-in's scan time is bounded: the latest override by `at` decides the current
 * verdict, so one dated years ahead would outrank every override after it.
 */
export function validateOverride(raw: unknown, nowMs: number): { ok: true; value: OverrideRecord } | { ok: false; id: string; reason: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, id: '', reason: 'record: not an object' };
  const r = raw as Record<string, unknown>;
  const id = typeof r.id === 'string' ? r.id.slice(0, RECORD_LIMITS.idChars) : '';
  const fail = (reason: string) => ({ ok: false as const, id, reason });
  if (typeof r.id !== 'string' || !UUID.test(r.id)) return fail('id: not a UUID');
  if (typeof r.checkinId !== 'string' || !UUID.test(r.checkinId)) return fail('checkinId: not a UUID');
  if (!VERDICTS.includes(r.verdict as VerdictKind)) return fail('verdict: not accept|reject|refer');
  const reasons = r.reasons ?? [];
  if (!Array.isArray(reasons) || reasons.length > RECORD_LIMITS.reasons || !reasons.every((x) => bounded(x, RECORD_LIMITS.reasonChars))) {
    return fail(`reasons: not an array of at most ${RECORD_LIMITS.reasons} short strings`);
  }
  if (!bounded(r.by, RECORD_LIMITS.overrideFieldChars)) return fail('by: missing or too long');
  if (!bounded(r.reason, RECORD_LIMITS.overrideFieldChars, 0)) return fail('reason: not a string of at most 500 chars');
  const problem =
    (reasons as string[]).map((x) => problemOfIdentifier('reasons', x)).find((p) => p !== undefined) ??
    problemOfFreeText('by', r.by) ??
    // The kiosk checks the officer's reason with this same function before it records the override.
    problemOfOfficerReason('reason', r.reason as string);
  if (problem) return fail(problem);
  if (!isIsoTime(r.at)) return fail('at: not an ISO date-time');
  const atProblem = timeBoundProblem('at', r.at, nowMs);
  if (atProblem) return fail(atProblem);
  // Fields this server does not know (a newer kiosk's) are ignored, as the protocol promises. Ids
  // in lower case, as check-ins are stored (checkins.ts).
  return {
    ok: true,
    value: { id: r.id.toLowerCase(), checkinId: r.checkinId.toLowerCase(), verdict: r.verdict as VerdictKind, reasons: reasons as string[], by: r.by, reason: r.reason as string, at: r.at },
  };
}

/** Validates each override on its own and stores the valid ones through the storage. */
export async function ingestOverrides(storage: CentralStorage, senderDeviceId: string, records: readonly unknown[], receivedAt: string): Promise<OverrideIngestResult> {
  const rejected: OverrideIngestResult['rejected'] = [];
  const valid: OverrideRecord[] = [];
  // Keyed by the lower-case id; the answer echoes each id as the kiosk sent it.
  const sentAs = new Map<string, string>();
  const repeated: string[] = [];
  for (const raw of records) {
    const v = validateOverride(raw, Date.parse(receivedAt));
    if (!v.ok) rejected.push({ id: v.id, reason: v.reason });
    else if (sentAs.has(v.value.id)) repeated.push((raw as { id: string }).id);
    else {
      sentAs.set(v.value.id, (raw as { id: string }).id);
      valid.push(v.value);
    }
  }
  const stored = valid.length ? await storage.ingestOverrides(senderDeviceId, valid, receivedAt) : { accepted: [], duplicate: [], rejected: [] };
  const asSent = (id: string) => sentAs.get(id) ?? id;
  return {
    accepted: stored.accepted.map(asSent),
    duplicate: [...stored.duplicate.map(asSent), ...repeated],
    rejected: [...rejected, ...stored.rejected.map((r) => ({ ...r, id: asSent(r.id) }))],
  };
}

/** Latest last: by `at`, then by id (UUIDv7 ids order records made in the same millisecond). */
export function compareOverrides(a: OverrideEntry, b: OverrideEntry): number {
  const ta = Date.parse(a.at);
  const tb = Date.parse(b.at);
  return ta !== tb ? ta - tb : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * The record to store for a check-in given all its overrides (any order): current verdict from the
 * latest, `originalVerdict` kept from the first time, the list oldest first. Pure: storages of
 * every backend call it inside their transaction.
 */
export function withOverrides(record: CheckIn & { originalVerdict?: VerdictKind; originalReasons?: CheckIn['reasons'] }, overrides: readonly OverrideEntry[]): ExportedCheckIn {
  const original = record.originalVerdict ?? record.verdict;
  // Records stored before originalReasons existed kept the scan's reasons in `reasons`.
  const originalReasons = record.originalReasons ?? record.reasons;
  const list = [...overrides].sort(compareOverrides).map(({ id, verdict, reasons, by, reason, at }) => ({ id, verdict, reasons, by, reason, at }));
  const latest = list[list.length - 1];
  const { originalReasons: _stale, ...rest } = record;
  if (!latest) return { ...rest, verdict: original, reasons: originalReasons, originalVerdict: original };
  // The current verdict is the latest override's, with its reasons; the scan's stay beside them.
  return { ...rest, verdict: latest.verdict, reasons: latest.reasons as CheckIn['reasons'], originalVerdict: original, originalReasons, overrides: list };
}

/** A stored record as export and tracing print it: `originalVerdict` always present. */
export function asExported(record: CheckIn & { originalVerdict?: VerdictKind }): ExportedCheckIn {
  return record.originalVerdict ? (record as ExportedCheckIn) : { ...record, originalVerdict: record.verdict };
}
