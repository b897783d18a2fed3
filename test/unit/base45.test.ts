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
