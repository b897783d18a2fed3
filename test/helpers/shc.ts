/**
 * Building SMART Health Cards for tests: a trust index holding the example issuer, and cards
 * signed with the example issuer's private keys (or with raw, deliberately broken payloads).
 */
import type { KeyObject } from 'node:crypto';
import { deflateRawSync } from 'node:zlib';
import { CompactSign } from 'jose';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { encodeShcNumeric } from '../../src/credentials/shc/numeric.js';
import { SHC_EXAMPLE_ISS, shcExamplePublicJwks } from './keys.js';

export function shcTrust(): TrustIndex {
  return parseTrustBundle({
    version: 1,
    issuedAt: '2026-11-25T00:00:00Z',
    shc: { issuers: [{ iss: SHC_EXAMPLE_ISS, name: 'SMART example issuer', jwks: shcExamplePublicJwks() }] },
  });
}

/** Signs arbitrary payload bytes (not deflated here) with any protected header; returns `shc:/…`. */
export async function rawShc(payload: Uint8Array, header: Record<string, unknown>, key: KeyObject): Promise<string> {
  const jws = await new CompactSign(payload).setProtectedHeader({ alg: 'ES256', ...header }).sign(key);
  return encodeShcNumeric(jws);
}

/** Deflates JSON the way SHC does (raw DEFLATE). */
export function deflateJson(value: unknown): Uint8Array {
  return deflateRawSync(Buffer.from(JSON.stringify(value), 'utf8'));
}
