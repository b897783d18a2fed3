import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WedgeDetector, wedgeChar, type WedgeDecision, type WedgeKey, type WedgeOptions } from '../../drivers/wedge/detector.js';

/** US key codes for the characters a scanner types. */
const CODE: Record<string, [string, boolean]> = {};
for (let i = 0; i < 26; i++) {
  const c = String.fromCharCode(0x61 + i);
  CODE[c] = [`Key${c.toUpperCase()}`, false];
  CODE[c.toUpperCase()] = [`Key${c.toUpperCase()}`, true];
}
'1234567890'.split('').forEach((d) => (CODE[d] = [`Digit${d}`, false]));
Object.assign(CODE, { '|': ['Backslash', true], '/': ['Slash', false], ':': ['Semicolon', true], '.': ['Period', false], '-': ['Minus', false], ' ': ['Space', false], $: ['Digit4', true], '%': ['Digit5', true], '*': ['Digit8', true], '+': ['Equal', true] });

/** Key events for `text` from `t0`, `gap(i)` ms apart, optionally followed by Enter. */
function keys(text: string, t0: number, gap: (i: number) => number, suffix: 'Enter' | 'Tab' | null = 'Enter', keyOf?: (c: string) => string): WedgeKey[] {
  const out: WedgeKey[] = [];
  let t = t0;
  for (const c of text) {
    const [code, shiftKey] = CODE[c] ?? ['', false];
    out.push({ code, key: keyOf ? keyOf(c) : c, shiftKey, timeStamp: t });
    t += gap(out.length - 1);
  }
  if (suffix) out.push({ code: suffix, key: suffix, shiftKey: false, timeStamp: t });
  return out;
}

/** Feeds events like the renderer: a flush timer fires maxGapMs after the last key. */
function run(events: WedgeKey[], opts: Partial<WedgeOptions> = {}): WedgeDecision[] {
  const d = new WedgeDetector(opts);
  const out: WedgeDecision[] = [];
  let last = -Infinity;
  for (const e of events) {
    if (d.pending && e.timeStamp - last >= d.flushDelayMs) out.push(...d.flush(last + d.flushDelayMs));
    out.push(...d.push(e));
    last = e.timeStamp;
  }
  out.push(...d.flush(last + d.flushDelayMs));
  return out;
}

const scans = (ds: WedgeDecision[]) => ds.filter((d) => d.kind === 'scan').map((d) => (d.kind === 'scan' ? d.text : ''));
const typedKeys = (ds: WedgeDecision[]) => ds.filter((d) => d.kind === 'typing').flatMap((d) => d.keys.map((k) => k.key)).join('');

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const human = (r: () => number) => () => 120 + r() * 130;

describe('WedgeDetector', () => {
  it('takes a scan at 5 ms/char with Enter as one scan, with its duration', () => {
    const ds = run(keys('001099012345|Nguyen Van A|01011999', 1000, () => 5));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ kind: 'scan', text: '001099012345|Nguyen Van A|01011999', durationMs: 34 * 5 });
    expect(ds[0]?.keys).toHaveLength(35);
  });

  it('accepts Tab as the suffix', () => {
    expect(scans(run(keys('ABCD1234', 0, () => 4, 'Tab')))).toEqual(['ABCD1234']);
  });

  it('never takes a person typing (120-250 ms per key) for a scan, even ending with Enter', () => {
    const r = rng(7);
    const ds = run(keys('hello world 1234', 0, human(r), 'Enter'));
    expect(scans(ds)).toEqual([]);
    expect(typedKeys(ds)).toBe('hello world 1234Enter');
  });

  it('passes short fast bursts through as typing (below the minimum length)', () => {
    const ds = run(keys('ab1', 0, () => 5));
    expect(scans(ds)).toEqual([]);
    expect(typedKeys(ds)).toBe('ab1Enter');
  });

  it('needs the suffix by default; with requireSuffix off, silence ends a fast burst', () => {
    expect(scans(run(keys('8934563138165', 0, () => 5, null)))).toEqual([]);
    expect(scans(run(keys('8934563138165', 0, () => 5, null), { requireSuffix: false }))).toEqual(['8934563138165']);
  });

  it('finds a scan in the middle of typing and keeps the person\'s keys, in order, around it', () => {
    const r = rng(11);
    const before = keys('name: ', 0, human(r), null);
    const scanStart = before.at(-1)!.timeStamp + 400;
    const scan = keys('HC1:6BFOXN%TS3DH0YOJ58S', scanStart, () => 5);
    const after = keys('ok', scan.at(-1)!.timeStamp + 300, human(r), 'Enter');
    const ds = run([...before, ...scan, ...after]);
    expect(scans(ds)).toEqual(['HC1:6BFOXN%TS3DH0YOJ58S']);
    expect(typedKeys(ds)).toBe('name: okEnter');
    const order = ds.map((d) => d.kind);
    expect(order.indexOf('scan')).toBeGreaterThan(0);
  });

  it('splits off a person\'s key typed just before the scan started', () => {
    const a: WedgeKey = { code: 'KeyX', key: 'x', shiftKey: false, timeStamp: 0 };
    const ds = run([a, ...keys('ABCDEFGH12', 40, () => 4)]);
    expect(ds.map((d) => d.kind)).toEqual(['typing', 'scan']);
    expect(scans(ds)).toEqual(['ABCDEFGH12']);
  });

  it('does not split a scan that pauses for a moment (within maxGapMs) in the middle', () => {
    const ds = run(keys('0123456789ABCDEFGHIJ', 0, (i) => (i === 9 ? 45 : 5)));
    expect(scans(ds)).toEqual(['0123456789ABCDEFGHIJ']);
  });

  it('keeps scans apart when two come back to back, separated by a pause', () => {
    const first = keys('FIRST123', 0, () => 5);
    const second = keys('SECOND45', first.at(-1)!.timeStamp + 500, () => 5);
    expect(scans(run([...first, ...second]))).toEqual(['FIRST123', 'SECOND45']);
  });

  it('uses KeyboardEvent.code, not key: a US-set scanner on a German host still reads right', () => {
    // German layout swaps y/z: the scanner sends KeyZ, the browser reports key 'y'.
    const swap = (c: string) => ({ z: 'y', y: 'z', Z: 'Y', Y: 'Z' })[c] ?? c;
    expect(scans(run(keys('zyZY1234', 0, () => 5, 'Enter', swap)))).toEqual(['zyZY1234']);
  });

  it('falls back to key for characters the US mapping does not have', () => {
    expect(wedgeChar({ code: 'Quote', key: 'ä', shiftKey: false })).toBe('ä');
    expect(wedgeChar({ code: '', key: 'ữ', shiftKey: false })).toBe('ữ');
    expect(wedgeChar({ code: 'ArrowLeft', key: 'ArrowLeft', shiftKey: false })).toBeUndefined();
    expect(wedgeChar({ code: 'Numpad7', key: '7', shiftKey: false })).toBe('7');
    const vn = [...'Hữu Ánh'].map((c, i): WedgeKey => ({ code: CODE[c]?.[0] ?? '', key: c, shiftKey: c !== c.toLowerCase(), timeStamp: i * 5 }));
    expect(scans(run([...vn, { code: 'Enter', key: 'Enter', shiftKey: false, timeStamp: 35 }]))).toEqual(['Hữu Ánh']);
  });

  it('ignores modifier keydowns and hands shortcuts, editing keys and auto-repeat to the person', () => {
    const ds = run([
      { code: 'ShiftLeft', key: 'Shift', shiftKey: true, timeStamp: 0 },
      { code: 'KeyC', key: 'c', shiftKey: false, ctrlKey: true, timeStamp: 5 },
      { code: 'Backspace', key: 'Backspace', shiftKey: false, timeStamp: 10 },
      ...[0, 1, 2, 3, 4, 5].map((i): WedgeKey => ({ code: 'KeyA', key: 'a', shiftKey: false, repeat: i > 0, timeStamp: 500 + i * 30 })),
      { code: 'Enter', key: 'Enter', shiftKey: false, timeStamp: 700 },
    ]);
    expect(scans(ds)).toEqual([]);
    expect(typedKeys(ds)).toBe('cBackspaceaaaaaaEnter');
  });

  it('bounds a run longer than maxLength and reports it as a too-large scan', () => {
    const ds = run(keys('X'.repeat(50), 0, () => 3), { maxLength: 20 });
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ kind: 'scan', text: '', fault: 'too-large' });
  });

  it('rejects nonsensical options', () => {
    expect(() => new WedgeDetector({ minLength: 0 })).toThrow(RangeError);
    expect(() => new WedgeDetector({ avgMaxMs: 0 })).toThrow(RangeError);
  });
});

describe('WedgeDetector properties', () => {
  const scanChar = fc.constantFrom(...Object.keys(CODE).filter((c) => c !== ' '));

  it('a fast scan (1-15 ms per key, up to 2,000 characters) is always exactly one scan', () => {
    fc.assert(
      fc.property(fc.array(scanChar, { minLength: 4, maxLength: 2000 }), fc.integer({ min: 1, max: 2 ** 30 }), (chars, seed) => {
        const r = rng(seed);
        const text = chars.join('');
        expect(scans(run(keys(text, 10_000, () => 1 + Math.floor(r() * 15))))).toEqual([text]);
      }),
      { numRuns: 150 },
    );
  });

  it('a person (120-250 ms per key) is never a scan, and every key comes back exactly once, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...Object.keys(CODE)), { minLength: 1, maxLength: 60 }), fc.boolean(), fc.integer({ min: 1, max: 2 ** 30 }), (chars, enter, seed) => {
        const text = chars.join('');
        const ds = run(keys(text, 0, human(rng(seed)), enter ? 'Enter' : null));
        expect(scans(ds)).toEqual([]);
        expect(typedKeys(ds)).toBe(text + (enter ? 'Enter' : ''));
      }),
      { numRuns: 200 },
    );
  });

  it('interleaved typing and scans: scans come out whole, typed keys all come back in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ scan: fc.boolean(), text: fc.array(scanChar, { minLength: 4, maxLength: 40 }).map((a) => a.join('')), pause: fc.integer({ min: 100, max: 3000 }) }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (parts, seed) => {
          const r = rng(seed);
          let t = 0;
          const events: WedgeKey[] = [];
          for (const p of parts) {
            const ks = p.scan ? keys(p.text, t + p.pause, () => 2 + r() * 10) : keys(p.text, t + p.pause, human(r), null);
            events.push(...ks);
            t = ks.at(-1)!.timeStamp;
          }
          const ds = run(events);
          expect(scans(ds)).toEqual(parts.filter((p) => p.scan).map((p) => p.text));
          expect(typedKeys(ds)).toBe(parts.filter((p) => !p.scan).map((p) => p.text).join(''));
        },
      ),
      { numRuns: 150 },
    );
  });
});
