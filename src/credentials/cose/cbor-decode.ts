/**
 * A bounded CBOR decoder for untrusted input (RFC 8949). Limits are checked BEFORE any
 * allocation: a declared length is compared with the bytes that remain, nesting depth and item
 * count are capped, so hostile input costs at most O(input length) time and memory and always
 * ends in a CborError (never a RangeError, a hang or a stack overflow).
 */
import { Buffer } from 'node:buffer';
import { CborDuplicateKeyError, CborError, CborSimple, CborTag } from './cbor-types.js';
import type { CborJson, CborKey, CborMap, CborValue } from './cbor-types.js';

export interface CborDecodeOptions {
  /** Maximum nesting of arrays, maps and tags. Default 32. */
  maxDepth?: number;
  /** Maximum number of data items in the whole input. Default 65,536. */
  maxItems?: number;
  /** Maximum input size in bytes. Default 1 MiB. */
  maxBytes?: number;
}

const DEFAULTS = { maxDepth: 32, maxItems: 65_536, maxBytes: 1024 * 1024 } as const;
const BREAK = Symbol('break');
/** Thrown inside decodeCborJsonAt when the item has no plain JSON form: the caller decodes generically. */
const NOT_PLAIN = new Error('not plain JSON');
/** Up to this many keys, duplicates in a JSON map are found by comparing keys (no property lookups). */
const SMALL_MAP = 16;
/**
 * Strict UTF-8 for CBOR text strings. ignoreBOM: a leading U+FEFF is a character of the text (RFC
 * 8949 §3.1, major type 3), which TextDecoder otherwise drops: "\uFEFFv" was read as the key "v".
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
/**
 * Inputs up to this size have their ASCII text strings cut from one latin1 reading of the whole
 * input (Decoder.asciiAt); larger ones (never a QR payload) build each string from its bytes, so
 * a short string in a large input never costs a copy of all of it.
 */
const WHOLE_TEXT_MAX = 16 * 1024;

class Decoder {
  private pos = 0;
  private items = 0;
  /** Made on first use: only 8-byte integers and floats need it (rare in credentials). */
  private dataView: DataView | undefined;

  /** decodeCborJsonAt: map keys leading to the item built as JSON, and how many are matched so far. */
  private jsonPath: readonly CborKey[] | undefined;
  private jsonTag: ((tag: CborTag) => string | undefined) | undefined;
  private pathMatched = 0;
  /** The item found at jsonPath (undefined until then). */
  json: CborJson | undefined;
  /**
   * Keys of the plain objects being read, outermost first (plainObject's duplicate check): one
   * list per decode instead of one per object.
   */
  private readonly keys: string[] = [];
  /** How many of `keys` are in use (the list is only overwritten, never shortened: no length change per object). */
  private keyCount = 0;
  /** The whole input read as latin1, made on the first ASCII text string (asciiAt). */
  private latin1: string | undefined;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly maxDepth: number,
    private readonly maxItems: number,
  ) {}

  /** Asks for the item at `path` (map keys from the top) to be built as plain JSON (see decodeCborJsonAt). */
  jsonAt(path: readonly CborKey[], tagText: (tag: CborTag) => string | undefined): void {
    this.jsonPath = path;
    this.jsonTag = tagText;
  }

  private get view(): DataView {
    this.dataView ??= new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.dataView;
  }

  get offset(): number {
    return this.pos;
  }

  private remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number): void {
    if (n > this.remaining()) throw new CborError('truncated', `cut short: ${n} byte${n === 1 ? '' : 's'} needed at offset ${this.pos}, ${this.remaining()} left`);
  }

  private byte(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  /** Reads the argument of a head; returns -1 for the indefinite marker (info 31). */
  private argument(info: number): number | bigint {
    if (info < 24) return info;
    switch (info) {
      case 24:
        return this.byte();
      case 25: {
        this.need(2);
        const b = this.bytes;
        const p = this.pos;
        this.pos += 2;
        return (b[p]! << 8) | b[p + 1]!;
      }
      case 26: {
        this.need(4);
        const b = this.bytes;
        const p = this.pos;
        this.pos += 4;
        return b[p]! * 0x1000000 + ((b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!);
      }
      case 27: {
        this.need(8);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
      }
      case 31:
        return -1;
      default:
        throw new CborError('invalid', `reserved additional info ${info} at offset ${this.pos - 1}`);
    }
  }

  /** A length or count: must be a number no larger than what the remaining input could hold. */
  private length(arg: number | bigint, minBytesEach: number, what: string): number {
    if (typeof arg === 'bigint' || arg * minBytesEach > this.remaining()) {
      throw new CborError('truncated', `${what} length ${String(arg)} exceeds the remaining input`);
    }
    return arg;
  }

  private countItem(): void {
    if (++this.items > this.maxItems) throw new CborError('too-many-items', `more than ${this.maxItems} items`);
  }

  decode(depth: number): CborValue | typeof BREAK {
    const head = this.byte();
    const major = head >> 5;
    const info = head & 0x1f;
    if (head === 0xff) return BREAK;
    this.countItem();
    if (major === 7) return this.simpleOrFloat(info);
    const arg = this.argument(info);
    if (arg === -1 && (major === 0 || major === 1 || major === 6)) {
      throw new CborError('invalid', `indefinite length not allowed for major type ${major}`);
    }
    switch (major) {
      case 0:
        return arg;
      case 1:
        return typeof arg === 'bigint' ? -1n - arg : -1 - arg;
      case 2:
        return arg === -1 ? this.indefiniteString(2, depth) : this.byteString(this.length(arg, 1, 'byte string'));
      case 3:
        return arg === -1 ? this.indefiniteString(3, depth) : this.textString(this.length(arg, 1, 'text string'));
      case 4:
        return this.array(arg, depth + 1);
      case 5:
        return this.map(arg, depth + 1);
      default: {
        // major 6: tag
        if (typeof arg === 'bigint') throw new CborError('unsupported', 'tag number too large');
        this.checkDepth(depth + 1);
        const inner = this.decode(depth + 1);
        if (inner === BREAK) throw new CborError('invalid', 'break where a tagged item was expected');
        return new CborTag(arg, inner);
      }
    }
  }

  private checkDepth(depth: number): void {
    if (depth > this.maxDepth) throw new CborError('too-deep', `nesting deeper than ${this.maxDepth}`);
  }

  /** A view into the input, not a copy (a scan reads its byte strings, never writes them). */
  private byteString(n: number): Uint8Array {
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  private textString(n: number): string {
    const start = this.pos;
    this.pos += n;
    // ASCII (most credential fields): no TextDecoder call.
    const s = this.asciiAt(start, start + n);
    if (s !== undefined) return s;
    const slice = this.bytes.subarray(start, start + n);
    try {
      return utf8.decode(slice);
    } catch {
      throw new CborError('invalid', 'text string is not valid UTF-8');
    }
  }

  /**
   * Bytes [start, end) as text when they are all ASCII, else undefined. In an input of up to
   * WHOLE_TEXT_MAX bytes, a piece of one latin1 reading of the whole input (ASCII bytes read as
   * latin1 are the same text): one native call per decode instead of building every string from
   * its character codes, and a long string comes out flat, where appending pieces made a chain
   * that the first character check had to copy again.
   */
  private asciiAt(start: number, end: number): string | undefined {
    const b = this.bytes;
    if (b.length > WHOLE_TEXT_MAX) return asciiText(b, start, end);
    let bits = 0;
    for (let i = start; i < end; i++) bits |= b[i]!;
    if (bits >= 0x80) return undefined;
    this.latin1 ??= Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
    return this.latin1.slice(start, end);
  }

  /** Indefinite strings: a sequence of definite chunks of the same major type, then a break. */
  private indefiniteString(major: 2 | 3, depth: number): Uint8Array | string {
    this.checkDepth(depth + 1);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0xff) break;
      if (head >> 5 !== major) throw new CborError('invalid', 'indefinite string chunk of another type');
      const arg = this.argument(head & 0x1f);
      if (arg === -1) throw new CborError('invalid', 'nested indefinite string chunk');
      this.countItem();
      const n = this.length(arg, 1, 'string chunk');
      chunks.push(this.bytes.subarray(this.pos, this.pos + n));
      this.pos += n;
      total += n;
    }
    if (major === 3) {
      // RFC 8949 §3.2.3: each chunk is a definite text string, valid UTF-8 on its own, so a code
      // point's bytes are never spread over two chunks; the joined bytes alone could not tell.
      let text = '';
      for (const c of chunks) {
        try {
          text += utf8.decode(c);
        } catch {
          throw new CborError('invalid', 'text string is not valid UTF-8 (in an indefinite-length text string, every chunk must be: RFC 8949 §3.2.3)');
        }
      }
      return text;
    }
    const joined = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      joined.set(c, o);
      o += c.length;
    }
    return joined;
  }

  private array(arg: number | bigint, depth: number): CborValue[] {
    this.checkDepth(depth);
    const out: CborValue[] = [];
    if (arg === -1) {
      for (let i = 0; ; i++) {
        let item: CborValue | typeof BREAK;
        try {
          item = this.decode(depth);
        } catch (err) {
          if (err instanceof CborDuplicateKeyError) err.within({ index: i });
          throw err;
        }
        if (item === BREAK) return out;
        out.push(item);
      }
    }
    const n = this.length(arg, 1, 'array');
    for (let i = 0; i < n; i++) {
      try {
        out.push(this.item(depth));
      } catch (err) {
        if (err instanceof CborDuplicateKeyError) err.within({ index: i });
        throw err;
      }
    }
    return out;
  }

  private map(arg: number | bigint, depth: number): CborMap {
    this.checkDepth(depth);
    const out: CborMap = new Map();
    const n = arg === -1 ? Infinity : this.length(arg, 2, 'map');
    for (let i = 0; i < n; i++) {
      const key = this.mapKey(depth);
      if (key === BREAK) {
        if (arg === -1) return out;
        throw new CborError('invalid', 'break inside a definite map');
      }
      if (typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'string') {
        throw new CborError('unsupported', 'map key is neither an integer nor text');
      }
      if (out.has(key)) throw new CborDuplicateKeyError(key);
      const path = this.jsonPath;
      // A duplicate key deeper down learns the way to its map on the way out (no cost otherwise).
      try {
        if (path !== undefined && this.pathMatched === depth - 1 && key === path[depth - 1]) {
          out.set(key, this.onPath(depth, path.length));
        } else {
          out.set(key, this.item(depth));
        }
      } catch (err) {
        if (err instanceof CborDuplicateKeyError) err.within(key);
        throw err;
      }
    }
    return out;
  }

  /** The value of a map entry on the JSON path: deeper maps as usual, the last one as JSON (its place holds null). */
  private onPath(depth: number, pathLength: number): CborValue {
    if (depth === pathLength) {
      this.json = this.plain(depth);
      this.jsonPath = undefined; // found: a second path match is impossible (duplicate keys are refused)
      return null;
    }
    this.pathMatched = depth;
    const v = this.item(depth);
    this.pathMatched = depth - 1;
    return v;
  }

  /**
   * Decodes one item as plain JSON, counting items and checking depth exactly as decode(depth)
   * does. Throws NOT_PLAIN for anything without a JSON form or any irregularity that decode()
   * would report differently (breaks, indefinite or invalid strings, duplicate keys, bigints).
   */
  private plain(depth: number): CborJson {
    const head = this.byte();
    if (head === 0xff) throw NOT_PLAIN;
    this.countItem();
    const major = head >> 5;
    const info = head & 0x1f;
    if (major === 7) {
      const v = this.simpleOrFloat(info);
      if (v === null || v === true || v === false) return v;
      if (typeof v === 'number' && Number.isFinite(v)) return v;
      throw NOT_PLAIN;
    }
    const arg = this.argument(info);
    if (typeof arg === 'bigint') throw NOT_PLAIN;
    switch (major) {
      case 0:
        if (arg === -1) throw NOT_PLAIN;
        return arg;
      case 1:
        if (arg === -1) throw NOT_PLAIN;
        return -1 - arg;
      case 3:
        if (arg === -1) throw NOT_PLAIN;
        return this.textString(this.length(arg, 1, 'text string'));
      case 4: {
        this.checkDepth(depth + 1);
        const out: CborJson[] = [];
        const n = arg === -1 ? Infinity : this.length(arg, 1, 'array');
        for (let i = 0; i < n; i++) {
          if (arg === -1 && this.bytes[this.pos] === 0xff) {
            this.pos++;
            return out;
          }
          out.push(this.plain(depth + 1));
        }
        return out;
      }
      case 5:
        return this.plainObject(arg, depth + 1);
      case 6: {
        if (arg === -1) throw NOT_PLAIN;
        this.checkDepth(depth + 1);
        const inner = this.decode(depth + 1);
        if (inner === BREAK) throw NOT_PLAIN;
        const text = this.jsonTag?.(new CborTag(arg, inner));
        if (text === undefined) throw NOT_PLAIN;
        return text;
      }
      default:
        throw NOT_PLAIN; // byte strings
    }
  }

  private plainObject(arg: number, depth: number): { [key: string]: CborJson } {
    this.checkDepth(depth);
    const out: { [key: string]: CborJson } = {};
    const n = arg === -1 ? Infinity : this.length(arg, 2, 'map');
    // Duplicate keys: the keys so far, compared one by one while there are few (credential maps
    // hold about ten); a property lookup per key only beyond that. This object's keys sit in
    // this.keys from `base` on (an object inside a value puts its own after them and gives the
    // places back before the next key is read).
    const keys = this.keys;
    const base = this.keyCount;
    for (let i = 0; i < n; i++) {
      const key = this.mapKey(depth);
      if (key === BREAK) {
        if (arg === -1) {
          this.keyCount = base;
          return out;
        }
        throw NOT_PLAIN;
      }
      if (typeof key !== 'string') throw NOT_PLAIN;
      if (i < SMALL_MAP) {
        for (let j = base; j < base + i; j++) if (keys[j] === key) throw NOT_PLAIN;
        keys[base + i] = key;
        this.keyCount = base + i + 1;
      } else if (Object.prototype.hasOwnProperty.call(out, key)) {
        throw NOT_PLAIN;
      }
      const value = this.plain(depth);
      // A key named "__proto__" must stay data, not change the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    }
    this.keyCount = base;
    return out;
  }

  /**
   * A map key. Credential maps are keyed by short ASCII text ("v", "dob", "nam"): those are read
   * here directly; anything else (integers, longer or non-ASCII text, truncation) goes through
   * decode(), so errors and counting are the same either way.
   */
  private mapKey(depth: number): CborValue | typeof BREAK {
    const b = this.bytes;
    const start = this.pos + 1;
    const head = start <= b.length ? b[start - 1]! : 0;
    // 0x61..0x77: text string of 1..23 bytes, length in the head.
    if (head >= 0x61 && head <= 0x77) {
      const end = start + (head & 0x1f);
      if (end <= b.length) {
        if (end - start <= SHORT_KEY_CHARS) {
          const key = shortKey(b, start, end);
          if (key !== undefined) {
            this.countItem();
            this.pos = end;
            return key;
          }
        }
        const key = this.asciiAt(start, end);
        if (key !== undefined) {
          this.countItem();
          this.pos = end;
          return key;
        }
      }
    }
    return this.decode(depth);
  }

  private item(depth: number): CborValue {
    const v = this.decode(depth);
    if (v === BREAK) throw new CborError('invalid', `unexpected break at offset ${this.pos - 1}`);
    return v;
  }

  private simpleOrFloat(info: number): CborValue {
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 24: {
        const v = this.byte();
        if (v < 32) throw new CborError('invalid', 'two-byte simple value below 32');
        return new CborSimple(v);
      }
      case 25: {
        this.need(2);
        const v = halfToNumber(this.view.getUint16(this.pos));
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      default:
        if (info < 20) return new CborSimple(info);
        throw new CborError('invalid', `reserved simple value ${info}`);
    }
  }
}

/**
 * Bytes [start, end) as text when they are all ASCII, else undefined. Eight characters per
 * String.fromCharCode call: appending one character at a time makes a new string per character
 * (a 30-character name left 30 strings of garbage), and this runs for every text string of every
 * scan.
 */
function asciiText(b: Uint8Array, start: number, end: number): string | undefined {
  let s = '';
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const c0 = b[i]!;
    const c1 = b[i + 1]!;
    const c2 = b[i + 2]!;
    const c3 = b[i + 3]!;
    const c4 = b[i + 4]!;
    const c5 = b[i + 5]!;
    const c6 = b[i + 6]!;
    const c7 = b[i + 7]!;
    if ((c0 | c1 | c2 | c3 | c4 | c5 | c6 | c7) & 0x80) return undefined;
    s += String.fromCharCode(c0, c1, c2, c3, c4, c5, c6, c7);
  }
  for (; i < end; i++) {
    const c = b[i]!;
    if (c & 0x80) return undefined;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * Short ASCII map keys ("v", "dob", "nam", "idType", "purpose") as the same string objects every
 * time, instead of a new string per key per scan: a key that becomes an object property must first
 * be found in V8's string table, which a string already from that table skips (about 0.5 µs of the
 * ~3 µs a DCC's claims took; keys of 4–7 characters, most of a CKD1 declaration's, about 5 % of its
 * claims). Keyed by length and bytes; bounded, so hostile input cannot grow it (past the bound,
 * keys are simply decoded).
 */
const SHORT_KEYS = new Map<number, string>();
const SHORT_KEYS_MAX = 4096;
/**
 * Longest key kept: the length and 7 bits per character must fit a safe integer (7 · 128^7 + … <
 * 2^53), so the code names exactly one key.
 */
const SHORT_KEY_CHARS = 7;

function shortKey(b: Uint8Array, start: number, end: number): string | undefined {
  let code = end - start;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c >= 0x80) return undefined;
    code = code * 128 + c;
  }
  let key = SHORT_KEYS.get(code);
  if (key === undefined) {
    key = String.fromCharCode(...b.subarray(start, end));
    if (SHORT_KEYS.size < SHORT_KEYS_MAX) SHORT_KEYS.set(code, key);
  }
  return key;
}

/** IEEE 754 binary16 → number. */
function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes exactly one CBOR item that must span the whole input (trailing bytes are an error).
 * Throws only CborError. Definite-length byte strings in the result are views into `bytes`, not
 * copies: the input must not be changed while the result is in use.
 */
export function decodeCbor(bytes: Uint8Array, options: CborDecodeOptions = {}): CborValue {
  const maxBytes = options.maxBytes ?? DEFAULTS.maxBytes;
  if (bytes.length > maxBytes) throw new CborError('too-large', `input larger than ${maxBytes} bytes`);
  if (bytes.length === 0) throw new CborError('truncated', 'no CBOR item (the bytes are empty)');
  const d = new Decoder(bytes, options.maxDepth ?? DEFAULTS.maxDepth, options.maxItems ?? DEFAULTS.maxItems);
  const v = d.decode(0);
  if (v === BREAK) throw new CborError('invalid', 'break at top level');
  if (d.offset !== bytes.length) {
    const n = bytes.length - d.offset;
    throw new CborError('trailing-bytes', `${n} byte${n === 1 ? '' : 's'} after the end of the CBOR item`);
  }
  return v;
}

/**
 * decodeCbor, except that the item reached through the map keys `path` (from a top-level map,
 * e.g. [-260, 1]) is built directly as plain JSON: text-keyed objects, arrays, text, finite
 * numbers, booleans, null, and tags turned into text by `tagText`. That item is returned as
 * `json` (undefined when the path does not exist); its place in `value` holds null. Everything else
 * is decoded and checked exactly as decodeCbor does (limits, duplicates, UTF-8, trailing bytes).
 *
 * Returns undefined, never throws, when decodeCbor would throw or when the item has no plain JSON
 * form: one pass for the usual input, and the caller decodes again with decodeCbor to name the
 * problem.
 */
export function decodeCborJsonAt(
  bytes: Uint8Array,
  path: readonly CborKey[],
  tagText: (tag: CborTag) => string | undefined,
  options: CborDecodeOptions = {},
): { value: CborValue; json: CborJson | undefined } | undefined {
  if (path.length === 0 || bytes.length > (options.maxBytes ?? DEFAULTS.maxBytes)) return undefined;
  const d = new Decoder(bytes, options.maxDepth ?? DEFAULTS.maxDepth, options.maxItems ?? DEFAULTS.maxItems);
  d.jsonAt(path, tagText);
  try {
    const v = d.decode(0);
    if (v === BREAK || d.offset !== bytes.length) return undefined;
    return { value: v, json: d.json };
  } catch {
    return undefined;
  }
}
