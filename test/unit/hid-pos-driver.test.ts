import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import type { HidDeviceInfo } from '../../drivers/hid/hid-seam.js';
import { HidPosDriver, selectPosDevice } from '../../drivers/hid/pos-driver.js';
import { FakeHid, FakeTime, hexReport, settle, silentLogger } from '../fakes/fake-hid.js';

interface HidFixture {
  description: string;
  device: HidDeviceInfo;
  reports: string[];
  expect: Array<{ text: string; symbology?: string }>;
}

const fixtureDir = path.resolve(import.meta.dirname, '../fixtures/hid');
function fixture(name: string): HidFixture {
  return JSON.parse(fs.readFileSync(path.join(fixtureDir, name), 'utf8')) as HidFixture;
}
const honeywell = fixture('honeywell-1900g-qr-cccd.json');

const drivers: HidPosDriver[] = [];
function setup(devices: HidDeviceInfo[], target = { vendorId: 0x0c2e, productId: 0x0b87 }) {
  const hid = new FakeHid(devices);
  const time = new FakeTime();
  const driver = new HidPosDriver(
    { hid, target, backoff: { baseMs: 200, capMs: 1000, random: () => 0.5 } },
    { clock: time, timers: time, logger: silentLogger },
  );
  drivers.push(driver);
  const scans: ScanEvent[] = [];
  const statuses: ScannerStatus[] = [];
  const errors: Error[] = [];
  let disconnects = 0;
  driver.on('scan', (s) => scans.push(s));
  driver.on('status', (s) => statuses.push(s));
  driver.on('error', (e) => errors.push(e));
  driver.on('disconnected', () => disconnects++);
  return { hid, time, driver, scans, statuses, errors, disconnects: () => disconnects };
}

afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

describe('HidPosDriver with recorded reports', () => {
  it.each(fs.readdirSync(fixtureDir).filter((f) => f.endsWith('.json')))('replays %s', async (name) => {
    const f = fixture(name);
    const t = setup([f.device], { vendorId: f.device.vendorId, productId: f.device.productId });
    await t.driver.open();
    t.hid.last.feedAll(f.reports.map(hexReport));
    expect(t.scans.map((s) => ({ text: s.text, symbology: s.symbology }))).toEqual(f.expect.map((e) => ({ text: e.text, symbology: e.symbology })));
    for (const s of t.scans) {
      expect(s.source).toBe('hid-pos');
      expect(s.receivedAt).toBe(t.time.now());
      expect(new TextDecoder().decode(s.bytes)).toBe(s.text);
    }
    expect(t.driver.status()).toMatchObject({ state: 'connected', reads: f.expect.length, errors: 0 });
  });

  it('names the device by vendor and product id and opens only the POS interface', async () => {
    const keyboardIf = { ...honeywell.device, path: '/dev/hidraw2', interface: 1, usagePage: 0x01, usage: 6 };
    const t = setup([keyboardIf, honeywell.device]);
    await t.driver.open();
    expect(t.driver.deviceId).toBe('hid-pos:0C2E:0B87');
    expect(t.hid.last.info.path).toBe('/dev/hidraw3');
    t.hid.last.feedAll(honeywell.reports.map(hexReport));
    expect(t.scans[0]?.deviceId).toBe('hid-pos:0C2E:0B87');
  });

  it('sends the Honeywell init feature report, and nothing when vendorInit is off or the vendor has none', async () => {
    const t = setup([honeywell.device]);
    await t.driver.open();
    expect(t.hid.last.features).toEqual([[0xfe, 0x01]]);

    const zebra = fixture('zebra-ds2208-no-aim.json').device;
    const z = setup([zebra], { vendorId: zebra.vendorId, productId: zebra.productId });
    await z.driver.open();
    expect(z.hid.last.features).toEqual([]);

    const hid = new FakeHid([honeywell.device]);
    const time = new FakeTime();
    const off = new HidPosDriver({ hid, target: {}, vendorInit: false }, { clock: time, timers: time, logger: silentLogger });
    drivers.push(off);
    await off.open();
    expect(off.deviceId).toBe('hid-pos:auto');
    expect(hid.last.features).toEqual([]);
  });

  it('ignores unknown report ids, junk and short reports with a counted error, and keeps reading', async () => {
    const t = setup([honeywell.device]);
    await t.driver.open();
    const unknownId = hexReport(honeywell.reports[0]!);
    unknownId[0] = 0x04;
    const junkAim = hexReport(honeywell.reports[0]!);
    junkAim[2] = 0x41;
    t.hid.last.feedAll([unknownId, junkAim, [0x02, 0x05], new Uint8Array(64)]);
    // An all-zero 64-byte report has report id 0: also unknown.
    expect(t.scans).toEqual([]);
    expect(t.errors.map((e) => e.message.match(/rejected: ([a-z-]+)/)?.[1])).toEqual(['unknown-report-id', 'junk', 'too-short', 'unknown-report-id']);
    t.hid.last.feedAll(honeywell.reports.map(hexReport));
    expect(t.scans.map((s) => s.text)).toEqual([honeywell.expect[0]!.text]);
    expect(t.driver.status()).toMatchObject({ reads: 1, errors: 4, state: 'connected' });
  });

  it('drops a read that a bad report interrupts instead of gluing the pieces together', async () => {
    const t = setup([honeywell.device]);
    await t.driver.open();
    const [r1, r2, r3] = honeywell.reports.map(hexReport);
    const bad = hexReport(honeywell.reports[0]!);
    bad[1] = 0xff;
    t.hid.last.feedAll([r1!, bad, r3!]);
    // r3 is the last fragment of the interrupted read: it arrives as a read of its own.
    expect(t.scans.map((s) => s.text)).not.toContain(honeywell.expect[0]!.text);
    expect(t.scans.every((s) => !s.text.startsWith('001099'))).toBe(true);
    expect(t.errors).toHaveLength(1);
    t.hid.last.feedAll([r1!, r2!, r3!]);
    expect(t.scans.at(-1)?.text).toBe(honeywell.expect[0]!.text);
  });

  it('reports an over-long read as too-large, without text, and recovers', async () => {
    const t = setup([honeywell.device]);
    await t.driver.open();
    const full = hexReport(honeywell.reports[0]!); // 56 data bytes, continuation bit set
    const last = hexReport(honeywell.reports[2]!);
    t.hid.last.feedAll([...Array.from({ length: 80 }, () => full), last]); // 80 × 56 = 4,480 > 4,296
    expect(t.scans).toHaveLength(1);
    expect(t.scans[0]).toMatchObject({ text: '', fault: 'too-large', symbology: 'qr', source: 'hid-pos' });
    expect(t.scans[0]?.bytes).toBeUndefined();
    t.hid.last.feedAll(honeywell.reports.map(hexReport));
    expect(t.scans[1]?.text).toBe(honeywell.expect[0]!.text);
    expect(t.driver.status()).toMatchObject({ reads: 2, errors: 1 });
  });

  it('ignores Honeywell host-command replies (AIM ]Z6)', async () => {
    const t = setup([honeywell.device]);
    await t.driver.open();
    const reply = hexReport(honeywell.reports[2]!);
    reply.set([0x5d, 0x5a, 0x36], 2);
    t.hid.last.feed(reply);
    expect(t.scans).toEqual([]);
    expect(t.errors).toEqual([]);
  });
});

describe('HidPosDriver unplug and reconnect', () => {
  it('discards a read cut by an unplug and reconnects with backoff when the device comes back', async () => {
    const t = setup([honeywell.device]);
    await t.driver.open();
    const [r1, r2, r3] = honeywell.reports.map(hexReport);
    t.hid.last.feedAll([r1!, r2!]);
    t.hid.unplug('/dev/hidraw3');
    expect(t.disconnects()).toBe(1);
    expect(t.driver.status()).toMatchObject({ state: 'disconnected', lastError: 'could not read from HID device' });
    expect(t.hid.opened[0]?.closed).toBe(true);
    t.hid.opened[0]!.feed(r3!); // nothing more arrives from a dead handle
    expect(t.scans).toEqual([]);

    // Still absent: retries keep failing quietly.
    await t.time.advance(5000);
    expect(t.hid.opened).toHaveLength(1);
    expect(t.driver.status().state).toBe('disconnected');

    // Replugged under a new hidraw number.
    t.hid.plug({ ...honeywell.device, path: '/dev/hidraw7' });
    await t.time.advance(1000);
    expect(t.driver.status().state).toBe('connected');
    expect(t.hid.last.info.path).toBe('/dev/hidraw7');
    expect(t.hid.last.features).toEqual([[0xfe, 0x01]]);
    t.hid.last.feedAll(honeywell.reports.map(hexReport));
    expect(t.scans.map((s) => s.text)).toEqual([honeywell.expect[0]!.text]);
    const states = t.statuses.map((s) => s.state).filter((s, i, all) => s !== all[i - 1]);
    expect(states).toEqual(['connected', 'disconnected', 'connected']);
  });

  it('starts with the scanner unplugged, resolves open(), and connects once it appears', async () => {
    const t = setup([]);
    await t.driver.open();
    expect(t.driver.status()).toMatchObject({ state: 'disconnected', lastError: 'device not present' });
    t.hid.plug(honeywell.device);
    await t.time.advance(1000);
    expect(t.driver.status().state).toBe('connected');
  });

  it('keeps retrying while open() is refused (e.g. no permission on /dev/hidraw*)', async () => {
    const t = setup([honeywell.device]);
    t.hid.failOpen.add('/dev/hidraw3');
    await t.driver.open();
    expect(t.driver.status().state).toBe('disconnected');
    t.hid.failOpen.clear();
    await t.time.advance(1000);
    expect(t.driver.status().state).toBe('connected');
  });

  it('close() stops reconnecting, closes the handle and leaves no timer', async () => {
    const t = setup([honeywell.device]);
    await t.driver.open();
    const handle = t.hid.last;
    t.hid.unplug('/dev/hidraw3');
    expect(t.time.timerCount).toBe(1);
    await t.driver.close();
    expect(t.time.timerCount).toBe(0);
    expect(handle.closed).toBe(true);
    expect(t.driver.status().state).toBe('closed');
    t.hid.plug(honeywell.device);
    await t.time.advance(10_000);
    expect(t.hid.opened).toHaveLength(1);
    await t.driver.close(); // idempotent
  });
});

describe('HidPosDriver indicate()', () => {
  it('beeps a Honeywell with its output report, and is a no-op where unsupported or unplugged', async () => {
    const t = setup([honeywell.device]);
    await t.driver.open();
    expect(await t.driver.indicate('good')).toBe(true);
    expect(t.hid.last.writes).toEqual([[0xfd, 0x03, 0x16, 0x07, 0x0d]]);
    expect(await t.driver.indicate('bad')).toBe(true);
    expect(t.hid.last.writes).toHaveLength(3);

    const zebra = fixture('zebra-ds2208-no-aim.json').device;
    const z = setup([zebra], { vendorId: zebra.vendorId, productId: zebra.productId });
    await z.driver.open();
    expect(await z.driver.indicate('good')).toBe(false);
    expect(z.hid.last.writes).toEqual([]);

    t.hid.unplug('/dev/hidraw3');
    await settle();
    expect(await t.driver.indicate('good')).toBe(false);
  });
});

describe('selectPosDevice', () => {
  it('matches vendor/product and path, and only usage page 0x8C', () => {
    const d = honeywell.device;
    expect(selectPosDevice([d], { vendorId: 0x0c2e })).toBe(d);
    expect(selectPosDevice([d], { vendorId: 0x05e0 })).toBeUndefined();
    expect(selectPosDevice([d], { path: '/dev/hidraw9' })).toBeUndefined();
    expect(selectPosDevice([{ ...d, usagePage: 1 }], {})).toBeUndefined();
  });
});
