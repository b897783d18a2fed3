import { describe, expect, it } from 'vitest';
import { createHidScanner } from '../../drivers/hid/hid-factory.js';
import { HidPosDriver } from '../../drivers/hid/pos-driver.js';
import { HidKeyboardDriver } from '../../drivers/keyboard/keyboard-driver.js';
import { resolveAutoScanners } from '../../drivers/discovery/auto.js';
import { parseScannerUri, ScannerUriError } from '../../drivers/uri.js';
import { FakeHid, FakeTime, silentLogger } from '../fakes/fake-hid.js';

const time = new FakeTime();
const deps = { clock: time, timers: time, logger: silentLogger };
const hidUri = (s: string) => parseScannerUri(s) as Extract<ReturnType<typeof parseScannerUri>, { kind: 'hid' | 'hid-pos' }>;

describe('createHidScanner', () => {
  it('builds the HID POS and keyboard drivers from URIs', async () => {
    const hid = new FakeHid();
    const pos = await createHidScanner(hidUri('hid-pos:0c2e:0b87?init=0'), deps, hid);
    expect(pos).toBeInstanceOf(HidPosDriver);
    expect([pos.deviceId, pos.uri]).toEqual(['hid-pos:0C2E:0B87', 'hid-pos:0c2e:0b87?init=0']);
    expect((await createHidScanner(hidUri('hid-pos:auto'), deps, hid)).deviceId).toBe('hid-pos:auto');
    const kbd = await createHidScanner(hidUri('hid:05e0:1200?layout=de&path=/dev/hidraw6'), deps, hid);
    expect(kbd).toBeInstanceOf(HidKeyboardDriver);
    expect(kbd.deviceId).toBe('hid:05E0:1200');
  });

  it('rejects unknown or bad options with a message naming them', async () => {
    const hid = new FakeHid();
    await expect(createHidScanner(hidUri('hid:05e0:1200?layout=fr'), deps, hid)).rejects.toThrow(/layout must be us or de/);
    await expect(createHidScanner(hidUri('hid:05e0:1200?baud=9600'), deps, hid)).rejects.toThrow(ScannerUriError);
    await expect(createHidScanner(hidUri('hid-pos:auto?init=yes'), deps, hid)).rejects.toThrow(/init must be 1 or 0/);
    await expect(createHidScanner(hidUri('hid-pos:auto?path=hidraw1'), deps, hid)).rejects.toThrow(/path must be a device path/);
  });
});

describe('resolveAutoScanners', () => {
  it('returns the picked URIs, and an empty list with the reason when nothing can be listed', async () => {
    const found = await resolveAutoScanners({
      listHid: async () => [{ vendorId: 0x0c2e, productId: 0x0b87, path: '/dev/hidraw3', release: 1, interface: 0, usagePage: 0x8c, usage: 2 }],
    });
    expect(found.uris).toEqual(['hid-pos:0C2E:0B87']);
    const none = await resolveAutoScanners({ listSerial: () => Promise.reject(new Error('spawn udevadm ENOENT')) });
    expect(none.uris).toEqual([]);
    expect(none.discovery.errors).toHaveLength(1);
  });
});
