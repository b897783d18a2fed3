/**
 * parseCoseSign1 reads the usual message shape directly and everything else through the generic
 * CBOR decoder (parseCoseSign1Generic). For any bytes both readings must agree: the same message
 * (headers, views of the same bytes, tag) or the same error class and message.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborTag, decodeCbor, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable, CborValue } from '../../src/credentials/cose/cbor.js';
import { parseCoseSign1, parseCoseSign1Generic } from '../../src/credentials/cose/cose.js';

/** Where a view lies in the input (both readings return views, never copies). */
const place = (v: Uint8Array, input: Uint8Array) => ({ sameBuffer: v.buffer === input.buffer, offset: v.byteOffset, length: v.length });

/** The reading of `bytes`, with byte strings by place: the same place in the same input is the same bytes. */
function outcome(read: typeof parseCoseSign1, bytes: Uint8Array): unknown {
  try {
    const m = read(bytes);
    return {
      tagged: m.tagged,
      protectedHeader: m.protectedHeader,
      unprotectedHeader: m.unprotectedHeader,
      protectedBytes: place(m.protectedBytes, bytes),
      payload: place(m.payload, bytes),
      signature: place(m.signature, bytes),
    };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** Both readings agree; true when the bytes parsed. */
function expectAgreement(bytes: Uint8Array): boolean {
  const direct = outcome(parseCoseSign1, bytes);
  expect(direct).toEqual(outcome(parseCoseSign1Generic, bytes));
  return !('error' in (direct as object));
}

/** A COSE_Sign1-like message: optional tags 61 and 18, and byte strings around the 1- and 2-byte length limits. */
const message = fc
  .record({
    cwt: fc.boolean(),
    tag18: fc.boolean(),
    protectedHeader: fc.oneof(
      fc.constant(encodeCbor(new Map<number, CborEncodable>([[1, -7], [4, Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8)]]))),
      fc.constant(encodeCbor(new Map<number, CborEncodable>([[1, -37]]))),
      fc.constant(new Uint8Array(0)),
      fc.uint8Array({ maxLength: 12 }),
    ),
    unprotected: fc.oneof(fc.constant(new Map<number, CborEncodable>()), fc.constant(new Map<number, CborEncodable>([[4, Uint8Array.of(9)]]))),
    payloadLength: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 30 }), weight: 4 },
      { arbitrary: fc.integer({ min: 250, max: 260 }), weight: 4 },
      { arbitrary: fc.integer({ min: 65_533, max: 65_537 }), weight: 1 },
    ),
    signatureLength: fc.constantFrom(0, 23, 24, 64, 256),
  })
  .map((m) => {
    const body: CborEncodable = [m.protectedHeader, m.unprotected, new Uint8Array(m.payloadLength).fill(0x41), new Uint8Array(m.signatureLength).fill(7)];
    let value: CborEncodable = m.tag18 ? new CborTag(18, body as CborValue) : body;
    if (m.cwt) value = new CborTag(61, value as CborValue);
    return encodeCbor(value);
  });

/** One change to the bytes: a byte replaced, a cut, or bytes appended. */
const mutated = fc.tuple(message, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'append', 'none')).map(([bytes, at, byte, how]) => {
  const i = bytes.length === 0 ? 0 : at % bytes.length;
  if (how === 'set') {
    const out = Uint8Array.from(bytes);
    out[i] = byte;
    return out;
  }
  if (how === 'cut') return bytes.subarray(0, i);
  if (how === 'append') return Uint8Array.from([...bytes, byte]);
  return bytes;
});

describe('COSE_Sign1: the direct reading of the usual shape', () => {
  it('agrees with the generic reading on real-shaped messages and on every one-byte change to them (3,000 runs)', () => {
    let parsed = 0;
    fc.assert(
      fc.property(mutated, (bytes) => {
        if (expectAgreement(bytes)) parsed++;
      }),
      { numRuns: 3000 },
    );
    expect(parsed).toBeGreaterThan(300); // many inputs did parse, so both branches were compared
  });

  it('agrees on arbitrary bytes behind a plausible first byte', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x84, 0xd2, 0xd8), fc.uint8Array({ maxLength: 80 }), (first, rest) => {
        expectAgreement(Uint8Array.from([first, ...rest]));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a tag-61-wrapped tagged message and an untagged one as the generic decoder does', () => {
    const body: CborEncodable = [encodeCbor(new Map([[1, -7]])), new Map(), Uint8Array.of(1, 2), Uint8Array.of(3)];
    expect(parseCoseSign1(encodeCbor(new CborTag(61, new CborTag(18, body as CborValue))))).toMatchObject({ tagged: true });
    expect(parseCoseSign1(encodeCbor(body))).toMatchObject({ tagged: false });
    expect(expectAgreement(encodeCbor(new CborTag(61, body as CborValue)))).toBe(true);
  });
});

/** A header in order, byte strings by place in `input` (so a copy or a reordering shows). */
const inOrder = (header: Map<unknown, unknown>, input: Uint8Array) =>
  [...header].map(([k, v]) => [k, v instanceof Uint8Array ? place(v, input) : v]);

/** The protected header parseCoseSign1 reads from `bytes`. */
function directHeader(bytes: Uint8Array): unknown {
  try {
    return inOrder(parseCoseSign1(bytes).protectedHeader, bytes);
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** The same header through the generic decoder alone (RFC 9052 §3: a map, or empty bytes for none). */
function genericHeader(bytes: Uint8Array, prot: Uint8Array): unknown {
  try {
    if (prot.length === 0) return [];
    const value = decodeCbor(prot, { maxDepth: 8 });
    if (!(value instanceof Map)) return { error: 'CoseError: protected header is not a map' };
    return inOrder(value, bytes);
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** Protected headers near the usual one: alg and kid in either order, repeated, other labels and values. */
const protectedHeader = fc.oneof(
  fc
    .array(
      fc.tuple(
        fc.constantFrom(1, 4, 1, 4, 3, -1),
        fc.oneof(
          fc.constantFrom(-7, -37, -35, -257, -24, -25, -256, 0, 23, 24, 'ES256'),
          fc.uint8Array({ maxLength: 30 }),
          fc.integer({ min: 250, max: 260 }).map((n) => new Uint8Array(n)),
        ),
      ),
      { minLength: 0, maxLength: 3 },
    )
    .map((entries) => {
      // Built by hand so a label may repeat (a Map could not hold that).
      const parts: Uint8Array[] = [Uint8Array.of(0xa0 + entries.length)];
      for (const [k, v] of entries) parts.push(encodeCbor(k), encodeCbor(v as CborEncodable));
      return Uint8Array.from(parts.flatMap((p) => [...p]));
    }),
  fc.uint8Array({ maxLength: 16 }).map((rest) => Uint8Array.of(0xa2, ...rest)),
);

/** A message around a protected header (maybe with one byte changed), and where that header lies in it. */
const withHeader = fc.tuple(protectedHeader, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()).map(([prot, at, byte, change]) => {
  const header = Uint8Array.from(prot);
  if (change && header.length > 0) header[at % header.length] = byte;
  const bytes = encodeCbor(new CborTag(18, [header, new Map(), Uint8Array.of(1, 2, 3), new Uint8Array(64)] as CborValue));
  const start = 1 + 1 + (header.length < 24 ? 1 : header.length < 256 ? 2 : 3); // tag 18, array head, bstr head
  return { bytes, prot: bytes.subarray(start, start + header.length) };
});

describe('COSE_Sign1: the direct reading of the usual protected header', () => {
  it('gives the generic decoder’s header (same entries, same order, kid a view of the same bytes) or its error (5,000 runs)', () => {
    let read = 0;
    fc.assert(
      fc.property(withHeader, ({ bytes, prot }) => {
        const direct = directHeader(bytes);
        expect(direct).toEqual(genericHeader(bytes, prot));
        if (!('error' in (direct as object))) read++;
      }),
      { numRuns: 5000 },
    );
    expect(read).toBeGreaterThan(1000);
  });

  it('reads kid-first and alg-first headers in their own order', () => {
    const kid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
    for (const order of [[[1, -37], [4, kid]], [[4, kid], [1, -7]]] as [number, CborEncodable][][]) {
      const bytes = encodeCbor([encodeCbor(new Map(order)), new Map(), Uint8Array.of(1), Uint8Array.of(2)]);
      expect([...parseCoseSign1(bytes).protectedHeader.keys()]).toEqual(order.map(([k]) => k));
    }
  });
});
