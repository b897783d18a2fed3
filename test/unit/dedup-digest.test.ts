/**
 * The store's v2 duplicate hash (dedup-hash.ts keyedDigester): HMAC-SHA-256 of the key text under
 * the duplicate key, computed from two one-shot digests over reused buffers. Held byte for byte to
 * createHmac for any text — long ones past the in-place buffer, lone surrogates, a short text right
 * after a long one — and the same without crypto.hash (the createHmac fallback).
 */
import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keyedDigester, keyedHasher } from '../../src/store/dedup-hash.js';

const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text, 'utf8').digest();

describe('keyedDigester', () => {
  it('is HMAC-SHA-256 of the UTF-8 text under the key, as latin1 text and as a Buffer, for any text', () => {
    const key = randomBytes(32);
    const digest = keyedDigester(createSecretKey(key));
    const hash = keyedHasher(createSecretKey(key));
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ maxLength: 7000 })), (text) => {
        const expected = hmac(key, text);
        expect(Buffer.from(digest(text), 'latin1')).toEqual(expected);
        expect(hash(text)).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });

  it('gives the same bytes around the in-place bound and after a longer text, with lone surrogates', () => {
    const key = randomBytes(32);
    const digest = keyedDigester(createSecretKey(key));
    // 2048 code units of 3 UTF-8 bytes fill the in-place buffer exactly; 2049 take the other road.
    const texts = ['ễ'.repeat(2048), 'ễ'.repeat(2049), 'x', '', '\ud800', 'a\udc00b', 'cccd:content:001090100000|123456789|Nguyễn Văn An', 'x'.repeat(6000), 'y'];
    for (const text of texts) expect(Buffer.from(digest(text), 'latin1')).toEqual(hmac(key, text));
  });

  it('falls back to createHmac when Node has no crypto.hash, with the same answers', () => {
    const key = randomBytes(32);
    const fallback = keyedDigester(createSecretKey(key), undefined);
    const oneShot = keyedDigester(createSecretKey(key));
    for (const text of ['', 'Nguyễn', '\ud800', 'z'.repeat(5000)]) {
      expect(fallback(text)).toBe(oneShot(text));
      expect(Buffer.from(fallback(text), 'latin1')).toEqual(hmac(key, text));
    }
  });

  it('differs per key', () => {
    const a = keyedDigester(createSecretKey(randomBytes(32)));
    const b = keyedDigester(createSecretKey(randomBytes(32)));
    expect(a('cccd:content:001090100000')).not.toBe(b('cccd:content:001090100000'));
  });
});
