import { describe, expect, it } from 'vitest';
import { uuidv7Source } from '../../src/core/system.js';

const UUIDV7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7Source', () => {
  it('makes RFC 9562 version-7 ids carrying the clock time, strictly ordered within one millisecond', () => {
    const at = Date.parse('2026-11-25T08:00:00.123Z');
    const ids = uuidv7Source({ now: () => at });
    const made = Array.from({ length: 5000 }, () => ids.next());
    for (const id of made) expect(id).toMatch(UUIDV7);
    expect(parseInt(made[0]!.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
    expect([...made].sort()).toEqual(made);
    expect(new Set(made).size).toBe(made.length);
  });
  it('stays ordered when the clock steps back', () => {
    let now = Date.parse('2026-11-25T08:00:00Z');
    const ids = uuidv7Source({ now: () => now });
    const a = ids.next();
    now -= 60_000;
    const b = ids.next();
    expect(b > a).toBe(true);
  });
  it('does not repeat the random part across pool refills', () => {
    const ids = uuidv7Source({ now: () => 0 });
    const tails = new Set(Array.from({ length: 2000 }, () => ids.next().slice(24)));
    expect(tails.size).toBe(2000);
  });
});
