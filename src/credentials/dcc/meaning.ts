/**
 * What a DCC says, checked by the kiosk itself whatever business rules the trust bundle carries
 * (a bundle without rules must not turn a positive test green):
 *
 * - test (`t`): result `tr` 260373001 "detected" → finding `positive-test` (refer under the default
 *   policy); any other code than 260415000 "not detected" → `schema-invalid`; sample time `sc` in
 *   the future → `not-yet-valid`; older than the policy's `testMaxAgeHours` → `expired`.
 * - recovery (`r`): before `df` → `not-yet-valid`, after `du` → `expired`; first positive result
 *   `fr` in the future → `not-yet-valid`.
 * - vaccination (`v`): date `dt` in the future → `not-yet-valid`; dose `dn` below the series
 *   `sd` → finding `incomplete-series` (refer under the default policy).
 *
 * - every type: a birth date `dob` in the future, or after the vaccination date `dt`, the sample
 *   time `sc` or the first positive test `fr` → `schema-invalid` (a certificate that cannot be
 *   true; the EU NL test vectors with a future dob expect schema validation to fail). A partial
 *   dob (`1990`, `1990-05`) spans its year or month, so only a certain contradiction counts.
 *
 * Codes from the EU value sets (ehn-dcc-development/ehn-dcc-valuesets: test-result.json). Dates
 * follow time-rules.ts: a plain date spans the whole calendar day in every time zone, and every
 * comparison allows the clock-skew tolerance.
 */
import type { ReasonCode } from '../../shared/reasons.js';
import { DEFAULT_TEST_MAX_AGE_HOURS, type VerifyContext } from '../types.js';
import { DEFAULT_TIME_RULES, dateSpan, isFuture } from '../time-rules.js';
import type { TimeRules } from '../time-rules.js';
import type { JsonValue } from './json.js';
import type { DccGroup } from './schema.js';
import { digits, dobSpan } from './birth-date.js';
import { isCalendarDate } from './schema-patterns.js';

/** SNOMED CT codes of the EU value set covid-19-lab-result. */
export const TEST_RESULT = { detected: '260373001', notDetected: '260415000' } as const;

export interface MeaningIssue {
  reason: ReasonCode;
  /** failure: the credential does not prove what it should (reject-class); finding: refer-class. */
  kind: 'failure' | 'finding';
  /** Path of the field and the problem, for `verify --explain` (no personal data). */
  detail: string;
}

type Entry = Record<string, JsonValue>;

function entryOf(dcc: JsonValue, group: DccGroup): Entry | undefined {
  if (typeof dcc !== 'object' || dcc === null || Array.isArray(dcc)) return undefined;
  const list = (dcc as Record<string, JsonValue>)[group];
  const first = Array.isArray(list) ? list[0] : undefined;
  return typeof first === 'object' && first !== null && !Array.isArray(first) ? (first as Entry) : undefined;
}

/**
 * The span of the date in `field`, or undefined when there is none. A date the schema let through
 * but no parser here can read adds a schema-invalid failure instead of skipping the check that
 * needed it: a test whose sample time cannot be read must not pass as recent.
 */
function spanOf(issues: MeaningIssue[], e: Entry, at: string, field: string): { startMs: number; endMs: number } | undefined {
  const v = e[field];
  if (typeof v !== 'string') return undefined;
  const span = dateSpan(v);
  if (span === undefined) issues.push({ reason: 'schema-invalid', kind: 'failure', detail: `${at}.${field}: not a date or time the kiosk can read` });
  return span;
}

/** Adds a not-yet-valid failure when the date in `field` lies in the future. */
function checkFuture(issues: MeaningIssue[], e: Entry, at: string, field: string, what: string, now: number, rules: TimeRules): void {
  const s = spanOf(issues, e, at, field);
  if (s && isFuture(s.startMs, now, rules)) issues.push({ reason: 'not-yet-valid', kind: 'failure', detail: `${at}.${field}: ${what} is in the future` });
}

const ENTRY_PATH: Record<DccGroup, string> = { v: 'v[0]', t: 't[0]', r: 'r[0]' };

/** The field of each type holding the event the certificate is about, and what it is. */
const EVENT: Record<DccGroup, readonly [field: string, what: string]> = {
  v: ['dt', 'vaccination date'],
  t: ['sc', 'sample collection time'],
  r: ['fr', 'first positive test date'],
};

/**
 * A birth date in the future, or after the certificate's event, is schema-invalid. A partial dob
 * counts from the first day of its year or month, so it never contradicts an event within its
 * period; an event on the day of birth stays valid.
 */
function checkBirth(issues: MeaningIssue[], dcc: JsonValue, e: Entry, group: DccGroup, now: number, rules: TimeRules): void {
  const dob = typeof dcc === 'object' && dcc !== null && !Array.isArray(dcc) ? (dcc as Entry).dob : undefined;
  const birth = typeof dob === 'string' ? dobSpan(dob) : undefined;
  if (birth === undefined || 'problem' in birth) return; // the schema step refuses a date that cannot exist
  if (isFuture(birth.startMs, now, rules)) {
    issues.push({ reason: 'schema-invalid', kind: 'failure', detail: 'dob: the birth date is in the future' });
    return;
  }
  const [field, what] = EVENT[group];
  const v = e[field];
  // The event's calendar day as the issuer wrote it (a date-time's own date, in its own offset),
  // compared with the dob's first possible day: both are the issuing country's calendar.
  const day = typeof v === 'string' && isCalendarDate(v.length === 10 ? v : v.slice(0, 10)) ? Date.UTC(digits(v, 0) * 100 + digits(v, 2), digits(v, 5) - 1, digits(v, 8)) : undefined;
  if (day !== undefined && day < birth.firstDayUtc) {
    issues.push({ reason: 'schema-invalid', kind: 'failure', detail: `dob: the birth date is after the ${what} ${ENTRY_PATH[group]}.${field}` });
  }
}

/** Checks the content of a schema-valid DCC. Returns every issue found (empty = nothing to say). */
export function checkDccMeaning(dcc: JsonValue, group: DccGroup, ctx: VerifyContext): MeaningIssue[] {
  const e = entryOf(dcc, group);
  if (!e) return [];
  const rules = ctx.time ?? DEFAULT_TIME_RULES;
  const now = ctx.now.getTime();
  const issues: MeaningIssue[] = [];
  const at = ENTRY_PATH[group];
  checkBirth(issues, dcc, e, group, now, rules);

  if (group === 'v') {
    checkFuture(issues, e, at, 'dt', 'vaccination date', now, rules);
    const dn = e.dn;
    const sd = e.sd;
    if (typeof dn === 'number' && typeof sd === 'number' && dn < sd) {
      issues.push({ reason: 'incomplete-series', kind: 'finding', detail: `${at}.dn: dose ${dn} of ${sd}, the series is not complete` });
    }
  } else if (group === 't') {
    const tr = e.tr;
    if (tr === TEST_RESULT.detected) issues.push({ reason: 'positive-test', kind: 'finding', detail: `${at}.tr: the test result is positive (detected)` });
    else if (tr !== TEST_RESULT.notDetected) issues.push({ reason: 'schema-invalid', kind: 'failure', detail: `${at}.tr: not a known test result code` });
    const sc = spanOf(issues, e, at, 'sc');
    if (sc && isFuture(sc.startMs, now, rules)) issues.push({ reason: 'not-yet-valid', kind: 'failure', detail: `${at}.sc: sample collection time is in the future` });
    const maxAgeHours = ctx.testMaxAgeHours ?? DEFAULT_TEST_MAX_AGE_HOURS;
    if (sc && now > sc.endMs + maxAgeHours * 3_600_000 + rules.skewMs) {
      issues.push({ reason: 'expired', kind: 'failure', detail: `${at}.sc: the sample is older than ${maxAgeHours} hours` });
    }
  } else {
    checkFuture(issues, e, at, 'fr', 'first positive test date', now, rules);
    const df = spanOf(issues, e, at, 'df');
    const du = spanOf(issues, e, at, 'du');
    if (df && isFuture(df.startMs, now, rules)) issues.push({ reason: 'not-yet-valid', kind: 'failure', detail: `${at}.df: valid from a future date` });
    if (du && now > du.endMs + rules.skewMs) issues.push({ reason: 'expired', kind: 'failure', detail: `${at}.du: valid until a past date` });
  }
  return issues;
}
