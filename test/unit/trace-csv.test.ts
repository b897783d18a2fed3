/**
 * The tracing CSV carries a contact's `nearLandmarks` (the run of landmarks it was near when their
 * windows overlap) in its last three columns, as the JSON answer does: count, first and last
 * landmark's check-in id; empty for a contact near its landmark only and for a landmark's row
 * without contact. Before, the CSV listed such a contact once under its nearest landmark and said
 * nothing of the others.
 */
import { describe, expect, it } from 'vitest';
import { traceCsv } from '../../server/ops/trace-csv.js';
import { OPS_STRINGS } from '../../server/ops/strings.js';
import type { TraceResult } from '../../server/trace.js';
import type { CheckIn } from '../../src/shared/types.js';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 8, minute)).toISOString();
function checkIn(id: string, minute: number, idNo: string | undefined, checkpointId = 'CP'): CheckIn {
  return {
    id,
    deviceId: 'k',
    checkpointId,
    direction: 'in',
    scannedAt: at(minute),
    format: idNo ? 'cccd' : 'unknown',
    verdict: 'accept',
    reasons: [],
    subject: idNo ? { idType: 'cccd', idNo } : {},
  } as unknown as CheckIn;
}

const m1 = checkIn('m1', 0, 'P');
const m2 = checkIn('m2', 2, 'P');
const m3 = checkIn('m3', 0, 'P', 'OTHER');
const result: TraceResult = {
  idNo: 'P',
  from: at(0),
  to: at(60),
  windowMinutes: 5,
  truncated: false,
  landmarks: [
    { checkIn: m1, nearby: [{ ...checkIn('c1', 1, 'A'), nearLandmarks: { count: 2, first: 'm1', last: 'm2' } }], unidentifiedNearby: 0, truncated: false },
    { checkIn: m2, nearby: [checkIn('c2', 6, 'B')], unidentifiedNearby: 1, truncated: false },
    { checkIn: m3, nearby: [], unidentifiedNearby: 2, truncated: false },
  ],
};

describe('tracing CSV', () => {
  it('names the landmarks a contact was near in three columns after the unidentified count', () => {
    const lines = traceCsv(result, OPS_STRINGS.en, 'UTC').slice(1).split('\r\n').filter(Boolean);
    const rows = lines.map((l) => l.split(','));
    expect(rows[0]!.slice(-4)).toEqual(['Scans without identity nearby', 'Near landmarks: count', 'Near landmarks: first (check-in id)', 'Near landmarks: last (check-in id)']);
    expect(rows.every((r) => r.length === rows[0]!.length)).toBe(true);
    // Contact near m1 and m2, listed under m1; contact near m2 only; m3's row without contact.
    expect(rows.slice(1).map((r) => [r[10], ...r.slice(-4)])).toEqual([
      ['c1', '0', '2', 'm1', 'm2'],
      ['c2', '1', '', '', ''],
      ['', '2', '', '', ''],
    ]);
  });

  it('has the headers in Vietnamese too', () => {
    const header = traceCsv(result, OPS_STRINGS.vi, 'UTC').slice(1).split('\r\n')[0]!.split(',');
    expect(header.slice(-3)).toEqual(['Gần số mốc', 'Gần từ mốc (check-in id)', 'Gần đến mốc (check-in id)']);
  });
});
