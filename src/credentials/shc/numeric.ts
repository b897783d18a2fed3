/**
 * SMART Health Card QR numeric mode: `shc:/` then two decimal digits per JWS character,
 * character = chr(n + 45), n in 0..77 (so '-' .. 'z', which covers the base64url alphabet and '.').
 */
import { LIMITS } from '../types.js';
import { pooledBytes } from '../cose/pooled.js';
import type { ReasonCode } from '../../shared/reasons.js';

export const SHC_PREFIX = 'shc:/';

export type NumericDecode =
  | { ok: true; jws: string }
  | { ok: false; reason: ReasonCode; detail: string };

const MULTI_CHUNK = /^(\d{1,3})\/(\d{1,3})\//;

/** True when `text` starts with the SHC prefix (case-insensitive: QR alphanumeric mode upper-cases). */
export function hasShcPrefix(text: string): boolean {
  // Asked of every scan: only a text starting with an S is compared.
  return text.length >= SHC_PREFIX.length && (text.charCodeAt(0) | 0x20) === 0x73 && text.slice(0, SHC_PREFIX.length).toLowerCase() === SHC_PREFIX;
}

/** The JWS as its ASCII bytes, with where its two dots are when it is shaped like a compact JWS. */
export type NumericBytes =
  | {
      ok: true;
      /** ASCII codes of the JWS characters (45..122). */
      bytes: Uint8Array;
      /**
       * Offsets of the two dots when the JWS is three non-empty parts of base64url characters
       * (RFC 7515 §7.1, RFC 4648 §5), else undefined.
       */
      dots: readonly [number, number] | undefined;
    }
  | { ok: false; reason: ReasonCode; detail: string };

/** ASCII code → 1 for base64url characters (A–Z a–z 0–9 - _), 2 for '.', 0 otherwise. */
const JWS_CHAR = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c);
  if (/[A-Za-z0-9_-]/.test(ch)) JWS_CHAR[c] = 1;
}
JWS_CHAR[46] = 2;

const DOT = 46;

/**
 * Two ASCII digits (first byte << 8 | second byte) → the JWS character code they stand for
 * (n + 45 for the pair "nn", n ≤ 77), 0 for anything else: one lookup per character instead of
 * two digit checks, a range check and an addition (a card is about 900 characters).
 */
const PAIR_CODE = new Uint8Array(1 << 16);
for (let n = 0; n <= 77; n++) PAIR_CODE[((48 + Math.floor(n / 10)) << 8) | (48 + (n % 10))] = n + 45;

/** Reused for the ASCII digits of one scan (decoding is synchronous). */
let scratch = Buffer.allocUnsafe(LIMITS.maxTextChars);

/** The digit pairs, one by one: only to name the first problem the fast loop met. */
function firstDigitProblem(digits: string): NumericBytes {
  for (let i = 0; i < digits.length; i += 2) {
    const hi = digits.charCodeAt(i) - 48;
    const lo = digits.charCodeAt(i + 1) - 48;
    if (hi < 0 || hi > 9 || lo < 0 || lo > 9) {
      return { ok: false, reason: 'unreadable', detail: `not a digit at offset ${SHC_PREFIX.length + i}` };
    }
    const n = hi * 10 + lo;
    if (n > 77) return { ok: false, reason: 'unreadable', detail: `digit pair ${n} out of range (max 77)` };
  }
  return { ok: false, reason: 'unreadable', detail: 'not a digit' }; // not reached: the caller saw a problem
}

/**
 * `shc:/…` → the JWS as ASCII bytes (and where its dots are), or why not. Bounded: never looks past
 * LIMITS.maxTextChars. The verifier's path: no intermediate string per character.
 */
export function decodeShcNumericBytes(text: string): NumericBytes {
  if (text.length > LIMITS.maxTextChars) {
    return { ok: false, reason: 'too-large', detail: `QR text longer than ${LIMITS.maxTextChars} characters` };
  }
  if (!hasShcPrefix(text)) return { ok: false, reason: 'unreadable', detail: 'missing shc:/ prefix' };
  let digits = text.slice(SHC_PREFIX.length);
  const chunk = MULTI_CHUNK.exec(digits);
  if (chunk) {
    const index = Number(chunk[1]);
    const total = Number(chunk[2]);
    // `shc:/1/1/…` is a one-chunk card written in the chunked form: nothing is missing.
    if (total !== 1 || index !== 1) {
      return {
        ok: false,
        reason: 'unreadable',
        detail: `multi-chunk SMART Health Card: chunk ${index} of ${total}; scan all chunks`,
      };
    }
    digits = digits.slice(chunk[0].length);
  }
  const len = digits.length;
  if (len === 0) return { ok: false, reason: 'unreadable', detail: 'no digits after shc:/' };
  if (len % 2 !== 0) return { ok: false, reason: 'unreadable', detail: 'odd number of digits' };
  if (len > scratch.length) scratch = Buffer.allocUnsafe(len);
  // One UTF-8 write: exactly `len` bytes only for ASCII text (anything else cannot be digits, and
  // a byte ≥ 0x80 that did land in the first `len` fails the pair lookup): the slow loop names it.
  if (scratch.write(digits, 0, 'utf8') !== len) return firstDigitProblem(digits);
  const src = scratch;
  // Pooled (pooled.ts): every byte is written below, or the array is dropped with the problem.
  const bytes = pooledBytes(len / 2);
  let dot1 = -1;
  let dot2 = -1;
  let dots = 0;
  let notBase64url = 0;
  for (let i = 0, o = 0; i < len; i += 2, o++) {
    const code = PAIR_CODE[(src[i]! << 8) | src[i + 1]!]!;
    if (code === 0) return firstDigitProblem(digits);
    bytes[o] = code;
    if (code === DOT) {
      dots++;
      if (dots === 1) dot1 = o;
      else if (dots === 2) dot2 = o;
    } else {
      notBase64url |= JWS_CHAR[code]! ^ 1;
    }
  }
  let shaped = notBase64url === 0;
  const last = bytes.length - 1;
  // Three non-empty parts: x.y.z with no part empty.
  shaped = shaped && dots === 2 && dot1 > 0 && dot2 > dot1 + 1 && dot2 < last;
  return { ok: true, bytes, dots: shaped ? [dot1, dot2] : undefined };
}

/** `shc:/…` → the compact JWS it carries, or why not. Bounded: never looks past LIMITS.maxTextChars. */
export function decodeShcNumeric(text: string): NumericDecode {
  const decoded = decodeShcNumericBytes(text);
  if (!decoded.ok) return decoded;
  // Every code is 45..122 (ASCII), so latin1 decoding is exact and avoids a huge spread call.
  return { ok: true, jws: Buffer.from(decoded.bytes.buffer, decoded.bytes.byteOffset, decoded.bytes.length).toString('latin1') };
}

/** Compact JWS → `shc:/` numeric text (issuing cards, building test cards). */
export function encodeShcNumeric(jws: string): string {
  let out = SHC_PREFIX;
  for (let i = 0; i < jws.length; i++) {
    const n = jws.charCodeAt(i) - 45;
    if (n < 0 || n > 77) throw new RangeError(`character ${JSON.stringify(jws[i])} cannot be encoded in an SMART Health Card`);
    out += n < 10 ? `0${n}` : String(n);
  }
  return out;
}
