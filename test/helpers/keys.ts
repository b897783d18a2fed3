/**
 * Test key material: the SMART Health Cards example issuer keys (../shared/testdata/shc), fresh
 * EC P-256 keys, a real DCC signer certificate from the EU test vectors, and trust-bundle entries
 * built from them. Test data is read in place, never copied into the repo.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ecJwkThumbprint, kidOfPublicKey } from '../../src/credentials/trust/kid.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const testdataDir = path.resolve(repoRoot, '../shared/testdata');

export interface TestEcKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** Public JWK: kty, crv, x, y (no kid). */
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string };
  /** JWK thumbprint (the SHC kid). */
  thumbprint: string;
  /** CKD1 / declaration kid: base64 of the first 8 bytes of SHA-256 of the SPKI DER. */
  declarationKid: string;
}

function describeKey(privateKey: KeyObject): TestEcKey {
  const publicKey = createPublicKey(privateKey);
  const { x, y } = publicKey.export({ format: 'jwk' });
  const publicJwk = { kty: 'EC' as const, crv: 'P-256' as const, x: x as string, y: y as string };
  return {
    privateKey,
    publicKey,
    publicJwk,
    thumbprint: ecJwkThumbprint(publicJwk),
    declarationKid: kidOfPublicKey(publicKey),
  };
}

/** A fresh EC P-256 key pair. */
export function newEcKey(): TestEcKey {
  return describeKey(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

/** The issuer URL the SMART Health Cards examples use. */
export const SHC_EXAMPLE_ISS = 'https://spec.smarthealth.cards/examples/issuer';

/** The example issuer's published JWKS (public keys; one signing key has an x5c chain). */
export function shcExamplePublicJwks(): { keys: Record<string, unknown>[] } {
  return JSON.parse(readFileSync(path.join(testdataDir, 'shc/example-issuer.jwks.json'), 'utf8')) as {
    keys: Record<string, unknown>[];
  };
}

/** The example issuer's signing keys, with their published kid. */
export function shcExampleSigningKeys(): (TestEcKey & { kid: string })[] {
  const jwks = JSON.parse(readFileSync(path.join(testdataDir, 'shc/example-issuer.jwks.private.json'), 'utf8')) as {
    keys: { kid: string; use: string; kty: string; crv: string; x: string; y: string; d: string }[];
  };
  return jwks.keys
    .filter((k) => k.use === 'sig')
    .map((k) => ({
      ...describeKey(createPrivateKey({ key: { kty: k.kty, crv: k.crv, x: k.x, y: k.y, d: k.d }, format: 'jwk' })),
      kid: k.kid,
    }));
}

/** The example FHIR bundle (a Patient and two COVID-19 Immunizations). */
export function shcExampleFhirBundle(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(testdataDir, 'shc/covid-vaccines-bundle.json'), 'utf8')) as Record<
    string,
    unknown
  >;
}

/** base64 DER of a real DCC signer certificate (EU test vector ES/1102). */
export function dccTestCertificateBase64(): string {
  const vector = JSON.parse(readFileSync(path.join(testdataDir, 'dgc/ES/2DCode/raw/1102.json'), 'utf8')) as {
    TESTCTX: { CERTIFICATE: string };
  };
  return vector.TESTCTX.CERTIFICATE;
}

/** A `declaration.issuers[]` entry for `key`. */
export function declarationIssuerEntry(key: TestEcKey, name = 'Test issuer'): { kid: string; name: string; jwk: Record<string, unknown> } {
  return { kid: key.declarationKid, name, jwk: { ...key.publicJwk } };
}
