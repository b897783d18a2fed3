/**
 * The one strict base64url reader of the project: RFC 4648 §5 alphabet, no padding (RFC 7515 §2,
 * "Base64url Encoding"), and canonical (RFC 4648 §3.5): the unused low bits of the last character
 * must be zero. Node's decoder ignores those bits, so without this check `…Q` and `…R` at the end
 * of a signature decode to the same bytes and a signed object has several accepted spellings
 * (a JWS that is "verified" yet not the one that was signed, a cookie MAC with four spellings).
 * Every base64url text we read — JWS header, payload and signature, JWK coordinates, session MACs
 * — goes through here. Imports nothing, so kiosk, credentials and server code can all use it.
 */
import { codeName } from './text-safety.js';

/** A base64url text we refuse, with what it was and why (`… is not canonical base64url: …`). */
export class Base64urlError extends Error {
  override readonly name = 'Base64urlError';
}

/** Value (0–63) of each base64url character code, -1 for any other code below 128. */
const VALUE = new Int8Array(128).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;

/** Mask of the bits of the last character that carry no data, by text length mod 4 (RFC 4648 §3.5). */
const UNUSED_BITS = [0, 0, 0x0f, 0x03];

function valueOf(code: number): number {
  return code < 128 ? (VALUE[code] as number) : -1;
}

function describeChar(code: number): string {
  return code >= 0x21 && code <= 0x7e ? `"${String.fromCharCode(code)}"` : codeName(code);
}

/** Why the character `code` at `index` cannot be in base64url. */
function charProblem(code: number, index: number): string {
  return code === 0x3d ? 'padding "=" is not used in base64url (RFC 7515 §2)' : `character ${describeChar(code)} at ${index} is not in the base64url alphabet`;
}

/** Why `length` alphabet characters ending in `lastCode` are not canonical, or undefined (RFC 4648 §3.5). */
function tailProblem(length: number, lastCode: number): string | undefined {
  const rest = length % 4;
  if (rest === 1) return `${length} characters cannot encode whole bytes`;
  if (length > 0 && (valueOf(lastCode) & (UNUSED_BITS[rest] as number)) !== 0) return `its last character ${describeChar(lastCode)} sets bits that encode nothing (RFC 4648 §3.5)`;
  return undefined;
}

// Two loops of the same shape (text, bytes) instead of one over a callback: this runs on every
// SMART Health Card scan, over the whole JWS.

/** Why `text` is not canonical unpadded base64url, or undefined when it is. The empty text is canonical. */
export function base64urlProblem(text: string): string | undefined {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const code = text.charCodeAt(i);
    if (valueOf(code) < 0) return charProblem(code, i);
  }
  return tailProblem(n, n > 0 ? text.charCodeAt(n - 1) : 0);
}

/** Like base64urlProblem, for the ASCII bytes bytes[start..end) (no copy into a string). */
export function base64urlBytesProblem(bytes: Uint8Array, start: number, end: number): string | undefined {
  for (let i = start; i < end; i++) {
    const code = bytes[i] as number;
    if (valueOf(code) < 0) return charProblem(code, i - start);
  }
  return tailProblem(end - start, end > start ? (bytes[end - 1] as number) : 0);
}

/** Whether `text` is canonical unpadded base64url. */
export function isCanonicalBase64url(text: string): boolean {
  return base64urlProblem(text) === undefined;
}

/**
 * Decodes canonical unpadded base64url. `what` names the text in the error (`JWS signature`).
 * @throws Base64urlError `<what> is not canonical base64url: <why>`
 */
export function readBase64url(text: string, what: string): Buffer {
  const problem = base64urlProblem(text);
  if (problem !== undefined) throw new Base64urlError(`${what} is not canonical base64url: ${problem}`);
  return Buffer.from(text, 'base64url');
}

/**
 * Decodes the canonical base64url characters bytes[start..end) into `into` (which must hold at
 * least (end - start) · 3 / 4 bytes) and returns the written part of `into`: for hot paths that
 * reuse one buffer per scan.
 * @throws Base64urlError as readBase64url
 */
export function readBase64urlInto(bytes: Buffer, start: number, end: number, into: Buffer, what: string): Buffer {
  const problem = base64urlBytesProblem(bytes, start, end);
  if (problem !== undefined) throw new Base64urlError(`${what} is not canonical base64url: ${problem}`);
  return into.subarray(0, into.write(bytes.toString('latin1', start, end), 0, 'base64url'));
}

/** Which part of a compact JWS is wrong (`shape`: not three dot-separated parts) and why. */
export interface CompactJwsProblem {
  part: 'shape' | 'header' | 'payload' | 'signature';
  /** `expected three dot-separated parts`, or `not canonical base64url: <why>`. */
  why: string;
}

const JWS_PARTS = ['header', 'payload', 'signature'] as const;

/**
 * What keeps `compact` from being a compact JWS (RFC 7515 §7.1: header.payload.signature) of
 * three canonical base64url parts, or undefined when nothing does. Signature checks (jose,
 * node:crypto) decode leniently: call this first.
 */
export function compactJwsProblem(compact: string): CompactJwsProblem | undefined {
  const parts = compact.split('.');
  if (parts.length !== 3) return { part: 'shape', why: 'expected three dot-separated parts' };
  for (let i = 0; i < 3; i++) {
    const problem = base64urlProblem(parts[i] as string);
    if (problem !== undefined) return { part: JWS_PARTS[i] as CompactJwsProblem['part'], why: `not canonical base64url: ${problem}` };
  }
  return undefined;
}
