/**
 * Base45 (RFC 9285), the QR-alphanumeric-friendly encoding used by EU DCC (`HC1:`) and our
 * `CKD1:` tokens. Strict: only the 45-character alphabet, no whitespace, no lower case, and every
 * group must fit its byte width. Every problem is a Base45Error, never a RangeError.
 */

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** Character code → digit value, -1 for characters outside the alphabet. */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

export class Base45Error extends Error {
  override readonly name = 'Base45Error';
}

/** Default bound: the largest QR code text (LIMITS.maxTextChars) decodes to at most 2,864 bytes. */
const DEFAULT_MAX_CHARS = 4296;

function digitAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const d = code < 128 ? DIGIT[code]! : -1;
  if (d < 0) throw new Base45Error(`invalid base45 character at offset ${index}`);
  return d;
}

/** Throws the error for the first character outside the alphabet at or after `from`. */
function throwBadCharacter(text: string, from: number): never {
  for (let i = from; i < text.length; i++) digitAt(text, i);
  throw new Base45Error(`invalid base45 character at offset ${from}`); // not reached
}

/**
 * Decodes base45 text. `maxChars` bounds the work before any allocation (the output is at most
 * 2/3 of the input length).
 */
export function base45Decode(text: string, maxChars: number = DEFAULT_MAX_CHARS): Uint8Array {
  const len = text.length;
  if (len > maxChars) throw new Base45Error(`base45 text longer than ${maxChars} characters`);
  if (len % 3 === 1) throw new Base45Error('base45 length leaves a dangling character');
  const out = new Uint8Array(Math.floor(len / 3) * 2 + (len % 3 === 2 ? 1 : 0));
  let o = 0;
  let i = 0;
  // Hot loop (every scan): table lookups without a call per digit. A code ≥ 128 or a character
  // outside the alphabet makes some lookup negative; the slow path then names the first one.
  for (; i + 3 <= len; i += 3) {
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const c2 = text.charCodeAt(i + 2);
    if ((c0 | c1 | c2) > 127) throwBadCharacter(text, i);
    const d0 = DIGIT[c0]!;
    const d1 = DIGIT[c1]!;
    const d2 = DIGIT[c2]!;
    if ((d0 | d1 | d2) < 0) throwBadCharacter(text, i);
    const n = d0 + d1 * 45 + d2 * 2025;
    if (n > 0xffff) throw new Base45Error(`base45 group at offset ${i} exceeds two bytes`);
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (i < len) {
    const n = digitAt(text, i) + digitAt(text, i + 1) * 45;
    if (n > 0xff) throw new Base45Error(`base45 group at offset ${i} exceeds one byte`);
    out[o] = n;
  }
  return out;
}

/** Encodes bytes as base45 (for issuing CKD1 tokens and building test vectors). */
export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 <= bytes.length; i += 2) {
    let n = bytes[i]! * 256 + bytes[i + 1]!;
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += ALPHABET[c]! + ALPHABET[d]! + ALPHABET[e]!;
  }
  if (i < bytes.length) {
    const n = bytes[i]!;
    out += ALPHABET[n % 45]! + ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}
