import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { Backoff } from '../../drivers/backoff.js';
import { SerialScannerDriver } from '../../drivers/serial/serial-driver.js';
import type { DevicePresenceProbe, SerialPortLike, SerialPortOpener } from '../../drivers/serial/port.js';
import type { ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import { FakeTime } from '../fakes/fake-time.js';

class FakePort extends EventEmitter implements SerialPortLike {
  isOpen = true;
  closeCalls = 0;
  close(callback?: (err: Error | null) => void): void {
    this.closeCalls++;
    this.isOpen = false;
    callback?.(null);
  }
  unplug(): void {
    this.isOpen = false;
    this.emit('close', Object.assign(new Error('Port disconnected'), { disconnected: true }));
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** An opener driven by a script: each call takes the next outcome ('fail' or a port). */
function scriptedOpener() {
  const outcomes: Array<'fail' | FakePort> = [];
  const calls: string[] = [];
  const opener: SerialPortOpener = ({ path }) => {
    calls.push(path);
    const next = outcomes.shift() ?? 'fail';
    return next === 'fail' ? Promise.reject(new Error(`Error: No such file or directory, cannot open ${path}`)) : Promise.resolve(next);
  };
  return { opener, outcomes, calls };
}

function makeDriver(opener: SerialPortOpener, probe?: DevicePresenceProbe) {
  const time = new FakeTime();
  const driver = new SerialScannerDriver(
    { path: '/dev/ttyFAKE0', baudRate: 9600, maxLineBytes: 64, idleMs: 0, openPort: opener, backoff: { random: () => 0.5 }, ...(probe ? { probe, watchMs: 1000 } : {}) },
    { clock: time, timers: time, logger: silent },
  );
  const scans: ScanEvent[] = [];
  const statuses: ScannerStatus['state'][] = [];
  let disconnects = 0;
  driver.on('scan', (s) => scans.push(s));
  driver.on('status', (s) => statuses.push(s.state));
  driver.on('disconnected', () => disconnects++);
  return { time, driver, scans, statuses, disconnects: () => disconnects };
}

describe('SerialScannerDriver', () => {
  it('opens, frames data into scan events and keeps status', async () => {
    const { opener, outcomes } = scriptedOpener();
    const port = new FakePort();
    outcomes.push(port);
    const { driver, scans, time } = makeDriver(opener);
    await driver.open();
    expect(driver.status()).toMatchObject({ state: 'connected', reads: 0, errors: 0, deviceId: 'serial:/dev/ttyFAKE0' });
    port.emit('data', Buffer.from('ABC\r\nDE'));
    port.emit('data', Buffer.from('F\n' + 'x'.repeat(100) + '\n'));
    expect(scans.map((s) => s.fault ?? s.text)).toEqual(['ABC', 'DEF', 'too-large']);
    expect(scans[0]).toMatchObject({ source: 'serial', deviceId: 'serial:/dev/ttyFAKE0', receivedAt: time.now() });
    expect(driver.status()).toMatchObject({ reads: 3, errors: 1, lastReadAt: new Date(time.now()).toISOString() });
    await driver.close();
  });

  it('close() hands on an unterminated scan still waiting for its idle timeout; the head of a terminated line is dropped', async () => {
    const time = new FakeTime();
    const make = (port: FakePort) => {
      const driver = new SerialScannerDriver(
        { path: '/dev/ttyFAKE1', baudRate: 9600, maxLineBytes: 64, idleMs: 100, openPort: () => Promise.resolve(port), backoff: { random: () => 0.5 } },
        { clock: time, timers: time, logger: silent },
      );
      const texts: string[] = [];
      driver.on('scan', (s) => texts.push(s.text));
      return { driver, texts };
    };
    const quiet = new FakePort();
    const a = make(quiet);
    await a.driver.open();
    quiet.emit('data', Buffer.from('NO-TERMINATOR'));
    await a.driver.close();
    expect(a.texts).toEqual(['NO-TERMINATOR']);
    const terminated = new FakePort();
    const b = make(terminated);
    await b.driver.open();
    terminated.emit('data', Buffer.from('WHOLE\r\nHEAD-OF-NEXT'));
    await b.driver.close();
    expect(b.texts).toEqual(['WHOLE']);
  });

  it('resolves open() when the port is missing, then keeps retrying with backoff until it appears', async () => {
    const { opener, outcomes, calls } = scriptedOpener();
    const { driver, scans, time } = makeDriver(opener);
    await driver.open();
    expect(driver.status()).toMatchObject({ state: 'disconnected', lastError: expect.stringContaining('cannot open /dev/ttyFAKE0') });
    // random 0.5 → delays floor + 0.5·(ceiling − floor): 150, 275, 525, …
    const delays = time.pendingDelays();
    expect(delays).toEqual([150]);
    await time.advance(150 + 275);
    expect(calls).toHaveLength(3);
    const port = new FakePort();
    outcomes.push(port);
    await time.advance(525);
    expect(calls).toHaveLength(4);
    expect(driver.status().state).toBe('connected');
    expect(driver.status().lastError).toBeUndefined();
    port.emit('data', Buffer.from('SCAN-1\r'));
    expect(scans.map((s) => s.text)).toEqual(['SCAN-1']);
    await driver.close();
    expect(time.timerCount).toBe(0);
  });

  it('after an unplug reports disconnected, reconnects by itself and drops the half line', async () => {
    const { opener, outcomes } = scriptedOpener();
    const first = new FakePort();
    outcomes.push(first);
    const { driver, scans, statuses, disconnects, time } = makeDriver(opener);
    await driver.open();
    first.emit('data', Buffer.from('BEFORE\nHALF-'));
    first.unplug();
    expect(driver.status()).toMatchObject({ state: 'disconnected', lastError: '/dev/ttyFAKE0 went away: the scanner was unplugged or its cable came loose; it reconnects by itself when plugged back', errors: 0 });
    expect(disconnects()).toBe(1);
    outcomes.push('fail');
    const second = new FakePort();
    outcomes.push(second);
    await time.advance(10_000);
    expect(driver.status().state).toBe('connected');
    // Late events from the old port are ignored.
    first.emit('data', Buffer.from('GHOST\n'));
    first.emit('close', Object.assign(new Error('again'), { disconnected: true }));
    second.emit('data', Buffer.from('AFTER\n'));
    expect(scans.map((s) => s.text)).toEqual(['BEFORE', 'AFTER']);
    expect(disconnects()).toBe(1);
    // A failed retry with a new lastError re-emits 'disconnected'; the state sequence is what matters.
    expect(statuses.filter((s, i) => s !== statuses[i - 1])).toEqual(['connected', 'disconnected', 'connected']);
    await driver.close();
    expect(second.closeCalls).toBe(1);
    expect(driver.status().state).toBe('closed');
  });

  it('treats a port error as a loss, reports it on error (never throwing without a listener)', async () => {
    const { opener, outcomes } = scriptedOpener();
    const port = new FakePort();
    outcomes.push(port, new FakePort());
    const { driver, time } = makeDriver(opener);
    await driver.open();
    port.emit('error', new Error('EIO read failed'));
    expect(driver.status()).toMatchObject({ state: 'disconnected', errors: 1, lastError: 'EIO read failed' });
    const errors: string[] = [];
    driver.on('error', (e) => errors.push(e.message));
    await time.advance(1000);
    expect(driver.status().state).toBe('connected');
    await driver.close();
    expect(errors).toEqual([]);
  });

  it('close() while an open attempt is in flight releases the port that opens late', async () => {
    let resolveOpen: (p: FakePort) => void = () => undefined;
    const opener: SerialPortOpener = () => new Promise((resolve) => (resolveOpen = resolve));
    const { driver, time } = makeDriver(opener);
    const opening = driver.open();
    const closing = driver.close();
    const late = new FakePort();
    resolveOpen(late);
    await Promise.all([opening, closing]);
    expect(late.closeCalls).toBe(1);
    expect(driver.status().state).toBe('closed');
    expect(time.timerCount).toBe(0);
  });

  it('explains a permission error in lastError', async () => {
    const { driver } = makeDriver(() => Promise.reject(new Error('Error: Permission denied, cannot open /dev/ttyFAKE0')));
    await driver.open();
    expect(driver.status()).toMatchObject({
      lastError: 'cannot open /dev/ttyFAKE0: permission denied: add the kiosk user to the dialout group (sudo usermod -aG dialout USER, then log in again)',
      lastErrorCode: 'EACCES',
    });
    await driver.close();
  });

  it('close() during the backoff wait cancels the retry; close is idempotent', async () => {
    const { opener, calls } = scriptedOpener();
    const { driver, time } = makeDriver(opener);
    await driver.open();
    expect(time.timerCount).toBe(1);
    await driver.close();
    await driver.close();
    expect(time.timerCount).toBe(0);
    await time.advance(60_000);
    expect(calls).toHaveLength(1);
    await expect(driver.open()).rejects.toThrow(/open\(\) after close\(\)/);
  });
});

describe('SerialScannerDriver presence watchdog', () => {
  it('treats a vanished or replaced device path as an unplug even when the port says nothing', async () => {
    const { opener, outcomes } = scriptedOpener();
    const first = new FakePort();
    const second = new FakePort();
    outcomes.push(first, second, new FakePort());
    let identity: string | undefined = 'dev-A';
    const { driver, time, disconnects } = makeDriver(opener, () => Promise.resolve(identity));
    const reasons: Array<string | undefined> = [];
    driver.on('disconnected', () => reasons.push(driver.status().lastError));
    await driver.open();
    await time.advance(5000);
    expect(driver.status().state).toBe('connected');
    identity = undefined;
    await time.advance(1000);
    expect(driver.status()).toMatchObject({ state: 'disconnected', lastError: '/dev/ttyFAKE0 went away: the scanner was unplugged or its cable came loose; it reconnects by itself when plugged back', lastErrorCode: 'ENOENT' });
    expect(first.closeCalls).toBe(1);
    expect(disconnects()).toBe(1);
    identity = 'dev-B';
    await time.advance(300);
    expect(driver.status().state).toBe('connected');
    // Same path, another device behind it (e.g. a different adapter on the same by-id link).
    const replaced = identity;
    identity = 'dev-C';
    await time.advance(1000);
    expect(replaced).toBe('dev-B');
    expect(reasons).toEqual(['/dev/ttyFAKE0 went away: the scanner was unplugged or its cable came loose; it reconnects by itself when plugged back', '/dev/ttyFAKE0 now leads to another device (a different adapter behind the same name); reconnecting to it']);
    expect(second.closeCalls).toBe(1);
    // ...and it reconnected to the third port, behind the new identity.
    expect(driver.status().state).toBe('connected');
    await driver.close();
    expect(time.timerCount).toBe(0);
  });
});

describe('SerialScannerDriver presence watchdog failures', () => {
  it('a probe that throws counts as a vanished device, never as an unhandled rejection', async () => {
    const { opener, outcomes } = scriptedOpener();
    outcomes.push(new FakePort());
    const { driver, time, disconnects } = makeDriver(opener, () => Promise.reject(new Error('EIO')));
    await driver.open();
    expect(driver.status().state).toBe('connected');
    await time.advance(1000);
    expect(disconnects()).toBe(1);
    expect(driver.status()).toMatchObject({ state: 'disconnected' });
    await driver.close();
    expect(time.timerCount).toBe(0);
  });
});

describe('Backoff', () => {
  it('grows exponentially with full jitter up to the cap, and resets', () => {
    const max = new Backoff({ random: () => 0.999999 });
    expect(Array.from({ length: 8 }, () => max.next())).toEqual([249, 499, 999, 1999, 3999, 4999, 4999, 4999]);
    const min = new Backoff({ random: () => 0 });
    expect(Array.from({ length: 4 }, () => min.next())).toEqual([50, 50, 50, 50]);
    max.reset();
    expect(max.next()).toBe(249);
    expect(max.attempts).toBe(1);
  });

  it('rejects nonsense settings', () => {
    expect(() => new Backoff({ baseMs: 0 })).toThrow(/backoff needs/);
    expect(() => new Backoff({ baseMs: 500, capMs: 100 })).toThrow(/backoff needs/);
  });
});
