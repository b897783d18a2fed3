import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Base45Error, base45Decode, base45Encode } from '../../src/credentials/cose/base45.js';

const text = (s: string) => new TextEncoder().encode(s);

describe('base45 (RFC 9285)', () => {
  it('matches the RFC examples', () => {
    expect(base45Encode(text('AB'))).toBe('BB8');
    expect(base45Encode(text('Hello!!'))).toBe('%69 VD92EX0');
    expect(base45Encode(text('base-45'))).toBe('UJCLQE7W581');
    expect(new TextDecoder().decode(base45Decode('QED8WEX0'))).toBe('ietf!');
  });

  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(base45Decode(base45Encode(bytes))).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['lower case', 'bb8'],
    ['characters outside the alphabet', 'BB#'],
    ['non-ASCII', 'BBé'],
    ['a dangling single character', 'BB8A'],
    ['a triple above 65535', 'GGW'],
    ['a final pair above 255', ':::'.slice(0, 2)],
  ])('rejects %s with a Base45Error', (_what, input) => {
    expect(() => base45Decode(input)).toThrow(Base45Error);
  });

  it('names the offset of the first bad character, wherever it sits in its group', () => {
    expect(() => base45Decode('BB8#B8')).toThrow('invalid base45 character at offset 3');
    expect(() => base45Decode('BB8B#8')).toThrow('invalid base45 character at offset 4');
    // A small letter is named as a letter-case problem.
    expect(() => base45Decode('BB8Bb#')).toThrow("lower-case letter 'b' at offset 4: base45 has capital letters only");
    expect(() => base45Decode('BB8BB\u0130')).toThrow('invalid base45 character at offset 5');
    expect(() => base45Decode('BB8B\u{1F600}')).toThrow('invalid base45 character at offset 4'); // a surrogate pair
    expect(() => base45Decode('BB8B#')).toThrow('invalid base45 character at offset 4');
    // A group that overflows is reported before a bad character in a later group.
    expect(() => base45Decode('GGW#BB')).toThrow('base45 group at offset 0 exceeds two bytes');
  });

  it('decodes and rejects exactly as a plain digit-by-digit reading of RFC 9285 §4.2 (fuzz)', () => {
    const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    const reference = (s: string): Uint8Array | string => {
      if (s.length % 3 === 1) return 'base45 length leaves a dangling character';
      const out: number[] = [];
      for (let i = 0; i < s.length; i += 3) {
        const group = s.slice(i, i + 3);
        let n = 0;
        for (let k = 0; k < group.length; k++) {
          const d = ALPHABET.indexOf(group[k]!);
          if (d < 0 && /[a-z]/.test(group[k]!)) {
            return `lower-case letter '${group[k]!}' at offset ${i + k}: base45 has capital letters only, and this text mixes cases (a scan entirely in lower case is read upper-cased)`;
          }
          if (d < 0) return `invalid base45 character at offset ${i + k}`;
          n += d * 45 ** k;
        }
        if (group.length === 3) {
          if (n > 0xffff) return `base45 group at offset ${i} exceeds two bytes`;
          out.push(n >> 8, n & 0xff);
        } else {
          if (n > 0xff) return `base45 group at offset ${i} exceeds one byte`;
          out.push(n);
        }
      }
      return Uint8Array.from(out);
    };
    const char = fc.constantFrom(...`${ALPHABET}abc#\u00e9\u0130\u0100\u{1F600}`.split(''), ':', ':', 'Z', 'Z');
    fc.assert(
      fc.property(fc.array(char, { maxLength: 40 }).map((a) => a.join('')), (s) => {
        const expected = reference(s);
        if (typeof expected === 'string') expect(() => base45Decode(s)).toThrow(expected);
        else expect(base45Decode(s)).toEqual(expected);
      }),
      { numRuns: 5000 },
    );
  });

  it('decodes text longer than a QR code when the caller raises the bound, then short text again', () => {
    const big = Uint8Array.from({ length: 6000 }, (_, i) => (i * 31) & 0xff);
    expect(base45Decode(base45Encode(big), 10_000)).toEqual(big);
    expect(new TextDecoder().decode(base45Decode('QED8WEX0'))).toBe('ietf!');
  });

  it('refuses input over the bound before decoding it', () => {
    expect(() => base45Decode('0'.repeat(4299))).toThrow(/longer than 4296/);
    expect(() => base45Decode('000', 2)).toThrow(Base45Error);
  });

  it('fuzz: any string decodes or throws Base45Error, nothing else (10,000 runs)', () => {
    const alphabetChar = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:abc#\u00e9\u{1F600}'.split(''));
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.array(alphabetChar, { maxLength: 60 }).map((a) => a.join(''))), (s) => {
        try {
          const out = base45Decode(s);
          expect(out.length).toBeLessThanOrEqual(Math.ceil((s.length * 2) / 3));
        } catch (err) {
          expect(err).toBeInstanceOf(Base45Error);
        }
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('base45 output from the shared pool', () => {
  it('is a plain Uint8Array of its own bytes: independent of other results, slice copies, every byte decoded', () => {
    const a = base45Decode(base45Encode(Uint8Array.from([1, 2, 3, 4, 5])));
    const b = base45Decode(base45Encode(Uint8Array.from([9, 8, 7])));
    expect(Object.getPrototypeOf(a)).toBe(Uint8Array.prototype);
    expect([...a]).toEqual([1, 2, 3, 4, 5]);
    expect([...b]).toEqual([9, 8, 7]);
    b.fill(0);
    expect([...a]).toEqual([1, 2, 3, 4, 5]);
    const copy = a.slice();
    copy[0] = 77;
    expect(a[0]).toBe(1);
    // A failed decode in between leaves no stale bytes in the next result.
    expect(() => base45Decode('GGW')).toThrow(Base45Error);
    const zeros = base45Decode(base45Encode(new Uint8Array(300)));
    expect(zeros.every((x) => x === 0)).toBe(true);
    expect(zeros.length).toBe(300);
  });
});

describe('base45: white space inside the text is named', () => {
  it('a line break, a tab or a no-break space is named with its offset, whatever the length', () => {
    const message = (what: string, at: number) => `${what} at offset ${at} inside the base45 text: the code is one unbroken line (was it wrapped or split?)`;
    // Length 7 (a dangling character once the line break is counted): the line break is named, not the length.
    expect(() => base45Decode('BB8\nBB8')).toThrow(message('a line break (U+000A)', 3));
    expect(() => base45Decode('BB8\r\nBB8')).toThrow(message('a line break (U+000D)', 3));
    expect(() => base45Decode('BB\tB8')).toThrow(message('a tab (U+0009)', 2));
    expect(() => base45Decode('BB8\u00A0BB')).toThrow(message('white space (U+00A0)', 3));
    // The space is a base45 digit.
    expect(() => base45Decode('BB8 BB')).not.toThrow();
    // Without white space the length is still named.
    expect(() => base45Decode('BB8A')).toThrow('base45 length leaves a dangling character');
  });
});
