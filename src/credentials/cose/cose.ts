/**
 * COSE_Sign1 (RFC 9052 §4.2) for EU DCC and CKD1: parse (tagged 18 or untagged, optionally
 * inside a CWT tag 61), build the Sig_structure, verify and sign with node:crypto.
 *
 * Supported algorithms: ES256 (-7), ES384 (-35), ES512 (-36) with raw r||s signatures
 * (`ieee-p1363`), and PS256 (-37), PS384 (-38), PS512 (-39) with RSASSA-PSS.
 */
import { constants, createPrivateKey, sign as cryptoSign, verify as cryptoVerify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CborDuplicateKeyError, CborError, CborTag, decodeCbor, encodeCbor, isCborMap } from './cbor.js';
import type { CborEncodable, CborKey, CborMap, CborValue } from './cbor.js';
import { pooledBytes } from './pooled.js';
import { ALGS, coseAlgName, coseAlgNumber, coseAlgText, coseKeyProblem } from './algorithms.js';

export { COSE_ALG, MIN_RSA_BITS, coseAlgText, coseKeyProblem, isSupportedAlg } from './algorithms.js';

/** Common header labels (RFC 9052 §3.1). */
export const HEADER = { alg: 1, kid: 4, crit: 2 } as const;

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

/** CborErrors thrown while decoding a protected header (headerMap), told apart for messages. */
const protectedHeaderErrors = new WeakSet<CborError>();

/**
 * The message for an error parseCoseSign1 threw: its own, said of the protected header when that
 * byte string is what failed to decode ("protected header: duplicate map key 1 in the map at $
 * (RFC 9052 §3: …)", "protected header: 1 byte after the end of the CBOR item"); the message's
 * own structure decoded, so its bare CBOR wording would point at the wrong item. Failure path only.
 */
export function coseDecodeProblemText(err: CborError | CoseError): string {
  if (!(err instanceof CborError) || !protectedHeaderErrors.has(err)) return err.message;
  const why = err instanceof CborDuplicateKeyError ? ' (RFC 9052 §3: a label given twice makes the message malformed)' : '';
  return `protected header: ${err.message}${why}`;
}

function headerMap(bytes: Uint8Array): CborMap {
  // An empty bstr means an empty protected header (RFC 9052 §3).
  if (bytes.length === 0) return new Map();
  const usual = readUsualHeader(bytes);
  if (usual) return usual;
  let decoded: CborValue;
  try {
    decoded = decodeCbor(bytes, { maxDepth: 8 });
  } catch (err) {
    // The same error, remembered as the protected header's (decodeProblemText says so).
    if (err instanceof CborError) protectedHeaderErrors.add(err);
    throw err;
  }
  if (!isCborMap(decoded)) throw new CoseError('protected header is not a map');
  return decoded;
}

/**
 * The protected header every scan carries, read without the generic decoder: a map of one or two
 * entries, alg (1) as an integer of one or two bytes (-256..23) and kid (4) as a byte string
 * (length in its head or in 1–2 bytes after it), each at most once, in either order, ending
 * exactly at the end of `bytes`. For such bytes decodeCbor gives exactly this Map (the same
 * entries in the same order, the kid a view into `bytes`); anything else is undefined and takes
 * the generic path.
 */
function readUsualHeader(bytes: Uint8Array): CborMap | undefined {
  const entries = bytes[0]! - 0xa0;
  if (entries !== 1 && entries !== 2) return undefined;
  const out: CborMap = new Map();
  let at = 1;
  for (let i = 0; i < entries; i++) {
    const label = bytes[at];
    if (label === HEADER.alg && !out.has(HEADER.alg)) {
      const head = bytes[at + 1];
      if (head === undefined || head > 0x38 || (head > 0x17 && head < 0x20)) return undefined;
      if (head === 0x38) {
        if (at + 2 >= bytes.length) return undefined;
        out.set(HEADER.alg, -1 - bytes[at + 2]!);
        at += 3;
      } else {
        out.set(HEADER.alg, head <= 0x17 ? head : 0x1f - head);
        at += 2;
      }
    } else if (label === HEADER.kid && !out.has(HEADER.kid)) {
      const n = bstrLengthAt(bytes, at + 1);
      if (n < 0) return undefined;
      const start = at + 1 + bstrHeadAt(bytes, at + 1);
      if (start + n > bytes.length) return undefined;
      out.set(HEADER.kid, bytes.subarray(start, start + n));
      at = start + n;
    } else {
      return undefined;
    }
  }
  return at === bytes.length ? out : undefined;
}

/**
 * Parses a COSE_Sign1 message. Throws CborError for malformed CBOR and CoseError for CBOR that is
 * not a COSE_Sign1 structure. The usual shape (readUsualSign1) is read directly, everything else
 * through the generic decoder (parseCoseSign1Generic): same result, same errors.
 */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  return readUsualSign1(bytes) ?? parseCoseSign1Generic(bytes);
}

/**
 * parseCoseSign1 through the generic CBOR decoder alone: the reading every message got before
 * the usual shape was read directly, and what parseCoseSign1 falls back to. Exported so tests can
 * hold the direct reading to it; same result and same errors.
 */
export function parseCoseSign1Generic(bytes: Uint8Array): CoseSign1 {
  let value: CborValue;
  try {
    value = decodeCbor(bytes);
  } catch (err) {
    // Bytes after the message (RFC 9052 §2: a COSE message is one CBOR item): said of the message.
    if (err instanceof CborError && err.code === 'trailing-bytes') throw new CoseError(err.message.replace('the CBOR item', 'the COSE_Sign1 message'));
    throw err;
  }
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

/**
 * Length of the definite byte string whose head is at `at` (major type 2, length in the head or
 * in 1 or 2 bytes after it), or -1 for any other head.
 */
function bstrLengthAt(bytes: Uint8Array, at: number): number {
  const head = bytes[at];
  if (head === undefined) return -1;
  if (head >= 0x40 && head <= 0x57) return head - 0x40;
  if (head === 0x58) return at + 1 < bytes.length ? bytes[at + 1]! : -1;
  if (head === 0x59) return at + 2 < bytes.length ? (bytes[at + 1]! << 8) | bytes[at + 2]! : -1;
  return -1;
}

/** Bytes of the byte-string head at `at` (see bstrLengthAt). */
function bstrHeadAt(bytes: Uint8Array, at: number): number {
  const head = bytes[at]!;
  return head <= 0x57 ? 1 : head === 0x58 ? 2 : 3;
}

/**
 * The message every scan carries, read without the generic decoder: [tag 61] [tag 18]
 * array(4) of a byte string, an empty map, a byte string and a byte string (each string's length
 * in its head or in 1–2 bytes), ending exactly at the end of the input. For such bytes the generic
 * decoder gives exactly this result (views into `bytes`, no error: a handful of items, nothing
 * nested); anything else is undefined and takes the generic path, which names its problem.
 */
function readUsualSign1(bytes: Uint8Array): CoseSign1 | undefined {
  let at = 0;
  if (bytes[0] === 0xd8 && bytes[1] === TAG_CWT) at = 2;
  const tagged = bytes[at] === 0xd2; // tag 18 in the head
  if (tagged) at++;
  if (bytes[at] !== 0x84) return undefined;
  at++;
  const parts: Uint8Array[] = [];
  for (let i = 0; i < 4; i++) {
    if (i === 1) {
      if (bytes[at] !== 0xa0) return undefined; // the empty unprotected header
      at++;
      continue;
    }
    const n = bstrLengthAt(bytes, at);
    if (n < 0) return undefined;
    const start = at + bstrHeadAt(bytes, at);
    if (start + n > bytes.length) return undefined;
    parts.push(bytes.subarray(start, start + n));
    at = start + n;
  }
  if (at !== bytes.length) return undefined;
  const [prot, payload, signature] = parts as [Uint8Array, Uint8Array, Uint8Array];
  return { protectedBytes: prot, protectedHeader: headerMap(prot), unprotectedHeader: new Map(), payload, signature, tagged };
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

/** What a header value of the wrong type is, for a message (never the value itself). */
function cborTypeName(v: CborValue): string {
  if (typeof v === 'string') return 'a text string';
  if (typeof v === 'number' || typeof v === 'bigint') return 'a number';
  if (v instanceof Uint8Array) return 'a byte string';
  if (Array.isArray(v)) return 'an array';
  if (isCborMap(v)) return 'a map';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'a boolean';
  return 'a tagged or simple value';
}

/**
 * Why a message's algorithm is refused, naming what its alg header parameter (label 1) holds:
 * none (`no algorithm (alg, label 1) in the COSE header`), a registered number
 * (`algorithm -35 (ES384) not allowed`), or another type. RFC 9052 §3.1 lets alg be a text string,
 * but every registered algorithm is a number: "ES256" written as text (a JOSE habit) is named with
 * the number COSE registers for it. `allowed` is what the format takes ("ES256 only"). Called only
 * for a message being refused.
 */
export function coseAlgRefusal(msg: CoseSign1, allowed: string): string {
  const alg = header(msg, HEADER.alg);
  if (alg === undefined) return `no algorithm (alg, label 1) in the COSE header (${allowed})`;
  if (typeof alg === 'number') return `algorithm ${coseAlgText(alg)} not allowed (${allowed})`;
  if (typeof alg === 'string') {
    const id = coseAlgNumber(alg);
    const what = id === undefined ? 'a text string: every registered COSE algorithm is a number' : `a text string, where COSE registers ${alg} as ${id}`;
    return `algorithm ${JSON.stringify(alg.length > 20 ? `${alg.slice(0, 20)}…` : alg)} (${what}) not allowed (${allowed})`;
  }
  return `algorithm of the wrong type (${cborTypeName(alg)}; COSE algorithms are numbers) not allowed (${allowed})`;
}

/**
 * Why the message's kid cannot name a signer, when coseKid found none or an empty one: missing,
 * of another type than a byte string (RFC 9052 §3.1: kid is a bstr; a text kid is often the
 * base64 of the intended bytes, but reading it so would be a guess), or empty. Undefined for a
 * usable kid. Called only when no signer was found.
 */
export function coseKidProblem(msg: CoseSign1): string | undefined {
  const where = msg.protectedHeader.has(HEADER.kid) ? 'protected' : msg.unprotectedHeader.has(HEADER.kid) ? 'unprotected' : undefined;
  if (where === undefined) return 'no kid in the protected or unprotected header';
  const kid = header(msg, HEADER.kid);
  if (!(kid instanceof Uint8Array)) return `the kid (label 4) in the ${where} header is ${cborTypeName(kid)}, not a byte string (RFC 9052 §3.1)`;
  if (kid.length === 0) return 'the kid is empty (0 bytes): no signer can be looked up';
  return undefined;
}

/**
 * Why an ECDSA signature cannot be one of `alg` by its length alone, else undefined: COSE's
 * ECDSA signature is r‖s, each the curve's size (RFC 9053 §2.1: 64 bytes for ES256). One in
 * ASN.1 DER (a SEQUENCE, 0x30, of two INTEGERs: the default output of most crypto libraries) is
 * named as such, a common issuer bug. Called only after a signature failed.
 */
export function ecdsaSignatureShapeProblem(alg: number, signature: Uint8Array): string | undefined {
  const p = ALGS.get(alg);
  if (!p || p.kind !== 'ec' || signature.length === p.sigLen) return undefined;
  // Short-form DER: SEQUENCE, its length, then two INTEGERs of at most sigLen/2 + 1 bytes each.
  const der = signature[0] === 0x30 && signature.length >= 8 && signature.length <= p.sigLen! + 8 && signature[1] === signature.length - 2;
  return `${coseAlgName(alg)} signature is ${signature.length} bytes, not ${p.sigLen}${der ? ' (ASN.1 DER, where COSE requires r‖s: RFC 9053 §2.1)' : ''}`;
}

/**
 * Why the message cannot be accepted because of its `crit` header parameter (label 2), else
 * undefined. RFC 9052 §3.1: `crit` lists parameters the recipient must understand, or reject the
 * message; it belongs in the protected header. This verifier acts on alg and kid only, and those
 * must not be listed, so any `crit` at all is refused (the usual message has none: no cost).
 */
export function coseCriticalProblem(msg: CoseSign1): string | undefined {
  if (msg.unprotectedHeader.has(HEADER.crit)) return 'crit (label 2) in the unprotected header (RFC 9052 §3.1: it must be protected)';
  if (!msg.protectedHeader.has(HEADER.crit)) return undefined;
  const crit = msg.protectedHeader.get(HEADER.crit);
  const listed = Array.isArray(crit) ? crit.map((l) => (typeof l === 'number' || typeof l === 'string' ? String(l) : '?')).join(', ') : 'not a list';
  return `critical header parameters not understood (crit: ${listed}; RFC 9052 §3.1)`;
}

/** A CBOR array(4) head followed by the text string "Signature1" (RFC 9052 §4.4). */
const SIG1_PREFIX = Uint8Array.of(0x84, 0x6a, ...Array.from('Signature1', (c) => c.charCodeAt(0)));
const NO_AAD = new Uint8Array(0);

/** Bytes of the shortest CBOR head (RFC 8949 §3) for a byte string of `n` bytes. */
function bstrHeadLength(n: number): number {
  if (n > 0xffffffff) throw new RangeError('Sig_structure byte string longer than 2^32-1 bytes');
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

/** Writes the head of a byte string of `n` bytes at `at`; returns the offset after it. */
function writeBstrHead(out: Uint8Array, at: number, n: number): number {
  if (n < 24) {
    out[at] = 0x40 | n;
    return at + 1;
  }
  if (n < 0x100) {
    out[at] = 0x58;
    out[at + 1] = n;
    return at + 2;
  }
  if (n < 0x10000) {
    out[at] = 0x59;
    out[at + 1] = n >>> 8;
    out[at + 2] = n & 0xff;
    return at + 3;
  }
  out[at] = 0x5a;
  out[at + 1] = n >>> 24;
  out[at + 2] = (n >>> 16) & 0xff;
  out[at + 3] = (n >>> 8) & 0xff;
  out[at + 4] = n & 0xff;
  return at + 5;
}

function appendBstr(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const start = writeBstrHead(out, at, bytes.length);
  out.set(bytes, start);
  return start + bytes.length;
}

/**
 * Sig_structure for COSE_Sign1 (RFC 9052 §4.4): the CBOR encoding of
 * `["Signature1", body_protected, external_aad, payload]`, written directly (a fixed prefix and
 * three length-prefixed byte strings, preferred serialisation) instead of through the generic
 * encoder: it is built on every scan. Byte strings longer than 2^32-1 bytes are refused
 * (RangeError); COSE inputs here are bounded far below that.
 */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = NO_AAD): Uint8Array {
  const size =
    SIG1_PREFIX.length +
    bstrHeadLength(protectedBytes.length) + protectedBytes.length +
    bstrHeadLength(externalAad.length) + externalAad.length +
    bstrHeadLength(payload.length) + payload.length;
  // Pooled (pooled.ts): the prefix and three byte strings below fill every byte.
  const out = pooledBytes(size);
  out.set(SIG1_PREFIX, 0);
  let at = appendBstr(out, SIG1_PREFIX.length, protectedBytes);
  at = appendBstr(out, at, externalAad);
  appendBstr(out, at, payload);
  return out;
}

/**
 * Verifies a raw signature over `data` (the Sig_structure). Never throws: an unknown algorithm,
 * a key the algorithm cannot use (coseKeyProblem: another curve, RSA under 2048 bits), or a
 * malformed signature is simply `false`. RSASSA-PSS is checked with the salt length RFC 8230 §2
 * requires (the digest's length), as the EU verifiers (BouncyCastle, Apple Security) do: a
 * signature made with another salt length is not a PS256/384/512 signature. This is also the
 * bare operation the benchmarks time as the floor.
 */
export function verifySignature(alg: number, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const p = ALGS.get(alg);
  if (!p) return false;
  try {
    if (coseKeyProblem(alg, key) !== undefined) return false;
    if (p.kind === 'ec') {
      if (signature.length !== p.sigLen) return false;
      return cryptoVerify(p.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return cryptoVerify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: p.saltLength! }, signature);
  } catch {
    return false;
  }
}

/**
 * For a PS256/384/512 message that did not verify: true when it does verify with some other salt
 * length (RFC 8230 fixes the digest's), so `verify --explain` can say why. Only asked after a
 * failure; never throws.
 */
export function isPssWithOtherSalt(msg: CoseSign1, key: KeyObject): boolean {
  const alg = coseAlg(msg);
  const p = alg === undefined ? undefined : ALGS.get(alg);
  if (!p || p.kind !== 'pss' || coseKeyProblem(alg!, key) !== undefined) return false;
  try {
    const data = sigStructure(msg.protectedBytes, msg.payload);
    return cryptoVerify(p.hash, data, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_AUTO }, msg.signature);
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
