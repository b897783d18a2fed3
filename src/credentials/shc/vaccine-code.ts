/**
 * Whether an Immunization's vaccineCode names a COVID-19 vaccine, as far as its codes can say.
 *
 * A SMART Health Card may carry any immunization (the framework is not COVID-specific; some
 * issuers put a person's whole record on one card), and the kiosk judges COVID-19 vaccination: a
 * dose of influenza vaccine is no COVID-19 dose. CVX (http://hl7.org/fhir/sid/cvx, CDC) is one
 * closed list, so a CVX code outside its COVID-19 entries names another vaccine for certain: such a
 * dose is left out and named. SNOMED CT, ICD-11 and other systems the HL7 SMART Health Cards
 * Vaccination IG allows are not classified here: a dose coded only in them is counted as before
 * (refusing a card for a code the kiosk does not know would turn valid cards away).
 */

/** CVX system URI (FHIR R4 terminology, SMART Health Cards Vaccination IG). */
export const CVX_SYSTEM = 'http://hl7.org/fhir/sid/cvx';
/** The HL7 OID of CVX (HL7 v2 table 0292), as some issuers write the system. */
const CVX_OID = 'urn:oid:2.16.840.1.113883.12.292';

/**
 * Whether `system` names CVX: the FHIR URI as the IG writes it, or as issuers write it otherwise
 * (https, a trailing slash, another letter case), or its OID. Recognising CVX more widely only
 * leaves out more doses that are certainly not COVID-19 ones: a COVID-19 code counts either way.
 */
function isCvxSystem(system: unknown): boolean {
  if (typeof system !== 'string' || system.length > 100) return false;
  const s = system.trim().toLowerCase().replace(/\/+$/, '');
  return s === CVX_SYSTEM || s === 'https://hl7.org/fhir/sid/cvx' || s === CVX_OID;
}

/**
 * CVX codes of COVID-19 vaccines (CDC CVX table, "SARS-COV-2 (COVID-19)" entries): the US products
 * 207–213, 217–221, 225–230, 300–302 and the 2023–2024 formulas 308–313, and the 500 series that
 * CDC assigned to vaccines authorised outside the US (WHO EUL and others).
 */
function isCovidCvx(code: number): boolean {
  return (
    (code >= 207 && code <= 213) ||
    (code >= 217 && code <= 221) ||
    (code >= 225 && code <= 230) ||
    (code >= 300 && code <= 302) ||
    (code >= 308 && code <= 313) ||
    (code >= 500 && code <= 599)
  );
}

/**
 * `covid` when a CVX coding names a COVID-19 vaccine; `other` with the code when the CVX coding
 * names another vaccine and no coding names a COVID-19 one; `unknown` when no CVX coding is there
 * (or `vaccineCode` is not a CodeableConcept).
 */
export function vaccineKind(vaccineCode: unknown): { kind: 'covid' | 'unknown' } | { kind: 'other'; cvx: string } {
  if (typeof vaccineCode !== 'object' || vaccineCode === null) return { kind: 'unknown' };
  const codings = (vaccineCode as { coding?: unknown }).coding;
  if (!Array.isArray(codings)) return { kind: 'unknown' };
  let other: string | undefined;
  for (const c of codings) {
    if (typeof c !== 'object' || c === null) continue;
    const { system, code } = c as { system?: unknown; code?: unknown };
    if (!isCvxSystem(system) || typeof code !== 'string') continue;
    const digits = code.trim();
    if (!/^\d{1,4}$/.test(digits)) continue;
    if (isCovidCvx(Number(digits))) return { kind: 'covid' };
    other ??= digits;
  }
  return other === undefined ? { kind: 'unknown' } : { kind: 'other', cvx: other };
}
