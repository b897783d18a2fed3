/**
 * A generator of SMART Health Cards for adversarial tests: the example issuer's card (the public
 * example bundle, signed with its real key) with one thing changed — the FHIR bundle, the payload
 * text itself (duplicate keys, a BOM), the JWS header, or the numeric QR text around it. Every
 * card it makes is validly signed unless the case is about the signature, so a verdict says what
 * the verifier thinks of the content, not of the crypto.
 */
import { deflateRawSync } from 'node:zlib';
import { CompactSign } from 'jose';
import { encodeShcNumeric } from '../../src/credentials/shc/numeric.js';
import { shcPayload } from '../../src/credentials/shc/issue.js';
import { SHC_EXAMPLE_ISS, shcExampleFhirBundle, shcExampleSigningKeys } from './keys.js';

/** A FHIR bundle as the tests edit it. */
export interface Bundle {
  resourceType: string;
  type?: string;
  entry: { fullUrl?: string; resource: Record<string, unknown> }[];
}

export const shcSigner = shcExampleSigningKeys()[0]!;

/** The example bundle (a Patient and three COVID-19 Immunizations), a fresh copy each call. */
export function exampleBundle(): Bundle {
  return structuredClone(shcExampleFhirBundle()) as unknown as Bundle;
}

/**
 * A SARS-CoV-2 lab result entry (LOINC 94558-4, a SNOMED CT qualitative result) for the example
 * Patient, as the SMART Health Cards lab profile shapes it.
 */
export function labResult(snomed: string, effectiveDateTime: string, status = 'final', fullUrl = 'resource:1'): Bundle['entry'][number] {
  return {
    fullUrl,
    resource: {
      resourceType: 'Observation',
      status,
      code: { coding: [{ system: 'http://loinc.org', code: '94558-4' }] },
      subject: { reference: 'resource:0' },
      effectiveDateTime,
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: snomed }] },
    },
  };
}

export interface CardOptions {
  /** nbf, seconds; default one day before `nowS`. */
  nbf?: number;
  exp?: number;
  iss?: string;
  /** Edits the JSON payload object before it is serialised. */
  payload?: (p: Record<string, unknown>) => void;
  /** Edits the serialised payload text (duplicate keys, BOM, number spellings). */
  text?: (json: string) => string;
  /** Replaces the deflate step (zlib header, trailing bytes). */
  compress?: (json: Buffer) => Uint8Array;
  /** JWS protected header; default {alg: ES256, zip: DEF, kid: the signer's}. */
  header?: Record<string, unknown>;
}

/** A signed `shc:/…` card around `bundle`, made at `nowS` (seconds) with `opts` applied. */
export async function shcCard(bundle: Bundle, nowS: number, opts: CardOptions = {}): Promise<string> {
  const payload = shcPayload({
    iss: opts.iss ?? SHC_EXAMPLE_ISS,
    nbf: opts.nbf ?? nowS - 86_400,
    ...(opts.exp !== undefined ? { exp: opts.exp } : {}),
    fhirBundle: bundle,
  });
  opts.payload?.(payload);
  let json = JSON.stringify(payload);
  if (opts.text) json = opts.text(json);
  const raw = Buffer.from(json, 'utf8');
  const compressed = opts.compress ? opts.compress(raw) : deflateRawSync(raw);
  const header = opts.header ?? { alg: 'ES256', zip: 'DEF', kid: shcSigner.kid };
  const jws = await new CompactSign(compressed).setProtectedHeader(header as { alg: string }).sign(shcSigner.privateKey);
  return encodeShcNumeric(jws);
}

/** A compact JWS with a hand-written header text over a real card's payload and signature. */
export function withHeaderText(card: string, headerJson: string): string {
  const digits = card.slice('shc:/'.length);
  let jws = '';
  for (let i = 0; i < digits.length; i += 2) jws += String.fromCharCode(Number(digits.slice(i, i + 2)) + 45);
  const [, payload, signature] = jws.split('.');
  return encodeShcNumeric(`${Buffer.from(headerJson).toString('base64url')}.${payload}.${signature}`);
}
