/**
 * The officer's override reason: one rule (src/shared/text-safety.ts problemOfOfficerReason) for
 * the kiosk's booth desk and the central server's received overrides. A reason that reads as empty
 * (white space, zero-width and other format characters only) or that holds a control or
 * bidirectional control character is refused.
 */
import { describe, expect, it } from 'vitest';
import { MIN_REASON_VISIBLE, problemOfOfficerReason } from '../../src/shared/text-safety.js';
import { problemOfOfficerReason as serverRule } from '../../server/text-safety.js';
import { validateOverride } from '../../server/overrides.js';

const NOW = Date.parse('2026-11-25T08:05:00Z');
const record = (reason: string) => ({
  id: '0193a0c6-0000-7000-8000-000000000001',
  checkinId: '0193a0c5-0000-7000-8000-000000000001',
  verdict: 'accept',
  reasons: [],
  by: 'officer-117',
  reason,
  at: '2026-11-25T08:02:10.000Z',
});

const refused: [string, string, RegExp][] = [
  ['zero-width space only', '\u200b', /needs at least 3 visible characters/],
  ['white space and format characters only', ' \u00a0\u200b\u200d\u2060\ufeff\u00ad\t ', /control character \(U\+0009\)|needs at least/],
  ['spaces and zero-width characters only', '  \u200b\u200c\u200d  \u3000', /needs at least 3 visible characters/],
  ['two visible characters padded with invisible ones', 'o\u200bk\u200b\u2800', /needs at least 3 visible characters/],
  ['Hangul fillers', '\u3164\u3164\u3164\u115f', /needs at least 3 visible characters/],
  ['a combining mark alone', '\u0301\u0301\u0301', /needs at least 3 visible characters/],
  ['a right-to-left override', 'paper seen \u202egnp.exe', /bidirectional control character \(U\+202E\)/],
  ['a right-to-left isolate', 'paper \u2067seen\u2069', /bidirectional control character \(U\+2067\)/],
  ['a right-to-left mark', 'paper seen\u200f', /bidirectional control character \(U\+200F\)/],
  ['NUL', 'paper seen\u0000', /NUL character \(U\+0000\)/],
  ['an escape', 'paper \u001b[31mseen', /control character \(U\+001B\)/],
  ['a line separator', 'paper\u2028seen', /control character \(U\+2028\)/],
  ['a lone surrogate', 'paper seen \ud800', /lone surrogate \(U\+D800\)/],
];

const accepted = ['paper test certificate seen', 'Đã kiểm tra giấy xét nghiệm', '医生证明', 'ok!', '  yes  ', 'café au lait'];

describe('an officer reason', () => {
  it.each(refused)('is refused when it holds %s', (_what, reason, why) => {
    expect(problemOfOfficerReason('reason', reason)).toMatch(why);
  });

  it('is accepted in any script with a few visible characters', () => {
    expect(MIN_REASON_VISIBLE).toBe(3);
    for (const reason of accepted) expect(problemOfOfficerReason('reason', reason), reason).toBeUndefined();
  });

  it('is the same function on the server, applied to every received override', () => {
    expect(serverRule).toBe(problemOfOfficerReason);
    for (const [, reason, why] of refused) {
      const v = validateOverride(record(reason), NOW);
      expect(v.ok, JSON.stringify(reason)).toBe(false);
      if (!v.ok) expect(v.reason).toMatch(why);
    }
    for (const reason of accepted) expect(validateOverride(record(reason), NOW).ok, reason).toBe(true);
  });
});
