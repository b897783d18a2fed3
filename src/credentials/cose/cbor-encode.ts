/**
 * A small CBOR encoder: enough for COSE Sig_structure, COSE_Sign1 messages and CWT claims
 * (issuing CKD1 tokens). Integers use the shortest head (RFC 8949 preferred serialisation);
 * non-integer numbers are encoded as float64; plain objects become maps with text keys, in
 * insertion order.
 */
import { CborError, CborSimple, CborTag } from './cbor-types.js';
import type { CborValue } from './cbor-types.js';

/** What the encoder accepts: the decoder's model plus plain objects for convenience. */
export type CborEncodable =
  | CborValue
  | CborEncodable[]
  | Map<number | bigint | string, CborEncodable>
  | { [key: string]: CborEncodable };

const MAX_DEPTH = 64;
const utf8 = new TextEncoder();

class Writer {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  u8(v: number): void {
    this.reserve(1);
    this.buf[this.len++] = v;
  }

  head(major: number, arg: number | bigint): void {
    const m = major << 5;
    if (typeof arg === 'bigint') {
      if (arg < 0n || arg > 0xffffffffffffffffn) throw new CborError('unsupported', 'integer out of 64-bit range');
      if (arg < 0x100000000n) return this.head(major, Number(arg));
      this.u8(m | 27);
      const b = new Uint8Array(8);
      new DataView(b.buffer).setBigUint64(0, arg);
      return this.bytes(b);
    }
    if (arg < 24) return this.u8(m | arg);
    if (arg < 0x100) {
      this.u8(m | 24);
      return this.u8(arg);
    }
    if (arg < 0x10000) {
      this.u8(m | 25);
      this.u8(arg >> 8);
      return this.u8(arg & 0xff);
    }
    if (arg < 0x100000000) {
      this.u8(m | 26);
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, arg);
      return this.bytes(b);
    }
    this.head(major, BigInt(arg));
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function encodeNumber(w: Writer, v: number): void {
  if (Number.isSafeInteger(v)) {
    if (v >= 0) w.head(0, v);
    else w.head(1, -1 - v);
    return;
  }
  w.u8(0xfb);
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v);
  w.bytes(b);
}

function encodeItem(w: Writer, v: CborEncodable, depth: number): void {
  if (depth > MAX_DEPTH) throw new CborError('too-deep', `nesting deeper than ${MAX_DEPTH}`);
  if (v === false) return w.u8(0xf4);
  if (v === true) return w.u8(0xf5);
  if (v === null) return w.u8(0xf6);
  if (v === undefined) return w.u8(0xf7);
  if (typeof v === 'number') return encodeNumber(w, v);
  if (typeof v === 'bigint') return v >= 0n ? w.head(0, v) : w.head(1, -1n - v);
  if (typeof v === 'string') {
    const b = utf8.encode(v);
    w.head(3, b.length);
    return w.bytes(b);
  }
  if (v instanceof Uint8Array) {
    w.head(2, v.length);
    return w.bytes(v);
  }
  if (Array.isArray(v)) {
    w.head(4, v.length);
    for (const item of v) encodeItem(w, item, depth + 1);
    return;
  }
  if (v instanceof Map) {
    w.head(5, v.size);
    for (const [k, item] of v) {
      encodeItem(w, k, depth + 1);
      encodeItem(w, item, depth + 1);
    }
    return;
  }
  if (v instanceof CborTag) {
    w.head(6, v.tag);
    return encodeItem(w, v.value, depth + 1);
  }
  if (v instanceof CborSimple) {
    if (v.value < 24) return w.u8(0xe0 | v.value);
    w.u8(0xf8);
    return w.u8(v.value & 0xff);
  }
  const entries = Object.entries(v);
  w.head(5, entries.length);
  for (const [k, item] of entries) {
    encodeItem(w, k, depth + 1);
    encodeItem(w, item, depth + 1);
  }
}

/** Encodes one value. Throws CborError only for values CBOR cannot carry (e.g. > 64-bit ints). */
export function encodeCbor(value: CborEncodable): Uint8Array {
  const w = new Writer();
  encodeItem(w, value, 0);
  return w.result();
}
