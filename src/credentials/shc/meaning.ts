/**
 * What a SMART Health Card says, judged at the validation clock with the same rules as an EU DCC
 * (dcc/meaning.ts, README "EU DCC checks made without business rules"), so that a card does not
 * pass where the same facts in an `HC1:` certificate would not:
 *
 * - a completed immunization dated in the future → `not-yet-valid`;
 * - a lab result whose specimen time (effectiveDateTime) is in the future → `not-yet-valid`;
 * - the latest lab result positive (detected), within the policy's `testMaxAgeHours` → finding
 *   `positive-test` (refer under the default policy), whether or not the card also has doses; when
 *   which result came last cannot be told (a date-only result spans its day, two results share an
 *   instant) and any of them is positive, the positive one counts;
 * - a card with no dose whose latest lab result is older than `testMaxAgeHours` → `expired`: a
 *   test card proves something only while the test is recent. With doses, an old test is history;
 * - a birth date in the future, or a dose or a lab result's specimen time dated before the birth
 *   → `schema-invalid`: the card cannot be true (as a DCC whose birth date is after its event).
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
  for (const test of content.tests) {
    if (isFuture(test.span.startMs, now, rules)) {
      issues.push({ reason: 'not-yet-valid', kind: 'failure', detail: `fhirBundle.entry[${test.entry}] Observation: effectiveDateTime ${test.date} is in the future` });
    }
    if (birth !== undefined && test.span.endMs < birth.startMs) {
      issues.push({ reason: 'schema-invalid', kind: 'failure', detail: `fhirBundle.entry[${test.entry}] Observation: effectiveDateTime ${test.date} is before Patient.birthDate` });
    }
  }
  const latest = latestTests(content.tests);
  if (latest !== undefined) {
    const maxAgeHours = ctx.testMaxAgeHours ?? DEFAULT_TEST_MAX_AGE_HOURS;
    const maxAgeMs = maxAgeHours * 3_600_000 + rules.skewMs;
    const positive = latest.positive;
    if (positive !== undefined && now <= positive.span.endMs + maxAgeMs) {
      const at = `fhirBundle.entry[${positive.entry}] Observation`;
      const tied = latest.negative === undefined ? '' : `; entry[${latest.negative.entry}], negative, may be as recent: which came last cannot be told`;
      issues.push({ reason: 'positive-test', kind: 'finding', detail: `${at}: the test result is positive (detected)${tied}` });
    } else if (content.doseList.length === 0 && now > latest.lastEnd.span.endMs + maxAgeMs) {
      issues.push({ reason: 'expired', kind: 'failure', detail: `fhirBundle.entry[${latest.lastEnd.entry}] Observation: the latest test is older than ${maxAgeHours} hours` });
    }
  }
  return issues;
}

/** The results that could be the latest (see latestTests). */
interface LatestTests {
  /** The one that ends last (the freshest reading of the card's latest test). */
  lastEnd: ShcTest;
  /** Of those that could be the latest, the positive one ending last, if any. */
  positive?: ShcTest;
  /** A negative one that could be as recent as `positive`, named in its message. */
  negative?: ShcTest;
}

/**
 * Which results could be the card's latest, or undefined for none. A result could be the latest
 * unless another certainly came after it (started after it ended): a date-only result spans its
 * whole day (fhir-date.ts), so a negative dated `2026-12-05` and a positive at `2026-12-05T20:00Z`
 * cannot be ordered, nor can two results at the same instant. When any of those candidates is
 * positive, the positive one counts: a tie in what is known must not hide a positive test.
 */
function latestTests(tests: readonly ShcTest[]): LatestTests | undefined {
  if (tests.length === 0) return undefined;
  let lastStart = -Infinity;
  let lastEnd = tests[0]!;
  for (const t of tests) {
    if (t.span.startMs > lastStart) lastStart = t.span.startMs;
    if (t.span.endMs > lastEnd.span.endMs) lastEnd = t;
  }
  const out: LatestTests = { lastEnd };
  for (const t of tests) {
    if (t.span.endMs < lastStart) continue; // another result certainly came after this one
    if (t.detected) {
      if (out.positive === undefined || t.span.endMs > out.positive.span.endMs) out.positive = t;
    } else if (out.negative === undefined) out.negative = t;
  }
  return out;
}
