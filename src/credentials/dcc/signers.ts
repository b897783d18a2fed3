/**
 * Per-signer facts derived from its certificate, computed once and cached per X509Certificate
 * object (the trust index keeps those alive for the bundle's lifetime): the public KeyObject, the
 * validity window and which DCC types its Extended Key Usage allows.
 */
import type { KeyObject, X509Certificate } from 'node:crypto';
import type { DccGroup } from './schema.js';

/**
 * DCC signer EKUs (hcert spec §5.1.1): .1 test, .2 vaccination, .3 recovery. Some early
 * certificates and test vectors carry the same arc with an extra `0` (1.3.6.1.4.1.0.1847…).
 */
const EKU_GROUP: ReadonlyMap<string, DccGroup> = new Map([
  ['1.3.6.1.4.1.1847.2021.1.1', 't'],
  ['1.3.6.1.4.1.1847.2021.1.2', 'v'],
  ['1.3.6.1.4.1.1847.2021.1.3', 'r'],
  ['1.3.6.1.4.1.0.1847.2021.1.1', 't'],
  ['1.3.6.1.4.1.0.1847.2021.1.2', 'v'],
  ['1.3.6.1.4.1.0.1847.2021.1.3', 'r'],
]);

export interface SignerFacts {
  key: KeyObject | undefined;
  /** Milliseconds since the epoch (NaN when unreadable: see `validityProblem`). */
  notBefore: number;
  notAfter: number;
  /**
   * Why the certificate's validity cannot be read (a time OpenSSL prints as "Bad time value": a
   * month 13, a missing `Z`), else undefined. Such a certificate is never used: no verifier can
   * tell when it is valid, and a NaN bound would pass every window comparison.
   */
  validityProblem?: string;
  /**
   * DCC types the certificate may sign; undefined = none of the DCC EKU OIDs present = all types
   * (hcert spec §5.1.1). Other EKUs (TLS client, e-mail, ICAO) do not restrict DCC signing: the
   * EU test vectors accept signers that carry only those.
   */
  allowed: ReadonlySet<DccGroup> | undefined;
}

const cache = new WeakMap<X509Certificate, SignerFacts>();

function computeFacts(cert: X509Certificate): SignerFacts {
  let key: KeyObject | undefined;
  try {
    key = cert.publicKey;
  } catch {
    key = undefined; // unsupported key type: no signature can verify with it
  }
  const groups = new Set<DccGroup>();
  // Node's `keyUsage` is the Extended Key Usage OID list (undefined when the extension is absent).
  for (const oid of cert.keyUsage ?? []) {
    const g = EKU_GROUP.get(oid);
    if (g) groups.add(g);
  }
  const facts: SignerFacts = {
    key,
    notBefore: certificateTimeMs(cert.validFrom),
    notAfter: certificateTimeMs(cert.validTo),
    allowed: groups.size > 0 ? groups : undefined,
  };
  const problem = certificateValidityProblem(cert.validFrom, cert.validTo);
  if (problem !== undefined) facts.validityProblem = problem;
  return facts;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** OpenSSL's ASN1_TIME_print form, as X509Certificate.validFrom/validTo give it: "Jan  1 00:00:00 2022 GMT". */
const PRINTED_TIME = /^([A-Z][a-z]{2}) ( \d|\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d+))? (\d{1,4}) GMT$/;

/**
 * A certificate time as X509Certificate prints it (OpenSSL ASN1_TIME_print: "Jan  1 00:00:00
 * 2022 GMT", a fraction of a second optional) → milliseconds since the epoch; NaN for anything
 * else, notably "Bad time value" (a time RFC 5280 §4.1.2.5 does not allow, which OpenSSL parses
 * but cannot print). Read by hand rather than with Date.parse, which reads a year printed as "49"
 * (a GeneralizedTime 0049) as 2049 and gives NaN silently.
 */
export function certificateTimeMs(text: string): number {
  const m = PRINTED_TIME.exec(text);
  if (!m) return Number.NaN;
  const month = MONTHS.indexOf(m[1]!);
  const [day, h, min, s, year] = [m[2]!, m[3]!, m[4]!, m[5]!, m[7]!].map(Number) as [number, number, number, number, number];
  const ms = m[6] === undefined ? 0 : Math.floor(Number(`0.${m[6]}`) * 1000);
  if (month < 0 || day < 1 || h > 23 || min > 59 || s > 59) return Number.NaN;
  const d = new Date(0);
  // setUTCFullYear, unlike Date.UTC, takes years 0-99 as written.
  d.setUTCFullYear(year, month, day);
  d.setUTCHours(h, min, s, ms);
  // A day the month does not have (Feb 30) rolls over: not a time the certificate names.
  return d.getUTCDate() === day ? d.getTime() : Number.NaN;
}

/**
 * Why a certificate's validity (its printed notBefore and notAfter, see certificateTimeMs) cannot
 * be read, or undefined when both can. Shared by the trust-bundle loader, which refuses such a
 * certificate, and the DCC verifier, which never uses one.
 */
export function certificateValidityProblem(validFrom: string, validTo: string): string | undefined {
  for (const [field, text] of [['notBefore', validFrom], ['notAfter', validTo]] as const) {
    if (Number.isNaN(certificateTimeMs(text))) {
      return `its ${field} is not a time (${JSON.stringify(text.slice(0, 40))}; RFC 5280 §4.1.2.5: UTCTime or GeneralizedTime in Z)`;
    }
  }
  return undefined;
}

export function signerFacts(cert: X509Certificate): SignerFacts {
  let facts = cache.get(cert);
  if (!facts) {
    facts = computeFacts(cert);
    cache.set(cert, facts);
  }
  return facts;
}
