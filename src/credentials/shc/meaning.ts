/**
 * What a SMART Health Card says, judged at the validation clock with the same rules as an EU DCC
 * (dcc/meaning.ts, README "EU DCC checks made without business rules"), so that a card does not
 * pass where the same facts in an `HC1:` certificate would not:
 *
 * - a completed immunization dated in the future → `not-yet-valid`;
 * - a lab result whose specimen time (effectiveDateTime) is in the future → `not-yet-valid`;
 * - the latest lab result positive (detected), within the policy's `testMaxAgeHours` → finding
 *   `positive-test` (refer under the default policy), whether or not the card also has doses;
 * - a card with no dose whose latest lab result is older than `testMaxAgeHours` → `expired`: a
 *   test card proves something only while the test is recent. With doses, an old test is history;
 * - a birth date in the future, or a dose dated before the birth → `schema-invalid`: the card
 *   cannot be true.
 *
 * Every comparison allows the clock-skew tolerance; a date without a time spans the whole day in
 * every time zone (fhir-date.ts).
 */
import type { ReasonCode } from '../../shared/reasons.js';
import { DEFAULT_TEST_MAX_AGE_HOURS, type VerifyContext } from '../types.js';
import { DEFAULT_TIME_RULES, isFuture } from '../time-rules.js';
import type { ShcContent, ShcTest } from './payload.js';

export interface ShcIssue {
  reason: ReasonCode;
  /** failure: the card does not prove what it should (reject-class); finding: refer-class. */
  kind: 'failure' | 'finding';
  /** Which entry and what is wrong, for `verify --explain` (no personal data). */
  detail: string;
}

/** Checks the content of a well-formed card. Returns every issue found (empty = nothing to say). */
export function checkShcMeaning(content: ShcContent, ctx: VerifyContext): ShcIssue[] {
  const rules = ctx.time ?? DEFAULT_TIME_RULES;
  const now = ctx.now.getTime();
  const issues: ShcIssue[] = [];
  const birth = content.birth;
  // A person not yet born, or a dose before birth, is a card that cannot be true (the CCCD reader
  // refuses a future birth date the same way).
  if (birth !== undefined && isFuture(birth.startMs, now, rules)) {
    issues.push({ reason: 'schema-invalid', kind: 'failure', detail: 'Patient.birthDate is in the future' });
  }
  for (const dose of content.doseList) {
    if (isFuture(dose.span.startMs, now, rules)) {
      issues.push({ reason: 'not-yet-valid', kind: 'failure', detail: `fhirBundle.entry[${dose.entry}] Immunization: occurrenceDateTime ${dose.date} is in the future` });
    }
    if (birth !== undefined && dose.span.endMs < birth.startMs) {
      issues.push({ reason: 'schema-invalid', kind: 'failure', detail: `fhirBundle.entry[${dose.entry}] Immunization: occurrenceDateTime ${dose.date} is before Patient.birthDate` });
    }
  }
  let latest: ShcTest | undefined;
  for (const test of content.tests) {
    if (isFuture(test.span.startMs, now, rules)) {
      issues.push({ reason: 'not-yet-valid', kind: 'failure', detail: `fhirBundle.entry[${test.entry}] Observation: effectiveDateTime ${test.date} is in the future` });
    }
    // Of two results with the same time, the positive one counts: a tie must not hide it.
    if (latest === undefined || test.span.endMs > latest.span.endMs || (test.span.endMs === latest.span.endMs && test.detected)) latest = test;
  }
  if (latest !== undefined) {
    const maxAgeHours = ctx.testMaxAgeHours ?? DEFAULT_TEST_MAX_AGE_HOURS;
    const stale = now > latest.span.endMs + maxAgeHours * 3_600_000 + rules.skewMs;
    const at = `fhirBundle.entry[${latest.entry}] Observation`;
    if (stale && content.doseList.length === 0) {
      issues.push({ reason: 'expired', kind: 'failure', detail: `${at}: the latest test is older than ${maxAgeHours} hours` });
    } else if (!stale && latest.detected) {
      issues.push({ reason: 'positive-test', kind: 'finding', detail: `${at}: the test result is positive (detected)` });
    }
  }
  return issues;
}
