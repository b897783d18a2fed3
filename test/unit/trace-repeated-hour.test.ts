/**
 * The night the clocks go back, a wall time is shown twice (02:30 CEST, then 02:30 CET in
 * Europe/Berlin). A trace or a lawful export starting or ending there covers both instants: its
 * start is the first 02:30, its end the second, on the CLI and API (parseTraceQuery), the lawful
 * export (parseLawfulRequest) and the operations room form (readTraceForm).
 */
import { describe, expect, it } from 'vitest';
import { parseLocalDateTime } from '../../server/ops/local-time.js';
import { readTraceForm } from '../../server/ops/trace-view.js';
import { parseLawfulRequest } from '../../server/lawful-export.js';
import { parseTraceQuery } from '../../server/trace.js';

const BERLIN = 'Europe/Berlin';
const iso = (ms: number) => new Date(ms).toISOString();
// 2026-10-25 in Berlin: 03:00 CEST (01:00Z) becomes 02:00 CET, so 02:30 is 00:30Z and 01:30Z.
const FIRST = '2026-10-25T00:30:00.000Z';
const SECOND = '2026-10-25T01:30:00.000Z';

describe('a wall time shown twice (clocks go back)', () => {
  it('is the first instant as a range start and the second as its end', () => {
    expect(iso(parseLocalDateTime(BERLIN, '2026-10-25T02:30', { occurrence: 'first' }))).toBe(FIRST);
    expect(iso(parseLocalDateTime(BERLIN, '2026-10-25T02:30', { occurrence: 'last' }))).toBe(SECOND);
    expect(iso(parseLocalDateTime(BERLIN, '2026-10-25T02:30:15', { occurrence: 'first' }))).toBe('2026-10-25T00:30:15.000Z');
    // A wall time shown once is the same either way; one with an offset is taken as given.
    expect(parseLocalDateTime(BERLIN, '2026-10-25T04:30', { occurrence: 'first' })).toBe(parseLocalDateTime(BERLIN, '2026-10-25T04:30', { occurrence: 'last' }));
    expect(iso(parseLocalDateTime(BERLIN, '2026-10-25T02:30+01:00', { occurrence: 'first' }))).toBe(SECOND);
    // A skipped one stays refused.
    expect(parseLocalDateTime(BERLIN, '2026-03-29T02:30', { occurrence: 'first' })).toBeNaN();
  });

  it('makes trace, lawful export and the room form search both hours', () => {
    const q = parseTraceQuery({ idNo: '001090000001', from: '2026-10-25T02:30', to: '2026-10-25T02:30' }, BERLIN);
    expect(typeof q === 'string' ? q : [iso(q.fromMs), iso(q.toMs)]).toEqual([FIRST, SECOND]);
    const l = parseLawfulRequest({ from: '2026-10-25T02:30', to: '2026-10-25T02:30:00', requestedBy: 'Inspector', reason: 'Case 1/2026' }, BERLIN);
    expect(typeof l === 'string' ? l : [iso(l.fromMs), iso(l.toMs)]).toEqual([FIRST, SECOND]);
    const form = readTraceForm({ idNo: '001090000001', from: '2026-10-25T02:30', to: '2026-10-25T02:30' }, BERLIN, Date.parse('2026-11-01T00:00:00Z'));
    // The form's "to" covers its whole minute: the range ends a minute after the second 02:30.
    expect(form.query ? [iso(form.query.fromMs), iso(form.query.toMs)] : form).toEqual([FIRST, '2026-10-25T01:31:00.000Z']);
  });
});
