import { afterEach, describe, expect, it } from 'vitest';
import type { ScanEvent } from '../../src/shared/types.js';
import type { HidDeviceInfo } from '../../drivers/hid/hid-seam.js';
import { HidKeyboardDriver, selectKeyboardInterface } from '../../drivers/keyboard/keyboard-driver.js';
import { BUILT_IN_LAYOUTS } from '../../drivers/keyboard/layouts.js';
import { FakeHid, FakeTime, silentLogger } from '../fakes/fake-hid.js';

// A cheap keyboard-mode scanner (Netum/Eyoyo style, "USB Barcode Scanner" on a generic VID).
const scannerKbd: HidDeviceInfo = {
  vendorId: 0x1a86, productId: 0xe026, path: '/dev/hidraw1', manufacturer: 'WCH.CN', product: 'USB Barcode Scanner',
  release: 0x0100, interface: 0, usagePage: 0x01, usage: 0x06,
};
const scannerConsumer: HidDeviceInfo = { ...scannerKbd, path: '/dev/hidraw2', interface: 1, usagePage: 0x0c, usage: 0x01 };

const R = (mods: number, key = 0) => [mods, 0, key, 0, 0, 0, 0, 0];
const US: Record<string, number[]> = {};
for (let i = 0; i < 26; i++) {
  US[String.fromCharCode(0x61 + i)] = R(0, 0x04 + i);
  US[String.fromCharCode(0x41 + i)] = R(0x02, 0x04 + i);
}
'1234567890'.split('').forEach((d, i) => (US[d] = R(0, 0x1e + i)));
US['|'] = R(0x02, 0x31);
function typed(s: string, withId = false): number[][] {
  const out: number[][] = [];
  for (const c of s) out.push(US[c]!, R(0));
  out.push(R(0, 0x28), R(0));
  return withId ? out.map((r) => [0x01, ...r]) : out;
}

const drivers: HidKeyboardDriver[] = [];
function setup(devices: HidDeviceInfo[]) {
  const hid = new FakeHid(devices);
  const time = new FakeTime();
  const driver = new HidKeyboardDriver(
    { hid, target: { vendorId: 0x1a86, productId: 0xe026 }, backoff: { baseMs: 100, capMs: 400, random: () => 0.5 } },
    { clock: time, timers: time, logger: silentLogger },
  );
  drivers.push(driver);
  const scans: ScanEvent[] = [];
  const errors: Error[] = [];
  driver.on('scan', (s) => scans.push(s));
  driver.on('error', (e) => errors.push(e));
  return { hid, time, driver, scans, errors };
}
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((d) => d.close()));
});

describe('HidKeyboardDriver', () => {
  it('opens the keyboard interface and emits one scan per Enter-terminated line', async () => {
    const t = setup([scannerConsumer, scannerKbd]);
    await t.driver.open();
    expect(t.hid.last.info.path).toBe('/dev/hidraw1');
    t.hid.last.feedAll([...typed('001099012345|Abc'), ...typed('Second1')]);
    expect(t.scans.map((s) => s.text)).toEqual(['001099012345|Abc', 'Second1']);
    expect(t.scans[0]).toMatchObject({ source: 'hid', deviceId: 'hid:1A86:E026', receivedAt: t.time.now() });
    expect(t.driver.status()).toMatchObject({ state: 'connected', reads: 2, errors: 0 });
  });

  it('accepts 9-byte reports with a leading report id and counts reports of other sizes', async () => {
    const t = setup([scannerKbd]);
    await t.driver.open();
    t.hid.last.feedAll([[1, 2, 3], ...typed('Ok42', true)]);
    expect(t.scans.map((s) => s.text)).toEqual(['Ok42']);
    expect(t.errors.map((e) => e.message)).toEqual(['hid:1A86:E026: keyboard report of unexpected length 3']);
  });

  it('discards a half-typed line when the scanner is unplugged, and reads again after replug', async () => {
    const t = setup([scannerKbd]);
    await t.driver.open();
    t.hid.last.feedAll(typed('HALFLINE').slice(0, 8)); // four characters, no Enter
    t.hid.unplug('/dev/hidraw1');
    expect(t.driver.status().state).toBe('disconnected');
    t.hid.plug({ ...scannerKbd, path: '/dev/hidraw4' });
    await t.time.advance(1000);
    expect(t.driver.status().state).toBe('connected');
    t.hid.last.feedAll(typed('fresh'));
    expect(t.scans.map((s) => s.text)).toEqual(['fresh']);
  });

  it('decodes with the configured layout', async () => {
    const hid = new FakeHid([scannerKbd]);
    const time = new FakeTime();
    const d = new HidKeyboardDriver({ hid, target: { vendorId: 0x1a86, productId: 0xe026 }, layout: BUILT_IN_LAYOUTS.de }, { clock: time, timers: time, logger: silentLogger });
    drivers.push(d);
    const scans: string[] = [];
    d.on('scan', (s) => scans.push(s.text));
    await d.open();
    hid.last.feedAll([R(0, 0x1c), R(0), R(0, 0x1d), R(0), R(0, 0x28), R(0)]);
    expect(scans).toEqual(['zy']);
  });

  it('selectKeyboardInterface falls back to an interface without usage info (libusb backend)', () => {
    const bare = { ...scannerKbd, usagePage: undefined, usage: undefined };
    expect(selectKeyboardInterface([scannerConsumer, bare], { vendorId: 0x1a86, productId: 0xe026 })).toBe(bare);
    expect(selectKeyboardInterface([scannerConsumer], { vendorId: 0x1a86, productId: 0xe026 })).toBeUndefined();
  });
});
