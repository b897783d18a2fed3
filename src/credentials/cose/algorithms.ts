/**
 * The COSE signature algorithms the credentials use (IANA "COSE Algorithms"; RFC 9053 §2.1 for
 * ECDSA, RFC 8230 for RSASSA-PSS): their numbers and names, what verifying each needs (digest,
 * signature shape, curve, salt length) and which keys can make them.
 */
import type { KeyObject } from 'node:crypto';

/** COSE algorithm numbers (IANA registry) of the signatures the kiosk can check. */
export const COSE_ALG = { ES256: -7, ES384: -35, ES512: -36, PS256: -37, PS384: -38, PS512: -39 } as const;
/**
 * Names of the signature algorithms a message may claim (IANA "COSE Algorithms" registry), for
 * messages: "algorithm -35 (ES384)". Values not listed here are shown as the number alone.
 */
const ALG_NAMES: ReadonlyMap<number, string> = new Map([
  [-7, 'ES256'], [-35, 'ES384'], [-36, 'ES512'], [-37, 'PS256'], [-38, 'PS384'], [-39, 'PS512'],
  [-8, 'EdDSA'], [-257, 'RS256'], [-258, 'RS384'], [-259, 'RS512'], [-47, 'ES256K'],
]);

/** The registered name of algorithm `alg` ("ES256" for -7), else its number as text. */
export function coseAlgName(alg: number): string {
  return ALG_NAMES.get(alg) ?? String(alg);
}

/** The registered number of an algorithm named as JOSE names it ("ES256" → -7), else undefined. */
export function coseAlgNumber(name: string): number | undefined {
  for (const [id, n] of ALG_NAMES) if (n === name) return id;
  return undefined;
}

/** `-35 (ES384)` for a registered algorithm, `-99` for another number, `missing` when there is none. */
export function coseAlgText(alg: number | undefined): string {
  if (alg === undefined) return 'missing';
  const name = ALG_NAMES.get(alg);
  return name ? `${alg} (${name})` : String(alg);
}

/** What checking one algorithm's signature needs. */
export interface AlgParams {
  hash: 'sha256' | 'sha384' | 'sha512';
  kind: 'ec' | 'pss';
  /** Raw r||s signature length for ECDSA. */
  sigLen?: number;
  /** The one curve (node:crypto's name) an ECDSA algorithm is defined on (RFC 9053 §2.1). */
  curve?: string;
  /** RSASSA-PSS salt length in bytes: the digest's length (RFC 8230 §2). */
  saltLength?: number;
}

export const ALGS: ReadonlyMap<number, AlgParams> = new Map<number, AlgParams>([
  [COSE_ALG.ES256, { hash: 'sha256', kind: 'ec', sigLen: 64, curve: 'prime256v1' }],
  [COSE_ALG.ES384, { hash: 'sha384', kind: 'ec', sigLen: 96, curve: 'secp384r1' }],
  [COSE_ALG.ES512, { hash: 'sha512', kind: 'ec', sigLen: 132, curve: 'secp521r1' }],
  [COSE_ALG.PS256, { hash: 'sha256', kind: 'pss', saltLength: 32 }],
  [COSE_ALG.PS384, { hash: 'sha384', kind: 'pss', saltLength: 48 }],
  [COSE_ALG.PS512, { hash: 'sha512', kind: 'pss', saltLength: 64 }],
]);

/** Smallest RSA modulus accepted for PS256/384/512 (bits): the EU DCC spec's and NIST SP 800-57's floor. */
export const MIN_RSA_BITS = 2048;

/** What verification needs to know of a public key, read once per KeyObject (keys live as long as the trust bundle). */
interface KeyShape {
  type: string | undefined;
  /** EC curve name (node:crypto's, e.g. prime256v1), else undefined. */
  curve: string | undefined;
  /** RSA modulus length in bits, else undefined. */
  bits: number | undefined;
}
const keyShapes = new WeakMap<KeyObject, KeyShape>();

function keyShape(key: KeyObject): KeyShape {
  let shape = keyShapes.get(key);
  if (!shape) {
    const details = key.asymmetricKeyDetails;
    shape = { type: key.asymmetricKeyType, curve: details?.namedCurve, bits: details?.modulusLength };
    keyShapes.set(key, shape);
  }
  return shape;
}

/**
 * Why `key` cannot make `alg` signatures, in words for `verify --explain` ("an EC key on secp256k1;
 * ES256 is defined on P-256 only"), or undefined when it can. ECDSA algorithms are bound to one
 * curve each (RFC 9053 §2.1: ES256 to P-256); RSASSA-PSS keys must have at least MIN_RSA_BITS.
 */
export function coseKeyProblem(alg: number, key: KeyObject): string | undefined {
  const p = ALGS.get(alg);
  if (!p) return `algorithm ${coseAlgText(alg)} is not supported`;
  const shape = keyShape(key);
  if (p.kind === 'ec') {
    if (shape.type !== 'ec') return `a key of type ${shape.type ?? 'unknown'} cannot make ${coseAlgText(alg)} signatures`;
    if (shape.curve !== p.curve) return `an EC key on ${shape.curve ?? 'an unknown curve'}; ${coseAlgText(alg)} is defined on ${CURVE_NAMES[p.curve!] ?? p.curve} only (RFC 9053 §2.1)`;
    return undefined;
  }
  if (shape.type !== 'rsa' && shape.type !== 'rsa-pss') return `a key of type ${shape.type ?? 'unknown'} cannot make ${coseAlgText(alg)} signatures`;
  if ((shape.bits ?? 0) < MIN_RSA_BITS) return `an RSA key of ${shape.bits ?? '?'} bits; at least ${MIN_RSA_BITS} are required`;
  return undefined;
}

const CURVE_NAMES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' };

export function isSupportedAlg(alg: number | undefined): alg is number {
  return alg !== undefined && ALGS.has(alg);
}
