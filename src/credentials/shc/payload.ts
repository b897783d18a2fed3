/**
 * The SMART Health Card JWS payload: `{iss, nbf, exp?, vc: {type, credentialSubject: {fhirVersion,
 * fhirBundle}}}`. Only what the kiosk shows or decides on is extracted: the patient's name and
 * birth date, the completed immunizations and the final lab results. The payload is untrusted
 * until the signature is checked, and even then every field is type-checked here; what the
 * content means at the validation clock (a dose dated in the future, a positive or stale test) is
 * judged by meaning.ts.
 *
 * Rules (SMART Health Cards framework, FHIR R4, HL7 SMART Health Cards Vaccination & Testing IG):
 * - `credentialSubject.fhirVersion`, when present, must be FHIR R4 (`4.0.x`): the resources are
 *   read with R4's element names.
 * - exactly one Patient; every Immunization (`patient`) and Observation (`subject`) must refer to
 *   it by its `fullUrl` (`resource:0`): a record that names nobody, or someone else, is not this
 *   person's (R4: Immunization.patient is 1..1).
 * - dates are FHIR `date` / `dateTime` values of days that exist (fhir-date.ts).
 * - only an Immunization with status `completed` is a dose: `entered-in-error` nullifies the
 *   record (FHIR R4 Immunization.status is a modifier element); `not-done` records no dose; nor is
 *   one with `isSubpotent: true` (also a modifier: the Vaccination IG requires verifiers to honour
 *   it). A record, or the Patient, carrying a `modifierExtension` or `implicitRules` cannot be read
 *   as if they were not there: such an Immunization is left out (one dose fewer), such a test result or
 *   Patient refuses the card (leaving a result out could hide a positive test). A dose whose CVX
 *   code names another vaccine than a COVID-19 one is left out too (vaccine-code.ts).
 * - only an Observation with status `final`, `amended` or `corrected` and a qualitative result
 *   (SNOMED CT or LOINC detected / positive, not detected / negative) is a test result; a final
 *   one whose qualitative value the kiosk cannot read (free text, another code) refuses the card,
 *   one without a qualitative value (a measurement) is left out.
 * - every record left out is named (ShcContent.leftOut).
 * - a card must carry at least one dose or one test result.
 */
import type { DisplayLine, Subject } from '../../shared/types.js';
import { displaySpoofChar } from '../text.js';
import { fhirSpan } from './fhir-date.js';
import { vaccineKind } from './vaccine-code.js';
import type { FhirSpan } from './fhir-date.js';

const HEALTH_CARD_TYPE = 'https://smarthealth.cards#health-card';
/** Bounds on what we walk; a real card has a handful of entries. */
const MAX_ENTRIES = 200;
const MAX_NAME_CHARS = 200;
/** FHIR R4 (the only version whose element names the kiosk reads). */
const FHIR_R4 = /^4\.0\.\d{1,4}$/;
/** Observation statuses that stand for a result (FHIR R4 observation-status). */
const RESULT_STATUSES: ReadonlySet<unknown> = new Set(['final', 'amended', 'corrected']);
/**
 * Qualitative results the kiosk reads, as `system|code` (HL7 SMART Health Cards Vaccination &
 * Testing IG, value sets qualitative-lab-results-snomed and qualitative-lab-results-loinc; the EU
 * DCC covid-19-lab-result set is the SNOMED CT Detected and Not detected codes). LOINC's answers
 * come from its lists LL1055-4 (Detected / Not detected) and LL2206-2 (Negative / Positive /
 * Strong positive). The same sets' Equivocal, Inconclusive, Borderline and "specimen
 * unsatisfactory" say neither, and any other code may mean anything: such a result refuses the card.
 */
const SNOMED = 'http://snomed.info/sct';
const LOINC = 'http://loinc.org';
const DETECTED: ReadonlySet<string> = new Set([
  `${SNOMED}|260373001` /* Detected */, `${SNOMED}|10828004` /* Positive */,
  `${LOINC}|LA11882-0` /* Detected */, `${LOINC}|LA6576-8` /* Positive */, `${LOINC}|LA18996-1` /* Strong positive */,
]);
const NOT_DETECTED: ReadonlySet<string> = new Set([
  `${SNOMED}|260415000` /* Not detected */, `${SNOMED}|260385009` /* Negative */,
  `${LOINC}|LA11883-8` /* Not detected */, `${LOINC}|LA6577-6` /* Negative */,
]);
/** The value[x] choices that carry a qualitative answer (FHIR R4 Observation.value[x]). */
const QUALITATIVE_VALUES = ['valueCodeableConcept', 'valueString', 'valueBoolean'] as const;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A completed immunization. */
export interface ShcDose {
  /** Index in fhirBundle.entry, for messages. */
  entry: number;
  /** occurrenceDateTime as written. */
  date: string;
  span: FhirSpan;
}

/** A final qualitative lab result. */
export interface ShcTest {
  entry: number;
  /** effectiveDateTime as written. */
  date: string;
  span: FhirSpan;
  detected: boolean;
}

export interface ShcContent {
  subject: Subject;
  /** Immunizations with status `completed`. */
  doses: number;
  /** Latest occurrenceDateTime of those (date part, YYYY-MM-DD or shorter), if any. */
  lastDoseDate?: string;
  /** Lab results read (final, with a qualitative result), shown but not counted as doses. */
  labResults: number;
  /** The completed immunizations, in entry order. */
  doseList: ShcDose[];
  /** The lab results read, in entry order. */
  tests: ShcTest[];
  /** Patient.birthDate's span, when the card gives one. */
  birth?: FhirSpan;
  /** The records left out and why (`entry[1] Immunization status "not-done"`), in entry order. */
  leftOut: string[];
  /** Why Patient.name is not in `subject` although the card gives one (readPatient). */
  nameNote?: string;
}

export type ShcContentResult = { ok: true; content: ShcContent } | { ok: false; detail: string };

/** The fullUrl a resource is referred to by, when the entry has one. */
function fullUrlOf(entry: Obj): string | undefined {
  return typeof entry.fullUrl === 'string' ? entry.fullUrl : undefined;
}

/** `fhirBundle.entry[i] Immunization.patient`: why the reference does not name `patientUrl`, or undefined. */
function referenceProblem(ref: unknown, patientUrl: string | undefined): string | undefined {
  if (!isObj(ref) || typeof ref.reference !== 'string') return 'is missing';
  if (patientUrl === undefined || ref.reference !== patientUrl) return `(${JSON.stringify(ref.reference.slice(0, 40))}) does not refer to the card's Patient`;
  return undefined;
}

/**
 * True when a resource carries something that changes its meaning in a way the kiosk cannot read:
 * a `modifierExtension` (FHIR R4 extensibility §2.4.1: a reader that does not understand one must
 * not process the element as if it were absent) or `implicitRules` (FHIR R4 Resource, a modifier).
 */
function hasUnknownModifier(resource: Obj): boolean {
  return resource.modifierExtension !== undefined || resource.implicitRules !== undefined;
}

/**
 * An Observation's result as the kiosk reads it: `detected` / `not-detected`; `unreadable` with
 * what it carries, for a qualitative value the kiosk cannot read (free text, another code, codings
 * that disagree) — it could be a positive test; `none` for an Observation without a qualitative
 * value (a measurement, a period), which is no test result.
 */
type ResultReading = { kind: 'detected' | 'not-detected' } | { kind: 'unreadable'; what: string } | { kind: 'none'; what: string };

function readResult(resource: Obj): ResultReading {
  const key = QUALITATIVE_VALUES.find((k) => resource[k] !== undefined);
  if (key === undefined) {
    const value = Object.keys(resource).find((k) => k.startsWith('value'));
    return { kind: 'none', what: value === undefined ? 'no value' : value };
  }
  const value = resource[key];
  if (key !== 'valueCodeableConcept') return { kind: 'unreadable', what: `${key} ${JSON.stringify(value)?.slice(0, 40) ?? ''}` };
  const codings = isObj(value) && Array.isArray(value.coding) ? (value.coding as unknown[]) : [];
  let detected = false;
  let notDetected = false;
  let first: string | undefined;
  for (const c of codings) {
    if (!isObj(c)) continue;
    const code = `${typeof c.system === 'string' ? c.system : ''}|${typeof c.code === 'string' ? c.code : ''}`;
    first ??= code;
    if (DETECTED.has(code)) detected = true;
    else if (NOT_DETECTED.has(code)) notDetected = true;
  }
  if (detected !== notDetected) return { kind: detected ? 'detected' : 'not-detected' };
  if (detected) return { kind: 'unreadable', what: 'valueCodeableConcept with both a detected and a not-detected code' };
  return { kind: 'unreadable', what: first === undefined ? 'valueCodeableConcept without a coding' : `valueCodeableConcept ${JSON.stringify(first.slice(0, 60))}` };
}

/** Checks the payload's `vc` and extracts the card content, or says what is wrong. */
export function readShcContent(payload: Obj): ShcContentResult {
  const vc = payload.vc;
  if (!isObj(vc)) return { ok: false, detail: 'vc missing or not an object' };
  if (!Array.isArray(vc.type) || !vc.type.includes(HEALTH_CARD_TYPE)) {
    return { ok: false, detail: `vc.type does not include ${HEALTH_CARD_TYPE}` };
  }
  const subject = vc.credentialSubject;
  if (!isObj(subject)) return { ok: false, detail: 'vc.credentialSubject missing or not an object' };
  const version = subject.fhirVersion;
  if (version !== undefined && (typeof version !== 'string' || !FHIR_R4.test(version))) {
    return { ok: false, detail: `vc.credentialSubject.fhirVersion ${JSON.stringify(version)?.slice(0, 20) ?? ''} is not FHIR R4 (4.0.x), the version the kiosk reads` };
  }
  const bundle = subject.fhirBundle;
  if (!isObj(bundle) || bundle.resourceType !== 'Bundle') {
    return { ok: false, detail: 'vc.credentialSubject.fhirBundle is not a FHIR Bundle' };
  }
  const entries = bundle.entry;
  if (!Array.isArray(entries) || entries.length === 0) return { ok: false, detail: 'fhirBundle.entry is empty' };
  if (entries.length > MAX_ENTRIES) return { ok: false, detail: `fhirBundle has more than ${MAX_ENTRIES} entries` };

  // First the Patient, whose fullUrl every record must refer to.
  let patient: Obj | undefined;
  let patientUrl: string | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry: unknown = entries[i];
    const resource = isObj(entry) ? entry.resource : undefined;
    if (!isObj(resource) || typeof resource.resourceType !== 'string') {
      return { ok: false, detail: `fhirBundle.entry[${i}].resource has no resourceType` };
    }
    const repeated = repeatedFullUrl(entries, i);
    if (repeated !== undefined) return { ok: false, detail: repeated };
    if (resource.resourceType === 'Patient') {
      if (patient) return { ok: false, detail: 'fhirBundle has more than one Patient' };
      patient = resource;
      patientUrl = fullUrlOf(entry as Obj);
    }
  }
  if (!patient) return { ok: false, detail: 'fhirBundle has no Patient' };
  if (hasUnknownModifier(patient)) return { ok: false, detail: 'the Patient carries a modifier extension the kiosk does not understand (FHIR R4 §2.4.1: it may change what the name means)' };

  const doseList: ShcDose[] = [];
  const tests: ShcTest[] = [];
  /** Why the records that are not doses or results were left out (named in the messages). */
  const skipped: string[] = [];
  let lastDoseDate: string | undefined;
  for (let i = 0; i < entries.length; i++) {
    const resource = (entries[i] as Obj).resource as Obj;
    if (resource.resourceType === 'Immunization') {
      const when = resource.occurrenceDateTime;
      const span = fhirSpan(when);
      if (span === undefined) return { ok: false, detail: `fhirBundle.entry[${i}] Immunization has no valid occurrenceDateTime` };
      const ref = referenceProblem(resource.patient, patientUrl);
      if (ref !== undefined) return { ok: false, detail: `fhirBundle.entry[${i}] Immunization.patient ${ref}` };
      if (resource.status !== 'completed') {
        skipped.push(`entry[${i}] Immunization status ${JSON.stringify(resource.status ?? null).slice(0, 24)}`);
        continue;
      }
      // isSubpotent is a modifier: a dose "known to be subpotent" is no dose, and the Vaccination IG
      // says it is critical that verifiers process it. Any other modifier we cannot read.
      if (resource.isSubpotent === true) {
        skipped.push(`entry[${i}] Immunization isSubpotent true`);
        continue;
      }
      if (hasUnknownModifier(resource)) {
        skipped.push(`entry[${i}] Immunization with a modifier extension`);
        continue;
      }
      // A dose of another vaccine (influenza, say) on a card that carries a whole record.
      const vaccine = vaccineKind(resource.vaccineCode);
      if (vaccine.kind === 'other') {
        skipped.push(`entry[${i}] Immunization with CVX ${vaccine.cvx}, not a COVID-19 vaccine`);
        continue;
      }
      const date = (when as string).slice(0, 10);
      doseList.push({ entry: i, date: when as string, span });
      if (lastDoseDate === undefined || date > lastDoseDate) lastDoseDate = date;
    } else if (resource.resourceType === 'Observation') {
      const ref = referenceProblem(resource.subject, patientUrl);
      if (ref !== undefined) return { ok: false, detail: `fhirBundle.entry[${i}] Observation.subject ${ref}` };
      if (!RESULT_STATUSES.has(resource.status)) {
        skipped.push(`entry[${i}] Observation status ${JSON.stringify(resource.status ?? null).slice(0, 24)}`);
        continue;
      }
      // Leaving such a result out could hide a positive test: the card cannot be read.
      if (hasUnknownModifier(resource)) {
        return { ok: false, detail: `fhirBundle.entry[${i}] Observation carries a modifier extension the kiosk does not understand` };
      }
      const result = readResult(resource);
      if (result.kind === 'unreadable') {
        // Leaving it out could hide a positive test, and reading it as either would be a guess.
        return { ok: false, detail: `fhirBundle.entry[${i}] Observation: a final result the kiosk cannot read (${result.what}; it reads SNOMED CT and LOINC detected, not detected, positive and negative codes): it could be a positive test` };
      }
      if (result.kind === 'none') {
        skipped.push(`entry[${i}] Observation without a qualitative result (${result.what})`);
        continue;
      }
      const detected = result.kind === 'detected';
      // A result the kiosk reads must say when: a positive test without a usable date cannot be
      // judged fresh or stale, and must not be passed over either.
      const span = fhirSpan(resource.effectiveDateTime);
      if (span === undefined) return { ok: false, detail: `fhirBundle.entry[${i}] Observation has no valid effectiveDateTime` };
      tests.push({ entry: i, date: resource.effectiveDateTime as string, span, detected });
    }
  }
  if (doseList.length === 0 && tests.length === 0) {
    const why = skipped.length > 0 ? ` (${skipped.slice(0, 3).join('; ')})` : '';
    return { ok: false, detail: `fhirBundle has no Immunization with status completed and no final lab result${why}` };
  }
  const person = readPatient(patient);
  if (!person.ok) return person;
  const content: ShcContent = { subject: person.subject, doses: doseList.length, labResults: tests.length, doseList, tests, leftOut: skipped };
  if (person.nameNote !== undefined) content.nameNote = person.nameNote;
  if (person.subject.dob !== undefined) content.birth = fhirSpan(person.subject.dob, true);
  if (lastDoseDate !== undefined) content.lastDoseDate = lastDoseDate;
  return { ok: true, content };
}

/**
 * Why entry `i`'s fullUrl cannot name it, else undefined: an earlier entry has the same one. FHIR
 * R4 Bundle invariant bdl-7 ("FullUrl must be unique in a bundle"): a record refers to the Patient
 * by its fullUrl (`resource:0`), and a second entry under that fullUrl makes the reference name two
 * resources, one of them no Patient. Compared entry by entry (a card has a handful), no Set per scan.
 */
function repeatedFullUrl(entries: readonly unknown[], i: number): string | undefined {
  const url = fullUrlOf(entries[i] as Obj);
  if (url === undefined) return undefined;
  for (let j = 0; j < i; j++) {
    if (fullUrlOf(entries[j] as Obj) === url) {
      return `fhirBundle.entry[${i}].fullUrl ${JSON.stringify(url.length > 40 ? `${url.slice(0, 40)}…` : url)} is also entry[${j}]'s: each entry of a Bundle has its own fullUrl (FHIR R4 bdl-7), or a reference to it names two resources`;
    }
  }
  return undefined;
}

/**
 * The Patient's name and birth date. A name holding a character that changes how the text around
 * it is shown without being seen (displaySpoofChar: a bidi override such as U+202E, a zero-width
 * space, a control — the FHIR R4 string datatype allows no character below U+0020 but TAB, CR and
 * LF) is neither shown nor recorded, and `nameNote` says why: the screen would show a name the
 * officer reads differently from the person's documents (U+202E reverses what follows). The card
 * has no second spelling to fall back on, unlike a DCC's ICAO name (dcc/display.ts); the card
 * itself stays valid, as such a DCC does.
 */
function readPatient(patient: Obj): { ok: true; subject: Subject; nameNote?: string } | { ok: false; detail: string } {
  const subject: Subject = {};
  let nameNote: string | undefined;
  const names = patient.name;
  if (names !== undefined) {
    const first: unknown = Array.isArray(names) ? names[0] : undefined;
    if (!isObj(first)) return { ok: false, detail: 'Patient.name is not a list of names' };
    const given = first.given ?? [];
    const family = first.family ?? '';
    if (!Array.isArray(given) || typeof family !== 'string') return { ok: false, detail: 'Patient.name has non-text parts' };
    // The given names then the family name, trimmed, the empty ones left out, one space between.
    let full = '';
    for (const part of given as unknown[]) {
      if (typeof part !== 'string') return { ok: false, detail: 'Patient.name has non-text parts' };
      const t = part.trim();
      if (t) full = full ? `${full} ${t}` : t;
    }
    const f = family.trim();
    if (f) full = full ? `${full} ${f}` : f;
    if (full.length > MAX_NAME_CHARS) return { ok: false, detail: 'Patient.name too long' };
    const spoof = full ? displaySpoofChar(full) : undefined;
    if (spoof !== undefined) nameNote = `Patient.name holds the invisible or control character ${spoof}: the name is not shown or recorded (check it on the person's documents)`;
    else if (full) subject.name = full;
  }
  if (patient.birthDate !== undefined) {
    if (typeof patient.birthDate !== 'string' || fhirSpan(patient.birthDate, true) === undefined) {
      return { ok: false, detail: 'Patient.birthDate is not a FHIR date' };
    }
    subject.dob = patient.birthDate;
  }
  return nameNote === undefined ? { ok: true, subject } : { ok: true, subject, nameNote };
}

/** Lines for the screen. Contains no name or birth date (the screen shows those masked). */
export function shcDetails(content: ShcContent, issuerName: string): DisplayLine[] {
  const lines: DisplayLine[] = [{ label: 'Issuer', value: issuerName }];
  if (content.doses > 0) lines.push({ label: 'Vaccine doses', value: String(content.doses) });
  if (content.lastDoseDate) lines.push({ label: 'Last dose', value: content.lastDoseDate });
  if (content.labResults > 0) lines.push({ label: 'Lab results', value: String(content.labResults) });
  return lines;
}
