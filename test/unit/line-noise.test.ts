/**
 * Line noise: the classifier (what no scanner sends), the burst gate on a fake clock, and a serial
 * driver on a fake port folding a burst into one fault while real scans pass.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { isFragment, isLineNoise } from '../../drivers/framing/line-noise.js';
import { LineNoiseGate, type NoiseBurst } from '../../drivers/framing/noise-gate.js';
import type { Frame } from '../../drivers/framing/line-framer.js';
import { SerialScannerDriver } from '../../drivers/serial/serial-driver.js';
import type { SerialPortLike } from '../../drivers/serial/port.js';
import type { ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import { FakeTime } from '../fakes/fake-time.js';

const text = (t: string) => ({ text: t });
const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };

describe('isLineNoise', () => {
  it('takes undecodable bytes, U+FFFD, NUL, other C0 controls and DEL for noise', () => {
    expect(isLineNoise({ text: '', fault: 'unreadable' })).toBe(true);
    expect(isLineNoise(text('abc\uFFFDdef'))).toBe(true);
    for (const c of [0x00, 0x01, 0x07, 0x08, 0x0b, 0x0c, 0x0e, 0x1b, 0x7f]) {
      expect(isLineNoise(text(`0123${String.fromCharCode(c)}4567`)), `0x${c.toString(16)}`).toBe(true);
    }
  });

  it('keeps scanner text: GS1 / ISO 15434 separators, TAB, Vietnamese diacritics, emoji', () => {
    // ISO/IEC 15434 envelope with GS1 element strings: [)> RS 06 GS … RS EOT
    expect(isLineNoise(text('[)>\u001E06\u001D01095011010209171\u001D10ABC123\u001E\u0004'))).toBe(false);
    expect(isLineNoise(text('0109501101020917\u001D17250101\u001D10LOT7'))).toBe(false);
    expect(isLineNoise(text('A\u001CB\u001FC\tD'))).toBe(false);
    expect(isLineNoise(text('001099012345|Nguyễn Văn Ánh|01011990|Nữ|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội'))).toBe(false);
    expect(isLineNoise(text('HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH 🇻🇳'))).toBe(false);
  });

  it('does not judge a too-large frame (its bytes were not kept)', () => {
    expect(isLineNoise({ text: '', fault: 'too-large' })).toBe(false);
  });

  it('calls fewer than 8 characters a fragment, counting code points', () => {
    expect(isFragment(text('abc'))).toBe(true);
    expect(isFragment(text('Nguyễn'))).toBe(true);
    expect(isFragment(text('12345678'))).toBe(false);
    expect(isFragment({ text: '', fault: 'unreadable' })).toBe(false);
  });
});

function gate() {
  const time = new FakeTime();
  const events: Array<['start' | 'end', NoiseBurst]> = [];
  const g = new LineNoiseGate({ clock: time, timers: time, onStart: (b) => events.push(['start', b]), onEnd: (b) => events.push(['end', b]) });
  const frame = (t: string | undefined): Frame => ({ text: t ?? '', receivedAt: time.now(), byteLength: 9, ...(t === undefined ? { fault: 'unreadable' as const } : {}) });
  const noise = () => g.offer(frame(undefined));
  const scan = (t = 'HC1:6BF+70790T9WJWG') => g.offer(frame(t));
  return { time, g, events, noise, scan, frame };
}

describe('LineNoiseGate', () => {
  it('passes up to four noise frames within 1 s, drops the rest until 2 s of quiet, then reports once', async () => {
    const { time, g, events, noise } = gate();
    expect([noise(), noise(), noise(), noise()]).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(events).toEqual([]);
    const start = time.now();
    expect(noise()).toBe('drop');
    expect(events).toEqual([['start', { dropped: 1, startedAt: start }]]);
    for (let i = 0; i < 200; i++) expect(noise()).toBe('drop');
    expect(g.current).toEqual({ dropped: 201, startedAt: start });
    // Noise keeps coming every 1.5 s: the burst goes on.
    await time.advance(1500);
    expect(noise()).toBe('drop');
    await time.advance(1999);
    expect(events).toHaveLength(1);
    await time.advance(1);
    expect(events).toEqual([
      ['start', { dropped: 1, startedAt: start }],
      ['end', { dropped: 202, startedAt: start, endedAt: start + 3500 }],
    ]);
    expect(g.current).toBeUndefined();
    expect(time.timerCount).toBe(0);
    // After the quiet, a lone noise frame passes again.
    expect(noise()).toBe('pass');
  });

  it('passes a real scan in the middle of a burst, and drops short fragments only inside one', () => {
    const { events, noise, scan, g, frame } = gate();
    expect(g.offer(frame('ab'))).toBe('pass');
    for (let i = 0; i < 4; i++) noise();
    expect(noise()).toBe('drop');
    expect(scan()).toBe('pass');
    expect(g.offer(frame('x7'))).toBe('drop');
    expect(scan('001099012345|Nguyễn Văn Ánh|01011990')).toBe('pass');
    expect(noise()).toBe('drop');
    expect(g.current?.dropped).toBe(3);
    expect(events).toHaveLength(1);
  });

  it('does not start a burst for noise spread wider than 1 s', async () => {
    const { time, noise, events } = gate();
    for (let i = 0; i < 10; i++) {
      expect(noise()).toBe('pass');
      await time.advance(400);
    }
    expect(events).toEqual([]);
  });

  it('a burst that dropped nothing ends silently; close() ends one in progress', async () => {
    const { time, g, events, noise } = gate();
    for (let i = 0; i < 4; i++) noise();
    await time.advance(2000);
    expect(events).toEqual([]);
    for (let i = 0; i < 6; i++) noise();
    g.close();
    expect(events.map(([k, b]) => [k, b.dropped])).toEqual([
      ['start', 1],
      ['end', 2],
    ]);
    expect(time.timerCount).toBe(0);
  });
});

class FakePort extends EventEmitter implements SerialPortLike {
  isOpen = true;
  close(callback?: (err: Error | null) => void): void {
    this.isOpen = false;
    callback?.(null);
  }
}

describe('serial driver: a burst of line noise', () => {
  it('becomes one fault with the dropped count in status, while real scans are delivered', async () => {
    const time = new FakeTime();
    const logs: Array<[string, unknown]> = [];
    const logger: Logger = { debug() {}, info() {}, warn: (m, f) => void logs.push([m, f]), error() {}, child: () => logger };
    const port = new FakePort();
    const driver = new SerialScannerDriver({ path: '/dev/ttyFAKE0', baudRate: 9600, maxLineBytes: 256, idleMs: 0, openPort: () => Promise.resolve(port) }, { clock: time, timers: time, logger });
    const scans: ScanEvent[] = [];
    const statuses: ScannerStatus[] = [];
    driver.on('scan', (s) => scans.push(s));
    driver.on('status', (s) => statuses.push(s));
    await driver.open();
    statuses.length = 0;
    const garbage = Buffer.from([0xff, 0x00, 0x1b, 0x80, 0x41, 0x0a]);
    for (let i = 0; i < 50; i++) port.emit('data', garbage);
    port.emit('data', Buffer.from('001099012345|Nguyễn Văn Ánh|01011990\r\n'));
    for (let i = 0; i < 50; i++) port.emit('data', garbage);
    expect(scans.map((s) => s.fault ?? s.text)).toEqual(['unreadable', 'unreadable', 'unreadable', 'unreadable', '001099012345|Nguyễn Văn Ánh|01011990']);
    const during = driver.status();
    expect(during).toMatchObject({ state: 'connected', fault: 'line-noise', reads: 5, errors: 100, lineNoise: { active: true, dropped: 96 } });
    expect(during.lastError).toBe('the scanner sends unreadable data (96 frames dropped) — check the baud rate (`?baud=`) and the cable');
    expect(statuses).toHaveLength(1);
    expect(statuses[0]).toMatchObject({ fault: 'line-noise', lastError: expect.stringContaining('(1 frame dropped)') });
    await time.advance(2000);
    expect(statuses).toHaveLength(2);
    expect(statuses[1]).toMatchObject({ state: 'connected', lineNoise: { active: false, dropped: 96 } });
    expect(statuses[1]?.fault).toBeUndefined();
    expect(statuses[1]?.lastError).toBeUndefined();
    // Logs: the four passed frames, one start and one end; never the bytes.
    expect(logs.map(([m]) => m)).toEqual([...Array<string>(4).fill('bad scan frame'), 'scanner sends line noise: further noise frames are dropped until it is quiet', 'scanner line noise ended']);
    expect(logs[5]?.[1]).toMatchObject({ dropped: 96, durationMs: 2000 });
    expect(JSON.stringify(logs)).not.toMatch(/Nguy|\\u00ff/);
    await driver.close();
    expect(time.timerCount).toBe(0);
  });

  it('cuts the unterminated tail of the noise after idleMs, so a scan a moment later is read whole', async () => {
    const time = new FakeTime();
    const port = new FakePort();
    const driver = new SerialScannerDriver({ path: '/dev/ttyFAKE0', baudRate: 9600, maxLineBytes: 256, idleMs: 100, openPort: () => Promise.resolve(port) }, { clock: time, timers: time, logger: silentLogger });
    const scans: ScanEvent[] = [];
    driver.on('scan', (s) => scans.push(s));
    await driver.open();
    for (let i = 0; i < 20; i++) port.emit('data', Buffer.from([0xff, 0x00, 0x1b, 0x80, 0x41, 0x0a]));
    port.emit('data', Buffer.from([0xfe, 0x01, 0xc3]));
    expect(driver.status().fault).toBe('line-noise');
    await time.advance(150);
    port.emit('data', Buffer.from('001099012345|Nguyễn Văn Ánh|01011990\r\n'));
    expect(scans.filter((s) => !s.fault).map((s) => s.text)).toEqual(['001099012345|Nguyễn Văn Ánh|01011990']);
    expect(driver.status().lineNoise?.dropped).toBe(17);
    // Once the noise is over, a pause inside a line no longer ends it (host stalls, TERMINATED_IDLE_MS).
    await time.advance(2000);
    expect(driver.status().fault).toBeUndefined();
    port.emit('data', Buffer.from('HC1:6BF+70790'));
    await time.advance(150);
    port.emit('data', Buffer.from('T9WJWG\r\n'));
    expect(scans.filter((s) => !s.fault).map((s) => s.text)).toEqual(['001099012345|Nguyễn Văn Ánh|01011990', 'HC1:6BF+70790T9WJWG']);
    await driver.close();
  });
});
