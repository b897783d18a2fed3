/**
 * DeviceManager with fake drivers, fake discovery and a manual clock: several scanners, hot-plug
 * through rediscovery, per-device health over the sliding window, the self-test, and close().
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { DriverDeps, ScannerDriver, ScannerEvents } from '../../drivers/types.js';
import type { ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import { DeviceManager } from '../../drivers/manager/device-manager.js';
import { previewShape } from '../../drivers/manager/self-test.js';
import { RateWindow } from '../../drivers/manager/rate-window.js';
import type { AutoDiscoveryResult, DeviceHealth } from '../../drivers/manager/types.js';
import type { SelfTestResult } from '../../drivers/manager/self-test.js';
import { ScannerUriError } from '../../drivers/uri.js';
import { FakeTime, settle, silentLogger } from '../fakes/fake-hid.js';

class FakeDriver extends EventEmitter<ScannerEvents> implements ScannerDriver {
  readonly deviceId: string;
  state: ScannerStatus['state'] = 'connecting';
  opens = 0;
  closes = 0;
  reads = 0;
  errors = 0;
  lastError: string | undefined;
  /** Merged into status() (e.g. a line-noise fault). */
  extra: Partial<ScannerStatus> = {};

  constructor(
    readonly uri: string,
    private readonly time: FakeTime,
  ) {
    super();
    this.deviceId = uri.split('?')[0] as string;
  }

  async open(): Promise<void> {
    this.opens++;
    this.setState('connected');
  }

  async close(): Promise<void> {
    this.closes++;
    this.setState('closed');
  }

  status(): ScannerStatus {
    const s: ScannerStatus = { deviceId: this.deviceId, uri: this.uri, state: this.state, reads: this.reads, errors: this.errors };
    if (this.lastError) s.lastError = this.lastError;
    return { ...s, ...this.extra };
  }

  setState(state: ScannerStatus['state'], lastError?: string): void {
    this.state = state;
    this.lastError = lastError;
    this.emit('status', this.status());
  }

  scan(text: string, extra: Partial<ScanEvent> = {}): void {
    this.reads++;
    this.emit('scan', { source: 'serial', deviceId: this.deviceId, text, receivedAt: this.time.now(), ...extra });
  }

  unplug(): void {
    this.setState('disconnected', 'device path went away');
    this.emit('disconnected');
  }
}

function setup(uris: string[], discovery: AutoDiscoveryResult[] = [], links: Map<string, string> = new Map()) {
  const time = new FakeTime();
  const deps: DriverDeps = { clock: time, timers: time, logger: silentLogger };
  const made: FakeDriver[] = [];
  const failing = new Set<string>();
  let discoveries = 0;
  let next: AutoDiscoveryResult = { uris: [] };
  const manager = new DeviceManager({
    uris,
    deps,
    rediscoverMs: 5000,
    canonicalPath: (p) => links.get(p) ?? p,
    createDriver: async (uri) => {
      if (failing.has(uri)) throw new Error('node-hid could not be loaded');
      const d = new FakeDriver(uri, time);
      made.push(d);
      return d;
    },
    discover: async () => {
      discoveries++;
      return discovery.shift() ?? next;
    },
  });
  const scans: ScanEvent[] = [];
  const statuses: ScannerStatus[] = [];
  const errors: Error[] = [];
  const lists: DeviceHealth[][] = [];
  manager.on('scan', (s) => scans.push(s));
  manager.on('status', (s) => statuses.push(s));
  manager.on('error', (e) => errors.push(e));
  manager.on('devices', (l) => lists.push(l));
  const driver = (deviceId: string) => {
    const d = made.filter((m) => m.deviceId === deviceId).pop();
    if (!d) throw new Error(`no driver ${deviceId}`);
    return d;
  };
  return {
    time,
    manager,
    made,
    failing,
    scans,
    statuses,
    errors,
    lists,
    driver,
    discoveries: () => discoveries,
    setDiscovery: (r: AutoDiscoveryResult) => (next = r),
  };
}

describe('DeviceManager: several scanners', () => {
  it('shows a connected scanner sending line noise in the aggregate status and in health', async () => {
    const t = setup(['serial:/dev/ttyACM0', 'serial:/dev/ttyUSB0']);
    await t.manager.open();
    expect(t.manager.status().fault).toBeUndefined();
    const lineNoise = { active: true, dropped: 12, startedAt: new Date(t.time.now()).toISOString() };
    t.driver('serial:/dev/ttyUSB0').extra = { fault: 'line-noise', lastError: 'the scanner sends unreadable data (12 frames dropped) — check the baud rate (`?baud=`) and the cable', lineNoise };
    expect(t.manager.status()).toMatchObject({ state: 'connected', fault: 'line-noise', lastError: 'serial:/dev/ttyUSB0: the scanner sends unreadable data (12 frames dropped) — check the baud rate (`?baud=`) and the cable' });
    expect(t.manager.health().map((h) => [h.deviceId, h.fault, h.lineNoise?.dropped])).toEqual([
      ['serial:/dev/ttyACM0', undefined, undefined],
      ['serial:/dev/ttyUSB0', 'line-noise', 12],
    ]);
    // A scanner that is gone matters more than one that is noisy.
    t.driver('serial:/dev/ttyACM0').unplug();
    expect(t.manager.status()).toMatchObject({ fault: 'line-noise', lastError: 'device path went away' });
  });

  it('opens every configured scanner and forwards scans and statuses from each', async () => {
    const t = setup(['serial:/dev/ttyACM0', 'serial:/dev/ttyUSB0?baud=115200']);
    await t.manager.open();
    expect(t.made.map((d) => [d.deviceId, d.opens])).toEqual([
      ['serial:/dev/ttyACM0', 1],
      ['serial:/dev/ttyUSB0', 1],
    ]);
    t.driver('serial:/dev/ttyACM0').scan('A1');
    t.driver('serial:/dev/ttyUSB0').scan('B1');
    t.driver('serial:/dev/ttyACM0').scan('A2');
    expect(t.scans.map((s) => `${s.deviceId} ${s.text}`)).toEqual(['serial:/dev/ttyACM0 A1', 'serial:/dev/ttyUSB0 B1', 'serial:/dev/ttyACM0 A2']);
    expect(t.statuses.filter((s) => s.state === 'connected').map((s) => s.deviceId)).toEqual(['serial:/dev/ttyACM0', 'serial:/dev/ttyUSB0']);
    expect(t.manager.status()).toMatchObject({ deviceId: 'scanners', state: 'connected', reads: 3 });
  });

  it('validates configured URIs in the constructor and drops repeats of one device', async () => {
    expect(() => setup(['serial:dev/ttyACM0'])).toThrow(ScannerUriError);
    const none = setup([]);
    await none.manager.open();
    expect(none.manager.status()).toMatchObject({ state: 'disconnected', lastError: 'no scanner configured', reads: 0 });
    const t = setup(['hid:0c2e:0b87', 'hid-pos:0C2E:0B87', 'serial:/dev/ttyACM0', 'serial:/dev/ttyACM0?baud=9600']);
    await t.manager.open();
    expect(t.made.map((d) => d.uri)).toEqual(['hid:0c2e:0b87', 'serial:/dev/ttyACM0']);
  });

  it('as one ScannerDriver for the kiosk: relays scan/status/error and aggregates status', async () => {
    const t = setup(['serial:/dev/ttyACM0', 'serial:/dev/ttyACM1']);
    const view = t.manager.asScannerDriver();
    expect(t.manager.asScannerDriver()).toBe(view);
    const seen: string[] = [];
    view.on('scan', (s) => seen.push(s.text));
    view.on('error', (e) => seen.push(`error ${e.message}`));
    await view.open();
    t.driver('serial:/dev/ttyACM0').scan('X');
    t.driver('serial:/dev/ttyACM1').emit('error', new Error('bad frame'));
    expect(seen).toEqual(['X', 'error serial:/dev/ttyACM1: bad frame']);
    t.driver('serial:/dev/ttyACM0').unplug();
    expect(view.status().state).toBe('connected');
    t.driver('serial:/dev/ttyACM1').unplug();
    expect(view.status()).toMatchObject({ state: 'disconnected', lastError: 'device path went away' });
    await view.close();
    expect(view.status().state).toBe('closed');
  });

  it('never throws on a driver error nobody listens to, nor when a listener throws', async () => {
    const time = new FakeTime();
    const d = new FakeDriver('serial:/dev/ttyACM0', time);
    const manager = new DeviceManager({ uris: ['serial:/dev/ttyACM0'], deps: { clock: time, timers: time, logger: silentLogger }, createDriver: async () => d });
    await manager.open();
    expect(() => d.emit('error', new Error('boom'))).not.toThrow();
    const buggy = () => {
      throw new Error('listener bug');
    };
    manager.on('scan', buggy);
    expect(() => d.scan('still')).not.toThrow();
    manager.off('scan', buggy);
    const after: string[] = [];
    manager.on('scan', (s) => after.push(s.text));
    d.scan('next');
    expect(after).toEqual(['next']);
    await manager.close();
  });
});

describe('DeviceManager: hot-plug with auto', () => {
  it('picks up a scanner plugged in after start on the next discovery, without reopening the others', async () => {
    const t = setup(['serial:/dev/ttyACM0', 'auto'], [{ uris: ['serial:/dev/ttyACM0'] }]);
    await t.manager.open();
    expect(t.made).toHaveLength(1);
    t.setDiscovery({ uris: ['serial:/dev/ttyACM0', 'hid-pos:0C2E:0B87'] });
    await t.time.advance(4999);
    expect(t.made).toHaveLength(1);
    await t.time.advance(1);
    expect(t.made.map((d) => [d.uri, d.opens])).toEqual([
      ['serial:/dev/ttyACM0', 1],
      ['hid-pos:0C2E:0B87', 1],
    ]);
    expect(t.manager.health().map((h) => [h.deviceId, h.origin, h.state])).toEqual([
      ['serial:/dev/ttyACM0', 'configured', 'connected'],
      ['hid-pos:0C2E:0B87', 'auto', 'connected'],
    ]);
    expect(t.lists.at(-1)?.map((h) => h.deviceId)).toEqual(['serial:/dev/ttyACM0', 'hid-pos:0C2E:0B87']);
    t.driver('hid-pos:0C2E:0B87').scan('new one');
    expect(t.scans.map((s) => s.text)).toEqual(['new one']);
  });

  it('leaves reconnection to the driver while the device is briefly gone, and closes it when gone for good', async () => {
    const t = setup(['auto'], [{ uris: ['serial:/dev/ttyACM3'] }]);
    await t.manager.open();
    const d = t.driver('serial:/dev/ttyACM3');
    d.unplug();
    t.setDiscovery({ uris: [] });
    await t.time.advance(10_000); // two misses: still managed, the driver retries on its own
    expect(t.manager.health()).toHaveLength(1);
    d.setState('connected'); // the driver reconnected by itself
    t.setDiscovery({ uris: ['serial:/dev/ttyACM3'] });
    await t.time.advance(5_000);
    expect(t.made).toHaveLength(1);
    expect(d.opens).toBe(1);
    expect(d.closes).toBe(0);

    d.unplug();
    t.setDiscovery({ uris: [] });
    await t.time.advance(15_000); // three misses in a row while disconnected: retired
    expect(d.closes).toBe(1);
    expect(t.manager.health()).toEqual([]);
    expect(t.manager.status()).toMatchObject({ state: 'disconnected', lastError: 'no scanner found' });

    t.setDiscovery({ uris: ['serial:/dev/ttyACM3'] });
    await t.time.advance(5_000);
    expect(t.made).toHaveLength(2);
    expect(t.driver('serial:/dev/ttyACM3').opens).toBe(1);
  });

  it('knows a serial device by its link and by where the link pointed, so a replug to a new node is not read twice', async () => {
    const links = new Map([['/dev/serial/by-id/usb-Scanner', '/dev/ttyACM0']]);
    const t = setup(['serial:/dev/serial/by-id/usb-Scanner', 'auto'], [{ uris: ['serial:/dev/ttyACM0'] }], links);
    await t.manager.open();
    expect(t.made.map((d) => d.uri)).toEqual(['serial:/dev/serial/by-id/usb-Scanner']);
    // Replugged: the link now leads to ttyACM1; the configured driver reconnects through the link.
    links.set('/dev/serial/by-id/usb-Scanner', '/dev/ttyACM1');
    t.setDiscovery({ uris: ['serial:/dev/ttyACM1'] });
    await t.time.advance(5_000);
    expect(t.made).toHaveLength(1);
    // Another scanner on the node the link left is a different device and is opened.
    t.setDiscovery({ uris: ['serial:/dev/ttyACM1', 'serial:/dev/ttyACM0'] });
    await t.time.advance(5_000);
    expect(t.made.map((d) => d.uri)).toEqual(['serial:/dev/serial/by-id/usb-Scanner', 'serial:/dev/ttyACM0']);
  });

  it('does not count misses while a lister failed, and never retires a connected device', async () => {
    const t = setup(['auto'], [{ uris: ['serial:/dev/ttyACM3'] }]);
    await t.manager.open();
    t.setDiscovery({ uris: [], errors: [{ source: 'serial', message: 'udevadm missing' }] });
    t.driver('serial:/dev/ttyACM3').unplug();
    await t.time.advance(60_000);
    expect(t.manager.health()).toHaveLength(1);
    t.driver('serial:/dev/ttyACM3').setState('connected');
    t.setDiscovery({ uris: [] });
    await t.time.advance(60_000);
    expect(t.manager.health()).toHaveLength(1);
  });

  it('does not open a discovered HID POS scanner twice when hid-pos:auto is configured, nor a configured one again', async () => {
    const t = setup(['hid-pos:auto', 'serial:/dev/ttyACM0', 'auto'], [{ uris: ['hid-pos:0C2E:0B87', 'serial:/dev/ttyACM0', 'serial:/dev/ttyUSB1'] }]);
    await t.manager.open();
    expect(t.made.map((d) => d.uri)).toEqual(['hid-pos:auto', 'serial:/dev/ttyACM0', 'serial:/dev/ttyUSB1']);
  });

  it('reports a found scanner that cannot be built once, keeps going, and adds it when it can be built', async () => {
    const t = setup(['auto'], [{ uris: ['hid-pos:0C2E:0B87', 'serial:/dev/ttyACM0'] }]);
    t.failing.add('hid-pos:0C2E:0B87');
    t.setDiscovery({ uris: ['hid-pos:0C2E:0B87', 'serial:/dev/ttyACM0'] });
    await t.manager.open();
    await t.time.advance(10_000);
    expect(t.errors.map((e) => e.message)).toEqual(['hid-pos:0C2E:0B87: node-hid could not be loaded']);
    expect(t.made.map((d) => d.uri)).toEqual(['serial:/dev/ttyACM0']);
    t.failing.clear();
    await t.time.advance(5_000);
    expect(t.made.map((d) => d.uri)).toEqual(['serial:/dev/ttyACM0', 'hid-pos:0C2E:0B87']);
  });

  it('starts with nothing found and keeps looking; a failing discovery is survived', async () => {
    const t = setup(['auto']);
    await t.manager.open();
    expect(t.manager.status().state).toBe('disconnected');
    expect(t.discoveries()).toBe(1);
    t.setDiscovery({ uris: ['serial:/dev/ttyACM0'] });
    await t.time.advance(5_000);
    expect(t.manager.status().state).toBe('connected');
  });

  it('close() closes every driver and leaves no timer behind', async () => {
    const t = setup(['serial:/dev/ttyACM0', 'auto'], [{ uris: ['serial:/dev/ttyACM1'] }]);
    await t.manager.open();
    expect(t.time.timerCount).toBe(1);
    await t.manager.close();
    expect(t.made.map((d) => d.closes)).toEqual([1, 1]);
    expect(t.time.timerCount).toBe(0);
    await t.time.advance(20_000);
    expect(t.discoveries()).toBe(1);
    await expect(t.manager.open()).rejects.toThrow(/after close/);
  });
});

describe('DeviceManager: health', () => {
  it('reads and errors per minute over a sliding window, last read and last error per device', async () => {
    const t = setup(['serial:/dev/ttyACM0', 'serial:/dev/ttyACM1']);
    await t.manager.open();
    const a = t.driver('serial:/dev/ttyACM0');
    a.scan('1');
    a.scan('2');
    a.scan('3');
    await t.time.advance(30_000);
    a.scan('4');
    a.scan('', { fault: 'too-large' });
    a.emit('error', new Error('read error'));
    let h = t.manager.health()[0] as DeviceHealth;
    expect(h).toMatchObject({ deviceId: 'serial:/dev/ttyACM0', readsPerMinute: 5, errorsPerMinute: 2, reads: 5 });
    expect(h.lastErrorAt).toBe(new Date(t.time.now()).toISOString());
    expect(t.manager.health()[1]).toMatchObject({ readsPerMinute: 0, errorsPerMinute: 0 });
    await t.time.advance(31_000); // the first three reads slid out of the window
    h = t.manager.health()[0] as DeviceHealth;
    expect(h).toMatchObject({ readsPerMinute: 2, errorsPerMinute: 2 });
    a.unplug();
    h = t.manager.health()[0] as DeviceHealth;
    expect(h).toMatchObject({ state: 'disconnected', lastError: 'device path went away', errorsPerMinute: 3 });
    await t.time.advance(61_000);
    expect(t.manager.health()[0]).toMatchObject({ readsPerMinute: 0, errorsPerMinute: 0 });
  });

  it('RateWindow counts bucket by bucket and forgets what slid out', () => {
    const w = new RateWindow({ windowMs: 60_000, bucketMs: 1_000 });
    w.add(1_000);
    w.add(1_500, 2);
    w.add(59_999);
    expect(w.count(60_000)).toBe(4);
    expect(w.count(61_000)).toBe(1);
    w.add(1_000_000);
    expect(w.perMinute(1_000_000)).toBe(1);
    expect(() => new RateWindow({ windowMs: 10, bucketMs: 100 })).toThrow(RangeError);
  });
});

describe('DeviceManager: self-test', () => {
  it('captures the next scan from any scanner as a result without payload and does not forward it', async () => {
    const t = setup(['serial:/dev/ttyACM0', 'hid-pos:0C2E:0B87']);
    await t.manager.open();
    const results: SelfTestResult[] = [];
    t.manager.on('selftest', (r) => results.push(r));
    const pending = t.manager.startSelfTest(15_000);
    expect(t.manager.startSelfTest(15_000)).toBe(pending);
    expect(t.manager.selfTestActive).toBe(true);
    await t.time.advance(1_234);
    const text = '079203012345|123456789|Nguyễn Văn Ánh|01011990|Nam|Hà Nội|15082021';
    t.driver('hid-pos:0C2E:0B87').scan(text, { source: 'hid-pos', symbology: 'qr', bytes: Buffer.from(text, 'utf8') });
    const result = await pending;
    expect(result).toEqual({
      ok: true,
      deviceId: 'hid-pos:0C2E:0B87',
      source: 'hid-pos',
      symbology: 'qr',
      chars: [...text].length,
      bytes: Buffer.byteLength(text, 'utf8'),
      durationMs: 1_234,
      preview: '999999999999…',
    });
    expect(results).toEqual([result]);
    expect(JSON.stringify(result)).not.toMatch(/Nguy|0792|Hà/);
    expect(t.scans).toEqual([]);
    expect(t.manager.health()[1]).toMatchObject({ readsPerMinute: 1 });
    // The next scan is a normal one again.
    t.driver('serial:/dev/ttyACM0').scan('after');
    expect(t.scans.map((s) => s.text)).toEqual(['after']);
    expect(t.manager.selfTestActive).toBe(false);
  });

  it('ends with timeout when nothing arrives, and with cancelled or closed', async () => {
    const t = setup(['serial:/dev/ttyACM0']);
    await t.manager.open();
    const timedOut = t.manager.startSelfTest(10_000);
    await t.time.advance(10_000);
    expect(await timedOut).toEqual({ ok: false, reason: 'timeout', durationMs: 10_000 });
    const cancelled = t.manager.startSelfTest(10_000);
    await t.time.advance(2_000);
    t.manager.cancelSelfTest();
    expect(await cancelled).toEqual({ ok: false, reason: 'cancelled', durationMs: 2_000 });
    const closed = t.manager.startSelfTest();
    await t.manager.close();
    expect(await closed).toMatchObject({ ok: false, reason: 'closed' });
    expect(t.time.timerCount).toBe(0);
    expect(() => t.manager.startSelfTest(0)).toThrow(RangeError);
    expect(() => t.manager.startSelfTest(1.5)).toThrow(RangeError);
  });

  it('reports an unusable read with its fault', async () => {
    const t = setup(['serial:/dev/ttyACM0']);
    await t.manager.open();
    const pending = t.manager.startSelfTest(5_000);
    t.driver('serial:/dev/ttyACM0').scan('', { fault: 'too-large' });
    expect(await pending).toMatchObject({ ok: true, fault: 'too-large', chars: 0, bytes: 0, preview: '' });
    await settle();
  });

  it('previews only the shape of a code and a known format prefix', () => {
    expect(previewShape('HC1:NCFOXN%TS3DH3ZSUZK')).toBe('HC1:xxxxxx%x…');
    expect(previewShape('shc:/5676290952432060')).toBe('shc:/9999999…');
    expect(previewShape('AB 12|x')).toBe('xx_99|x');
    expect(previewShape('')).toBe('');
  });
});
