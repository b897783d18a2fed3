/**
 * CKD1 test material: a sample declaration, a trust index holding one issuer, and hand-built
 * tokens (any claims, any algorithm) for the cases the real issuer refuses to produce.
 */
import type { KeyObject } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { COSE_ALG, signCoseSign1 } from '../../src/credentials/cose/cose.js';
import type { Declaration } from '../../src/credentials/declaration/index.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { declarationIssuerEntry } from './keys.js';
import type { TestEcKey } from './keys.js';

export const ISSUER = 'https://central.checkpoint.example';

/** Synthetic person (not a real ID number). */
export function sampleDeclaration(overrides: Partial<Declaration['health']> = {}): Declaration {
  return {
    id: '0190d6b2-7c1e-7000-8000-000000000001',
    sub: { idType: 'cccd', idNo: '001090000001', name: 'Nguyễn Văn An', dob: '1990-05-17' },
    trip: { from: 'Bắc Ninh', to: 'Hà Nội', purpose: 'work' },
    health: { symptoms: [], exposure: false, ...overrides },
  };
}

export function declarationTrust(...issuers: TestEcKey[]): TrustIndex {
  return parseTrustBundle({
    version: 1,
    issuedAt: '2026-11-25T00:00:00Z',
    declaration: { issuers: issuers.map((k, i) => declarationIssuerEntry(k, `Issuer ${i + 1}`)) },
  });
}

/** 'CKD1:' + base45(zlib(COSE_Sign1)) of arbitrary CWT claims, signed with `key` under `kid`. */
export function rawDeclarationToken(
  claims: Map<number | string, CborEncodable>,
  key: KeyObject,
  kidBase64: string,
  alg: number = COSE_ALG.ES256,
): string {
  const cose = signCoseSign1({ alg, key, kid: new Uint8Array(Buffer.from(kidBase64, 'base64')), payload: encodeCbor(claims) });
  return `CKD1:${base45Encode(deflateSync(cose))}`;
}

/** The claims the issuer would write, as a Map to tweak. */
export function claimsFor(decl: CborEncodable, iat: number, exp: number, iss: CborEncodable = ISSUER): Map<number | string, CborEncodable> {
  return new Map<number | string, CborEncodable>([
    [1, iss],
    [6, iat],
    [4, exp],
    ['decl', decl],
  ]);
}

/** The sample declaration as the plain CBOR-encodable "decl" object (v: 1). */
export function sampleDeclBody(): Record<string, CborEncodable> {
  const d = sampleDeclaration();
  return {
    v: 1,
    id: d.id,
    sub: { ...d.sub },
    trip: { ...d.trip },
    health: { symptoms: [], exposure: false },
  };
}
