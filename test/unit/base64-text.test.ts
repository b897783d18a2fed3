/** base64Text (src/credentials/cose/base64.ts) writes exactly what Buffer writes, for any bytes and any view. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Text } from '../../src/credentials/cose/base64.js';

describe('base64Text', () => {
  it('equals Buffer base64 for every length around the JavaScript/Buffer boundary', () => {
    for (let n = 0; n <= 200; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 151 + n) & 0xff);
      expect(base64Text(bytes), `${n} bytes`).toBe(Buffer.from(bytes).toString('base64'));
    }
  });

  it('equals Buffer base64 for any bytes seen through a view at any offset (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), fc.nat({ max: 16 }), fc.nat({ max: 16 }), (all, from, cut) => {
        const view = all.subarray(Math.min(from, all.length), Math.max(Math.min(from, all.length), all.length - cut));
        expect(base64Text(view)).toBe(Buffer.from(view).toString('base64'));
      }),
      { numRuns: 5000 },
    );
  });
});
