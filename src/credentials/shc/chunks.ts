/**
 * Multi-QR SMART Health Cards (`shc:/C/N/<digits>`, N > 1): the SMART Health Cards framework's
 * "Encoding Chunks as QR codes" (deprecated in its VCI 1.3.0, but cards exist in this form). The
 * issuer splits the compact JWS into N parts of roughly equal size and encodes each as its own QR
 * code; a reader holds the chunks until all N have arrived and joins their decoded text in order
 * C = 1..N. Every chunk of one card carries the same N, and each C from 1..N once.
 *
 * Since each JWS character is two digits, joining the chunks' digit runs in order gives exactly
 * the digits of the whole card: the assembled card is `shc:/` and those digits, verified as one QR
 * text bounded by N × LIMITS.maxTextChars (VerifyContext.maxTextChars).
 *
 * Pure: used by `verify` (all chunks in one payload) and by the kiosk, which holds chunks scanned
 * one after the other per scanner (src/app/shc-chunk-hold.ts).
 */
import { LIMITS } from '../types.js';
import type { ReasonCode } from '../../shared/reasons.js';
import {
  MAX_SHC_CHUNKS,
  SHC_CHUNK_HEADER,
  SHC_PREFIX,
  chunkHeaderProblem,
  chunkList,
  encodeShcNumeric,
  hasShcPrefix,
  missingChunks,
  missingChunksText,
  whiteSpaceProblem,
} from './numeric.js';

/** Most JWS characters the framework puts in one chunk (a version 22 QR code, error correction L). */
export const SHC_CHUNK_JWS_CHARS = 1191;

/** One chunk of a multi-QR card: chunk `index` of `total`, and its digits after the header. */
export interface ShcChunk {
  /** C, 1..total. */
  index: number;
  /** N, 2..MAX_SHC_CHUNKS. */
  total: number;
  /** The chunk's digit pairs (an even number of ASCII digits, at least two). */
  digits: string;
}

/**
 * What a scanned text is to the assembler: `undefined` when it is no chunk of a multi-QR card (any
 * other code, a single-QR card, `shc:/1/1/…`, a header numbering no chunk such as `shc:/0/3/` —
 * the SMART Health Card verifier names those); a chunk; or a chunk header with digits that cannot
 * be a chunk (`detail` says why).
 */
export type ChunkReading = { ok: true; chunk: ShcChunk } | { ok: false; detail: string } | undefined;

/**
 * Reads `text` (a scan's normalised text: no surrounding white space) as a chunk of a multi-QR
 * card. Bounded: a text longer than LIMITS.maxTextChars (one QR code) is never a chunk.
 */
export function readShcChunk(text: string): ChunkReading {
  if (text.length > LIMITS.maxTextChars || !hasShcPrefix(text)) return undefined;
  const rest = text.slice(SHC_PREFIX.length, SHC_PREFIX.length + 8);
  const header = SHC_CHUNK_HEADER.exec(rest);
  if (!header) return undefined;
  const index = Number(header[1]);
  const total = Number(header[2]);
  if (total < 2 || index < 1 || index > total) return undefined;
  const digits = text.slice(SHC_PREFIX.length + header[0].length);
  const what = `chunk ${index} of ${total}`;
  if (digits.length === 0) return { ok: false, detail: `${what} of a multi-QR SMART Health Card holds no digits` };
  const other = digits.search(/\D/);
  if (other >= 0) {
    // White space: other text, or more codes, read with the chunk (numeric.ts names which).
    const space = whiteSpaceProblem(digits, other, SHC_PREFIX.length + header[0].length, { index, total });
    return { ok: false, detail: space ?? `${what} of a multi-QR SMART Health Card holds something other than digits` };
  }
  if (digits.length % 2 !== 0) return { ok: false, detail: `${what} of a multi-QR SMART Health Card has an odd number of digits` };
  return { ok: true, chunk: { index, total, digits } };
}

/** What adding a chunk to a ChunkSet did. */
export type ChunkAdd =
  | { kind: 'added' }
  /** The same chunk again (same C, same digits): nothing changes. */
  | { kind: 'repeat' }
  /** A chunk that cannot belong to this card: another N, or this C with other digits. */
  | { kind: 'conflict'; detail: string };

/**
 * The chunks of one card received so far. Bounded by construction: at most `total` (≤ 999) chunks
 * of at most one QR code each.
 */
export class ShcChunkSet {
  private readonly parts = new Map<number, string>();

  constructor(readonly total: number) {}

  /** Adds `chunk` (from readShcChunk). A conflict leaves the set as it was. */
  add(chunk: ShcChunk): ChunkAdd {
    if (chunk.total !== this.total) {
      return { kind: 'conflict', detail: `chunk ${chunk.index} of ${chunk.total} belongs to another card (this card has ${this.total} chunks)` };
    }
    const held = this.parts.get(chunk.index);
    if (held === undefined) {
      this.parts.set(chunk.index, chunk.digits);
      return { kind: 'added' };
    }
    if (held === chunk.digits) return { kind: 'repeat' };
    return { kind: 'conflict', detail: `chunk ${chunk.index} of ${this.total} came twice with different content (a chunk of another card)` };
  }

  /** Whether `chunk` is one of this set's chunks: the same N, and C held with the same digits. */
  has(chunk: ShcChunk): boolean {
    return chunk.total === this.total && this.parts.get(chunk.index) === chunk.digits;
  }

  /** Chunk numbers received, ascending. */
  received(): number[] {
    return [...this.parts.keys()].sort((a, b) => a - b);
  }

  /** Chunk numbers still missing, ascending. */
  missing(): number[] {
    return missingChunks((i) => this.parts.has(i), this.total);
  }

  get complete(): boolean {
    return this.parts.size === this.total;
  }

  /**
   * The card as one QR text, `shc:/` and the chunks' digits joined in order C = 1..N (the JWS is
   * their decoded text joined in that order). Only when complete.
   * @throws Error when a chunk is missing (a caller's bug: check `complete`).
   */
  assemble(): string {
    if (!this.complete) throw new Error('assemble: chunks are missing');
    let digits = '';
    for (let i = 1; i <= this.total; i++) digits += this.parts.get(i)!;
    return SHC_PREFIX + digits;
  }

  /**
   * Why the held chunks are not a card: "multi-QR SMART Health Card incomplete: chunk 2 of 3 is
   * missing (chunks 1 and 3 read); <why>; <advice>", the advice by default "scan all 3 QR codes
   * of the card one after the other".
   */
  incompleteMessage(why: string, advice = `scan all ${this.total} QR codes of the card one after the other`): string {
    const received = this.received();
    const read = received.length === 0 ? '' : ` (${received.length === 1 ? 'chunk' : 'chunks'} ${chunkList(received)} read)`;
    return `multi-QR SMART Health Card incomplete: ${missingChunksText(this.missing(), this.total)}${read}; ${why}; ${advice}`;
  }
}

/** The card assembled from a payload's chunks, or why they are not one card. */
export type Assembly =
  | {
      ok: true;
      /** The whole card as one `shc:/<digits>` text. */
      text: string;
      /** N: how many QR codes it was made of. */
      total: number;
      /** For `verify --explain`: what was joined. */
      detail: string;
      /** The chunks themselves (the kiosk remembers the card just completed: shc-chunk-hold.ts). */
      set: ShcChunkSet;
    }
  | { ok: false; reason: ReasonCode; detail: string };

/**
 * Several scanned texts (each a scan's normalised text) → one multi-QR card, in any order, by the
 * framework's rules: every text a chunk of a multi-QR card, all with the same N, each C from 1..N
 * present (a repeat of a chunk with the same digits is ignored, with other digits it is another
 * card's). Anything else is `unreadable` naming what is wrong ("chunk 2 of 3 is missing"; text 3
 * is not a chunk). Bounded: at most MAX_SHC_CHUNKS × 2 texts, each at most one QR code.
 */
export function assembleShcChunks(texts: readonly string[]): Assembly {
  if (texts.length > MAX_SHC_CHUNKS * 2) {
    return { ok: false, reason: 'too-large', detail: `${texts.length} codes given; a multi-QR SMART Health Card has at most ${MAX_SHC_CHUNKS} chunks` };
  }
  let set: ShcChunkSet | undefined;
  for (const [i, text] of texts.entries()) {
    const where = `text ${i + 1} of ${texts.length}`;
    if (text.length > LIMITS.maxTextChars) return { ok: false, reason: 'too-large', detail: `${where} is ${text.length} characters; the largest QR code holds ${LIMITS.maxTextChars}` };
    const reading = readShcChunk(text);
    if (reading === undefined) {
      // A chunk header that numbers no chunk (chunk 5 of 3, 0 chunks, 1,000 chunks) is named as such.
      const header = hasShcPrefix(text) ? chunkHeaderProblem(text.slice(SHC_PREFIX.length)) : undefined;
      if (header !== undefined) return { ok: false, reason: 'unreadable', detail: `${where}: ${header}` };
      return {
        ok: false,
        reason: 'unreadable',
        detail: `${where} is not a chunk of a multi-QR SMART Health Card (shc:/C/N/…): a multi-QR card's chunks cannot be read together with other codes`,
      };
    }
    if (!reading.ok) return { ok: false, reason: 'unreadable', detail: `${where}: ${reading.detail}` };
    set ??= new ShcChunkSet(reading.chunk.total);
    const added = set.add(reading.chunk);
    if (added.kind === 'conflict') {
      return { ok: false, reason: 'unreadable', detail: `${where}: ${added.detail}; every chunk of one card carries the same N, and each C once` };
    }
  }
  if (!set) return { ok: false, reason: 'unreadable', detail: 'no chunks given' };
  if (!set.complete) {
    return { ok: false, reason: 'unreadable', detail: set.incompleteMessage('the card is read only whole', `give all ${set.total} of its QR codes`) };
  }
  const text = set.assemble();
  return { ok: true, text, total: set.total, detail: `chunks 1 to ${set.total} of ${set.total} joined in order (${(text.length - SHC_PREFIX.length) / 2} JWS characters)`, set };
}

/** A word of a line that may be an SMART Health Card code: `shc:/` after a BOM or an AIM prefix (`]Q1`). */
const SHC_WORD = /^\uFEFF?(?:\][A-Za-z][0-9A-Za-z])?shc:\//i;
const SPACE_RUN = /\s+/;

/**
 * The codes of one scanned line holding several SMART Health Card codes separated by white space —
 * at least two words, every one starting `shc:/`, at least one of them a chunk of a multi-QR card
 * (readShcChunk) — else undefined. `verify` reads such a payload's words as the card's chunks; the
 * kiosk reads a line of a scanner the same way (a `sim:FILE` or stdin line holding a whole card).
 * Cheap for any other text: a text without white space inside is answered at once.
 */
export function shcChunkLine(text: string): string[] | undefined {
  const trimmed = text.trim();
  if (!SPACE_RUN.test(trimmed)) return undefined;
  const words = trimmed.split(SPACE_RUN);
  if (!words.every((w) => SHC_WORD.test(w))) return undefined;
  return words.some((w) => readShcChunk(w.replace(WORD_HEAD, '')) !== undefined) ? words : undefined;
}
/** What normalizeScanText strips from a word's start (a BOM, an AIM prefix), for a quick look. */
const WORD_HEAD = /^\uFEFF?(?:\][A-Za-z][0-9A-Za-z])?/;

/**
 * Splits a compact JWS into the framework's chunks: `count` parts of roughly equal length (the
 * first ones one character longer when it does not divide), each `shc:/C/N/<digits>`; with one
 * part, the plain single-QR `shc:/<digits>`. Without `count`, as few as the framework's limit of
 * SHC_CHUNK_JWS_CHARS characters per chunk (a version 22 QR code) allows.
 * @throws RangeError for a count outside 1..MAX_SHC_CHUNKS or above the JWS length, or a JWS
 *   character SMART Health Cards cannot encode.
 */
export function splitShcJws(jws: string, count?: number): string[] {
  const n = count ?? Math.max(1, Math.ceil(jws.length / SHC_CHUNK_JWS_CHARS));
  if (!Number.isInteger(n) || n < 1 || n > MAX_SHC_CHUNKS || n > jws.length) throw new RangeError(`cannot split a ${jws.length}-character JWS into ${n} chunks (1 to ${MAX_SHC_CHUNKS})`);
  if (n === 1) return [encodeShcNumeric(jws)];
  const base = Math.floor(jws.length / n);
  const longer = jws.length % n;
  const chunks: string[] = [];
  let at = 0;
  for (let c = 1; c <= n; c++) {
    const size = base + (c <= longer ? 1 : 0);
    chunks.push(`${SHC_PREFIX}${c}/${n}/${encodeShcNumeric(jws.slice(at, at + size)).slice(SHC_PREFIX.length)}`);
    at += size;
  }
  return chunks;
}
