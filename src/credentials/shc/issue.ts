/**
 * Issuing SMART Health Cards: for the demo's scanner simulator and for tests. Real cards come from
 * health authorities; this produces the same shape (ES256 compact JWS, zip DEF, `shc:/` digits).
 */
import type { KeyObject } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { CompactSign } from 'jose';
import { encodeShcNumeric } from './numeric.js';
import { splitShcJws } from './chunks.js';

export interface ShcClaims {
  iss: string;
  /** Seconds since the epoch. */
  nbf: number;
  /** Seconds since the epoch (optional: most vaccination cards do not expire). */
  exp?: number;
  /** The FHIR Bundle (Patient + Immunization entries). */
  fhirBundle: unknown;
}

/** Builds the JWS payload object for `claims`. */
export function shcPayload(claims: ShcClaims): Record<string, unknown> {
  return {
    iss: claims.iss,
    nbf: claims.nbf,
    ...(claims.exp !== undefined ? { exp: claims.exp } : {}),
    vc: {
      type: ['https://smarthealth.cards#health-card', 'https://smarthealth.cards#immunization', 'https://smarthealth.cards#covid19'],
      credentialSubject: { fhirVersion: '4.0.1', fhirBundle: claims.fhirBundle },
    },
  };
}

/** Signs `payload` (any JSON, deflated) as an SHC compact JWS with `kid` (the key's JWK thumbprint). */
export async function signShcJws(payload: unknown, signer: { privateKey: KeyObject; kid: string }): Promise<string> {
  const deflated = deflateRawSync(Buffer.from(JSON.stringify(payload), 'utf8'));
  return new CompactSign(deflated).setProtectedHeader({ alg: 'ES256', zip: 'DEF', kid: signer.kid }).sign(signer.privateKey);
}

/** A complete `shc:/…` QR text. */
export async function issueShc(claims: ShcClaims, signer: { privateKey: KeyObject; kid: string }): Promise<string> {
  return encodeShcNumeric(await signShcJws(shcPayload(claims), signer));
}

/**
 * The card as the framework's multi-QR chunks (`shc:/C/N/…`, docs/FORMATS.md): the JWS split into
 * `chunks` parts of roughly equal length, in order C = 1..N; without `chunks`, as few as fit
 * SHC_CHUNK_JWS_CHARS characters each (one part is the plain `shc:/…`). The chunked form is
 * deprecated (VCI 1.3.0) but still read: for tests and the demo's scanner simulator.
 * @throws RangeError for a count outside 1..999 or longer than the JWS.
 */
export async function issueShcChunks(claims: ShcClaims, signer: { privateKey: KeyObject; kid: string }, chunks?: number): Promise<string[]> {
  return splitShcJws(await signShcJws(shcPayload(claims), signer), chunks);
}
