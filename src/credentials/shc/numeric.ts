/**
 * SMART Health Card QR numeric mode: `shc:/` then two decimal digits per JWS character,
 * character = chr(n + 45), n in 0..77 (so '-' .. 'z', which covers the base64url alphabet and '.').
 */
import { LIMITS } from '../types.js';
import type { ReasonCode } from '../../shared/reasons.js';

export const SHC_PREFIX = 'shc:/';

export type NumericDecode =
  | { ok: true; jws: string }
  | { ok: false; reason: ReasonCode; detail: string };

const MULTI_CHUNK = /^(\d{1,3})\/(\d{1,3})\//;

/** True when `text` starts with the SHC prefix (case-insensitive: QR alphanumeric mode upper-cases). */
export function hasShcPrefix(text: string): boolean {
  return text.length >= SHC_PREFIX.length && text.slice(0, SHC_PREFIX.length).toLowerCase() === SHC_PREFIX;
}

/** `shc:/…` → the compact JWS it carries, or why not. Bounded: never looks past LIMITS.maxTextChars. */
export function decodeShcNumeric(text: string): NumericDecode {
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
  if (digits.length === 0) return { ok: false, reason: 'unreadable', detail: 'no digits after shc:/' };
  if (digits.length % 2 !== 0) return { ok: false, reason: 'unreadable', detail: 'odd number of digits' };
  const codes = new Uint8Array(digits.length / 2);
  for (let i = 0; i < digits.length; i += 2) {
    const hi = digits.charCodeAt(i) - 48;
    const lo = digits.charCodeAt(i + 1) - 48;
    if (hi < 0 || hi > 9 || lo < 0 || lo > 9) {
      return { ok: false, reason: 'unreadable', detail: `not a digit at offset ${SHC_PREFIX.length + i}` };
    }
    const n = hi * 10 + lo;
    if (n > 77) return { ok: false, reason: 'unreadable', detail: `digit pair ${n} out of range (max 77)` };
    codes[i / 2] = n + 45;
  }
  // Every code is 45..122 (ASCII), so latin1 decoding is exact and avoids a huge spread call.
  return { ok: true, jws: Buffer.from(codes.buffer, codes.byteOffset, codes.length).toString('latin1') };
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
