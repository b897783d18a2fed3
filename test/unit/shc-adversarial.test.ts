/**
 * SMART Health Cards as an outside checker would present them: each case is the example issuer's
 * card with one thing changed (test/helpers/shc-cards.ts), run through the same path as
 * `checkpoint-kiosk verify` (assessText with the default policy), and held to the verdict and
 * reasons the SMART Health Cards framework, FHIR R4 and the kiosk's own rules for the same facts in
 * an EU DCC call for.
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import type { Policy } from '../../src/core/policy.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { encodeShcNumeric } from '../../src/credentials/shc/numeric.js';
import { shcTrust } from '../helpers/shc.js';
import { exampleBundle, labResult, shcCard, shcSigner, withHeaderText } from '../helpers/shc-cards.js';
import type { Bundle, CardOptions } from '../helpers/shc-cards.js';

const now = new Date('2026-11-26T08:00:00Z');
const nowS = Math.floor(now.getTime() / 1000);
const trust = shcTrust();
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };

async function verdictOf(text: string, policy: Policy = DEFAULT_POLICY) {
  const a = await assessText(text, now, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => policy, logger: silent as never });
  return { verdict: a.verdict.verdict, reasons: a.verdict.reasons, messages: a.verdict.display.messages, title: a.result.title };
}

/** The example bundle with `edit` applied. */
function bundle(edit: (b: Bundle) => void): Bundle {
  const b = exampleBundle();
  edit(b);
  return b;
}

const immunizations = (b: Bundle) => b.entry.filter((e) => e.resource.resourceType === 'Immunization').map((e) => e.resource);
const patientOnly = (b: Bundle) => (b.entry = [b.entry[0]!]);

interface Case {
  name: string;
  card: () => Promise<string>;
  verdict: 'accept' | 'refer' | 'reject';
  reasons: string[];
  /** A message (or part of one) the holder or officer is told. */
  message?: string;
}

const card = (b: Bundle, opts?: CardOptions) => () => shcCard(b, nowS, opts);

/** `entry` with its valueCodeableConcept replaced by `value` (another value[x]). */
function withValue(entry: Bundle['entry'][number], value: Record<string, unknown>): Bundle['entry'][number] {
  const resource = { ...entry.resource };
  delete resource.valueCodeableConcept;
  return { ...entry, resource: { ...resource, ...value } };
}

/** A final lab result coded with a LOINC answer (the IG's qualitative-lab-results-loinc set). */
const labLoinc = (answer: string, when: string, fullUrl = 'resource:1') =>
  withValue(labResult('260373001', when, 'final', fullUrl), { valueCodeableConcept: { coding: [{ system: 'http://loinc.org', code: answer }] } });

/** The CVX code of an Immunization set to `code` (its only coding). */
const cvx = (r: Record<string, unknown>, code: string) => (r.vaccineCode = { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code }] });

describe('SMART Health Card: immunization status', () => {
  const cases: Case[] = [
    {
      name: 'every dose of another vaccine (CVX 141, influenza) on a whole-record card: no COVID-19 dose to vouch for',
      card: card(bundle((b) => immunizations(b).forEach((r) => cvx(r, '141')))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Immunization with CVX 141, not a COVID-19 vaccine',
    },
    {
      name: 'a dose of another vaccine among COVID-19 ones (CVX 207, 210, 511): not counted, and named',
      card: card(bundle((b) => {
        const [a, c, d] = immunizations(b);
        cvx(a!, '150');
        cvx(c!, '210');
        cvx(d!, '511');
      })),
      verdict: 'accept',
      reasons: [],
      message: 'left out: entry[1] Immunization with CVX 150, not a COVID-19 vaccine',
    },
    {
      name: 'CVX written otherwise (its OID, https, a trailing slash, capitals, a code with spaces) is still CVX: influenza is left out',
      card: card(bundle((b) => {
        const systems = ['urn:oid:2.16.840.1.113883.12.292', 'https://hl7.org/fhir/sid/cvx', 'http://hl7.org/fhir/sid/CVX/'];
        immunizations(b).forEach((r, i) => (r.vaccineCode = { coding: [{ system: systems[i % 3], code: i === 0 ? ' 141' : '141' }] }));
      })),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Immunization with CVX 141, not a COVID-19 vaccine',
    },
    {
      name: 'a dose coded in SNOMED CT only (a system the kiosk does not classify) still counts',
      card: card(bundle((b) => immunizations(b).forEach((r) => (r.vaccineCode = { coding: [{ system: 'http://snomed.info/sct', code: '28581000087106' }] })))),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'every dose entered-in-error: nothing left to vouch for, and the message says why',
      card: card(bundle((b) => immunizations(b).forEach((r) => (r.status = 'entered-in-error')))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Immunization status "entered-in-error"',
    },
    {
      name: 'one dose entered-in-error among completed ones: that dose is not counted, and the message names it',
      card: card(bundle((b) => (immunizations(b)[0]!.status = 'entered-in-error'))),
      verdict: 'accept',
      reasons: [],
      message: 'left out: entry[1] Immunization status "entered-in-error"',
    },
    {
      name: 'every dose isSubpotent (a modifier the IG says verifiers must honour) → nothing to vouch for',
      card: card(bundle((b) => immunizations(b).forEach((r) => (r.isSubpotent = true)))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Immunization isSubpotent true',
    },
    {
      name: 'one dose isSubpotent among potent ones → accept, that dose not counted',
      card: card(bundle((b) => (immunizations(b)[2]!.isSubpotent = true))),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'every dose with a modifierExtension the kiosk cannot read → nothing to vouch for',
      card: card(bundle((b) => immunizations(b).forEach((r) => (r.modifierExtension = [{ url: 'https://issuer.example/fhir/not-valid-for-travel', valueBoolean: true }])))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Immunization with a modifier extension',
    },
    {
      name: 'a Patient with a modifierExtension → schema-invalid (it may change what the name means)',
      card: card(bundle((b) => (b.entry[0]!.resource.modifierExtension = [{ url: 'https://issuer.example/fhir/alias', valueBoolean: true }]))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'modifier extension',
    },
    {
      name: 'a duplicate "status" key (entered-in-error, then completed): refused, whichever a reader keeps',
      card: card(exampleBundle(), { text: (j) => j.replace(/"status":"completed"/g, '"status":"entered-in-error","status":"completed"') }),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'duplicate key "status" at $.vc.credentialSubject.fhirBundle.entry[1].resource',
    },
    {
      name: 'a duplicate "iss" claim: refused',
      card: card(exampleBundle(), { text: (j) => j.replace('"iss":', '"iss":"https://issuer.example","iss":') }),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'duplicate key "iss" at $',
    },
  ];
  it.each(cases)('$name', async (c) => {
    const r = await verdictOf(await c.card());
    expect({ verdict: r.verdict, reasons: r.reasons }).toEqual({ verdict: c.verdict, reasons: c.reasons });
    if (c.message) expect(r.messages.join('\n')).toContain(c.message);
  });
});

describe('SMART Health Card: lab results are judged as an EU DCC test is', () => {
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString().replace('.000Z', 'Z');
  const lab = (...entries: Bundle['entry']) => bundle((b) => (b.entry = [b.entry[0]!, ...entries]));
  const cases: Case[] = [
    { name: 'a positive (detected) test from yesterday → refer, positive-test', card: card(lab(labResult('260373001', hoursAgo(20)))), verdict: 'refer', reasons: ['positive-test'], message: 'positive' },
    { name: 'a positive test coded 10828004 (Positive) → refer', card: card(lab(labResult('10828004', hoursAgo(20)))), verdict: 'refer', reasons: ['positive-test'] },
    { name: 'a negative (not detected) test from yesterday → accept', card: card(lab(labResult('260415000', hoursAgo(20)))), verdict: 'accept', reasons: [] },
    { name: 'a negative test coded 260385009 (Negative) → accept', card: card(lab(labResult('260385009', hoursAgo(20)))), verdict: 'accept', reasons: [] },
    {
      name: 'a negative test older than testMaxAgeHours (72) → expired',
      card: card(lab(labResult('260415000', hoursAgo(24 * 60)))),
      verdict: 'reject',
      reasons: ['expired'],
      message: 'older than 72 hours',
    },
    {
      name: 'a negative test as a plain date three days ago (the whole day counts) → accept',
      card: card(lab(labResult('260415000', '2026-11-23'))),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'a test dated tomorrow → not-yet-valid',
      card: card(lab(labResult('260415000', '2026-11-28T08:00:00Z'))),
      verdict: 'reject',
      reasons: ['not-yet-valid'],
      message: 'in the future',
    },
    {
      name: 'the only test entered-in-error → nothing to vouch for',
      card: card(lab(labResult('260415000', hoursAgo(20), 'entered-in-error'))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Observation status "entered-in-error"',
    },
    {
      name: 'the only test preliminary → nothing to vouch for',
      card: card(lab(labResult('260415000', hoursAgo(20), 'preliminary'))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
    },
    {
      name: 'a positive result under a modifierExtension beside a negative one → schema-invalid (leaving it out could hide a positive)',
      card: card(lab({ ...labResult('260373001', hoursAgo(5), 'final', 'resource:1'), resource: { ...labResult('260373001', hoursAgo(5)).resource, modifierExtension: [{ url: 'https://issuer.example/x', valueBoolean: true }] } }, labResult('260415000', hoursAgo(20), 'final', 'resource:2'))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Observation carries a modifier extension',
    },
    {
      name: 'a positive test entered-in-error beside a negative one → accept (the nullified record says nothing)',
      card: card(lab(labResult('260373001', hoursAgo(10), 'entered-in-error', 'resource:1'), labResult('260415000', hoursAgo(20), 'final', 'resource:2'))),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'positive yesterday, negative today: the latest result counts → accept',
      card: card(lab(labResult('260373001', hoursAgo(30), 'final', 'resource:1'), labResult('260415000', hoursAgo(2), 'final', 'resource:2'))),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'a negative and a positive result on the same day, negative listed first → refer (a tie must not hide the positive)',
      card: card(lab(labResult('260415000', '2026-11-25', 'final', 'resource:1'), labResult('260373001', '2026-11-25', 'final', 'resource:2'))),
      verdict: 'refer',
      reasons: ['positive-test'],
    },
    {
      name: 'a positive at 20:00 and a negative dated that day only (spans the whole day: order unknown) → refer, both named',
      card: card(lab(labResult('260373001', '2026-11-25T20:00:00Z', 'final', 'resource:1'), labResult('260415000', '2026-11-25', 'final', 'resource:2'))),
      verdict: 'refer',
      reasons: ['positive-test'],
      message: 'entry[1] Observation: the test result is positive (detected); entry[2], negative, may be as recent',
    },
    {
      name: 'a positive dated a day only and a negative at 20:00 that day → refer',
      card: card(lab(labResult('260415000', '2026-11-25T20:00:00Z', 'final', 'resource:1'), labResult('260373001', '2026-11-25', 'final', 'resource:2'))),
      verdict: 'refer',
      reasons: ['positive-test'],
    },
    {
      name: 'a positive dated a day only and a negative the next morning (certainly later) → accept',
      card: card(lab(labResult('260373001', '2026-11-24', 'final', 'resource:1'), labResult('260415000', '2026-11-25T14:00:00Z', 'final', 'resource:2'))),
      verdict: 'accept',
      reasons: [],
    },
    { name: 'a LOINC LA6576-8 (Positive) result → refer', card: card(lab(labLoinc('LA6576-8', hoursAgo(20)))), verdict: 'refer', reasons: ['positive-test'] },
    { name: 'a LOINC LA11882-0 (Detected) result beside three doses → refer', card: card(bundle((b) => b.entry.push(labLoinc('LA11882-0', hoursAgo(20), 'resource:9')))), verdict: 'refer', reasons: ['positive-test'] },
    { name: 'a LOINC LA6577-6 (Negative) result → accept', card: card(lab(labLoinc('LA6577-6', hoursAgo(20)))), verdict: 'accept', reasons: [] },
    { name: 'a LOINC LA11883-8 (Not detected) result → accept', card: card(lab(labLoinc('LA11883-8', hoursAgo(20)))), verdict: 'accept', reasons: [] },
    {
      name: 'a final result as valueString "Positive" beside three doses → schema-invalid naming the entry (it could be a positive test)',
      card: card(bundle((b) => b.entry.push(withValue(labResult('260373001', hoursAgo(20), 'final', 'resource:9'), { valueString: 'Positive' })))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'fhirBundle.entry[4] Observation: a final result the kiosk cannot read (valueString "Positive"',
    },
    {
      name: 'a final result with an unknown LOINC answer (LA9663-1 Inconclusive) beside three doses → schema-invalid',
      card: card(bundle((b) => b.entry.push(labLoinc('LA9663-1', hoursAgo(20), 'resource:9')))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'valueCodeableConcept "http://loinc.org|LA9663-1"',
    },
    {
      name: 'a final result coded both detected and not detected → schema-invalid',
      card: card(lab(withValue(labResult('260373001', hoursAgo(20)), { valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '260373001' }, { system: 'http://loinc.org', code: 'LA11883-8' }] } }))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'both a detected and a not-detected code',
    },
    {
      name: 'a measurement Observation beside three doses → accept, and the message names what was left out',
      card: card(bundle((b) => b.entry.push({ fullUrl: 'resource:9', resource: { resourceType: 'Observation', status: 'final', subject: { reference: 'resource:0' }, effectiveDateTime: '2021-01-01', valueQuantity: { value: 120 } } }))),
      verdict: 'accept',
      reasons: [],
      message: 'left out: entry[4] Observation without a qualitative result (valueQuantity)',
    },
    {
      name: 'three doses and a positive test yesterday → refer, positive-test',
      card: card(bundle((b) => b.entry.push(labResult('260373001', hoursAgo(20), 'final', 'resource:9')))),
      verdict: 'refer',
      reasons: ['positive-test'],
    },
    {
      name: 'three doses and a negative test a year old → accept (the doses are what it vouches for)',
      card: card(bundle((b) => b.entry.push(labResult('260415000', '2025-11-01', 'final', 'resource:9')))),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'a positive result dated without a zone (2026-11-25T10:00:00) beside three doses → schema-invalid, never passed over',
      card: card(bundle((b) => b.entry.push(labResult('260373001', '2026-11-25T10:00:00', 'final', 'resource:9')))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Observation has no valid effectiveDateTime',
    },
    {
      name: 'another kind of Observation (no qualitative result, a period instead of a date) beside three doses → accept',
      card: card(bundle((b) => b.entry.push({ fullUrl: 'resource:9', resource: { resourceType: 'Observation', status: 'final', subject: { reference: 'resource:0' }, effectivePeriod: { start: '2021-01-01' }, valueQuantity: { value: 120 } } }))),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'a result with an unknown code only → nothing the kiosk can read',
      card: card(lab(labResult('419984006', hoursAgo(20)))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'fhirBundle.entry[1] Observation: a final result the kiosk cannot read (valueCodeableConcept "http://snomed.info/sct|419984006"',
    },
  ];
  it.each(cases)('$name', async (c) => {
    const r = await verdictOf(await c.card());
    expect({ verdict: r.verdict, reasons: r.reasons }).toEqual({ verdict: c.verdict, reasons: c.reasons });
    if (c.message) expect(r.messages.join('\n')).toContain(c.message);
  });

  it('follows the policy: testMaxAgeHours 24 expires a 30-hour-old test; healthFindings reject rejects a positive one', async () => {
    const old = await shcCard(lab(labResult('260415000', hoursAgo(30))), nowS);
    expect((await verdictOf(old)).verdict).toBe('accept');
    expect(await verdictOf(old, { ...DEFAULT_POLICY, testMaxAgeHours: 24 })).toMatchObject({ verdict: 'reject', reasons: ['expired'] });
    const positive = await shcCard(lab(labResult('260373001', hoursAgo(2))), nowS);
    expect(await verdictOf(positive, { ...DEFAULT_POLICY, healthFindings: 'reject' })).toMatchObject({ verdict: 'reject', reasons: ['positive-test'] });
  });
});

describe('SMART Health Card: dates and references in the FHIR bundle', () => {
  const setDates = (value: string) => bundle((b) => immunizations(b).forEach((r) => (r.occurrenceDateTime = value)));
  const cases: Case[] = [
    {
      // FHIR R4 Bundle invariant bdl-7: a fullUrl is unique in a bundle. A second entry under the
      // Patient's fullUrl makes "resource:0" in every record name two resources.
      name: 'a second entry under the Patient\'s fullUrl (resource:0) → schema-invalid, naming both entries',
      card: card(bundle((b) => b.entry.push({ fullUrl: 'resource:0', resource: { resourceType: 'Condition', subject: { reference: 'resource:0' } } }))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'fhirBundle.entry[4].fullUrl "resource:0" is also entry[0]\'s: each entry of a Bundle has its own fullUrl (FHIR R4 bdl-7), or a reference to it names two resources',
    },
    {
      name: 'two Immunizations under one fullUrl → schema-invalid',
      card: card(bundle((b) => (b.entry[2]!.fullUrl = b.entry[1]!.fullUrl))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'fhirBundle.entry[2].fullUrl "resource:1" is also entry[1]\'s',
    },
    { name: 'occurrenceDateTime with a time and zone → accept', card: card(setDates('2021-01-01T10:00:00+07:00')), verdict: 'accept', reasons: [] },
    { name: 'occurrenceDateTime on a leap second (2016-12-31T23:59:60Z, FHIR allows :60) → accept', card: card(setDates('2016-12-31T23:59:60Z')), verdict: 'accept', reasons: [] },
    { name: 'occurrenceDateTime a month only (2021-01) → accept', card: card(setDates('2021-01')), verdict: 'accept', reasons: [] },
    { name: 'occurrenceDateTime 2021-02-30 (no such day) → schema-invalid', card: card(setDates('2021-02-30')), verdict: 'reject', reasons: ['schema-invalid'], message: 'no valid occurrenceDateTime' },
    { name: 'occurrenceDateTime with text after the date → schema-invalid', card: card(setDates('2021-01-01 morning')), verdict: 'reject', reasons: ['schema-invalid'] },
    { name: 'occurrenceDateTime with a time but no zone (FHIR requires one) → schema-invalid', card: card(setDates('2021-01-01T10:00:00')), verdict: 'reject', reasons: ['schema-invalid'] },
    { name: 'a dose dated next year → not-yet-valid', card: card(setDates('2027-06-01')), verdict: 'reject', reasons: ['not-yet-valid'], message: 'occurrenceDateTime 2027-06-01 is in the future' },
    { name: 'a dose dated today, late in the day somewhere → accept', card: card(setDates('2026-11-26')), verdict: 'accept', reasons: [] },
    {
      name: 'Patient.birthDate 1990-13-45 → schema-invalid',
      card: card(bundle((b) => (b.entry[0]!.resource.birthDate = '1990-13-45'))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Patient.birthDate',
    },
    {
      name: 'Patient.birthDate next year → schema-invalid',
      card: card(bundle((b) => (b.entry[0]!.resource.birthDate = '2027-03-01'))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Patient.birthDate is in the future',
    },
    {
      name: 'a dose dated before the birth date → schema-invalid',
      card: card(bundle((b) => (b.entry[0]!.resource.birthDate = '2021-06-01'))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'occurrenceDateTime 2021-01-01 is before Patient.birthDate',
    },
    {
      // Was accepted: only doses were held to the birth date, so a card with a test taken years
      // before its holder was born passed (a DCC whose dob is after its sample time is refused).
      name: 'a lab result whose specimen was taken before the birth date → schema-invalid',
      card: card(bundle((b) => {
        b.entry[0]!.resource.birthDate = '2020-06-01';
        b.entry.push({ ...labResult('260415000', '2019-05-31T10:00:00Z'), fullUrl: 'resource:9' });
      })),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'effectiveDateTime 2019-05-31T10:00:00Z is before Patient.birthDate',
    },
    {
      name: 'a lab result on the day of birth → accept',
      card: card(bundle((b) => {
        b.entry[0]!.resource.birthDate = '2020-06-01';
        b.entry.push({ ...labResult('260415000', '2020-06-01T10:00:00Z'), fullUrl: 'resource:9' });
      })),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'a dose on the day of birth (a newborn dose) → accept',
      card: card(bundle((b) => (b.entry[0]!.resource.birthDate = '2021-01-01'))),
      verdict: 'accept',
      reasons: [],
    },
    {
      name: 'an Immunization for someone else (resource:7, not in the card) → schema-invalid',
      card: card(bundle((b) => (immunizations(b)[1]!.patient = { reference: 'resource:7' }))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: "does not refer to the card's Patient",
    },
    {
      name: 'an Immunization referring to another Immunization → schema-invalid',
      card: card(bundle((b) => (immunizations(b)[1]!.patient = { reference: 'resource:1' }))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
    },
    {
      name: 'an Immunization without a patient → schema-invalid',
      card: card(bundle((b) => delete immunizations(b)[0]!.patient)),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: 'Immunization.patient is missing',
    },
    {
      name: 'an Observation for someone else → schema-invalid',
      card: card(bundle((b) => b.entry.push({ ...labResult('260415000', '2026-11-25'), resource: { ...labResult('260415000', '2026-11-25').resource, subject: { reference: 'resource:5' } } }))),
      verdict: 'reject',
      reasons: ['schema-invalid'],
    },
    { name: 'no lotNumber and no performer (both optional) → accept', card: card(bundle((b) => immunizations(b).forEach((r) => { delete r.lotNumber; delete r.performer; }))), verdict: 'accept', reasons: [] },
    { name: 'no Patient → schema-invalid', card: card(bundle((b) => b.entry.shift())), verdict: 'reject', reasons: ['schema-invalid'] },
    { name: 'two Patients → schema-invalid', card: card(bundle((b) => b.entry.push(structuredClone(b.entry[0]!)))), verdict: 'reject', reasons: ['schema-invalid'] },
    { name: 'a Patient and nothing else → schema-invalid', card: card(bundle(patientOnly)), verdict: 'reject', reasons: ['schema-invalid'] },
  ];
  it.each(cases)('$name', async (c) => {
    const r = await verdictOf(await c.card());
    expect({ verdict: r.verdict, reasons: r.reasons }).toEqual({ verdict: c.verdict, reasons: c.reasons });
    if (c.message) expect(r.messages.join('\n')).toContain(c.message);
  });
});

describe('SMART Health Card: the payload and its claims', () => {
  const cases: Case[] = [
    { name: 'fhirVersion 1.0.2 (DSTU2, other element names) → schema-invalid', card: card(exampleBundle(), { payload: (p) => (((p.vc as Record<string, Record<string, unknown>>).credentialSubject!).fhirVersion = '1.0.2') }), verdict: 'reject', reasons: ['schema-invalid'], message: 'not FHIR R4' },
    { name: 'fhirVersion 4.0.1 → accept', card: card(exampleBundle()), verdict: 'accept', reasons: [] },
    { name: 'vc.type without the health-card type → schema-invalid', card: card(exampleBundle(), { payload: (p) => ((p.vc as Record<string, unknown>).type = ['https://smarthealth.cards#immunization']) }), verdict: 'reject', reasons: ['schema-invalid'] },
    { name: 'nbf as a float (a NumericDate may be one, RFC 7519 §2) → accept', card: card(exampleBundle(), { nbf: nowS - 86_400 + 0.5 }), verdict: 'accept', reasons: [] },
    { name: 'nbf as a string → schema-invalid', card: card(exampleBundle(), { payload: (p) => (p.nbf = String(nowS)) }), verdict: 'reject', reasons: ['schema-invalid'], message: 'nbf is not a number but a string' },
    { name: 'exp as a string → schema-invalid, naming exp', card: card(exampleBundle(), { payload: (p) => (p.exp = String(nowS + 86_400)) }), verdict: 'reject', reasons: ['schema-invalid'], message: 'exp is not a number but a string' },
    { name: 'no nbf → schema-invalid, named', card: card(exampleBundle(), { payload: (p) => delete p.nbf }), verdict: 'reject', reasons: ['schema-invalid'], message: 'nbf missing' },
    {
      name: 'exp before nbf (never valid: an issuer error) → schema-invalid naming both times, not expired',
      card: card(exampleBundle(), { nbf: nowS - 86_400, exp: nowS - 2 * 86_400 }),
      verdict: 'reject',
      reasons: ['schema-invalid'],
      message: `exp (${new Date((nowS - 2 * 86_400) * 1000).toISOString().replace('.000Z', 'Z')}) is before nbf (${new Date((nowS - 86_400) * 1000).toISOString().replace('.000Z', 'Z')})`,
    },
    { name: 'nbf tomorrow → not-yet-valid', card: card(exampleBundle(), { nbf: nowS + 86_400 }), verdict: 'reject', reasons: ['not-yet-valid'] },
    { name: 'nbf 1e400 (Infinity once parsed) → schema-invalid', card: card(exampleBundle(), { text: (j) => j.replace(/"nbf":[0-9]+/, '"nbf":1e400') }), verdict: 'reject', reasons: ['schema-invalid'] },
    { name: 'nbf in milliseconds (an issuer bug) → schema-invalid, named', card: card(exampleBundle(), { nbf: (nowS - 86_400) * 1000 }), verdict: 'reject', reasons: ['schema-invalid'], message: 'nbf is after the year 9999: not seconds since 1970 (milliseconds?)' },
    { name: 'exp in milliseconds (would be valid until the year 50000) → schema-invalid', card: card(exampleBundle(), { exp: (nowS + 86_400) * 1000 }), verdict: 'reject', reasons: ['schema-invalid'], message: 'exp is after the year 9999' },
    { name: 'exp an hour ago (SHC allows exp) → expired', card: card(exampleBundle(), { exp: nowS - 3600 }), verdict: 'reject', reasons: ['expired'] },
    { name: 'iss with a trailing slash (the spec forbids it; the bundle names it without) → unknown-signer', card: card(exampleBundle(), { iss: 'https://spec.smarthealth.cards/examples/issuer/' }), verdict: 'reject', reasons: ['unknown-signer'], message: 'issuer "https://spec.smarthealth.cards/examples/issuer/" is not in the trust bundle' },
    { name: 'a zlib-wrapped payload (not raw DEFLATE) → unreadable', card: card(exampleBundle(), { compress: (j) => deflateSync(j) }), verdict: 'reject', reasons: ['unreadable'], message: 'not valid raw DEFLATE' },
    { name: 'a deflate bomb (over 64 KiB inflated) → too-large', card: card(exampleBundle(), { payload: (p) => (p.pad = 'a'.repeat(300_000)) }), verdict: 'reject', reasons: ['too-large'] },
    { name: 'a UTF-8 BOM before the JSON (RFC 8259 §8.1 lets a parser ignore it) → accept', card: card(exampleBundle(), { text: (j) => `\uFEFF${j}` }), verdict: 'accept', reasons: [] },
  ];
  it.each(cases)('$name', async (c) => {
    const r = await verdictOf(await c.card());
    expect({ verdict: r.verdict, reasons: r.reasons }).toEqual({ verdict: c.verdict, reasons: c.reasons });
    if (c.message) expect(r.messages.join('\n')).toContain(c.message);
  });
});

describe('SMART Health Card: the Patient name as shown and recorded', () => {
  const named = (family: string, given: string[]) => bundle((b) => (b.entry[0]!.resource.name = [{ family, given }]));
  it.each([
    ['a bidi override U+202E (the screen would show it reversed)', named('Any\u202Eone', ['John', 'B.']), 'U+202E'],
    ['a zero-width space U+200B', named('Anyone', ['Jo\u200Bhn']), 'U+200B'],
    ['a control character U+0007 (FHIR R4 strings allow none below U+0020 but TAB, CR, LF)', named('Any\u0007one', ['John']), 'U+0007'],
  ])('a name holding %s is neither shown nor recorded, and the message says why', async (_what, b, char) => {
    const a = await assessText(await shcCard(b, nowS), now, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silent as never });
    expect(a.verdict.verdict).toBe('accept');
    expect(a.result.subject.name).toBeUndefined();
    expect(a.verdict.display.maskedName).toBeUndefined();
    expect(a.verdict.display.messages).toContain(
      `Patient.name holds the invisible or control character ${char}: the name is not shown or recorded (check it on the person's documents)`,
    );
    // The birth date is still read.
    expect(a.result.subject.dob).toBe('1951-01-20');
  });

  it('a name with ZWNJ/ZWJ (letters of some scripts need them) is shown as written', async () => {
    const a = await assessText(await shcCard(named('Any\u200Cone', ['John']), nowS), now, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silent as never });
    expect(a.result.subject.name).toBe('John Any\u200Cone');
    expect(a.verdict.display.messages).toEqual([]);
  });
});

describe('SMART Health Card: the JWS header', () => {
  it('refuses a header naming a member twice, whichever value comes last (RFC 7515 §4)', async () => {
    const good = await shcCard(exampleBundle(), nowS);
    for (const header of [
      `{"alg":"ES256","zip":"DEF","zip":"GZIP","kid":"${shcSigner.kid}"}`,
      `{"alg":"ES256","zip":"GZIP","zip":"DEF","kid":"${shcSigner.kid}"}`,
      `{"alg":"none","alg":"ES256","zip":"DEF","kid":"${shcSigner.kid}"}`,
    ]) {
      const r = await verdictOf(withHeaderText(good, header));
      expect(r).toMatchObject({ verdict: 'reject', reasons: ['unreadable'] });
      expect(r.messages[0]).toMatch(/^JWS header: duplicate key "(zip|alg)" at \$/);
    }
  });

  it('names a zip other than DEF instead of saying the payload is not compressed', async () => {
    const r = await verdictOf(await shcCard(exampleBundle(), nowS, { header: { alg: 'ES256', zip: 'GZIP', kid: shcSigner.kid } }));
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['unreadable'] });
    expect(r.messages[0]).toBe('zip "GZIP" not supported (zip must be DEF: raw DEFLATE)');
    const none = await verdictOf(await shcCard(bundle(patientOnly), nowS, { header: { alg: 'ES256', kid: shcSigner.kid }, compress: (j) => j }));
    expect(none.messages[0]).toBe('payload not compressed (zip must be DEF: raw DEFLATE)');
  });
});

describe('SMART Health Card: the signature', () => {
  it('names a DER-encoded ES256 signature (RFC 7518 §3.4 wants r‖s) instead of only "does not verify"', async () => {
    const good = await shcCard(exampleBundle(), nowS);
    let jws = '';
    for (let i = 5; i < good.length; i += 2) jws += String.fromCharCode(Number(good.slice(i, i + 2)) + 45);
    const [h, p, s] = jws.split('.') as [string, string, string];
    const rs = Buffer.from(s, 'base64url');
    // DER SEQUENCE of two INTEGERs, each with a leading zero byte (as when the high bit is set).
    const int = (b: Buffer) => Buffer.concat([Buffer.from([0x02, b.length + 1, 0x00]), b]);
    const body = Buffer.concat([int(rs.subarray(0, 32)), int(rs.subarray(32))]);
    const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    const r = await verdictOf(encodeShcNumeric(`${h}.${p}.${der.toString('base64url')}`));
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'], messages: ['ES256 signature is 72 bytes, not 64 (ASN.1 DER, where JWS requires r‖s)'] });
    const short = await verdictOf(encodeShcNumeric(`${h}.${p}.${rs.subarray(0, 40).toString('base64url')}`));
    expect(short).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'], messages: ['ES256 signature is 40 bytes, not 64'] });
  });
});

describe('SMART Health Card: the numeric QR text', () => {
  it.each([
    ['shc:/0/1/', 'not a SMART Health Card chunk: the header shc:/0/1/ numbers a chunk 0 (chunks are numbered from 1)'],
    ['shc:/2/1/', 'not a SMART Health Card chunk: the header shc:/2/1/ numbers chunk 2 of only 1 (the chunk number is greater than the number of chunks)'],
    ['shc:/1/0/', 'not a SMART Health Card chunk: the header shc:/1/0/ gives 0 chunks (a card has 1 to 999)'],
    [
      'shc:/3/999/',
      'multi-QR SMART Health Card: chunk 3 of 999 read alone, chunks 1, 2, 4, 5, 6, 7 and 992 more of 999 are missing; all 999 QR codes of the card must be scanned (at the kiosk one after the other; for verify in one payload, separated by spaces or line breaks)',
    ],
    [
      'shc:/2/2/',
      'multi-QR SMART Health Card: chunk 2 of 2 read alone, chunk 1 of 2 is missing; all 2 QR codes of the card must be scanned (at the kiosk one after the other; for verify in one payload, separated by spaces or line breaks)',
    ],
  ])('%s… → unreadable: %s', async (prefix, message) => {
    const digits = (await shcCard(exampleBundle(), nowS)).slice('shc:/'.length);
    const r = await verdictOf(`${prefix}${digits}`);
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['unreadable'] });
    expect(r.messages).toEqual([message]);
  });

  it('reads the one-chunk form with leading zeros, an upper-case prefix and a scanner CR/LF as the same card', async () => {
    const good = await shcCard(exampleBundle(), nowS);
    const digits = good.slice('shc:/'.length);
    for (const text of [`shc:/01/01/${digits}`, `SHC:/${digits}`, `${good}\r\n`, ` ${good}\t`]) {
      expect(await verdictOf(text)).toMatchObject({ verdict: 'accept', reasons: [] });
    }
    expect(await verdictOf(`${good}1`)).toMatchObject({ verdict: 'reject', reasons: ['unreadable'], messages: ['odd number of digits'] });
    expect((await verdictOf(`shc:/${digits.slice(0, 200)}\r\n${digits.slice(200)}`)).reasons).toEqual(['unreadable']);
  });

  it('names a character inside the digits instead of calling the run odd (a line break or space a copy put in, a doubled "/")', async () => {
    const digits = (await shcCard(exampleBundle(), nowS)).slice('shc:/'.length);
    const cases: [string, string][] = [
      // White space: the text is more than one code (or a code and other text), named by where it starts.
      [`shc:/${digits.slice(0, 40)} ${digits.slice(40)}`, "not one QR code: a SMART Health Card code is followed by white space and other text (from offset 45); a card's QR code holds shc:/ and digits only"],
      [`shc:/${digits.slice(0, 41)}\n${digits.slice(41)}`, "not one QR code: a SMART Health Card code is followed by white space and other text (from offset 46); a card's QR code holds shc:/ and digits only"],
      [`shc://${digits}`, 'not a digit at offset 5: "/" inside the digits (a card\'s digits are one unbroken run)'],
    ];
    for (const [text, message] of cases) expect(await verdictOf(text)).toMatchObject({ verdict: 'reject', reasons: ['unreadable'], messages: [message] });
    // Digits only, one too many: still the odd count.
    expect((await verdictOf(`shc:/${digits}5`)).messages).toEqual(['odd number of digits']);
  });

});
