import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/credentials/iso-time.js';

/** What isoTime must equal: toISOString, or the RangeError it throws. */
function reference(ms: number): string {
  try {
    return new Date(ms).toISOString();
  } catch (err) {
    return `${(err as Error).name}`;
  }
}

function actual(ms: number): string {
  try {
    return isoTime(ms);
  } catch (err) {
    return `${(err as Error).name}`;
  }
}

describe('isoTime', () => {
  it('equals toISOString at the edges: epoch, leap days, century years, the last instant before year 10000 and past it', () => {
    const edges = [
      0, 0.9, -0, -0.5, -1, 1, 999, 1000, 86_399_999, 86_400_000,
      Date.UTC(2000, 1, 29, 23, 59, 59, 999), Date.UTC(2100, 1, 28), Date.UTC(2100, 2, 1), Date.UTC(2400, 1, 29),
      Date.UTC(1972, 11, 31, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 0.5,
      253_402_300_800_000, 8.64e15, 8.64e15 + 1, -8.64e15, Number.NaN, Infinity, -Infinity, 1e300,
    ];
    for (const ms of edges) expect(actual(ms), String(ms)).toBe(reference(ms));
  });

  it('equals toISOString for any instant from 1970 to 9999, with and without a fraction of a millisecond', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.constantFrom(0, 0.25, 0.999), (ms, frac) => {
        expect(actual(ms + frac)).toBe(reference(ms + frac));
      }),
      { numRuns: 20_000 },
    );
  });

  it('equals toISOString before 1970 and for any double (through Date)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 0 }), fc.double()), (ms) => {
        expect(actual(ms)).toBe(reference(ms));
      }),
      { numRuns: 5000 },
    );
  });

  it('every day of 1999–2101 at a random time of day', () => {
    for (let day = Date.UTC(1999, 0, 1) / 86_400_000; day < Date.UTC(2102, 0, 1) / 86_400_000; day++) {
      const ms = day * 86_400_000 + ((day * 7_919_113) % 86_400_000);
      expect(actual(ms)).toBe(reference(ms));
    }
  });
});
