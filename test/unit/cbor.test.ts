import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborError, CborSimple, CborTag, decodeCbor, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborValue } from '../../src/credentials/cose/cbor.js';

const hex = (h: string) => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function cborErrorCode(bytes: Uint8Array, opts?: Parameters<typeof decodeCbor>[1]): string {
  try {
    decodeCbor(bytes, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(CborError);
    return (err as CborError).code;
  }
  throw new Error('expected a CborError');
}

describe('CBOR decoder: RFC 8949 Appendix A', () => {
  it.each<[string, CborValue]>([
    ['00', 0],
    ['17', 23],
    ['1818', 24],
    ['1903e8', 1000],
    ['1a000f4240', 1000000],
    ['1b000000e8d4a51000', 1000000000000],
    ['1bffffffffffffffff', 18446744073709551615n],
    ['20', -1],
    ['3863', -100],
    ['3bffffffffffffffff', -18446744073709551616n],
    ['f90000', 0],
    ['f93c00', 1],
    ['f97bff', 65504],
    ['f90001', 5.960464477539063e-8],
    ['f9c400', -4],
    ['f97c00', Infinity],
    ['fa47c35000', 100000],
    ['fb3ff199999999999a', 1.1],
    ['f4', false],
    ['f5', true],
    ['f6', null],
    ['f7', undefined],
    ['4401020304', Uint8Array.from([1, 2, 3, 4])],
    ['6449455446', 'IETF'],
    ['62c3bc', 'ü'],
    ['19ffff', 65535],
    ['1a80000000', 2147483648],
    ['1affffffff', 4294967295],
    ['3a7fffffff', -2147483648],
    ['3affffffff', -4294967296],
    ['647f000a41', '\x7f\x00\nA'],
    ['6c4cc6b0c6a16e672056c3a06e', 'L\u01b0\u01a1ng V\u00e0n'],
    ['83010203', [1, 2, 3]],
    ['9fff', []],
    ['9f018202039f0405ffff', [1, [2, 3], [4, 5]]],
    ['5f42010243030405ff', Uint8Array.from([1, 2, 3, 4, 5])],
    ['7f657374726561646d696e67ff', 'streaming'],
  ])('%s', (h, expected) => {
    expect(decodeCbor(hex(h))).toEqual(expected);
  });

  it('decodes NaN halves, maps with int and text keys, tags and simple values', () => {
    expect(decodeCbor(hex('f97e00'))).toBeNaN();
    expect(decodeCbor(hex('a201020304'))).toEqual(new Map([[1, 2], [3, 4]]));
    expect(decodeCbor(hex('bf6346756ef563416d7421ff'))).toEqual(new Map<string, CborValue>([['Fun', true], ['Amt', -2]]));
    expect(decodeCbor(hex('c11a514b67b0'))).toEqual(new CborTag(1, 1363896240));
    expect(decodeCbor(hex('f0'))).toEqual(new CborSimple(16));
    expect(decodeCbor(hex('f8ff'))).toEqual(new CborSimple(255));
  });
});

describe('CBOR decoder: malformed and hostile input', () => {
  it('rejects 10,000 levels of nesting without a stack overflow', () => {
    expect(cborErrorCode(new Uint8Array(10_000).fill(0x81))).toBe('too-deep');
    expect(cborErrorCode(new Uint8Array(10_000).fill(0x9f))).toBe('too-deep');
    expect(cborErrorCode(new Uint8Array(10_000).fill(0xc1))).toBe('too-deep');
    const deepMaps = new Uint8Array(20_000);
    for (let i = 0; i < deepMaps.length; i += 2) deepMaps.set([0xa1, 0x01], i);
    expect(cborErrorCode(deepMaps)).toBe('too-deep');
  });

  it('accepts nesting up to the depth limit', () => {
    const bytes = new Uint8Array(34).fill(0x81); // 33 nested arrays around a 0
    bytes[33] = 0x00;
    expect(cborErrorCode(bytes)).toBe('too-deep');
    expect(() => decodeCbor(bytes.subarray(1))).not.toThrow();
  });

  it('never allocates a declared length larger than the input', () => {
    expect(cborErrorCode(hex('5bffffffffffffffff'))).toBe('truncated'); // 2^64-1 byte string
    expect(cborErrorCode(hex('5a7fffffff00'))).toBe('truncated'); // 2 GiB byte string
    expect(cborErrorCode(hex('7a7fffffff00'))).toBe('truncated');
    expect(cborErrorCode(hex('9a7fffffff00'))).toBe('truncated'); // 2^31 items declared
    expect(cborErrorCode(hex('bb0000000100000000'))).toBe('truncated');
    expect(cborErrorCode(hex('5f5a7fffffff00ff'))).toBe('truncated');
  });

  it('caps the number of items', () => {
    const arr = new Uint8Array(1 + 2 + 1000).fill(0x00);
    arr.set([0x99, 0x03, 0xe8], 0);
    expect(decodeCbor(arr)).toHaveLength(1000);
    expect(cborErrorCode(arr, { maxItems: 500 })).toBe('too-many-items');
    expect(cborErrorCode(new Uint8Array(10), { maxBytes: 5 })).toBe('too-large');
  });

  it.each([
    ['empty input', '', 'truncated'],
    ['truncated integer', '19 01', 'truncated'],
    ['truncated float', 'fb 3ff1', 'truncated'],
    ['truncated array', '83 01 02', 'truncated'],
    ['reserved additional info', '1c', 'invalid'],
    ['indefinite integer', '1f', 'invalid'],
    ['indefinite tag', 'df', 'invalid'],
    ['lone break', 'ff', 'invalid'],
    ['break in a definite array', '82 01 ff', 'invalid'],
    ['break in a definite map', 'a1 ff 00', 'invalid'],
    ['break as a map value', 'bf 01 ff', 'invalid'],
    ['mixed indefinite string chunks', '5f 61 61 ff', 'invalid'],
    ['nested indefinite string chunk', '5f 5f ff ff', 'invalid'],
    ['invalid UTF-8', '62 c3 28', 'invalid'],
    ['invalid UTF-8 in chunks', '7f 61 c3 61 28 ff', 'invalid'],
    // RFC 8949 §3.2.3: a text chunk is a text string of its own, so one code point's UTF-8 bytes
    // cannot be spread over two chunks ("ễ" E1 BB 85 as E1 | BB 85): was read as "ễ".
    ['a code point split between text chunks', '7f 61 e1 62 bb 85 ff', 'invalid'],
    ['two-byte simple below 32', 'f8 10', 'invalid'],
    ['reserved simple', 'fc', 'invalid'],
    ['duplicate map key', 'a2 01 02 01 03', 'invalid'],
    ['array as map key', 'a1 80 01', 'unsupported'],
    ['huge tag number', 'db ffffffffffffffff 00', 'unsupported'],
    ['trailing bytes', '01 02', 'trailing-bytes'],
    ['truncated 4-byte argument', '1a 00 01', 'truncated'],
    ['truncated 2-byte length', '59 01', 'truncated'],
    ['byte string longer than the input', '5a 00 00 01 00 01 02', 'truncated'],
    ['short text string longer than the input', '65 61 62', 'truncated'],
    ['invalid UTF-8 after an ASCII start', '64 61 62 63 ff', 'invalid'],
    ['a lone continuation byte in short text', '63 61 80 62', 'invalid'],
    ['an overlong encoding in short text', '62 c0 af', 'invalid'],
    ['an unpaired surrogate (CESU) in short text', '63 ed a0 80', 'invalid'],
  ])('%s → CborError %s', (_what, h, code) => {
    expect(cborErrorCode(hex(h))).toBe(code);
  });

  it('fuzz: random bytes decode or throw CborError, nothing else (10,000 runs)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeCbor(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(CborError);
        }
      }),
      { numRuns: 10_000 },
    );
  });

  it('fuzz: mutated valid CBOR decodes or throws CborError (10,000 runs)', () => {
    const seed = encodeCbor(new Map<number | string, CborValue>([[1, 'DE'], [4, 1700000000], [-260, new Map([[1, new Map([['v', [1, 2.5, null]]])]])]]));
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), (edits) => {
        const bytes = seed.slice();
        for (const [i, b] of edits) bytes[i] = b;
        try {
          decodeCbor(bytes);
        } catch (err) {
          expect(err).toBeInstanceOf(CborError);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('CBOR decoder: text strings of every length and script', () => {
  it('decodes ASCII, Latin, Vietnamese, CJK and emoji text of 0–200 characters as the UTF-8 it carries', () => {
    const samples = ['', 'A', 'NGUYEN<VAN<AN', 'Nguyễn Văn An', '李小龙', '😀x', 'é'.repeat(40), 'a'.repeat(64) + 'é', 'b'.repeat(65), 'c'.repeat(200)];
    for (const s of samples) {
      const bytes = encodeCbor(s);
      expect(decodeCbor(bytes)).toBe(s);
      // And inside a map, as a DCC carries its names.
      expect(decodeCbor(encodeCbor(new Map([['fn', s]])))).toEqual(new Map([['fn', s]]));
    }
  });

  it('reads map keys of every text shape: short ASCII, 23 and 24 bytes, non-ASCII, integers; and refuses duplicates and truncation', () => {
    const keys = ['a', 'dob', 'x'.repeat(23), 'y'.repeat(24), 'né', 'ü', '\u007f', ''];
    const m = new Map<string | number, CborValue>(keys.map((k, i) => [k, i]));
    m.set(-260, 'int');
    expect(decodeCbor(encodeCbor(m))).toEqual(m);
    expect(cborErrorCode(hex('a2 61 61 01 61 61 02'))).toBe('invalid'); // duplicate short key
    expect(cborErrorCode(hex('a2 62 c3 bc 01 62 c3 bc 02'))).toBe('invalid'); // duplicate non-ASCII key
    expect(cborErrorCode(hex('a1 63 61 62'))).toBe('truncated'); // key longer than the input
    expect(cborErrorCode(hex('a1 62 c3 28 01'))).toBe('invalid'); // key not UTF-8
    // Keys count as items like any other value.
    expect(cborErrorCode(hex('a2 61 61 01 61 62 02'), { maxItems: 4 })).toBe('too-many-items');
    expect(decodeCbor(hex('a2 61 61 01 61 62 02'), { maxItems: 5 })).toEqual(new Map([['a', 1], ['b', 2]]));
    // Indefinite-length maps and keys given as indefinite text strings take the general path.
    expect(decodeCbor(hex('bf 61 61 01 7f 61 62 61 63 ff 02 ff'))).toEqual(new Map([['a', 1], ['bc', 2]]));
    expect(cborErrorCode(hex('bf 61 61 01 7f 61 61 ff 02 ff'))).toBe('invalid'); // "a" twice, once chunked
    expect(cborErrorCode(hex('bf 61 61 01'))).toBe('truncated'); // no break
  });

  it('fuzz: any string round-trips, any bytes as a text string decode exactly when they are UTF-8 (5,000 runs)', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 80 }), fc.uint8Array({ maxLength: 80 }), (s, raw) => {
        expect(decodeCbor(encodeCbor(s))).toBe(new TextDecoder().decode(new TextEncoder().encode(s)));
        const head = raw.length < 24 ? [0x60 | raw.length] : [0x78, raw.length];
        const bytes = Uint8Array.from([...head, ...raw]);
        let expected: string | undefined;
        try {
          expected = strict.decode(raw);
        } catch {
          expected = undefined;
        }
        if (expected === undefined) expect(cborErrorCode(bytes)).toBe('invalid');
        else expect(decodeCbor(bytes)).toBe(expected);
      }),
      { numRuns: 5000 },
    );
  });
});

describe('CBOR encoder', () => {
  it.each<[CborValue, string]>([
    [0, '00'],
    [23, '17'],
    [24, '1818'],
    [1000, '1903e8'],
    [1000000, '1a000f4240'],
    [1000000000000, '1b000000e8d4a51000'],
    [18446744073709551615n, '1bffffffffffffffff'],
    [-1, '20'],
    [-1000, '3903e7'],
    [-18446744073709551616n, '3bffffffffffffffff'],
    [1.1, 'fb3ff199999999999a'],
    ['IETF', '6449455446'],
    [Uint8Array.from([1, 2]), '420102'],
    [[1, [2, 3]], '8201820203'],
    [new Map<number, CborValue>([[1, 2]]), 'a10102'],
    [new CborTag(18, []), 'd280'],
    [true, 'f5'],
    [false, 'f4'],
    [null, 'f6'],
  ])('encodes %s', (value, h) => {
    expect(toHex(encodeCbor(value))).toBe(h);
  });

  it('encodes plain objects as text-keyed maps', () => {
    expect(decodeCbor(encodeCbor({ a: 1, b: [true] }))).toEqual(new Map<string, CborValue>([['a', 1], ['b', [true]]]));
  });

  it('refuses integers beyond 64 bits', () => {
    expect(() => encodeCbor(2n ** 64n)).toThrow(CborError);
  });

  it('round-trips JSON-like values', () => {
    const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.integer(),
        fc.string(),
        fc.boolean(),
        fc.constant(null),
        fc.uint8Array({ maxLength: 8 }),
        fc.array(tie('v'), { maxLength: 4 }),
        fc.uniqueArray(fc.tuple(fc.oneof(fc.integer(), fc.string()), tie('v')), { maxLength: 4, selector: (t) => t[0] }).map((e) => new Map(e)),
      ),
    })).v;
    fc.assert(
      fc.property(value, (v) => {
        expect(decodeCbor(encodeCbor(v))).toEqual(v);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('CBOR text keeps a leading U+FEFF', () => {
  // TextDecoder drops a leading byte order mark unless told not to (ignoreBOM): CBOR text strings
  // are read as their code points (RFC 8949 §3.1 major type 3), a U+FEFF included.
  it('a text string starting with U+FEFF is read with it', () => {
    expect(decodeCbor(encodeCbor('\uFEFFab'))).toBe('\uFEFFab');
    expect(decodeCbor(encodeCbor('\uFEFFNguyễn'))).toBe('\uFEFFNguyễn');
    expect(decodeCbor(hex('7f 63 ef bb bf 61 61 ff'))).toBe('\uFEFFa');
  });

  it('a key "\\uFEFFv" is another key than "v", not the same one given twice', () => {
    const m = decodeCbor(hex('a2 64 ef bb bf 76 01 61 76 02')) as Map<string, number>;
    expect([...m.keys()]).toEqual(['\uFEFFv', 'v']);
  });
});
