/**
 * The declaration form's fields and their server-side validation. Problems are keyed by field so
 * the page can show each one next to its field; the values the person sent are kept as they were
 * (every text, every ticked box, every choice) so a failed submit loses nothing.
 *
 * Optional fields: purpose (the CKD1 format needs text there, so an empty purpose is issued as
 * NOT_STATED), the test result (none) and its date (needed only with a result).
 */
import type { Declaration, TestResult } from '../../src/credentials/declaration/index.js';
import { DECLARATION_LIMITS } from '../../src/credentials/declaration/types.js';
import { displaySpoofChar } from '../../src/credentials/text.js';

export const SYMPTOMS = ['fever', 'cough', 'shortness-of-breath', 'sore-throat', 'loss-of-taste-or-smell', 'fatigue'] as const;
export type Symptom = (typeof SYMPTOMS)[number];
export const ID_TYPES = ['cccd', 'cmnd', 'passport', 'qid', 'other'] as const;
export type IdType = (typeof ID_TYPES)[number];
export const TEST_CHOICES = ['none', 'negative', 'positive', 'inconclusive'] as const;
export type TestChoice = (typeof TEST_CHOICES)[number];

/** What an empty optional purpose becomes in the declaration (the format requires text). */
export const NOT_STATED = '—';

export type Field = 'idType' | 'idNo' | 'name' | 'dob' | 'from' | 'to' | 'purpose' | 'symptoms' | 'testResult' | 'testAt';
export type ProblemCode = 'required' | 'too-long' | 'hidden-chars' | 'id-chars' | 'cccd-digits' | 'cmnd-digits' | 'bad-date' | 'future-date' | 'unknown-choice' | 'test-date-needed';

export interface Problem {
  code: ProblemCode;
  /** The limit for 'too-long'. */
  max?: number;
}

/** What the person sent, normalised (trimmed texts, the list of ticked symptoms, the choices). */
export interface FormValues {
  idType: string;
  idNo: string;
  name: string;
  dob: string;
  from: string;
  to: string;
  purpose: string;
  symptoms: string[];
  exposure: boolean;
  testResult: string;
  testAt: string;
}

export type RawForm = Record<string, string | string[] | undefined>;

function first(form: RawForm, key: string): string {
  const v = form[key];
  // Bounded before anything else looks at it (the body limit already bounds the total).
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim().slice(0, 1000);
}

export function readForm(form: RawForm): FormValues {
  const raw = form.symptoms;
  const ticked = (Array.isArray(raw) ? raw : raw ? [raw] : []).slice(0, 32).map((s) => s.slice(0, 64));
  return {
    idType: first(form, 'idType') || 'cccd',
    idNo: first(form, 'idNo').replace(/\s+/g, ''),
    name: first(form, 'name'),
    dob: first(form, 'dob'),
    from: first(form, 'from'),
    to: first(form, 'to'),
    purpose: first(form, 'purpose'),
    symptoms: [...new Set(ticked)],
    exposure: first(form, 'exposure') === 'yes',
    testResult: first(form, 'testResult') || 'none',
    testAt: first(form, 'testAt'),
  };
}

/** A real calendar date `YYYY-MM-DD` (2026-02-31 is not). */
function isDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * Validates the form. `today` is the local date (YYYY-MM-DD) that no date may be after.
 * Returns the declaration content, or the problems by field.
 */
export function validateForm(v: FormValues, id: string, today: string): { ok: true; decl: Declaration } | { ok: false; problems: Partial<Record<Field, Problem>> } {
  const problems: Partial<Record<Field, Problem>> = {};
  const text = (field: Field, value: string, max: number, required: boolean) => {
    if (required && !value) problems[field] = { code: 'required' };
    else if (value.length > max) problems[field] = { code: 'too-long', max };
    // Bidi overrides, zero-width and control characters would be signed into the declaration and
    // shown on the kiosk screen (a name that displays as another); the kiosk refuses them too.
    else if (displaySpoofChar(value)) problems[field] = { code: 'hidden-chars' };
  };
  const date = (field: Field, value: string) => {
    if (!isDate(value)) problems[field] = { code: 'bad-date' };
    else if (value > today) problems[field] = { code: 'future-date' };
  };
  if (!(ID_TYPES as readonly string[]).includes(v.idType)) problems.idType = { code: 'unknown-choice' };
  text('idNo', v.idNo, DECLARATION_LIMITS.idNoChars, true);
  if (!problems.idNo) {
    if (!/^[A-Za-z0-9]+$/.test(v.idNo)) problems.idNo = { code: 'id-chars' };
    else if (v.idType === 'cccd' && !/^\d{12}$/.test(v.idNo)) problems.idNo = { code: 'cccd-digits' };
    else if (v.idType === 'cmnd' && !/^(?:\d{9}|\d{12})$/.test(v.idNo)) problems.idNo = { code: 'cmnd-digits' };
  }
  text('name', v.name, DECLARATION_LIMITS.nameChars, true);
  if (!v.dob) problems.dob = { code: 'required' };
  else date('dob', v.dob);
  text('from', v.from, DECLARATION_LIMITS.placeChars, true);
  text('to', v.to, DECLARATION_LIMITS.placeChars, true);
  text('purpose', v.purpose, DECLARATION_LIMITS.purposeChars, false);
  if (!v.symptoms.every((s) => (SYMPTOMS as readonly string[]).includes(s))) problems.symptoms = { code: 'unknown-choice' };
  if (!(TEST_CHOICES as readonly string[]).includes(v.testResult)) problems.testResult = { code: 'unknown-choice' };
  else if (v.testResult !== 'none') {
    if (!v.testAt) problems.testAt = { code: 'test-date-needed' };
    else date('testAt', v.testAt);
  }
  if (Object.keys(problems).length) return { ok: false, problems };
  const decl: Declaration = {
    id,
    sub: { idType: v.idType as IdType, idNo: v.idNo, name: v.name, dob: v.dob },
    trip: { from: v.from, to: v.to, purpose: v.purpose || NOT_STATED },
    health: { symptoms: v.symptoms, exposure: v.exposure },
  };
  if (v.testResult !== 'none') decl.health.test = { result: v.testResult as TestResult, at: v.testAt };
  return { ok: true, decl };
}
