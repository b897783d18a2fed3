/** Local days, hours and form times in IANA zones, including DST changes and odd offsets. */
import { describe, expect, it } from 'vitest';
import { localDayRange, localHour, parseLocalDateTime, timeZoneProblem, toLocalInput, toLocalIso } from '../../server/ops/local-time.js';
import { dateTimeProblem, resolveDateTime } from '../../server/trace.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('local time', () => {
  it('finds the local day in Hanoi, and the days before it', () => {
    const at = Date.parse('2026-11-24T17:00:00Z'); // local midnight exactly
    expect(localDayRange('Asia/Ho_Chi_Minh', at)).toEqual({ fromMs: at, toMs: at + 86_400_000 });
    expect(localDayRange('Asia/Ho_Chi_Minh', at - 1).fromMs).toBe(at - 86_400_000);
    expect(iso(localDayRange('Asia/Ho_Chi_Minh', at, 7).fromMs)).toBe('2026-11-17T17:00:00.000Z');
    expect(localHour('Asia/Ho_Chi_Minh', Date.parse('2026-11-25T03:59:59.999Z'))).toBe(10);
  });

  it('gets DST days and 30/45-minute zones right', () => {
    const spring = localDayRange('Europe/Berlin', Date.parse('2026-03-29T12:00:00Z'));
    expect([iso(spring.fromMs), (spring.toMs - spring.fromMs) / 3_600_000]).toEqual(['2026-03-28T23:00:00.000Z', 23]);
    const autumn = localDayRange('America/New_York', Date.parse('2026-11-01T15:00:00Z'));
    expect([iso(autumn.fromMs), (autumn.toMs - autumn.fromMs) / 3_600_000]).toEqual(['2026-11-01T04:00:00.000Z', 25]);
    expect(iso(localDayRange('Asia/Kolkata', Date.parse('2026-11-25T00:00:00Z')).fromMs)).toBe('2026-11-24T18:30:00.000Z');
    expect(localHour('Asia/Kathmandu', Date.parse('2026-11-25T04:14:59Z'))).toBe(9);
    expect(localHour('Asia/Kathmandu', Date.parse('2026-11-25T04:15:00Z'))).toBe(10);
  });

  it('reads and writes the tracing form times in the zone', () => {
    expect(iso(parseLocalDateTime('Asia/Ho_Chi_Minh', '2026-11-25T10:17'))).toBe('2026-11-25T03:17:00.000Z');
    expect(iso(parseLocalDateTime('Asia/Ho_Chi_Minh', '2026-11-25T10:17:42'))).toBe('2026-11-25T03:17:42.000Z');
    expect(iso(parseLocalDateTime('Asia/Ho_Chi_Minh', '2026-11-25T10:17:42Z'))).toBe('2026-11-25T10:17:42.000Z');
    for (const bad of ['2026-13-01T00:00', '2026-11-25', 'yesterday', '2026-11-25T24:00']) expect(parseLocalDateTime('Asia/Ho_Chi_Minh', bad), bad).toBeNaN();
    expect(toLocalInput('Asia/Ho_Chi_Minh', Date.parse('2026-11-25T03:17:42Z'))).toBe('2026-11-25T10:17');
    expect(toLocalIso('Asia/Ho_Chi_Minh', Date.parse('2026-11-25T03:17:42Z'))).toBe('2026-11-25T10:17:42+07:00');
    expect(toLocalIso('America/St_Johns', Date.parse('2026-11-25T03:17:42Z'))).toBe('2026-11-24T23:47:42-03:30');
  });

  it('refuses a wall time the zone skips instead of moving it an hour, and says why', () => {
    // 02:30 on 29 March 2026 never shows on a Berlin clock (02:00 → 03:00).
    expect(parseLocalDateTime('Europe/Berlin', '2026-03-29T02:30')).toBeNaN();
    expect(resolveDateTime('2026-03-29T02:30', 'Europe/Berlin')).toBeNaN();
    expect(resolveDateTime('2026-03-29T02:30:15.250', 'Europe/Berlin')).toBeNaN();
    expect(dateTimeProblem('--from', '2026-03-29T02:30', 'Europe/Berlin')).toBe(
      '--from: 2026-03-29T02:30 does not exist in Europe/Berlin: the clocks skip it (a daylight-saving change); give a time before or after it, or one with Z or an offset',
    );
    // Around it, and the hour the autumn change repeats, are read as before.
    expect(iso(resolveDateTime('2026-03-29T01:59', 'Europe/Berlin'))).toBe('2026-03-29T00:59:00.000Z');
    expect(iso(resolveDateTime('2026-03-29T03:00', 'Europe/Berlin'))).toBe('2026-03-29T01:00:00.000Z');
    expect(Number.isFinite(resolveDateTime('2026-10-25T02:30', 'Europe/Berlin'))).toBe(true);
    expect(iso(resolveDateTime('2026-03-29', 'Europe/Berlin'))).toBe('2026-03-28T23:00:00.000Z');
    // A date alone still resolves where its midnight is skipped (Chile: 00:00 → 01:00); a time is refused.
    expect(parseLocalDateTime('America/Santiago', '2026-09-06T00:00')).toBeNaN();
    expect(Number.isFinite(resolveDateTime('2026-09-06', 'America/Santiago'))).toBe(true);
    // … and it is the first instant of that day (01:00, -03), not 23:00 of the day before.
    expect(iso(resolveDateTime('2026-09-06', 'America/Santiago'))).toBe('2026-09-06T04:00:00.000Z');
    expect(localDayRange('America/Santiago', Date.parse('2026-09-06T12:00:00Z'))).toEqual({ fromMs: Date.parse('2026-09-06T04:00:00Z'), toMs: Date.parse('2026-09-07T03:00:00Z') });
    expect(localDayRange('America/Santiago', Date.parse('2026-09-05T12:00:00Z'))).toEqual({ fromMs: Date.parse('2026-09-05T04:00:00Z'), toMs: Date.parse('2026-09-06T04:00:00Z') });
    // Years before 100 stay themselves (Date.UTC reads 0–99 as 1900–1999: year 1 became 1901).
    expect(iso(resolveDateTime('0001-01-01T12:00', 'UTC'))).toBe('0001-01-01T12:00:00.000Z');
    expect(iso(resolveDateTime('0099-12-31', 'UTC'))).toBe('0099-12-31T00:00:00.000Z');
    // A skipped wall time still moves forward by the gap.
    expect(iso(parseLocalDateTime('Europe/Berlin', '2026-03-29T02:30', { allowSkipped: true }))).toBe('2026-03-29T01:30:00.000Z');
    // Other bad input keeps its message.
    expect(dateTimeProblem('--from', '2026-02-30T00:00', 'Europe/Berlin')).toMatch(/^--from: not an ISO date-time: 2026-02-30T00:00/);
  });

  it('names an unknown zone', () => {
    expect(timeZoneProblem('Asia/Ho_Chi_Minh')).toBeUndefined();
    expect(timeZoneProblem('UTC')).toBeUndefined();
    expect(timeZoneProblem('Asia/Hanoi')).toMatch(/unknown time zone "Asia\/Hanoi"/);
    expect(timeZoneProblem('')).toMatch(/IANA/);
  });
});
