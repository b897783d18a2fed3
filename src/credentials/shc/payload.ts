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
 *   Patient refuses the card (leaving a result out could hide a positive test).
 * - only an Observation with status `final`, `amended` or `corrected` and a qualitative result
 *   (SNOMED CT detected / positive, not detected / negative) is a test result.
 * - a card must carry at least one dose or one test result.
 */
import type { DisplayLine, Subject } from '../../shared/types.js';
import { fhirSpan } from './fhir-date.js';
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
 * SNOMED CT qualitative results (HL7 SMART Health Cards Vaccination & Testing IG, lab result value
 * set; the EU DCC covid-19-lab-result set is its first and third codes).
 */
const SNOMED = 'http://snomed.info/sct';
const DETECTED: ReadonlySet<unknown> = new Set(['260373001' /* Detected */, '10828004' /* Positive */]);
const NOT_DETECTED: ReadonlySet<unknown> = new Set(['260415000' /* Not detected */, '260385009' /* Negative */]);

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

/** True when one of the CodeableConcept's codings is SNOMED CT with a code in `codes`. */
function hasSnomed(concept: unknown, codes: ReadonlySet<unknown>): boolean {
  if (!isObj(concept) || !Array.isArray(concept.coding)) return false;
  for (const c of concept.coding as unknown[]) if (isObj(c) && c.system === SNOMED && codes.has(c.code)) return true;
  return false;
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
  /** Why the records that are not doses or results were left out (for the message when none is left). */
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
      const detected = hasSnomed(resource.valueCodeableConcept, DETECTED);
      if (!detected && !hasSnomed(resource.valueCodeableConcept, NOT_DETECTED)) {
        skipped.push(`entry[${i}] Observation result is not a SNOMED CT detected or not-detected code`);
        continue;
      }
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
  const content: ShcContent = { subject: person.subject, doses: doseList.length, labResults: tests.length, doseList, tests };
  if (person.subject.dob !== undefined) content.birth = fhirSpan(person.subject.dob, true);
  if (lastDoseDate !== undefined) content.lastDoseDate = lastDoseDate;
  return { ok: true, content };
}

function readPatient(patient: Obj): { ok: true; subject: Subject } | { ok: false; detail: string } {
  const subject: Subject = {};
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
    if (full) subject.name = full;
  }
  if (patient.birthDate !== undefined) {
    if (typeof patient.birthDate !== 'string' || fhirSpan(patient.birthDate, true) === undefined) {
      return { ok: false, detail: 'Patient.birthDate is not a FHIR date' };
    }
    subject.dob = patient.birthDate;
  }
  return { ok: true, subject };
}

/** Lines for the screen. Contains no name or birth date (the screen shows those masked). */
export function shcDetails(content: ShcContent, issuerName: string): DisplayLine[] {
  const lines: DisplayLine[] = [{ label: 'Issuer', value: issuerName }];
  if (content.doses > 0) lines.push({ label: 'Vaccine doses', value: String(content.doses) });
  if (content.lastDoseDate) lines.push({ label: 'Last dose', value: content.lastDoseDate });
  if (content.labResults > 0) lines.push({ label: 'Lab results', value: String(content.labResults) });
  return lines;
}
