/**
 * The DCC schema's calendar checks (src/credentials/dcc/schema.ts): real dates only, February by
 * the Gregorian leap-year rule, date-times with valid hours, minutes, seconds and offsets.
 */
import { describe, expect, it } from 'vitest';
import { validateDccSchema } from '../../src/credentials/dcc/schema.js';
import type { JsonValue } from '../../src/credentials/dcc/json.js';
import { sampleVaccination } from '../helpers/dcc-issuer.js';

const withDate = (dt: string): JsonValue => {
  const dcc = JSON.parse(JSON.stringify(sampleVaccination())) as { v: { dt: string }[] };
  dcc.v[0]!.dt = dt;
  return dcc as unknown as JsonValue;
};

describe('DCC schema: calendar dates', () => {
  it.each([
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2023-02-28', true],
    ['2023-04-30', true],
    ['2023-04-31', false],
    ['2023-12-31', true],
    ['2023-13-01', false],
    ['2023-00-10', false],
    ['2023-01-00', false],
    ['2023-01-32', false],
    ['2021-09-01T10:00:00Z', true],
    ['2021-09-01T23:59:60+14:00', true],
    ['2021-09-01T24:00:00Z', false],
    ['2021-09-01T10:60:00Z', false],
    ['2021-09-01T10:00:00+24:00', false],
    ['2021-09-01T10:00:00-05:60', false],
    ['2021-02-30T10:00:00Z', false],
  ])('%s → %s', (dt, ok) => {
    const r = validateDccSchema(withDate(dt));
    expect(r.ok).toBe(ok);
    if (!r.ok) expect(r).toEqual({ ok: false, field: 'v[0].dt', message: 'is not a date (YYYY-MM-DD)' });
  });
});
