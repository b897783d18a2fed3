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

/**
 * The chunk header of the (deprecated) multi-QR form `shc:/C/N/…`: chunk C of N, numbered from 1
 * (SMART Health Cards framework, "Encoding Chunks as QR codes"). Up to 3 digits each: more chunks
 * than a QR code's worth of text could never be read anyway. Matched on the text after `shc:/`.
 */
export const SHC_CHUNK_HEADER = /^(\d{1,3})\/(\d{1,3})\//;
const MULTI_CHUNK = SHC_CHUNK_HEADER;
/** Most chunks one card may have: what the header's 3 digits can number (C, N ≤ 999). */
export const MAX_SHC_CHUNKS = 999;
/** Chunk numbers named in a message before the rest are counted ("and 993 more"). */
const NAMED_CHUNKS = 6;

/** The chunk numbers 1..`total` for which `have` is false, ascending. */
export function missingChunks(have: (index: number) => boolean, total: number): number[] {
  const missing: number[] = [];
  for (let i = 1; i <= total; i++) if (!have(i)) missing.push(i);
  return missing;
}

/**
 * "2" / "2 and 3" / "2, 3, 4, 5, 6, 7 and 993 more": chunk numbers (ascending, at least one) in
 * words; at most NAMED_CHUNKS are written out.
 */
export function chunkList(numbers: readonly number[]): string {
  if (numbers.length === 1) return String(numbers[0]);
  const named = numbers.slice(0, NAMED_CHUNKS);
  const rest = numbers.length - named.length;
  return rest > 0 ? `${named.join(', ')} and ${rest} more` : `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}

/**
 * "chunk 2 of 3 is missing" / "chunks 2 and 3 of 3 are missing": `missing` (ascending chunk
 * numbers, at least one) of a card of `total` chunks, for messages.
 */
export function missingChunksText(missing: readonly number[], total: number): string {
  return missing.length === 1 ? `chunk ${missing[0]} of ${total} is missing` : `chunks ${chunkList(missing)} of ${total} are missing`;
}

/**
 * What a chunk of a multi-QR card read on its own is told: which chunks are missing and that all of
 * them must be read together (the kiosk holds chunks scanned one after the other; `verify` takes
 * them in one payload). SMART Health Cards framework, "Encoding Chunks as QR codes".
 */
export function loneChunkMessage(index: number, total: number): string {
  const missing = missingChunks((i) => i === index, total);
  return `multi-QR SMART Health Card: chunk ${index} of ${total} read alone, ${missingChunksText(missing, total)}; all ${total} QR codes of the card must be scanned (at the kiosk one after the other; for verify in one payload, separated by spaces or line breaks)`;
}
/** Where the chunk header's first '/' can be: after 1 to 3 digits. */
const MAX_CHUNK_DIGITS = 3;

/** True when `text` starts with the SHC prefix (case-insensitive: QR alphanumeric mode upper-cases). */
export function hasShcPrefix(text: string): boolean {
  // Asked of every scan: the lower-case prefix (every issuer's) without building a string, and
  // otherwise only a text starting with an S is compared.
  if (text.startsWith(SHC_PREFIX)) return true;
  return text.length >= SHC_PREFIX.length && (text.charCodeAt(0) | 0x20) === 0x73 && text.slice(0, SHC_PREFIX.length).toLowerCase() === SHC_PREFIX;
}

const SLASH = 47;

/** True when one of characters 1..`max` of `text` (after at least one digit) is a '/'. */
function slashWithin(text: string, max: number): boolean {
  for (let i = 1; i <= max; i++) if (text.charCodeAt(i) === SLASH) return true;
  return false;
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

/**
 * Two ASCII digits, read as one 16-bit load from the digit bytes (so whatever the machine's byte
 * order, the table is built through the same view) → what they stand for: 0 for anything but a
 * pair "nn" with n ≤ 77; else the JWS character code n + 45 (45..122), plus DOT_FLAG for '.' and
 * OTHER_FLAG for a character that is neither '.' nor base64url (A–Z a–z 0–9 - _, RFC 4648 §5).
 * One lookup per character instead of two digit checks, a range check, an addition and a
 * character-class lookup (a card is about 900 characters).
 */
const PAIR = new Uint16Array(1 << 16);
const DOT_FLAG = 0x100;
const OTHER_FLAG = 0x200;
const DOT = 46;
{
  const probe = new Uint8Array(2);
  const probe16 = new Uint16Array(probe.buffer);
  for (let n = 0; n <= 77; n++) {
    probe[0] = 48 + Math.floor(n / 10);
    probe[1] = 48 + (n % 10);
    const code = n + 45;
    const base64url = /[A-Za-z0-9_-]/.test(String.fromCharCode(code));
    PAIR[probe16[0]!] = code | (code === DOT ? DOT_FLAG : base64url ? 0 : OTHER_FLAG);
  }
}

/**
 * Reused for each scan (decoding is synchronous): the ASCII digits are written here, and the JWS
 * bytes over them in place (byte o comes from bytes 2o and 2o + 1, so it never overwrites a digit
 * not yet read). Its own ArrayBuffer (not the shared pool) so the 16-bit view starts aligned. Room
 * beyond the longest digit run (LIMITS.maxTextChars minus the prefix) is what lets one UTF-8 write
 * tell ASCII from anything else (below).
 */
const scratchBuffer = new ArrayBuffer(LIMITS.maxTextChars + (LIMITS.maxTextChars % 2));
const sharedScratch = Buffer.from(scratchBuffer);
const sharedScratch16 = new Uint16Array(scratchBuffer);

/**
 * The digit pairs, one by one: only to name the first problem the fast loop met. `at` is where
 * `digits` start in the scanned text (after `shc:/` and a chunk header); `lone` the chunk header
 * read, if any. White space among the digits is named as what it means — other text read with the
 * code, or several codes in one text — rather than as a bad digit.
 */
function firstDigitProblem(digits: string, at: number, lone?: { index: number; total: number }): { ok: false; reason: ReasonCode; detail: string } {
  for (let i = 0; i < digits.length; i += 2) {
    const hi = digits.charCodeAt(i) - 48;
    const lo = digits.charCodeAt(i + 1) - 48;
    if (hi < 0 || hi > 9 || lo < 0 || lo > 9) {
      const bad = hi < 0 || hi > 9 ? i : i + 1;
      const space = whiteSpaceProblem(digits, bad, at, lone);
      if (space !== undefined) return { ok: false, reason: 'unreadable', detail: space };
      return { ok: false, reason: 'unreadable', detail: `not a digit at offset ${at + i}` };
    }
    const n = hi * 10 + lo;
    if (n > 77) return { ok: false, reason: 'unreadable', detail: `digit pair ${n} out of range (max 77)` };
  }
  return { ok: false, reason: 'unreadable', detail: 'not a digit' }; // not reached: the caller saw a problem
}

/** White space as String.prototype.trim() sees it (Unicode White_Space and line terminators). */
const WHITE_SPACE = /\s/;
/** `shc:/` anywhere, any letter case. */
const SHC_PREFIX_ANY = /shc:\//gi;

/**
 * When character `bad` of `digits` (at offset `at` + `bad` of the text) is white space: what the
 * text is instead of one QR code of a card — several SMART Health Card codes read as one text (two
 * cards, or chunks, on one line), or a card's code with other text after it. Names offsets and
 * counts only, never the text. Undefined for any other character.
 */
export function whiteSpaceProblem(digits: string, bad: number, at: number, lone?: { index: number; total: number }): string | undefined {
  if (!WHITE_SPACE.test(digits.charAt(bad))) return undefined;
  const offset = at + bad;
  const what = lone ? `chunk ${lone.index} of ${lone.total} of a multi-QR SMART Health Card` : 'a SMART Health Card code';
  // The text is at most a few QR codes long (normalizeScanText's bound): counting is cheap.
  const more = digits.slice(bad).match(SHC_PREFIX_ANY)?.length ?? 0;
  if (more > 0) {
    return `not one QR code: ${what} and ${more} more SMART Health Card ${more === 1 ? 'code' : 'codes'} (shc:/…) in one text, separated by white space (the first at offset ${offset}); each QR code is read on its own${lone ? ', and the chunks of a card are read together only as whole codes' : ''}`;
  }
  return `not ${lone ? 'one chunk' : 'one QR code'}: ${what} is followed by white space and other text (from offset ${offset}); ${lone ? "a chunk's QR code" : "a card's QR code"} holds shc:/${lone ? 'C/N/' : ''} and digits only`;
}

/**
 * A header as written, sound or not: digits, '/', then optionally digits and the closing '/'. The
 * digit runs are bounded (a QR code is bounded anyway) so a long run of digits costs one scan.
 */
const LOOSE_HEADER = /^(\d{1,64})\/(\d{0,64})(\/?)/;
/** The most characters LOOSE_HEADER can take. */
const LOOSE_HEADER_CHARS = 130;

/** A number of the chunk header as quoted in a message: at most 12 digits shown. */
function headerNumber(digits: string): string {
  return digits.length > 12 ? `${digits.slice(0, 12)}…` : digits;
}

/**
 * What is wrong with the chunk header `shc:/C/N/` at the start of `rest` (the text after `shc:/`),
 * or undefined when `rest` holds no header (only digits up to its first non-digit that is no '/')
 * or a sound one: chunk number 0, 0 chunks, C greater than N, more than MAX_SHC_CHUNKS chunks, more
 * than 3 digits, no closing '/'. A numeric card's text holds digits only, so a '/' after 1 to 3
 * digits, or a whole `C/N/` of longer numbers, can only be meant as a header. Names the numbers
 * (never more than 12 digits of each).
 */
export function chunkHeaderProblem(rest: string): string | undefined {
  const m = LOOSE_HEADER.exec(rest);
  if (!m) return undefined;
  const [, c = '', n, closed] = m;
  // Longer numbers are taken for a header only when it is whole (C/N/): "5656/0" is a damaged card.
  if (c.length > MAX_CHUNK_DIGITS && (!n || closed !== '/')) return undefined;
  const not = 'not a SMART Health Card chunk';
  const form = 'a chunk is shc:/C/N/ and its digits, C numbering it among N, from 1';
  // Not a whole header: what follows the '/' is not quoted (it may be the card's digits).
  if (!n || closed !== '/') return `${not}: a '/' after shc:/${headerNumber(c)}, but no whole chunk header shc:/C/N/ (${form})`;
  const header = `shc:/${headerNumber(c)}/${headerNumber(n)}`;
  const index = Number(c);
  const total = Number(n);
  if (total === 0) return `${not}: the header ${header}/ gives 0 chunks (a card has 1 to ${MAX_SHC_CHUNKS})`;
  if (index === 0) return `${not}: the header ${header}/ numbers a chunk 0 (chunks are numbered from 1)`;
  if (index > total) return `${not}: the header ${header}/ numbers chunk ${headerNumber(c)} of only ${headerNumber(n)} (the chunk number is greater than the number of chunks)`;
  if (total > MAX_SHC_CHUNKS) return `${not}: the header ${header}/ gives ${headerNumber(n)} chunks (a card has at most ${MAX_SHC_CHUNKS})`;
  if (c.length > MAX_CHUNK_DIGITS || n.length > MAX_CHUNK_DIGITS) return `${not}: the header ${header}/ has numbers of more than ${MAX_CHUNK_DIGITS} digits`;
  return undefined;
}
/**
 * Why a digit run of odd length cannot be read: the first character that is not a digit, named
 * (white space or a '/' inside the run: a line break a scanner or a copy put into the card, a
 * chunk header written wrongly), or else the odd count itself. `start` is the run's offset in the
 * scanned text. Only for a run already refused.
 */
function oddDigitsProblem(digits: string, start: number): string {
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) {
      const what = /\s/.test(digits[i]!) ? 'white space' : JSON.stringify(String.fromCodePoint(digits.codePointAt(i)!));
      return `not a digit at offset ${start + i}: ${what} inside the digits (a card's digits are one unbroken run)`;
    }
  }
  return 'odd number of digits';
}

/**
 * The JWS decoded into memory shared by every call: `bytes` (a view of it) holds the ASCII codes
 * of the JWS characters until the next call of decodeShcNumericShared, and no longer.
 */
export type SharedNumericBytes =
  | {
      ok: true;
      /** ASCII codes of the JWS characters (45..122); overwritten by the next call. */
      bytes: Buffer;
      /** As in NumericBytes. */
      dots: readonly [number, number] | undefined;
    }
  | { ok: false; reason: ReasonCode; detail: string };

/**
 * `shc:/…` → the JWS as ASCII bytes in memory shared between calls (and where its dots are), or
 * why not. For a caller that is done with the bytes before it decodes again (the verifier): no
 * array of its own per scan. Bounded: never looks past `maxChars` — LIMITS.maxTextChars for one QR
 * code; a card assembled from N chunks (chunks.ts) may be N times that, and its longer digit run
 * is decoded into memory of its own. A chunk of a multi-QR card (`shc:/C/N/…`, N > 1) read alone
 * is `unreadable`, naming the missing chunks (loneChunkMessage), once its digits are found sound.
 */
export function decodeShcNumericShared(text: string, maxChars: number = LIMITS.maxTextChars): SharedNumericBytes {
  if (text.length > maxChars) {
    return { ok: false, reason: 'too-large', detail: `QR text longer than ${maxChars} characters` };
  }
  if (!hasShcPrefix(text)) return { ok: false, reason: 'unreadable', detail: 'missing shc:/ prefix' };
  let digits = text.slice(SHC_PREFIX.length);
  // The chunked form has a '/' after 1 to 3 digits: only then is the pattern worth running over a
  // card's worth of digits.
  const chunk = slashWithin(digits, MAX_CHUNK_DIGITS) ? MULTI_CHUNK.exec(digits) : null;
  let lone: { index: number; total: number } | undefined;
  if (chunk) {
    const index = Number(chunk[1]);
    const total = Number(chunk[2]);
    if (index === 0 || total === 0 || index > total) return { ok: false, reason: 'unreadable', detail: chunkHeaderProblem(digits)! };
    // `shc:/1/1/…` is a one-chunk card written in the chunked form: nothing is missing. A chunk of
    // a larger card is decoded (a damaged one is named as such) and then refused, naming the rest.
    if (total !== 1) lone = { index, total };
    digits = digits.slice(chunk[0].length);
  }
  const len = digits.length;
  if (len === 0) return { ok: false, reason: 'unreadable', detail: 'no digits after shc:/' };
  // Where the digits start in the text, for messages.
  const at = text.length - len;
  if (len % 2 !== 0) return oddDigits(text, digits, at, lone);
  // One QR code's digits fit the shared scratch; a longer card assembled from chunks gets its own
  // (exactly `len` bytes: non-ASCII text then cannot fit, so the write below still tells).
  const long = len > sharedScratch.length;
  const scratch = long ? Buffer.from(new ArrayBuffer(len)) : sharedScratch;
  const scratch16 = long ? new Uint16Array(scratch.buffer, 0, len / 2) : sharedScratch16;
  // One UTF-8 write: exactly `len` bytes only for ASCII text (anything else takes at least one more
  // byte, and the scratch has room for it), and a byte ≥ 0x80 that did land in the first `len`
  // fails the pair lookup: the slow loop names the problem.
  if (scratch.write(digits, 0, 'utf8') !== len) return digitProblem(text, digits, at, lone);
  const n = len / 2;
  let dot1 = -1;
  let dot2 = -1;
  let dots = 0;
  let other = 0;
  for (let o = 0; o < n; o++) {
    const v = PAIR[scratch16[o]!]!;
    if (v < DOT_FLAG) {
      if (v === 0) return digitProblem(text, digits, at, lone);
      scratch[o] = v;
    } else {
      scratch[o] = v & 0xff;
      if (v & DOT_FLAG) {
        dots++;
        if (dots === 1) dot1 = o;
        else if (dots === 2) dot2 = o;
      } else {
        other = 1;
      }
    }
  }
  if (lone) return { ok: false, reason: 'unreadable', detail: loneChunkMessage(lone.index, lone.total) };
  // Three non-empty parts of base64url characters: x.y.z with no part empty.
  const shaped = other === 0 && dots === 2 && dot1 > 0 && dot2 > dot1 + 1 && dot2 < n - 1;
  return { ok: true, bytes: scratch.subarray(0, n), dots: shaped ? [dot1, dot2] : undefined };
}

/**
 * A text whose digits the fast loop refused: a chunk header it did not take (more than 3 digits, no
 * closing '/': a '/' is never a digit) is named first, then the first bad digit pair.
 */
function digitProblem(text: string, digits: string, at: number, lone: { index: number; total: number } | undefined): { ok: false; reason: ReasonCode; detail: string } {
  const header = lone ? undefined : chunkHeaderProblem(text.slice(SHC_PREFIX.length, SHC_PREFIX.length + LOOSE_HEADER_CHARS));
  if (header !== undefined) return { ok: false, reason: 'unreadable', detail: header };
  return firstDigitProblem(digits, at, lone);
}

/**
 * An odd number of "digits": a chunk header not taken and white space (another code, other text)
 * are named as digitProblem names them; another character that is not a digit by its offset;
 * else the odd count.
 */
function oddDigits(text: string, digits: string, at: number, lone: { index: number; total: number } | undefined): { ok: false; reason: ReasonCode; detail: string } {
  const header = lone ? undefined : chunkHeaderProblem(text.slice(SHC_PREFIX.length, SHC_PREFIX.length + LOOSE_HEADER_CHARS));
  if (header !== undefined) return { ok: false, reason: 'unreadable', detail: header };
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c >= 48 && c <= 57) continue;
    const space = whiteSpaceProblem(digits, i, at, lone);
    if (space !== undefined) return { ok: false, reason: 'unreadable', detail: space };
    break;
  }
  // Anything else not a digit (a doubled '/', white space inside one card) is named at its offset.
  return { ok: false, reason: 'unreadable', detail: oddDigitsProblem(digits, at) };
}

/**
 * `shc:/…` → the JWS as ASCII bytes of its own (and where its dots are), or why not. Bounded:
 * never looks past LIMITS.maxTextChars.
 */
export function decodeShcNumericBytes(text: string): NumericBytes {
  const decoded = decodeShcNumericShared(text);
  if (!decoded.ok) return decoded;
  // Pooled (pooled.ts): every byte is copied over below.
  const bytes = pooledBytes(decoded.bytes.length);
  bytes.set(decoded.bytes);
  return { ok: true, bytes, dots: decoded.dots };
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
