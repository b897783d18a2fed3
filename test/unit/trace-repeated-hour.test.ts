/**
 * The night the clocks go back, a wall time is shown twice (02:30 CEST, then 02:30 CET in
 * Europe/Berlin). A trace or a lawful export starting or ending there covers both instants: its
 * start is the first 02:30, its end the second, on the CLI and API (parseTraceQuery), the lawful
 * export (parseLawfulRequest) and the operations room form (readTraceForm). The room shows such
 * times with their UTC offset, so the two 02:30 read apart and in order.
 */
import { describe, expect, it } from 'vitest';
import { isRepeatedWallTime, parseLocalDateTime } from '../../server/ops/local-time.js';
import { formatters } from '../../server/ops/format.js';
import { OPS_STRINGS } from '../../server/ops/strings.js';
import type { SectionContext } from '../../server/ops/section.js';
import { tracingSection } from '../../server/ops/sections/tracing.js';
import type { CheckIn } from '../../src/shared/types.js';
import type { TraceResult } from '../../server/trace.js';
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

describe('times shown in the repeated hour (operations room)', () => {
  const at = ['2026-10-25T00:30:00Z', '2026-10-25T00:40:00Z', '2026-10-25T01:10:00Z', '2026-10-25T01:30:00Z'];

  it('carry their UTC offset, in both languages, and only there', () => {
    expect(at.map((s) => isRepeatedWallTime(BERLIN, Date.parse(s)))).toEqual([true, true, true, true]);
    expect(isRepeatedWallTime(BERLIN, Date.parse('2026-10-24T23:59:00Z'))).toBe(false); // 01:59 CEST, shown once
    expect(isRepeatedWallTime(BERLIN, Date.parse('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
    expect(isRepeatedWallTime(BERLIN, Date.parse('2026-03-29T01:30:00Z'))).toBe(false); // spring forward: nothing repeats
    expect(isRepeatedWallTime('Asia/Ho_Chi_Minh', Date.parse('2026-10-25T00:30:00Z'))).toBe(false);
    for (const lang of ['vi', 'en'] as const) {
      const f = formatters(lang, BERLIN, Date.parse('2026-11-01T00:00:00Z'));
      expect(at.map((s) => f.time(Date.parse(s)))).toEqual(['02:30:00 +02:00', '02:40:00 +02:00', '02:10:00 +01:00', '02:30:00 +01:00']);
      expect(f.dateTime(Date.parse(at[3]!))).toBe(lang === 'en' ? '25/10/2026, 02:30 +01:00' : '02:30 +01:00 25/10/2026');
      expect(f.dateTime(Date.parse('2026-10-25T03:30:00Z'))).not.toMatch(/\+0/);
    }
  });

  it('tell the four landmarks of that night apart on the tracing answer', () => {
    const checkIn = (scannedAt: string, i: number) => ({ id: `c${i}`, scannedAt, checkpointId: 'GATE-1', direction: 'in', subject: { idNo: '001090000001' }, verdict: 'accept' }) as unknown as CheckIn;
    const result: TraceResult = {
      idNo: '001090000001',
      from: '2026-10-25T00:00:00.000Z',
      to: '2026-10-25T02:00:00.000Z',
      windowMinutes: 30,
      truncated: false,
      landmarks: at.map((s, i) => ({ checkIn: checkIn(s, i), nearby: [], unidentifiedNearby: 0, truncated: false })),
    };
    for (const lang of ['vi', 'en'] as const) {
      const c = { t: OPS_STRINGS[lang], lang, f: formatters(lang, BERLIN, Date.parse('2026-11-01T00:00:00Z')), trace: { input: { idNo: result.idNo, from: '2026-10-25T02:00', to: '2026-10-25T03:00', windowMinutes: '30' }, result } } as unknown as SectionContext;
      const html = tracingSection.render(c);
      const shown = [...html.matchAll(/<span class="pin">●<\/span><b>([^<]*)<\/b>/g)].map((m) => /\d\d:\d\d [+-]\d\d:\d\d/.exec(m[1]!)?.[0]);
      expect(shown).toEqual(['02:30 +02:00', '02:40 +02:00', '02:10 +01:00', '02:30 +01:00']);
    }
  });
});
