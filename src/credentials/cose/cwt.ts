/**
 * CBOR Web Token claims (RFC 8392) as used by EU DCC and CKD1: `1 iss`, `4 exp`, `5 nbf`,
 * `6 iat` (seconds since the epoch), plus format-specific claims left in `claims`.
 */
import { CborTag, decodeCbor, decodeCborJsonAt, isCborMap } from './cbor.js';
import type { CborJson, CborKey, CborMap, CborValue } from './cbor.js';
import { CoseError } from './cose.js';

export const CWT_CLAIM = { iss: 1, exp: 4, nbf: 5, iat: 6 } as const;

export interface CwtClaims {
  iss?: string;
  /** Seconds since the epoch. */
  exp?: number;
  /** Seconds since the epoch. */
  iat?: number;
  /**
   * Seconds since the epoch: not valid before (RFC 8392 §3.1.5). Neither the EU DCC nor CKD1
   * issues one, but a token that carries it must not be accepted before it (RFC 7519 §4.1.5).
   */
  nbf?: number;
  claims: CborMap;
}

/**
 * A claim of a decoded CWT whose value has the wrong type (RFC 8392 §3.1: iss text, exp/nbf/iat a
 * NumericDate): decoded, but not the structure a CWT must have. Callers report it as
 * `schema-invalid` for DCC and CKD1 and `invalid` for CKP1 (docs/POLICY.md), naming the claim.
 */
export class CwtClaimError extends CoseError {
  constructor(
    readonly claim: keyof typeof CWT_CLAIM,
    message: string,
  ) {
    super(message);
  }
}

/** What a value of the wrong type is, for the message (never the value itself). */
function typeName(v: CborValue): string {
  if (typeof v === 'string') return 'text';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : 'an infinite number';
  if (v instanceof Uint8Array) return 'a byte string';
  if (Array.isArray(v)) return 'an array';
  if (isCborMap(v)) return 'a map';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'a boolean';
  if (v instanceof CborTag) return taggedName(v.tag);
  return 'a simple value';
}

/**
 * A time claim in a CBOR tag, named by its tag: a bignum (tag 2/3: RFC 8949 §3.4.3 makes it an
 * integer, but CDDL's int, which RFC 8392 §2 gives NumericDate, holds none) or a date tag around
 * what should be the bare number. Only for a claim already refused.
 */
function taggedName(tag: number): string {
  if (tag === 2 || tag === 3) return `a bignum (CBOR tag ${tag}), where a NumericDate is an integer or a float (RFC 8392 §2)`;
  if (tag === 1) return 'a value in CBOR tag 1 (an epoch date-time), where a NumericDate is the number itself (RFC 8392 §2)';
  if (tag === 0) return 'a value in CBOR tag 0 (a date-time text), where a NumericDate is a number of seconds (RFC 8392 §2)';
  return `a value in CBOR tag ${tag}`;
}

function seconds(v: CborValue, name: 'exp' | 'nbf' | 'iat'): number | undefined {
  if (v === undefined) return undefined;
  // An integer beyond 2^53 (CBOR carries up to ±2^64) is a time no clock reaches, not a malformed
  // claim: its nearest double keeps its sign and size (an exp of 2^64−1 never expires).
  if (typeof v === 'bigint') return Number(v);
  // Integers per RFC 8392; some issuers send floats: accept finite numbers, truncated.
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new CwtClaimError(name, `CWT claim ${name} (${CWT_CLAIM[name]}) is not a number of seconds: ${typeName(v)}`);
  }
  return Math.trunc(v);
}

/** The claims of a decoded payload. Throws CoseError (CwtClaimError for a claim of the wrong type). */
function claimsOf(v: CborValue): CwtClaims {
  if (!isCborMap(v)) throw new CoseError('CWT payload is not a map');
  const iss = v.get(CWT_CLAIM.iss);
  if (iss !== undefined && typeof iss !== 'string') throw new CwtClaimError('iss', 'CWT claim iss is not text');
  const claims: CwtClaims = { iss, exp: seconds(v.get(CWT_CLAIM.exp), 'exp'), iat: seconds(v.get(CWT_CLAIM.iat), 'iat'), claims: v };
  const nbf = seconds(v.get(CWT_CLAIM.nbf), 'nbf');
  if (nbf !== undefined) claims.nbf = nbf;
  return claims;
}

/** Decodes a CWT claims map. Throws CborError / CoseError. */
export function decodeCwtClaims(payload: Uint8Array): CwtClaims {
  return claimsOf(decodeCbor(payload));
}

/**
 * One pass for the usual payload: the claims, with the claim value at `path` (e.g. [-260, 1], the
 * EU DCC) built directly as plain JSON (decodeCborJsonAt; its place in `claims.claims` holds null).
 * Undefined, never a throw, when decodeCwtClaims would throw, when the path is missing or when
 * that value has no plain JSON form: the caller then uses decodeCwtClaims to name the problem.
 */
export function decodeCwtClaimsJsonAt(
  payload: Uint8Array,
  path: readonly CborKey[],
  tagText: (tag: CborTag) => string | undefined,
): { claims: CwtClaims; json: CborJson } | undefined {
  const r = decodeCborJsonAt(payload, path, tagText);
  if (r === undefined || r.json === undefined) return undefined;
  try {
    return { claims: claimsOf(r.value), json: r.json };
  } catch {
    return undefined;
  }
}
