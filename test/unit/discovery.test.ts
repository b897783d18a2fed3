import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HidDeviceInfo } from '../../drivers/hid/hid-seam.js';
import { discover, pickAuto, scoreHid, scoreSerial, type SerialPortInfo } from '../../drivers/discovery/discover.js';
import { parseScannerUri } from '../../drivers/uri.js';

const dir = path.resolve(import.meta.dirname, '../fixtures/discovery');
const serialList = JSON.parse(fs.readFileSync(path.join(dir, 'linux-serialport-list.json'), 'utf8')) as SerialPortInfo[];
const hidList = JSON.parse(fs.readFileSync(path.join(dir, 'linux-hid-devices.json'), 'utf8')) as HidDeviceInfo[];
const deps = { listSerial: async () => serialList, listHid: async () => hidList };

describe('discover', () => {
  it('lists every serial port and HID interface, scored, best first', async () => {
    const { entries, errors } = await discover(deps);
    expect(errors).toEqual([]);
    expect(entries).toHaveLength(serialList.length + hidList.length);
    const scores = entries.map((e) => e.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(entries[0]).toMatchObject({ kind: 'hid-pos', uri: 'hid-pos:0C2E:0B87', vendor: 'Honeywell (Metrologic)', product: '1900G', recommended: true });
    expect(entries[0]?.why).toMatch(/usage page 0x8C/);
  });

  it('recommends the scanners and nothing else: no mouse, keyboard, security key, trackpad, tablet, Arduino or bare UART', async () => {
    const { entries } = await discover(deps);
    const recommended = entries.filter((e) => e.recommended).map((e) => e.uri).sort();
    expect(recommended).toEqual(['hid-pos:0C2E:0B87', 'hid:0483:0011', 'hid:05E0:1200', 'serial:/dev/ttyACM0'].sort());
    const byPath = (p: string) => entries.find((e) => e.path === p)!;
    expect(byPath('/dev/hidraw1')).toMatchObject({ kind: 'other', score: 0, why: 'a mouse' }); // Logitech mouse
    expect(byPath('/dev/hidraw0')).toMatchObject({ kind: 'hid', score: 0, recommended: false }); // Logitech keyboard
    expect(byPath('/dev/hidraw2')).toMatchObject({ kind: 'hid', score: 0, why: 'a keyboard with no scanner fingerprint' }); // Dell
    expect(byPath('/dev/hidraw4')).toMatchObject({ recommended: false }); // YubiKey types OTPs like a keyboard
    expect(byPath('/dev/ttyACM1')).toMatchObject({ recommended: false, why: 'CDC-ACM (USB virtual COM)' });
    expect(byPath('/dev/ttyUSB0')).toMatchObject({ recommended: false, vendorId: '0403' });
    expect(byPath('/dev/ttyUSB0').why).toMatch(/RS-232 scanner may be behind it/);
    expect(byPath('/dev/ttyS0')).toMatchObject({ score: 0, recommended: false, uri: 'serial:/dev/ttyS0' });
  });

  it('explains a keyboard-mode scanner from a scanner maker and an unbranded one named as a scanner', async () => {
    const { entries } = await discover(deps);
    expect(entries.find((e) => e.uri === 'hid:05E0:1200')?.why).toMatch(/keyboard interface of a Zebra/);
    expect(entries.find((e) => e.uri === 'hid:0483:0011')?.why).toBe('name says scanner');
    expect(entries.find((e) => e.uri === 'serial:/dev/ttyACM0')).toMatchObject({ vendorId: '0C2E', productId: '0B6A', recommended: true });
  });

  it('every recommended URI is one the scanner URI parser accepts', async () => {
    const { entries } = await discover(deps);
    for (const e of entries.filter((x) => x.recommended)) expect(parseScannerUri(e.uri).kind).toBe(e.kind);
  });

  it('reports a failing lister (SerialPort.list() without udevadm) and still lists HID devices', async () => {
    const { entries, errors } = await discover({
      listSerial: async () => {
        throw new Error('spawn udevadm ENOENT');
      },
      listHid: deps.listHid,
    });
    expect(errors).toEqual([{ source: 'serial', message: expect.stringMatching(/udevadm is missing \(install Debian's udev\)/) }]);
    expect(entries.filter((e) => e.recommended).map((e) => e.uri).sort()).toEqual(['hid-pos:0C2E:0B87', 'hid:0483:0011', 'hid:05E0:1200']);
  });

  it('copes with a missing lister and a lister that returns nonsense', async () => {
    const r = await discover({ listHid: async () => null as unknown as HidDeviceInfo[] });
    expect(r).toEqual({ entries: [], errors: [] });
  });
});

describe('pickAuto', () => {
  it('picks every recommended scanner, HID POS first, then serial, then keyboard mode', async () => {
    const { entries } = await discover(deps);
    expect(pickAuto(entries).map((e) => e.uri)).toEqual(['hid-pos:0C2E:0B87', 'serial:/dev/ttyACM0', 'hid:05E0:1200', 'hid:0483:0011']);
  });

  it('reads a scanner that shows HID POS, keyboard and CDC interfaces once, through HID POS', () => {
    const base = { vendorId: 0x1eab, productId: 0x1a03, release: 1, serialNumber: 'NL1' };
    const entries = [
      scoreHid({ ...base, path: '/dev/hidraw2', interface: 0, usagePage: 0x01, usage: 0x06 }),
      scoreHid({ ...base, path: '/dev/hidraw3', interface: 1, usagePage: 0x8c, usage: 0x02 }),
      scoreSerial({ path: '/dev/ttyACM0', vendorId: '1eab', productId: '1a03' }),
    ];
    expect(entries.every((e) => e.recommended)).toBe(true);
    expect(pickAuto(entries).map((e) => e.uri)).toEqual(['hid-pos:1EAB:1A03']);
  });

  it('picks nothing when only keyboards and mice are plugged in', () => {
    const plain = hidList.filter((d) => d.vendorId === 0x046d || d.vendorId === 0x413c);
    expect(pickAuto(plain.map(scoreHid))).toEqual([]);
  });

  it('does not take a document scanner or a fingerprint reader for a barcode scanner', () => {
    const e = scoreHid({ vendorId: 0x27c6, productId: 0x5395, release: 1, interface: 0, usagePage: 1, usage: 6, path: '/dev/hidraw9', product: 'Fingerprint Scanner' });
    expect(e.recommended).toBe(false);
  });
});
