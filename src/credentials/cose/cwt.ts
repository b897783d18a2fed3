/**
 * CBOR Web Token claims (RFC 8392) as used by EU DCC and CKD1: `1 iss`, `4 exp`, `6 iat`
 * (seconds since the epoch), plus format-specific claims left in `claims`.
 */
import { decodeCbor, isCborMap } from './cbor.js';
import type { CborMap, CborValue } from './cbor.js';
import { CoseError } from './cose.js';

export const CWT_CLAIM = { iss: 1, exp: 4, iat: 6 } as const;

export interface CwtClaims {
  iss?: string;
  /** Seconds since the epoch. */
  exp?: number;
  /** Seconds since the epoch. */
  iat?: number;
  claims: CborMap;
}

function seconds(v: CborValue, name: string): number | undefined {
  if (v === undefined) return undefined;
  // Integers per RFC 8392; some issuers send floats: accept finite numbers, truncated.
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CoseError(`CWT claim ${name} is not a number`);
  return Math.trunc(v);
}

/** Decodes a CWT claims map. Throws CborError / CoseError. */
export function decodeCwtClaims(payload: Uint8Array): CwtClaims {
  const v = decodeCbor(payload);
  if (!isCborMap(v)) throw new CoseError('CWT payload is not a map');
  const iss = v.get(CWT_CLAIM.iss);
  if (iss !== undefined && typeof iss !== 'string') throw new CoseError('CWT claim iss is not text');
  return { iss, exp: seconds(v.get(CWT_CLAIM.exp), 'exp'), iat: seconds(v.get(CWT_CLAIM.iat), 'iat'), claims: v };
}
