/**
 * The operations room's tracing form names a wall time that a daylight-saving change skips in
 * the page's language, with what was typed and the zone, instead of "not a valid date and time".
 */
import { describe, expect, it } from 'vitest';
import { traceErrorText } from '../../server/ops/sections/tracing.js';
import { OPS_STRINGS } from '../../server/ops/strings.js';
import { readTraceForm } from '../../server/ops/trace-view.js';

const NOW = Date.parse('2026-04-01T00:00:00Z');
const errorOf = (from: string, to: string) => readTraceForm({ idNo: '001090001234', from, to }, 'Europe/Berlin', NOW).error ?? '';

describe('traceErrorText', () => {
  it('explains a skipped wall time in English and Vietnamese, naming the field, the value and the zone', () => {
    const from = errorOf('2026-03-29T02:30', '2026-03-29T05:00');
    expect(traceErrorText({ t: OPS_STRINGS.en }, from)).toBe('"From" 2026-03-29T02:30 does not exist in Europe/Berlin: the clocks skip it (a daylight-saving change). Choose a time before or after it.');
    expect(traceErrorText({ t: OPS_STRINGS.vi }, from)).toContain('"Từ" 2026-03-29T02:30 không có ở múi giờ Europe/Berlin');
    const to = errorOf('2026-03-29T00:30', '2026-03-29T02:15');
    expect(traceErrorText({ t: OPS_STRINGS.en }, to)).toMatch(/^"To" 2026-03-29T02:15 does not exist in Europe\/Berlin/);
  });
  it('keeps the short texts for a date that does not exist and for a reversed range', () => {
    expect(traceErrorText({ t: OPS_STRINGS.en }, errorOf('2026-02-30T10:00', '2026-03-01T10:00'))).toBe('"From" is not a valid date and time.');
    expect(traceErrorText({ t: OPS_STRINGS.en }, errorOf('2026-03-02T10:00', '2026-03-01T10:00'))).toBe('"To" must be after "From".');
  });
});
