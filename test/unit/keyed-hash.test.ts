import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KeyedSha256 } from '../../src/store/keyed-hash.js';

describe('KeyedSha256 (HMAC-SHA-256 with the key schedule done once)', () => {
  it('matches the RFC 4231 test cases 1, 2 and 6 (key longer than a block)', () => {
    expect(new KeyedSha256(Buffer.alloc(20, 0x0b)).digest('Hi There').toString('hex')).toBe(
      'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    );
    expect(new KeyedSha256(Buffer.from('Jefe')).digest('what do ya want for nothing?').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
    expect(new KeyedSha256(Buffer.alloc(131, 0xaa)).digest(Buffer.from('Test Using Larger Than Block-Size Key - Hash Key First')).toString('hex')).toBe(
      '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    );
  });

  it('equals createHmac for any key and message, string (UTF-8) or bytes, call after call', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 150 }), fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 120 }), fc.uint8Array({ maxLength: 300 })), { minLength: 1, maxLength: 4 }), (key, messages) => {
        const mac = new KeyedSha256(Buffer.from(key));
        for (const m of messages) {
          const message = typeof m === 'string' ? m : Buffer.from(m);
          expect(mac.digest(message).equals(createHmac('sha256', Buffer.from(key)).update(message).digest())).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('an empty key and an empty message are HMAC too (not a plain hash)', () => {
    expect(new KeyedSha256(Buffer.alloc(0)).digest('').equals(createHmac('sha256', Buffer.alloc(0)).update('').digest())).toBe(true);
  });
});
