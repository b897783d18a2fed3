/**
 * The one-pass CWT → JSON read (decodeCborJsonAt, decodeCwtClaimsJsonAt): for any payload it
 * either gives exactly what the two passes give (decodeCbor, then cborToJson of claim -260/1), or
 * gives up (undefined) where those passes fail or the value has no plain JSON form, so the DCC
 * verifier's reasons and paths come from the two passes alone.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborSimple, CborTag, decodeCbor, decodeCborJsonAt, encodeCbor, isCborMap } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable, CborValue } from '../../src/credentials/cose/cbor.js';
import { decodeCwtClaims, decodeCwtClaimsJsonAt } from '../../src/credentials/cose/cwt.js';
import { cborToJson, tagToJson } from '../../src/credentials/dcc/json.js';
import type { JsonValue } from '../../src/credentials/dcc/json.js';

const PATH = [-260, 1] as const;
const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

/** A CWT claims map carrying `dcc` at -260/1. */
function cwt(dcc: CborEncodable, extra: [number | string, CborEncodable][] = []): Uint8Array {
  return encodeCbor(new Map<number | string, CborEncodable>([[1, 'VN'], [4, 1_700_000_000], [6, 1_600_000_000], [-260, new Map([[1, dcc]])], ...extra]));
}

/** The two passes: the generic decode and the JSON of -260/1, or the error either threw. */
function twoPass(bytes: Uint8Array): { value: CborValue; json: JsonValue } | { error: unknown } {
  try {
    const value = decodeCbor(bytes);
    const hcert = isCborMap(value) ? value.get(-260) : undefined;
    const raw = hcert !== undefined && isCborMap(hcert) ? hcert.get(1) : undefined;
    if (raw === undefined) return { error: 'no -260/1' };
    return { value, json: cborToJson(raw) };
  } catch (error) {
    return { error };
  }
}

/** The one-pass result must be the two-pass one (with null in place of the DCC), or undefined where that fails. */
function expectAgreement(bytes: Uint8Array): 'one-pass' | 'fallback' {
  const one = decodeCborJsonAt(bytes, PATH, tagToJson);
  const two = twoPass(bytes);
  if (one === undefined) return 'fallback';
  if (one.json === undefined) {
    expect(two).toEqual({ error: 'no -260/1' }); // decoded, but no DCC where the path leads
    return 'fallback';
  }
  expect('error' in two, 'one pass succeeded where the two passes fail').toBe(false);
  if ('error' in two) return 'fallback';
  expect(one.json).toEqual(two.json);
  expect(JSON.stringify(one.json)).toBe(JSON.stringify(two.json)); // same member order
  const expected = two.value as Map<number, CborValue>;
  (expected.get(-260) as Map<number, CborValue>).set(1, null);
  expect(one.value).toEqual(expected);
  return 'one-pass';
}

/** JSON-shaped values plus, now and then, something without a JSON form. */
const { value: arbValue } = fc.letrec<{ value: CborEncodable }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.string({ unit: 'grapheme', maxLength: 30 }),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.boolean(),
    fc.constant(null),
    fc.constantFrom<CborEncodable>(
      new CborTag(0, '2021-06-01T10:00:00Z'),
      new CborTag(1, 1_622_541_600),
      new CborTag(1, 1.5),
      new CborTag(2, 'x'),
      new Uint8Array([1, 2]),
      undefined,
      new CborSimple(5),
      Infinity,
      NaN,
      2n ** 63n,
      new Map([[1, 'integer key']]),
    ),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('__proto__', 'toString', 'constructor', '1', 'v', 'dob')), tie('value'), { maxKeys: 5 }),
  ),
}));

describe('decodeCborJsonAt: one pass agrees with decodeCbor + cborToJson', () => {
  it('reads a DCC-shaped payload in one pass', () => {
    const dcc = { ver: '1.3.0', nam: { fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Văn An', gnt: 'VAN<AN' }, dob: '1990-05-04', v: [{ tg: '840539006', dn: 2, sd: 2, dt: '2021-09-01', ci: 'URN:UVCI:01:VN:TEST0001#X', x: 1.5, ok: true, none: null }] };
    const bytes = cwt(dcc);
    expect(expectAgreement(bytes)).toBe('one-pass');
    const claims = decodeCwtClaimsJsonAt(bytes, PATH, tagToJson);
    expect(claims?.json).toEqual(dcc);
    const slow = decodeCwtClaims(bytes);
    expect({ iss: claims?.claims.iss, exp: claims?.claims.exp, iat: claims?.claims.iat }).toEqual({ iss: slow.iss, exp: slow.exp, iat: slow.iat });
  });

  it('turns date tags 0 and 1 into text and keeps "__proto__" as data', () => {
    const one = decodeCborJsonAt(cwt(new Map<string, CborEncodable>([['a', new CborTag(0, '2021-06-01T10:00:00Z')], ['b', new CborTag(1, 1_622_541_600)], ['__proto__', { polluted: true }]])), PATH, tagToJson);
    const json = one?.json as Record<string, unknown>;
    expect(json.a).toBe('2021-06-01T10:00:00Z');
    expect(json.b).toBe('2021-06-01T10:00:00Z');
    expect(Object.getPrototypeOf(json)).toBe(Object.prototype);
    expect(Object.keys(json)).toContain('__proto__');
  });

  it.each<[string, CborEncodable]>([
    ['a byte string', { v: [{ ci: new Uint8Array([1]) }] }],
    ['an integer key', new Map<number | string, CborEncodable>([['v', 1], [7, 'x']])],
    ['another tag', { dt: new CborTag(2, 'x') }],
    ['undefined', { dt: undefined }],
    ['a non-finite float', { dn: Infinity }],
    ['an integer beyond 2^53', { dn: 2n ** 63n }],
    ['a simple value', { dn: new CborSimple(5) }],
  ])('gives up on %s (the two passes name it)', (_, dcc) => {
    const bytes = cwt(dcc);
    expect(decodeCborJsonAt(bytes, PATH, tagToJson)).toBeUndefined();
    expect(decodeCwtClaimsJsonAt(bytes, PATH, tagToJson)).toBeUndefined();
    expect('error' in twoPass(bytes)).toBe(true);
  });

  it('gives up on malformed input: duplicate keys inside and outside the DCC, truncation, trailing bytes, limits', () => {
    // {-260: {1: {"a": 1, "a": 2}}}
    const dupInside = hex('a1 390103 a1 01 a2 6161 01 6161 02');
    // {-260: {1: {}}, -260: 1}
    const dupOutside = hex('a2 390103 a1 01 a0 390103 01');
    const good = cwt({ a: [1, 2, 3] });
    for (const bytes of [dupInside, dupOutside, good.subarray(0, good.length - 1), Uint8Array.from([...good, 0])]) {
      expect(decodeCborJsonAt(bytes, PATH, tagToJson)).toBeUndefined();
      expect('error' in twoPass(bytes)).toBe(true);
    }
    // The same limits at the same counts: find decodeCbor's smallest passing limit, then compare around it.
    const smallest = (bytes: Uint8Array, key: 'maxDepth' | 'maxItems') => {
      let n = 1;
      for (;;) {
        try {
          decodeCbor(bytes, { [key]: n });
          return n;
        } catch {
          n++;
        }
      }
    };
    for (const [bytes, key] of [[cwt([[[[[1]]]]]), 'maxDepth'], [cwt({ a: [1, 2, 3, 4], b: { c: new CborTag(1, 0) } }), 'maxItems'], [cwt({ a: [{ b: [1] }] }), 'maxDepth']] as const) {
      const n = smallest(bytes, key);
      expect(decodeCborJsonAt(bytes, PATH, tagToJson, { [key]: n })).toBeDefined();
      expect(decodeCborJsonAt(bytes, PATH, tagToJson, { [key]: n - 1 })).toBeUndefined();
    }
  });

  it('checks duplicate keys per object, however objects nest (the same key in an inner and an outer object is no duplicate)', () => {
    // Text-keyed maps written by hand so keys may repeat: [key, value bytes] pairs.
    const map = (...entries: [string, string][]) =>
      `${(0xa0 + entries.length).toString(16)} ${entries.map(([k, v]) => `${(0x60 + k.length).toString(16)} ${Buffer.from(k).toString('hex')} ${v}`).join(' ')}`;
    const indefinite = (...entries: [string, string][]) => `bf ${map(...entries).slice(3)} ff`;
    const claims = (dcc: string) => hex(`a1 390103 a1 01 ${dcc}`);
    const many = Array.from({ length: 18 }, (_, i): [string, string] => [`k${i}`, '01']);
    const cases: [string, string][] = [
      ['inner repeats an outer key', map(['a', map(['a', '01'])], ['b', '02'])],
      ['outer key after an inner object holding it', map(['a', map(['x', '01'])], ['x', '02'])],
      ['objects in a list', map(['v', `82 ${map(['a', '01'], ['b', '02'])} ${map(['b', '03'], ['a', '04'])}`], ['a', '05'])],
      ['an indefinite inner object', map(['a', indefinite(['a', '01'], ['b', '02'])], ['b', '03'])],
      ['two outer keys after an inner object, the second one of its keys', map(['a', map(['x', '01'])], ['b', '02'], ['x', '03'])],
      ['two outer keys after an indefinite inner object, the second one of its keys', map(['a', indefinite(['x', '01'])], ['b', '02'], ['x', '03'])],
      ['an outer duplicate after an inner object', map(['a', map(['x', '01'])], ['b', '02'], ['a', '03'])],
      ['an outer duplicate of the key just after an inner object', map(['a', map(['x', '01'])], ['b', '02'], ['b', '03'])],
      ['an outer duplicate of the key just after an indefinite inner object', map(['a', indefinite(['x', '01'])], ['b', '02'], ['b', '03'])],
      ['an inner duplicate', map(['a', map(['x', '01'], ['x', '02'])])],
      ['a duplicate in an indefinite inner object', map(['a', indefinite(['x', '01'], ['y', '02'], ['x', '03'])])],
      ['a duplicate of the first key beyond 16 keys', map(...many, ['k0', '02'])],
      ['18 keys, an inner object at the end repeating one', map(...many, ['z', map(['k3', '01'])])],
    ];
    for (const [what, dcc] of cases) expect(expectAgreement(claims(dcc)), what).toBe(what.includes('duplicate') ? 'fallback' : 'one-pass');
  });

  it('reads indefinite-length maps and arrays, and leaves indefinite text to the two passes', () => {
    // {-260: {1: {_ "a": [_ 1, 2]}}}
    const indefinite = hex('a1 390103 a1 01 bf 6161 9f 01 02 ff ff');
    expect(expectAgreement(indefinite)).toBe('one-pass');
    // {-260: {1: {"a": (_ "b", "c")}}}
    const chunked = hex('a1 390103 a1 01 a1 6161 7f 6162 6163 ff');
    expect(decodeCborJsonAt(chunked, PATH, tagToJson)).toBeUndefined();
    expect(twoPass(chunked)).toMatchObject({ json: { a: 'bc' } });
  });

  it('finds nothing when the path is not there or not under maps', () => {
    expect(decodeCborJsonAt(encodeCbor(new Map([[1, 'VN']])), PATH, tagToJson)?.json).toBeUndefined();
    expect(decodeCborJsonAt(encodeCbor(new Map([[-260, [new Map([[1, 'x']])]]])), PATH, tagToJson)?.json).toBeUndefined();
    expect(decodeCborJsonAt(encodeCbor(new Map([[-260, new CborTag(5, new Map([[1, 'x']]))]])), PATH, tagToJson)?.json).toBeUndefined();
    expect(decodeCborJsonAt(encodeCbor(new Map([[-260, new Map([[2, new Map([[1, 'x']])]])]])), PATH, tagToJson)?.json).toBeUndefined();
    expect(decodeCwtClaimsJsonAt(encodeCbor(new Map([[1, 'VN']])), PATH, tagToJson)).toBeUndefined();
  });

  it('gives up where the claims themselves are wrong (iss not text, exp not a number)', () => {
    for (const extra of [[[1, 5]], [[4, 'soon']]] as [number, CborEncodable][][]) {
      const bytes = encodeCbor(new Map<number, CborEncodable>([...extra, [-260, new Map([[1, { a: 1 }]])]]));
      expect(decodeCborJsonAt(bytes, PATH, tagToJson)).toBeDefined();
      expect(decodeCwtClaimsJsonAt(bytes, PATH, tagToJson)).toBeUndefined();
      expect(() => decodeCwtClaims(bytes)).toThrow();
    }
  });

  it('fuzz: random values at -260/1 — same JSON, or a fallback exactly where the two passes fail (3,000 runs)', () => {
    let onePass = 0;
    fc.assert(
      fc.property(arbValue, (dcc) => {
        const bytes = cwt(dcc);
        const outcome = expectAgreement(bytes);
        if (outcome === 'one-pass') onePass++;
        // Everything the encoder writes (definite lengths) that the two passes accept is read in one pass.
        else expect('error' in twoPass(bytes)).toBe(true);
      }),
      { numRuns: 3000 },
    );
    expect(onePass).toBeGreaterThan(1000);
  });

  it('fuzz: mutated payloads never succeed in one pass where the two passes fail (10,000 runs)', () => {
    const seed = cwt({ ver: '1.3.0', nam: { fn: 'A', gnt: 'B<C' }, v: [{ dn: 2, dt: new CborTag(1, 1_622_541_600), x: 1.5, ok: true, none: null }] });
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), (edits) => {
        const bytes = seed.slice();
        for (const [i, b] of edits) bytes[i] = b;
        expectAgreement(bytes);
      }),
      { numRuns: 10_000 },
    );
  });
});
