/**
 * The DCC schema's string patterns as character checks (src/credentials/dcc/schema-patterns.ts):
 * each must answer exactly what the eu-dcc-schema pattern answers, for any text.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COUNTRY_PATTERN,
  DATE_PATTERN,
  DOB_PATTERN,
  ICAO_NAME_PATTERN,
  VERSION_PATTERN,
  hasCountryLetters,
  isCalendarDate,
  isDobText,
  isIcaoName,
  isSchemaVersion,
} from '../../src/credentials/dcc/schema-patterns.js';

/** Text made mostly of the characters the patterns care about, plus line terminators and non-ASCII. */
const near = (chars: string, maxLength = 14) =>
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...chars.split('')), maxLength }),
    fc.string({ unit: fc.constantFrom(...chars.split(''), '\n', '\r', '\u2028', 'é', '٣', 'x', ' '), maxLength }),
    fc.string({ maxLength }),
  );

/** The calendar rule as the schema stated it before: the pattern, then the month's length. */
function calendarReference(text: string): boolean {
  const m = DATE_PATTERN.exec(text);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]!;
}

describe('DCC schema patterns as character checks', () => {
  const runs = { numRuns: 20_000 };

  it('schema version: ^\\d+.\\d+.\\d+$', () => {
    for (const v of ['1.3.0', '10.20.30', '1a2b3', '12345', '1234', '1.3.0\n', '1.3', '1..3.0', '1.3.0.4', '', '١.٣.٠']) {
      expect(isSchemaVersion(v), v).toBe(VERSION_PATTERN.test(v));
    }
    fc.assert(fc.property(near('0123456789.'), (v) => isSchemaVersion(v) === VERSION_PATTERN.test(v)), runs);
  });

  it('date of birth: empty, YYYY, YYYY-MM or YYYY-MM-DD from 1900 to 2099', () => {
    for (const v of ['', '1990', '1990-05', '1990-05-04', '2099-99-99', '1890-05-04', '199-05-04', '1990-5-4', '1990-05-04\n', '1990-', '٢٠٠٠']) {
      expect(isDobText(v), v).toBe(DOB_PATTERN.test(v));
    }
    fc.assert(fc.property(near('0123456789-', 11), (v) => isDobText(v) === DOB_PATTERN.test(v)), runs);
    fc.assert(
      fc.property(fc.constantFrom('19', '20', '18', '2', '1'), near('0123456789-', 9), (a, b) => isDobText(a + b) === DOB_PATTERN.test(a + b)),
      runs,
    );
  });

  it('standardised names: ^[A-Z<]*$', () => {
    for (const v of ['', 'NGUYEN', 'VAN<AN', 'van<an', 'VAN AN', 'ÉLODIE', 'A\n']) expect(isIcaoName(v), v).toBe(ICAO_NAME_PATTERN.test(v));
    fc.assert(fc.property(near('ABCXYZ<@[`a'), (v) => isIcaoName(v) === ICAO_NAME_PATTERN.test(v)), runs);
  });

  it('country: [A-Z]{1,10} unanchored', () => {
    for (const v of ['VN', 'vn', '', '1', 'vN', 'ÀÉ']) expect(hasCountryLetters(v), v).toBe(COUNTRY_PATTERN.test(v));
    fc.assert(fc.property(near('AZaz@[`{0'), (v) => hasCountryLetters(v) === COUNTRY_PATTERN.test(v)), runs);
  });

  it('calendar date: YYYY-MM-DD of a real day', () => {
    for (const v of ['2024-02-29', '2023-02-29', '1900-02-29', '2000-02-29', '2023-04-31', '0000-01-01', '2023-1-01', '2023-01-01\n', '٢٠٢٣-01-01']) {
      expect(isCalendarDate(v), v).toBe(calendarReference(v));
    }
    const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: n, maxLength: n });
    fc.assert(
      fc.property(digits(4), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const v = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
        return isCalendarDate(v) === calendarReference(v);
      }),
      runs,
    );
    fc.assert(fc.property(near('0123456789-', 11), (v) => isCalendarDate(v) === calendarReference(v)), runs);
  });
});
