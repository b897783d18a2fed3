/**
 * COSE_Sign1 (RFC 9052 §4.2) for EU DCC and CKD1: parse (tagged 18 or untagged, optionally
 * inside a CWT tag 61), build the Sig_structure, verify and sign with node:crypto.
 *
 * Supported algorithms: ES256 (-7), ES384 (-35), ES512 (-36) with raw r||s signatures
 * (`ieee-p1363`), and PS256 (-37), PS384 (-38), PS512 (-39) with RSASSA-PSS.
 */
import { constants, createPrivateKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CborTag, decodeCbor, encodeCbor, isCborMap } from './cbor.js';
import type { CborEncodable, CborKey, CborMap, CborValue } from './cbor.js';

export const COSE_ALG = { ES256: -7, ES384: -35, ES512: -36, PS256: -37, PS384: -38, PS512: -39 } as const;
/** Common header labels (RFC 9052 §3.1). */
export const HEADER = { alg: 1, kid: 4 } as const;

const TAG_COSE_SIGN1 = 18;
const TAG_CWT = 61;

export class CoseError extends Error {
  override readonly name = 'CoseError';
}

export interface CoseSign1 {
  /** The protected header exactly as received (a bstr): it is what the signature covers. */
  protectedBytes: Uint8Array;
  protectedHeader: CborMap;
  unprotectedHeader: CborMap;
  payload: Uint8Array;
  signature: Uint8Array;
  /** Whether the message carried tag 18. */
  tagged: boolean;
}

function headerMap(bytes: Uint8Array): CborMap {
  // An empty bstr means an empty protected header (RFC 9052 §3).
  if (bytes.length === 0) return new Map();
  const decoded = decodeCbor(bytes, { maxDepth: 8 });
  if (!isCborMap(decoded)) throw new CoseError('protected header is not a map');
  return decoded;
}

/**
 * Parses a COSE_Sign1 message. Throws CborError for malformed CBOR and CoseError for CBOR that is
 * not a COSE_Sign1 structure.
 */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let value: CborValue = decodeCbor(bytes);
  let tagged = false;
  if (value instanceof CborTag && value.tag === TAG_CWT) value = value.value;
  if (value instanceof CborTag) {
    if (value.tag !== TAG_COSE_SIGN1) throw new CoseError(`unexpected CBOR tag ${value.tag}`);
    tagged = true;
    value = value.value;
  }
  if (!Array.isArray(value) || value.length !== 4) throw new CoseError('COSE_Sign1 must be an array of 4 items');
  const [prot, unprot, payload, signature] = value;
  if (!(prot instanceof Uint8Array)) throw new CoseError('protected header is not a byte string');
  if (!isCborMap(unprot as CborValue)) throw new CoseError('unprotected header is not a map');
  if (!(payload instanceof Uint8Array)) throw new CoseError('payload is not a byte string (detached payloads are not supported)');
  if (!(signature instanceof Uint8Array)) throw new CoseError('signature is not a byte string');
  return {
    protectedBytes: prot,
    protectedHeader: headerMap(prot),
    unprotectedHeader: unprot as CborMap,
    payload,
    signature,
    tagged,
  };
}

function header(msg: CoseSign1, label: CborKey): CborValue {
  return msg.protectedHeader.has(label) ? msg.protectedHeader.get(label) : msg.unprotectedHeader.get(label);
}

/** The algorithm id: protected header first, else unprotected; undefined when absent or not an integer. */
export function coseAlg(msg: CoseSign1): number | undefined {
  const alg = header(msg, HEADER.alg);
  return typeof alg === 'number' ? alg : undefined;
}

/** The key id: protected header first, else unprotected (DCC spec §3.3.1). */
export function coseKid(msg: CoseSign1): Uint8Array | undefined {
  const kid = header(msg, HEADER.kid);
  return kid instanceof Uint8Array ? kid : undefined;
}

/** Sig_structure for COSE_Sign1: ["Signature1", body_protected, external_aad, payload]. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad = new Uint8Array(0)): Uint8Array {
  return encodeCbor(['Signature1', protectedBytes, externalAad, payload]);
}

interface AlgParams {
  hash: 'sha256' | 'sha384' | 'sha512';
  kind: 'ec' | 'pss';
  /** Raw r||s signature length for ECDSA. */
  sigLen?: number;
}

const ALGS: ReadonlyMap<number, AlgParams> = new Map<number, AlgParams>([
  [COSE_ALG.ES256, { hash: 'sha256', kind: 'ec', sigLen: 64 }],
  [COSE_ALG.ES384, { hash: 'sha384', kind: 'ec', sigLen: 96 }],
  [COSE_ALG.ES512, { hash: 'sha512', kind: 'ec', sigLen: 132 }],
  [COSE_ALG.PS256, { hash: 'sha256', kind: 'pss' }],
  [COSE_ALG.PS384, { hash: 'sha384', kind: 'pss' }],
  [COSE_ALG.PS512, { hash: 'sha512', kind: 'pss' }],
]);

export function isSupportedAlg(alg: number | undefined): boolean {
  return alg !== undefined && ALGS.has(alg);
}

/**
 * Verifies a raw signature over `data` (the Sig_structure). Never throws: an unknown algorithm,
 * a key of the wrong type or a malformed signature is simply `false`. This is also the bare
 * operation the benchmarks time as the floor.
 */
export function verifySignature(alg: number, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const p = ALGS.get(alg);
  if (!p) return false;
  try {
    if (p.kind === 'ec') {
      if (key.asymmetricKeyType !== 'ec' || signature.length !== p.sigLen) return false;
      return cryptoVerify(p.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (key.asymmetricKeyType !== 'rsa' && key.asymmetricKeyType !== 'rsa-pss') return false;
    // RFC 8230 fixes the salt at the digest length; AUTO accepts that and any other length the
    // signer chose, which the PSS proof of security allows.
    return cryptoVerify(
      p.hash,
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO },
      signature,
    );
  } catch {
    return false;
  }
}

/** Verifies a parsed COSE_Sign1 against one public key (no external AAD). */
export function verifyCoseSign1(msg: CoseSign1, key: KeyObject): boolean {
  const alg = coseAlg(msg);
  if (alg === undefined) return false;
  return verifySignature(alg, key, sigStructure(msg.protectedBytes, msg.payload), msg.signature);
}

export interface SignCoseOptions {
  alg: number;
  /** Private key (KeyObject or PEM). */
  key: KeyObject | string;
  /** Put into the protected header (label 4). */
  kid?: Uint8Array;
  payload: Uint8Array;
  /** Extra unprotected header entries. */
  unprotected?: Map<number | string, CborEncodable>;
  /** Emit tag 18 (default true). */
  tagged?: boolean;
}

/** Signs and encodes a COSE_Sign1 message (issuing CKD1 tokens, building test vectors). */
export function signCoseSign1(opts: SignCoseOptions): Uint8Array {
  const p = ALGS.get(opts.alg);
  if (!p) throw new CoseError(`unsupported algorithm ${opts.alg}`);
  const key = typeof opts.key === 'string' ? createPrivateKey(opts.key) : opts.key;
  const prot = new Map<number, CborEncodable>([[HEADER.alg, opts.alg]]);
  if (opts.kid) prot.set(HEADER.kid, opts.kid);
  const protectedBytes = encodeCbor(prot);
  const data = sigStructure(protectedBytes, opts.payload);
  const signature =
    p.kind === 'ec'
      ? cryptoSign(p.hash, data, { key, dsaEncoding: 'ieee-p1363' })
      : cryptoSign(p.hash, data, {
          key,
          padding: constants.RSA_PKCS1_PSS_PADDING,
          saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
        });
  const body: CborEncodable = [protectedBytes, opts.unprotected ?? new Map(), opts.payload, new Uint8Array(signature)];
  return encodeCbor(opts.tagged === false ? body : new CborTag(TAG_COSE_SIGN1, body as CborValue));
}
