/**
 * Base45 (RFC 9285), the QR-alphanumeric-friendly encoding used by EU DCC (`HC1:`) and our
 * `CKD1:` tokens. Strict: only the 45-character alphabet, no whitespace, no lower case, and every
 * group must fit its byte width. Every problem is a Base45Error, never a RangeError.
 */
import { Buffer } from 'node:buffer';
import { pooledBytes } from './pooled.js';
import { codeName } from '../../shared/text-safety.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

/** Byte (Latin-1 code) → digit value, -1 for characters outside the alphabet. */
const DIGIT = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGIT[ALPHABET.charCodeAt(i)] = i;

export class Base45Error extends Error {
  override readonly name = 'Base45Error';
}

/** Default bound: the largest QR code text (LIMITS.maxTextChars) decodes to at most 2,864 bytes. */
const DEFAULT_MAX_CHARS = 4296;

/**
 * A white-space character other than the space (which base45 uses as a digit): a line break, a
 * tab, a no-break space. Scanners and copies put them into a long code (a text wrapped over
 * lines, a chunked read); the message names that rather than an "invalid character".
 */
function whiteSpaceProblem(text: string, index: number): string | undefined {
  const code = text.charCodeAt(index);
  if (code === 0x20 || !/\s/.test(text[index]!)) return undefined;
  const hex = codeName(code);
  const what = code === 0x0a || code === 0x0d ? `a line break (${hex})` : code === 0x09 ? `a tab (${hex})` : `white space (${hex})`;
  return `${what} at offset ${index} inside the base45 text: the code is one unbroken line (was it wrapped or split?)`;
}

function digitAt(text: string, index: number): number {
  const code = text.charCodeAt(index);
  const d = code < 256 ? DIGIT[code]! : -1;
  if (d < 0) {
    const space = whiteSpaceProblem(text, index);
    if (space !== undefined) throw new Base45Error(space);
    // A small letter is a letter-case problem (a scanner or Caps Lock), not a foreign character.
    if (code >= 0x61 && code <= 0x7a) {
      throw new Base45Error(`lower-case letter '${text[index]!}' at offset ${index}: base45 has capital letters only, and this text mixes cases (a scan entirely in lower case is read upper-cased)`);
    }
    throw new Base45Error(`invalid base45 character at offset ${index}`);
  }
  return d;
}

/**
 * The plain reading, digit by digit: used only when the fast path met a problem, to throw the
 * same error (first bad character or group, by offset) whatever path found it.
 */
function decodeSlowly(text: string, out: Uint8Array): Uint8Array {
  let o = 0;
  let i = 0;
  for (; i + 3 <= text.length; i += 3) {
    const n = digitAt(text, i) + digitAt(text, i + 1) * 45 + digitAt(text, i + 2) * 2025;
    if (n > 0xffff) throw new Base45Error(`base45 group at offset ${i} exceeds two bytes`);
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (i < text.length) {
    const n = digitAt(text, i) + digitAt(text, i + 1) * 45;
    if (n > 0xff) throw new Base45Error(`base45 group at offset ${i} exceeds one byte`);
    out[o] = n;
  }
  return out;
}

/**
 * One reused buffer for the ASCII bytes of the text being decoded (decoding is synchronous, so it
 * is never shared): a fresh Buffer per scan showed up as allocation and garbage collection.
 */
let scratch = Buffer.allocUnsafe(DEFAULT_MAX_CHARS);

/**
 * The text's UTF-8 bytes in the scratch buffer, or undefined unless that is exactly one byte per
 * character (ASCII): one write instead of measuring the UTF-8 length first. A non-ASCII text that
 * still wrote `length` bytes has a byte ≥ 0x80 among them, which no digit lookup accepts.
 */
function asciiBytes(text: string): Buffer | undefined {
  if (text.length > scratch.length) scratch = Buffer.allocUnsafe(text.length);
  return scratch.write(text, 0, 'utf8') === text.length ? scratch : undefined;
}

/**
 * Decodes base45 text. `maxChars` bounds the work before any allocation (the output is at most
 * 2/3 of the input length).
 */
export function base45Decode(text: string, maxChars: number = DEFAULT_MAX_CHARS): Uint8Array {
  const len = text.length;
  if (len > maxChars) throw new Base45Error(`base45 text longer than ${maxChars} characters`);
  if (len % 3 === 1) {
    // A line break or tab inside the text is the likelier cause of the odd length: named first.
    for (let i = 0; i < len; i++) {
      const space = whiteSpaceProblem(text, i);
      if (space !== undefined) throw new Base45Error(space);
    }
    throw new Base45Error('base45 length leaves a dangling character');
  }
  // Pooled (pooled.ts): every byte is written below, or an error is thrown and the array dropped.
  const out = pooledBytes(Math.floor(len / 3) * 2 + (len % 3 === 2 ? 1 : 0));
  // Fast path (every scan): pure ASCII text read as bytes, one table lookup per digit. Any problem
  // (a character outside the alphabet makes a lookup negative, a group too large) hands over to
  // the plain reading, which names it.
  const src = asciiBytes(text);
  if (!src) return decodeSlowly(text, out);
  let o = 0;
  let i = 0;
  for (; i + 3 <= len; i += 3) {
    const d0 = DIGIT[src[i]!]!;
    const d1 = DIGIT[src[i + 1]!]!;
    const d2 = DIGIT[src[i + 2]!]!;
    const n = d0 + d1 * 45 + d2 * 2025;
    if ((d0 | d1 | d2) < 0 || n > 0xffff) return decodeSlowly(text, out);
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (i < len) {
    const d0 = DIGIT[src[i]!]!;
    const d1 = DIGIT[src[i + 1]!]!;
    const n = d0 + d1 * 45;
    if ((d0 | d1) < 0 || n > 0xff) return decodeSlowly(text, out);
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
