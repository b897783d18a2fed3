/**
 * The SMART Health Card JWS payload: `{iss, nbf, exp?, vc: {type, credentialSubject: {fhirVersion,
 * fhirBundle}}}`. Only what the kiosk shows or decides on is extracted: the patient's name and
 * birth date, and the immunizations (count, last date). The payload is untrusted until the
 * signature is checked, and even then every field is type-checked here.
 */
import type { DisplayLine, Subject } from '../../shared/types.js';

const HEALTH_CARD_TYPE = 'https://smarthealth.cards#health-card';
/** Bounds on what we walk; a real card has a handful of entries. */
const MAX_ENTRIES = 200;
const MAX_NAME_CHARS = 200;
const FHIR_DATE = /^\d{4}(-\d{2}(-\d{2})?)?/;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ShcContent {
  subject: Subject;
  /** Immunizations with status `completed`. */
  doses: number;
  /** Latest occurrenceDateTime of those (date part, YYYY-MM-DD or shorter), if any. */
  lastDoseDate?: string;
  /** Lab results (Observation entries), shown but not counted as doses. */
  labResults: number;
}

export type ShcContentResult = { ok: true; content: ShcContent } | { ok: false; detail: string };

/** Checks the payload's `vc` and extracts the card content, or says what is wrong. */
export function readShcContent(payload: Obj): ShcContentResult {
  const vc = payload.vc;
  if (!isObj(vc)) return { ok: false, detail: 'vc missing or not an object' };
  if (!Array.isArray(vc.type) || !vc.type.includes(HEALTH_CARD_TYPE)) {
    return { ok: false, detail: `vc.type does not include ${HEALTH_CARD_TYPE}` };
  }
  const subject = vc.credentialSubject;
  if (!isObj(subject)) return { ok: false, detail: 'vc.credentialSubject missing or not an object' };
  const bundle = subject.fhirBundle;
  if (!isObj(bundle) || bundle.resourceType !== 'Bundle') {
    return { ok: false, detail: 'vc.credentialSubject.fhirBundle is not a FHIR Bundle' };
  }
  const entries = bundle.entry;
  if (!Array.isArray(entries) || entries.length === 0) return { ok: false, detail: 'fhirBundle.entry is empty' };
  if (entries.length > MAX_ENTRIES) return { ok: false, detail: `fhirBundle has more than ${MAX_ENTRIES} entries` };

  let patient: Obj | undefined;
  let doses = 0;
  let labResults = 0;
  let lastDoseDate: string | undefined;
  for (let i = 0; i < entries.length; i++) {
    const entry: unknown = entries[i];
    const resource = isObj(entry) ? entry.resource : undefined;
    if (!isObj(resource) || typeof resource.resourceType !== 'string') {
      return { ok: false, detail: `fhirBundle.entry[${i}].resource has no resourceType` };
    }
    switch (resource.resourceType) {
      case 'Patient':
        if (patient) return { ok: false, detail: 'fhirBundle has more than one Patient' };
        patient = resource;
        break;
      case 'Immunization': {
        const when = resource.occurrenceDateTime;
        if (typeof when !== 'string' || !FHIR_DATE.test(when)) {
          return { ok: false, detail: `fhirBundle.entry[${i}] Immunization has no valid occurrenceDateTime` };
        }
        if (resource.status !== 'completed') break;
        doses++;
        const date = when.slice(0, 10);
        if (lastDoseDate === undefined || date > lastDoseDate) lastDoseDate = date;
        break;
      }
      case 'Observation':
        labResults++;
        break;
      default:
        break;
    }
  }
  if (!patient) return { ok: false, detail: 'fhirBundle has no Patient' };
  if (doses === 0 && labResults === 0) return { ok: false, detail: 'fhirBundle has no Immunization or Observation' };
  const person = readPatient(patient);
  if (!person.ok) return person;
  const content: ShcContent = { subject: person.subject, doses, labResults };
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
    if (typeof patient.birthDate !== 'string' || !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(patient.birthDate)) {
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
