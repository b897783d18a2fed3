import { describe, expect, it } from 'vitest';
import { readTraceForm } from '../../server/ops/trace-view.js';

const NOW = Date.parse('2026-12-06T08:00:00Z');

describe('operations room trace form', () => {
  it('names the field and quotes what was typed when a time does not parse', () => {
    const view = readTraceForm({ idNo: '001090123456', from: '2026-12-0x', to: '2026-12-06T10:00' }, 'Asia/Ho_Chi_Minh', NOW);
    expect(view.query).toBeUndefined();
    expect(view.error).toContain('from: not an ISO date-time: 2026-12-0x');
    expect(view.error).not.toContain('invalid');
  });

  it('refuses an impossible date in the "to" field, quoting it', () => {
    const view = readTraceForm({ idNo: '001090123456', from: '2026-02-01T08:00', to: '2026-02-30T08:00' }, 'Asia/Ho_Chi_Minh', NOW);
    expect(view.error).toContain('to: not an ISO date-time: 2026-02-30T08:00');
  });

  it('says a wall time skipped by a daylight-saving change does not exist in the zone', () => {
    const view = readTraceForm({ idNo: '001090123456', from: '2026-03-29T02:30', to: '2026-03-30T08:00' }, 'Europe/Berlin', NOW);
    expect(view.error).toMatch(/^from: 2026-03-29T02:30 does not exist in Europe\/Berlin/);
  });

  it('turns good local times into the UTC query', () => {
    const view = readTraceForm({ idNo: '001090123456', from: '2026-12-01T08:00', to: '2026-12-06T08:00', windowMinutes: '30' }, 'Asia/Ho_Chi_Minh', NOW);
    expect(view.error).toBeUndefined();
    expect(view.query?.fromMs).toBe(Date.parse('2026-12-01T01:00:00.000Z'));
    // "to 08:00" covers that whole minute: the (half-open) query ends at 08:01.
    expect(view.query?.toMs).toBe(Date.parse('2026-12-06T01:01:00.000Z'));
  });
});
