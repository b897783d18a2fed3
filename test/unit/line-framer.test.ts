import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FakeTime } from '../fakes/fake-time.js';
import { TERMINATED_IDLE_MS, LineFramer, type Frame, type LineFramerOptions } from '../../drivers/framing/line-framer.js';

function setup(opts: Partial<LineFramerOptions> = {}) {
  const time = new FakeTime();
  const frames: Frame[] = [];
  const framer = new LineFramer({ clock: time, timers: time, onFrame: (f) => frames.push(f), ...opts });
  return { time, frames, framer, texts: () => frames.map((f) => (f.fault ? `<${f.fault}>` : f.text)) };
}

const enc = (s: string) => Buffer.from(s, 'utf8');
const isControlOrBom = (c: string) => {
  const code = c.codePointAt(0) as number;
  return code < 0x20 || code === 0x7f || code === 0xfeff;
};

describe('LineFramer: terminators and splits', () => {
  const message = 'HC1:6BF+70790T9WJWG.FKY*4GO0\r\nNguyễn Văn Ánh|001099012345\r🇻🇳 emoji 𝄞\nlast line\r\n';
  const expected = ['HC1:6BF+70790T9WJWG.FKY*4GO0', 'Nguyễn Văn Ánh|001099012345', '🇻🇳 emoji 𝄞', 'last line'];

  it('gives the same lines however the bytes are split (every pair of split offsets)', () => {
    const bytes = enc(message);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const { framer, texts } = setup();
        framer.push(bytes.subarray(0, i));
        framer.push(bytes.subarray(i, j));
        framer.push(bytes.subarray(j));
        expect(texts(), `split at ${i},${j}`).toEqual(expected);
      }
    }
  });

  it('gives the same lines when fed one byte at a time', () => {
    const { framer, texts } = setup();
    for (const b of enc(message)) framer.push(Uint8Array.of(b));
    expect(texts()).toEqual(expected);
  });

  it('accepts CR, LF and CRLF mixed, and ignores empty lines between terminators', () => {
    const { framer, texts } = setup();
    framer.push(enc('a\rb\nc\r\nd\n\n\r\r\n\ne\r\n\r\nf\n'));
    expect(texts()).toEqual(['a', 'b', 'c', 'd', 'e', 'f']);
  });

  it('holds an unterminated line until a terminator or flush()', () => {
    const { framer, texts } = setup();
    framer.push(enc('abc'));
    expect(texts()).toEqual([]);
    expect(framer.pendingBytes).toBe(3);
    framer.flush();
    expect(texts()).toEqual(['abc']);
    expect(framer.pendingBytes).toBe(0);
  });

  it('frames any lines joined by any terminators and split anywhere (property)', () => {
    const line = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 40 })
      .map((s) => [...s].filter((c) => !isControlOrBom(c)).join('').trim())
      .filter((s) => s.length > 0);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(line, fc.constantFrom('\r', '\n', '\r\n', '\n\n', '\r\n\r\n')), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (lines, cuts) => {
          const bytes = enc(lines.map(([l, t]) => l + t).join(''));
          const offsets = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
          const { framer, texts } = setup();
          let prev = 0;
          for (const o of [...offsets, bytes.length]) {
            framer.push(bytes.subarray(prev, o));
            prev = o;
          }
          expect(texts()).toEqual(lines.map(([l]) => l));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('LineFramer: size limit', () => {
  it('accepts a line of exactly maxLineBytes and rejects one byte more', () => {
    const { framer, frames } = setup({ maxLineBytes: 16 });
    framer.push(enc(`${'a'.repeat(16)}\n${'b'.repeat(17)}\nok\n`));
    expect(frames.map((f) => f.fault ?? f.text)).toEqual(['a'.repeat(16), 'too-large', 'ok']);
    expect(frames[1]).toMatchObject({ text: '', byteLength: 17 });
    expect(frames[1]?.bytes).toBeUndefined();
  });

  it('a 64 KiB line without terminator never holds more than the limit, gives ONE fault, then resyncs', () => {
    const { framer, frames, texts } = setup({ maxLineBytes: 8192 });
    const chunk = Buffer.alloc(1024, 0x41);
    for (let i = 0; i < 64; i++) {
      framer.push(chunk);
      expect(framer.pendingBytes).toBeLessThanOrEqual(8192);
    }
    expect(frames).toEqual([]);
    framer.push(enc('\r'));
    framer.push(enc('\nGOOD-SCAN\r\n'));
    expect(texts()).toEqual(['<too-large>', 'GOOD-SCAN']);
    expect(frames[0]?.byteLength).toBe(64 * 1024);
  });

  it('handles an oversize line delivered in one chunk together with good lines', () => {
    const { framer, texts } = setup({ maxLineBytes: 100 });
    framer.push(enc(`first\n${'x'.repeat(100_000)}\r\nsecond\n`));
    expect(texts()).toEqual(['first', '<too-large>', 'second']);
  });

  it('rejects invalid limits with a clear error', () => {
    expect(() => setup({ maxLineBytes: 0 })).toThrow(/maxLineBytes must be an integer/);
    expect(() => setup({ idleMs: -1 })).toThrow(/idleMs must be a non-negative integer/);
  });
});

describe('LineFramer: inter-byte timeout', () => {
  it('emits the buffered bytes after idleMs of silence, stamped with the last byte time', () => {
    const { framer, frames, time } = setup({ idleMs: 100 });
    const t0 = time.now();
    framer.push(enc('AB'));
    time.advanceSync(60);
    framer.push(enc('C'));
    time.advanceSync(99);
    expect(frames).toEqual([]);
    time.advanceSync(1);
    expect(frames.map((f) => f.text)).toEqual(['ABC']);
    expect(frames[0]?.receivedAt).toBe(t0 + 60);
    expect(time.timerCount).toBe(0);
  });

  it('does not double-emit when a terminator arrives before the timeout', () => {
    const { framer, texts, time } = setup({ idleMs: 100 });
    framer.push(enc('ABC\r'));
    time.advanceSync(500);
    framer.push(enc('\nDEF'));
    time.advanceSync(TERMINATED_IDLE_MS);
    expect(texts()).toEqual(['ABC', 'DEF']);
    expect(time.timerCount).toBe(0);
  });

  it('once lines have been terminated, a host stall mid-line does not cut a scan in two', () => {
    const { framer, texts, time } = setup({ idleMs: 100 });
    framer.push(enc('FIRST\r\nSEC'));
    time.advanceSync(500); // a GC pause or a busy CPU between two chunks of one scan
    framer.push(enc('OND\r\n'));
    expect(texts()).toEqual(['FIRST', 'SECOND']);
    framer.push(enc('LOST-TERMINATOR'));
    time.advanceSync(TERMINATED_IDLE_MS - 1);
    expect(texts()).toHaveLength(2);
    time.advanceSync(1);
    expect(texts()).toEqual(['FIRST', 'SECOND', 'LOST-TERMINATOR']);
    // A reconnect forgets what the previous connection showed.
    framer.reset();
    framer.push(enc('NOTERM'));
    time.advanceSync(100);
    expect(texts()).toHaveLength(4);
  });

  it('ends an oversize unterminated line on silence, so the next scan is read', () => {
    const { framer, texts, time } = setup({ idleMs: 100, maxLineBytes: 64 });
    framer.push(Buffer.alloc(1000, 0x41));
    time.advanceSync(100);
    framer.push(enc('NEXT'));
    time.advanceSync(100);
    expect(texts()).toEqual(['<too-large>', 'NEXT']);
  });

  it('with idleMs 0 never schedules a timer', () => {
    const { framer, frames, time } = setup({ idleMs: 0 });
    framer.push(enc('ABC'));
    expect(time.timerCount).toBe(0);
    time.advanceSync(60_000);
    expect(frames).toEqual([]);
  });
});

describe('LineFramer: decoding and trimming', () => {
  it.each([
    ['invalid start bytes', [0xff, 0xfe, 0x41]],
    ['overlong encoding of NUL', [0x41, 0xc0, 0x80]],
    ['UTF-16 surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
    ['truncated multibyte character at line end', [0x41, 0xe1, 0xbb]],
    ['Latin-1 text', [0x4e, 0x67, 0x75, 0x79, 0xea, 0x6e]],
  ])('reports %s as unreadable and keeps the bytes, then keeps going', (_name, raw) => {
    const { framer, frames } = setup();
    framer.push(Uint8Array.from([...raw, 0x0a]));
    framer.push(enc('OK\n'));
    expect(frames).toHaveLength(2);
    expect(frames[0]).toMatchObject({ fault: 'unreadable', text: '' });
    expect([...(frames[0]?.bytes ?? [])]).toEqual(raw);
    expect(frames[1]).toMatchObject({ text: 'OK' });
    expect(frames[1]?.fault).toBeUndefined();
    expect(frames.some((f) => f.text.includes('\uFFFD'))).toBe(false);
  });

  it('strips a BOM, NUL padding and surrounding control characters, keeps spaces and diacritics', () => {
    const { framer, frames } = setup();
    framer.push(Uint8Array.from([0x00, 0x00, 0xef, 0xbb, 0xbf, ...enc('  Trần Thị Ngọc Ánh  '), 0x09, 0x00, 0x00, 0x0d]));
    framer.push(Uint8Array.from([0x02, ...enc('a\u001db'), 0x03, 0x0a]));
    expect(frames.map((f) => f.text)).toEqual(['  Trần Thị Ngọc Ánh  ', 'a\u001db']);
    expect(Buffer.from(frames[0]?.bytes ?? []).toString('utf8')).toBe('  Trần Thị Ngọc Ánh  ');
  });

  it('ignores lines made only of control characters or padding', () => {
    const { framer, texts } = setup();
    framer.push(Uint8Array.from([0x00, 0x00, 0x0a, 0x1b, 0x09, 0x0d, 0xef, 0xbb, 0xbf, 0x0a]));
    framer.push(enc('x\n'));
    expect(texts()).toEqual(['x']);
  });

  it('keeps multibyte characters split across chunks intact', () => {
    const { framer, texts } = setup();
    const bytes = enc('Đặng 𝄞\n');
    for (const b of bytes) framer.push(Uint8Array.of(b));
    expect(texts()).toEqual(['Đặng 𝄞']);
  });
});

describe('LineFramer: lifecycle', () => {
  it('reset() drops the pending line and its timer; close() also ignores later input', () => {
    const { framer, texts, time } = setup({ idleMs: 100 });
    framer.push(enc('half'));
    framer.reset();
    expect(time.timerCount).toBe(0);
    framer.push(enc('whole\n'));
    framer.push(enc('pending'));
    framer.close();
    expect(time.timerCount).toBe(0);
    framer.push(enc('after\n'));
    framer.flush();
    time.advanceSync(1000);
    expect(texts()).toEqual(['whole']);
  });

  it('stays consistent when the listener throws', () => {
    const time = new FakeTime();
    const seen: string[] = [];
    const framer = new LineFramer({
      clock: time,
      timers: time,
      onFrame: (f) => {
        seen.push(f.text);
        if (f.text === 'boom') throw new Error('listener bug');
      },
    });
    expect(() => framer.push(enc('boom\nrest'))).toThrow('listener bug');
    framer.push(enc('-of-line\n'));
    expect(seen).toEqual(['boom', 'rest-of-line']);
  });
});
