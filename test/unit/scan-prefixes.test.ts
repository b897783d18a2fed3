/**
 * The prefix checks every scan goes through (provisioning card, SMART Health Card) and the
 * whitespace test they share, against their first versions (trimStart, slice and case change).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { hasShcPrefix } from '../../src/credentials/shc/numeric.js';
import { isWhitespaceCode } from '../../src/shared/whitespace.js';

const PIECES = [' ', '\t', '\r\n', '\u00A0', '\u2000', '\u3000', '\uFEFF', '\u0085', 'c', 'C', 'k', 'K', 'p', 'P', '1', ':', 's', 'S', 'h', 'H', '/', 'ſ', 'K', 'ß', 'İ', 'x'];
const text = fc.oneof(fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((p) => p.join('')), fc.string({ unit: 'binary', maxLength: 12 }));

describe('scan prefixes', () => {
  it('isProvisioningCard answers as trimStart + slice + toUpperCase did, for any text', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(isProvisioningCard(t)).toBe(t.trimStart().slice(0, 5).toUpperCase() === 'CKP1:');
      }),
      { numRuns: 5000 },
    );
    expect(isProvisioningCard(' \uFEFFckp1:ABC')).toBe(true);
  });

  it('hasShcPrefix answers as slice + toLowerCase did, for any text', () => {
    fc.assert(
      fc.property(text, (t) => {
        expect(hasShcPrefix(t)).toBe(t.length >= 5 && t.slice(0, 5).toLowerCase() === 'shc:/');
      }),
      { numRuns: 5000 },
    );
    expect(hasShcPrefix('SHC:/567')).toBe(true);
  });

  it('isWhitespaceCode is the set \\s and trim() know, for every UTF-16 code unit', () => {
    for (let c = 0; c <= 0xffff; c++) {
      const ch = String.fromCharCode(c);
      expect(isWhitespaceCode(c)).toBe(/\s/.test(ch));
      expect(isWhitespaceCode(c)).toBe(ch.trim() === '');
    }
  });
});
