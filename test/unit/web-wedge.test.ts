import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWedgeDetector, type WedgeKey } from '../../renderer/src/wedge.js';

const CODES: Record<string, [string, boolean]> = { '|': ['Backslash', true], '-': ['Minus', false], '*': ['Digit8', true], ' ': ['Space', false] };

/** Key events for `text` typed the way a US-keyboard scanner does (Shift for upper case), then Enter. */
function keys(text: string, msPerKey: number, start = 1000): WedgeKey[] {
  const out: WedgeKey[] = [];
  let t = start;
  for (const ch of text) {
    const [code, shift] = /[a-z]/i.test(ch) ? [`Key${ch.toUpperCase()}`, /[A-Z]/.test(ch)] : /\d/.test(ch) ? [`Digit${ch}`, false] : CODES[ch]!;
    out.push({ code, key: ch, shiftKey: shift, timeStamp: t });
    t += msPerKey;
  }
  out.push({ code: 'Enter', key: 'Enter', shiftKey: false, timeStamp: t });
  return out;
}

/** Timers that never fire: these tests end every burst with Enter. */
const noTimers = { set: (() => 0) as unknown as typeof setTimeout, clear: (() => undefined) as unknown as typeof clearTimeout };

function run(events: WedgeKey[], options = {}) {
  const scans: { text: string; fault?: string }[] = [];
  const d = createWedgeDetector({ onScan: (text, info) => scans.push({ text, ...(info.fault ? { fault: info.fault } : {}) }) }, options, noTimers);
  const ended = events.map((e) => d.feed(e));
  return { scans, ended };
}

describe('window keyboard-wedge adapter', () => {
  it('takes a 5 ms/key burst ending in Enter as one scan, reported on the Enter', () => {
    const text = '096205111222|LY MINH KHANG|2005-06-**|1|Q96205K|';
    const { scans, ended } = run(keys(text, 5));
    expect(scans).toEqual([{ text }]);
    expect(ended.at(-1)).toBe(true);
    expect(ended.slice(0, -1).some(Boolean)).toBe(false);
  });

  it('ignores typing at human speed', () => {
    const { scans, ended } = run(keys('HELLO12345', 150));
    expect(scans).toEqual([]);
    expect(ended.some(Boolean)).toBe(false);
  });

  it('reports a burst longer than the limit as too large, without its text', () => {
    expect(run(keys('A'.repeat(50), 2), { maxLength: 10 }).scans).toEqual([{ text: '', fault: 'too-large' }]);
  });

  it('flushes a pending burst after silence through the injected timer', () => {
    const fired: (() => void)[] = [];
    const timers = { set: ((fn: () => void) => (fired.push(fn), fired.length)) as unknown as typeof setTimeout, clear: (() => undefined) as unknown as typeof clearTimeout };
    const scans: string[] = [];
    const d = createWedgeDetector({ onScan: (t) => scans.push(t) }, {}, timers);
    for (const k of keys('ABCDEFGH', 5).slice(0, -1)) d.feed(k);
    expect(fired.length).toBeGreaterThan(0);
    fired.at(-1)!();
    // Released as typing (no Enter): a later Enter alone is not a scan either.
    expect(d.feed({ code: 'Enter', key: 'Enter', shiftKey: false, timeStamp: 5000 })).toBe(false);
    expect(scans).toEqual([]);
  });

  describe('with the window timers', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('calls setTimeout and clearTimeout as plain functions (a browser throws "Illegal invocation" for a method call) and flushes a burst without Enter (a scanner set to send no suffix)', async () => {
      const realSet = globalThis.setTimeout;
      const realClear = globalThis.clearTimeout;
      // Chromium's window timers refuse any `this` other than the window (or none).
      const strict = <F extends (...a: never[]) => unknown>(f: F) =>
        function (this: unknown, ...args: Parameters<F>) {
          if (this !== undefined && this !== globalThis) throw new TypeError('Illegal invocation');
          return f(...args);
        };
      vi.stubGlobal('setTimeout', strict(realSet as never));
      vi.stubGlobal('clearTimeout', strict(realClear as never));
      const scans: string[] = [];
      const d = createWedgeDetector({ onScan: (t) => scans.push(t) }, { requireSuffix: false });
      const burst = keys('001090100000|123456789', 2, performance.now()).slice(0, -1);
      for (const k of burst) expect(() => d.feed(k)).not.toThrow();
      await new Promise((r) => realSet(r, 400));
      d.dispose();
      expect(scans).toEqual(['001090100000|123456789']);
    });
  });
});
