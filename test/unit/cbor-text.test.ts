/**
 * CBOR text strings (RFC 8949 §3.1, major type 3) as the decoder reads them: every reading
 * (decodeCbor, decodeCborJsonAt on and off its JSON path, map keys and values, short and long
 * strings, inputs below and above the size up to which ASCII strings are cut from one latin1
 * reading of the whole input) must give exactly what a fatal UTF-8 TextDecoder gives for the
 * same bytes, and refuse exactly the bytes it refuses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeHc1 } from '../../src/credentials/dcc/index.js';
import { CborError, decodeCbor, decodeCborJsonAt } from '../../src/credentials/cose/cbor.js';
import { tagToJson } from '../../src/credentials/dcc/json.js';

const reference = new TextDecoder('utf-8', { fatal: true });

/** The reference reading of some bytes as a CBOR text string: the text, or undefined when not UTF-8. */
function expected(bytes: Uint8Array): string | undefined {
  try {
    return reference.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Head of an item of major type `major` with argument `n` (shortest form, RFC 8949 §3). */
function head(major: number, n: number): number[] {
  const m = major << 5;
  if (n < 24) return [m | n];
  if (n < 0x100) return [m | 24, n];
  if (n < 0x10000) return [m | 25, n >> 8, n & 0xff];
  return [m | 26, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

const text = (bytes: Uint8Array): number[] => [...head(3, bytes.length), ...bytes];
/** An unsigned integer item (head only). */
const uint = (n: number): number[] => head(0, n);
const negative = (n: number): number[] => head(1, -1 - n);

/**
 * The same bytes in the places the decoder reads text: as a lone item; as an array element
 * after `padding` (a byte string that moves the text deeper into the input, past the size of
 * the whole-input reading when large); as a map key and value; and inside a CWT-shaped
 * {-260: {1: {key: [text]}}} where decodeCborJsonAt builds the JSON.
 */
function placements(bytes: Uint8Array, padding: number): { name: string; cbor: Uint8Array; read: (v: unknown) => unknown }[] {
  const t = text(bytes);
  const pad = [...head(2, padding), ...new Uint8Array(padding).fill(0x41)];
  return [
    { name: 'lone', cbor: Uint8Array.from(t), read: (v) => v },
    { name: 'array element', cbor: Uint8Array.from([0x82, ...pad, ...t]), read: (v) => (v as unknown[])[1] },
    { name: 'map value', cbor: Uint8Array.from([0xa2, ...uint(1), ...pad, ...uint(2), ...t]), read: (v) => (v as Map<number, unknown>).get(2) },
    { name: 'map key', cbor: Uint8Array.from([0xa2, ...uint(1), ...pad, ...t, ...uint(7)]), read: (v) => [...(v as Map<unknown, unknown>).keys()][1] },
  ];
}

/** {-260: {1: {"p": pad, key: [value]}}}: key and value read by the JSON pass. */
function onPath(key: Uint8Array, value: Uint8Array, padding: number): Uint8Array {
  const pad = [...text(new Uint8Array(1).fill(0x70)), ...text(new Uint8Array(padding).fill(0x42))];
  return Uint8Array.from([0xa1, ...negative(-260), 0xa1, ...uint(1), 0xa2, ...pad, ...text(key), 0x81, ...text(value)]);
}

/**
 * Bytes that are often ASCII, often UTF-8 with multi-byte characters, and sometimes anything;
 * lengths across the whole range (size 'max': fast-check otherwise keeps most of them short).
 */
const textBytes = fc.oneof(
  fc.string({ unit: 'binary-ascii', maxLength: 90, size: 'max' }).map((s) => new TextEncoder().encode(s)),
  fc.string({ unit: 'grapheme', maxLength: 40, size: 'max' }).map((s) => new TextEncoder().encode(s)),
  fc.string({ unit: 'binary', maxLength: 40, size: 'max' }).map((s) => new TextEncoder().encode(s)),
  fc.uint8Array({ maxLength: 40, size: 'max' }),
  fc.uint8Array({ maxLength: 70, min: 0x20, max: 0x7f, size: 'max' }).chain((a) => fc.nat(a.length).map((i) => Uint8Array.from([...a.subarray(0, i), 0x80, ...a.subarray(i)]))),
);

/** Padding below and above the whole-input reading's size (16 KiB). */
const padding = fc.oneof(fc.constant(0), fc.nat(300), fc.integer({ min: 16 * 1024 - 300, max: 16 * 1024 + 300 }));

describe('CBOR text strings read exactly as a fatal UTF-8 TextDecoder reads them', () => {
  it('gives every short ASCII map key back as itself, however many others of its length came before (keys are kept by their bytes)', () => {
    // First in this file (each test file has its own module state), so no other test has filled
    // the 4,096 kept keys yet, and fewer keys than that, so each one is kept: two keys sharing a
    // kept string would show here. First keys that differ only in their last character, at every
    // length around the longest kept one, then short pairs and triples, then random keys.
    const keys: string[] = [];
    for (const stem of ['', 'sym', 'sympto', 'symptom', 'symptoms']) for (let c = 0x20; c < 0x7f; c++) keys.push(stem + String.fromCharCode(c));
    for (let a = 0x20; a < 0x7f; a += 3) for (let b = 0x20; b < 0x7f; b += 5) keys.push(String.fromCharCode(a, b), String.fromCharCode(b, a, a));
    keys.push(...fc.sample(fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 9, size: 'max' }), { numRuns: 1500, seed: 42 }));
    for (const key of keys) {
      const bytes = new TextEncoder().encode(key);
      const generic = decodeCbor(Uint8Array.from([0xa1, ...text(bytes), 0x01])) as Map<string, number>;
      expect([...generic.keys()]).toEqual([key]);
      const json = decodeCborJsonAt(Uint8Array.from([0xa1, ...uint(1), 0xa1, ...text(bytes), 0x01]), [1], tagToJson)?.json as Record<string, number>;
      expect(Object.keys(json)).toEqual([key]);
    }
  });

  it('decodeCbor: same text, or "not valid UTF-8" exactly where the reference refuses (2,000 runs)', () => {
    fc.assert(
      fc.property(textBytes, padding, (bytes, pad) => {
        const want = expected(bytes);
        for (const p of placements(bytes, pad)) {
          if (want === undefined) {
            expect(() => decodeCbor(p.cbor), p.name).toThrow(new CborError('invalid', 'text string is not valid UTF-8'));
          } else {
            expect(p.read(decodeCbor(p.cbor)), p.name).toBe(want);
          }
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('decodeCborJsonAt: the same key and value on the JSON path, or no JSON where the reference refuses either (2,000 runs)', () => {
    fc.assert(
      fc.property(textBytes, textBytes, padding, (key, value, pad) => {
        const k = expected(key);
        const v = expected(value);
        const cbor = onPath(key, value, pad);
        const one = decodeCborJsonAt(cbor, [-260, 1], tagToJson);
        if (k === undefined || v === undefined) {
          expect(one).toBeUndefined();
          return;
        }
        if (k === 'p') {
          expect(one).toBeUndefined(); // a duplicate of the padding's key
          return;
        }
        const json = one?.json as Record<string, unknown>;
        expect(Object.prototype.hasOwnProperty.call(json, k)).toBe(true);
        expect(json[k]).toEqual([v]);
        // The same members in the same order as an object built key by key ("__proto__" as data).
        const want: Record<string, unknown> = { p: 'B'.repeat(pad) };
        Object.defineProperty(want, k, { value: [v], enumerable: true, writable: true, configurable: true });
        expect(Object.keys(json)).toEqual(Object.keys(want));
        expect(JSON.stringify(json)).toBe(JSON.stringify(want));
      }),
      { numRuns: 2000 },
    );
  });

  it('gives flat, independent strings: reading them does not depend on the input staying unchanged', () => {
    const bytes = new TextEncoder().encode('Ministry of Health of Viet Nam');
    const cbor = Uint8Array.from([0x82, ...text(bytes), ...text(bytes.subarray(0, 2))]);
    const [long, short] = decodeCbor(cbor) as [string, string];
    cbor.fill(0x30);
    expect(long).toBe('Ministry of Health of Viet Nam');
    expect(short).toBe('Mi');
  });

  it('reads the ASCII edges (0x00, 0x7f) as text and refuses a lone 0x80, at every length up to 70', () => {
    for (let n = 1; n <= 70; n++) {
      for (const [fill, at] of [[0x00, -1], [0x7f, -1], [0x41, n - 1], [0x41, 0], [0x41, n >> 1]] as const) {
        const bytes = new Uint8Array(n).fill(fill);
        if (at >= 0) bytes[at] = 0x80;
        const want = expected(bytes);
        for (const p of placements(bytes, 5)) {
          if (want === undefined) expect(() => decodeCbor(p.cbor)).toThrow(CborError);
          else expect(p.read(decodeCbor(p.cbor))).toBe(want);
        }
      }
    }
  });

  it('reads every public EU DCC test vector\'s payload the same whether it is cut from one latin1 reading or built string by string', () => {
    // The same payload as the first item of [payload, a 17 KiB byte string]: past the 16 KiB
    // bound, every text string is built from its own bytes (the reading before the latin1 one).
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/testdata/dgc');
    const walk = (dir: string): string[] =>
      fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.json') ? [path.join(dir, e.name)] : []));
    const padding = [...head(2, 17 * 1024), ...new Uint8Array(17 * 1024)];
    let compared = 0;
    let refused = 0;
    for (const file of walk(root)) {
      const prefix = (JSON.parse(fs.readFileSync(file, 'utf8')) as { PREFIX?: unknown }).PREFIX;
      if (typeof prefix !== 'string') continue;
      const decoded = decodeHc1(prefix);
      if (!decoded.ok) continue;
      const payload = decoded.cose.payload;
      let small: unknown;
      try {
        small = decodeCbor(payload);
      } catch (err) {
        small = err;
      }
      let large: unknown;
      try {
        large = (decodeCbor(Uint8Array.from([0x82, ...payload, ...padding])) as unknown[])[0];
      } catch (err) {
        large = err; // the payload's own error (a truncated payload may read into the padding: then no comparison)
      }
      if (small instanceof Error) {
        refused++;
        if (large instanceof Error) expect(large.message, file).toBe(small.message);
        continue;
      }
      expect(large, file).toEqual(small);
      compared++;
    }
    expect(compared).toBeGreaterThan(400);
    expect(refused).toBeLessThan(50);
  });
});
