/** FHIR R4 date / dateTime reading for SMART Health Cards (src/credentials/shc/fhir-date.ts). */
import { describe, expect, it } from 'vitest';
import { fhirSpan } from '../../src/credentials/shc/fhir-date.js';

const H = 3_600_000;

describe('fhirSpan', () => {
  it('spans a plain date from its start at UTC+14 to its end at UTC−12, before and after 1970', () => {
    expect(fhirSpan('2021-01-01')).toEqual({ startMs: Date.UTC(2021, 0, 1) - 14 * H, endMs: Date.UTC(2021, 0, 2) + 12 * H - 1 });
    expect(fhirSpan('1951-01-20')).toEqual({ startMs: Date.UTC(1951, 0, 20) - 14 * H, endMs: Date.UTC(1951, 0, 21) + 12 * H - 1 });
    expect(fhirSpan('2024-02-29')).toBeDefined();
  });

  it('spans a month and a year whole, and reads years below 1000 as written', () => {
    expect(fhirSpan('2021-02')).toEqual({ startMs: Date.UTC(2021, 1, 1) - 14 * H, endMs: Date.UTC(2021, 2, 1) + 12 * H - 1 });
    expect(fhirSpan('2021')).toEqual({ startMs: Date.UTC(2021, 0, 1) - 14 * H, endMs: Date.UTC(2022, 0, 1) + 12 * H - 1 });
    expect(new Date(fhirSpan('0099-06-15')!.startMs + 14 * H).toISOString()).toBe('0099-06-15T00:00:00.000Z');
  });

  it('reads a date-time with seconds and a zone as one instant', () => {
    expect(fhirSpan('2021-01-01T10:00:00+07:00')).toEqual({ startMs: Date.UTC(2021, 0, 1, 3), endMs: Date.UTC(2021, 0, 1, 3) });
    expect(fhirSpan('2021-01-01T10:00:00.123Z')?.startMs).toBe(Date.UTC(2021, 0, 1, 10, 0, 0, 123));
    expect(fhirSpan('2021-01-01T00:00:00+14:00')).toBeDefined();
  });

  it.each([
    '2021-02-29', '2021-02-30', '2021-13-01', '2021-00-10', '2021-01-32', '0000-01-01', '2021-1-1', '21-01-01',
    '2021-01-01 ', '2021-01-01garbage', '2021-01-01T10:00:00', '2021-01-01T10:00Z', '2021-01-01T25:00:00Z', '2021-01-01T10:00:00+15:00', '',
  ])('refuses %j', (text) => {
    expect(fhirSpan(text)).toBeUndefined();
  });

  it('refuses a time where only a date belongs, and anything not a string', () => {
    expect(fhirSpan('2021-01-01T10:00:00Z', true)).toBeUndefined();
    expect(fhirSpan('2021-01-01', true)).toBeDefined();
    for (const v of [20210101, null, undefined, {}, ['2021-01-01']]) expect(fhirSpan(v)).toBeUndefined();
  });
});
