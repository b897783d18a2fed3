import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cleanField, splitPipeFields } from '../../src/credentials/text.js';

/** What splitPipeFields gave before it looked at each field once: split, then clean every part. */
function reference(text: string): string[] {
  return text.split('|').map(cleanField);
}

/** Characters that make a field need cleaning or normalising, and the field separator. */
const TRICKY = [
  ' ', '  ', '\t', '\r', '\n', '\u00A0', '\u1680', '\u2000', '\u2001', '\u200A', '\u2028', '\u2029', '\u202F', '\u205F', '\u3000', '\uFEFF',
  '|', 'a', 'Z', '0', '.', '-', "'", '~', '\u007F', '\u0085',
  'ễ', 'Ữ', 'e\u0302\u0303', 'u\u031B\u0303', 'A\u030A', '\u212B', '\u0958', '\uD83D\uDE00', '\uD800',
];

describe('splitPipeFields', () => {
  it('gives what splitting and cleaning every field gives, for any text', () => {
    const tricky = fc.array(fc.constantFrom(...TRICKY), { maxLength: 40 }).map((parts) => parts.join(''));
    const text = fc.oneof(tricky, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 80 }), fc.string({ unit: 'grapheme', maxLength: 40 }));
    fc.assert(
      fc.property(text, (t) => {
        expect(splitPipeFields(t)).toEqual(reference(t));
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves clean fields as they are, cleans the others and puts Vietnamese text in NFC', () => {
    expect(splitPipeFields('001085012345|123456789|Nguyễn Văn An|15031985')).toEqual(['001085012345', '123456789', 'Nguyễn Văn An', '15031985']);
    expect(splitPipeFields(' a |b  c|\td\r\n|\u00A0e\uFEFF|')).toEqual(['a', 'b c', 'd', 'e', '']);
    expect(splitPipeFields('Nguye\u0302\u0303n|N\u1EEF')).toEqual(['Nguyễn', 'Nữ']);
    expect(splitPipeFields('')).toEqual(['']);
    expect(splitPipeFields('||')).toEqual(['', '', '']);
  });
});
