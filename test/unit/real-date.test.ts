/**
 * Impossible calendar dates are refused wherever a person types a time (trace range, the
 * operations room's form, verify --at) instead of being rolled into the next month.
 */
import { describe, expect, it } from 'vitest';
import { startsWithRealDate } from '../../src/credentials/text.js';
import { parseLocalDateTime } from '../../server/ops/local-time.js';
import { resolveDateTime } from '../../server/trace.js';
import { runCli } from '../helpers/cli.js';

describe('startsWithRealDate', () => {
  it.each([
    ['2026-02-28', true],
    ['2024-02-29T10:00', true], // leap year
    ['2000-02-29', true], // divisible by 400
    ['2026-12-31T23:59:59Z', true],
    ['not a date', true], // left to its own parser
    ['2026-02-29', false],
    ['1900-02-29', false], // divisible by 100, not 400
    ['2026-02-30T00:00', false],
    ['2026-04-31Z', false],
    ['2026-13-01', false],
    ['2026-00-10', false],
    ['2026-01-00', false],
  ])('%s → %s', (text, real) => expect(startsWithRealDate(text)).toBe(real));
});

describe('times a duty officer types', () => {
  it('refuses 30 February in every form instead of searching from 2 March', () => {
    for (const text of ['2026-02-30T00:00', '2026-02-30T00:00Z', '2026-02-30T00:00+07:00']) {
      expect(parseLocalDateTime('Asia/Ho_Chi_Minh', text), text).toBeNaN();
    }
    for (const text of ['2026-02-30', '2026-02-30T08:00', '2026-02-30T08:00:00Z']) expect(resolveDateTime(text, 'Asia/Ho_Chi_Minh'), text).toBeNaN();
    expect(resolveDateTime('2026-03-02T00:00Z', 'Asia/Ho_Chi_Minh')).toBe(Date.parse('2026-03-02T00:00Z'));
  });

  it('verify --at with an impossible date is a usage error naming it', () => {
    const r = runCli(['verify', '--at', '2026-02-30T00:00:00Z', '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--at names a date that does not exist: "2026-02-30T00:00:00Z"/);
  });
});
