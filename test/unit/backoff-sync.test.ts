import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, fullJitterDelay, parseRetryAfter } from '../../src/sync/backoff.js';

describe('fullJitterDelay', () => {
  const policy = { baseMs: 1_000, capMs: 300_000 };

  it('doubles the ceiling per failure up to the cap', () => {
    const top = (n: number) => fullJitterDelay(n, policy, () => 0.999999);
    expect([1, 2, 3, 4].map(top)).toEqual([999, 1999, 3999, 7999]);
    expect(top(9)).toBe(255_999);
    expect(top(10)).toBe(299_999);
    expect(top(1_000)).toBe(299_999);
  });

  it('is always within [0, min(cap, base·2^(n-1))) for any random source', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000 }), fc.double({ min: 0, max: 1, noNaN: true }), (n, r) => {
        const d = fullJitterDelay(n, policy, () => r);
        const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** Math.min(Math.max(n - 1, 0), 40));
        return Number.isInteger(d) && d >= 0 && d <= ceiling;
      }),
    );
  });

  it('spreads retries: zero jitter draw means retry at once', () => {
    expect(fullJitterDelay(5, policy, () => 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-25T10:00:00Z');

  it('reads delay-seconds and HTTP dates', () => {
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
  });

  it('clamps dates in the past to 0 and huge values to the maximum', () => {
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(MAX_RETRY_AFTER_MS);
  });

  it('ignores absent or garbage values', () => {
    for (const v of [undefined, '', 'soon', '-5', '1.5', 'x'.repeat(100), 42]) expect(parseRetryAfter(v, now)).toBeUndefined();
  });
});
