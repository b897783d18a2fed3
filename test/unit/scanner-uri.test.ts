import { describe, expect, it } from 'vitest';
import { parseScannerUri, ScannerUriError } from '../../drivers/uri.js';
import { createScanner, ScannerNotAvailableError } from '../../drivers/factory.js';
import { SerialScannerDriver } from '../../drivers/serial/serial-driver.js';
import { StdinScanSource } from '../../drivers/stdin/stdin-source.js';
import { SimScanSource } from '../../drivers/sim/sim-source.js';
import { HidPosDriver } from '../../drivers/hid/pos-driver.js';
import { HidKeyboardDriver } from '../../drivers/keyboard/keyboard-driver.js';
import { FakeHid } from '../fakes/fake-hid.js';
import type { DriverDeps } from '../../drivers/types.js';
import type { Logger } from '../../src/shared/ports.js';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const deps: DriverDeps = { clock: { now: () => 0 }, timers: { setTimeout: () => 0, clearTimeout() {} }, logger: silent };

describe('parseScannerUri', () => {
  it('parses serial URIs with defaults and options', () => {
    expect(parseScannerUri('serial:/dev/ttyUSB0')).toEqual({
      kind: 'serial',
      uri: 'serial:/dev/ttyUSB0',
      path: '/dev/ttyUSB0',
      baudRate: 9600,
      maxLineBytes: 8192,
      idleMs: 100,
    });
    expect(parseScannerUri('serial:/dev/serial/by-id/usb-Honeywell_0001-if00?baud=115200&maxLine=4096&idleMs=0')).toMatchObject({
      path: '/dev/serial/by-id/usb-Honeywell_0001-if00',
      baudRate: 115200,
      maxLineBytes: 4096,
      idleMs: 0,
    });
    expect(parseScannerUri('serial:COM3')).toMatchObject({ path: 'COM3' });
  });

  it('parses stdin, sim, hid, hid-pos and auto', () => {
    expect(parseScannerUri('stdin')).toEqual({ kind: 'stdin', uri: 'stdin', maxLineBytes: 8192, idleMs: 0 });
    expect(parseScannerUri('stdin?idleMs=50')).toMatchObject({ kind: 'stdin', idleMs: 50 });
    expect(parseScannerUri('sim:./scans.txt')).toMatchObject({ kind: 'sim', file: './scans.txt', intervalMs: 0, loop: false });
    expect(parseScannerUri('sim:/tmp/a%20b.txt?intervalMs=250&loop=1')).toMatchObject({ file: '/tmp/a%20b.txt', intervalMs: 250, loop: true });
    expect(parseScannerUri('sim:x.txt?loop=false')).toMatchObject({ loop: false, intervalMs: 0 });
    // A loop with no interval would replay hundreds of scans a second for ever.
    expect(parseScannerUri('sim:x.txt?loop=1')).toMatchObject({ loop: true, intervalMs: 500 });
    expect(parseScannerUri('sim:x.txt?loop=1&intervalMs=0')).toMatchObject({ loop: true, intervalMs: 0 });
    expect(parseScannerUri('hid:05e0:1200')).toEqual({ kind: 'hid', uri: 'hid:05e0:1200', vendorId: 0x05e0, productId: 0x1200, params: {} });
    expect(parseScannerUri('hid:0x0C2E:0x0B61?mode=pos')).toMatchObject({ vendorId: 0x0c2e, productId: 0x0b61, params: { mode: 'pos' } });
    expect(parseScannerUri('hid-pos:auto')).toEqual({ kind: 'hid-pos', uri: 'hid-pos:auto', params: {} });
    expect(parseScannerUri('hid-pos:0c2e:0b61')).toMatchObject({ vendorId: 0x0c2e, productId: 0x0b61 });
    expect(parseScannerUri(' auto ')).toEqual({ kind: 'auto', uri: 'auto' });
  });

  it.each([
    ['', /empty; expected one of serial:PATH/],
    ['usb:/dev/x', /unknown scanner kind "usb"/],
    ['serial:', /serial needs a device path/],
    ['serial:ttyUSB0', /serial path must be absolute \(\/dev\/...\) or COMn, got "ttyUSB0"/],
    ['serial:/dev/ttyUSB0?baud=abc', /baud must be one of 1200\.\.921600 .*got "abc"/],
    ['serial:/dev/ttyUSB0?baud=9601', /baud must be one of 1200\.\.921600 .*got "9601"/],
    ['serial:/dev/ttyUSB0?baud=9600&baud=19200', /option "baud" given twice/],
    ['serial:/dev/ttyUSB0?bauds=9600', /unknown option "bauds" for serial \(known: baud, maxLine, idleMs\)/],
    ['serial:/dev/ttyUSB0?maxLine=2', /maxLine must be a number of bytes in 16\.\.1048576, got "2"/],
    ['serial:/dev/ttyUSB0?maxLine=1e4', /maxLine must be .* got "1e4"/],
    ['serial:/dev/ttyUSB0?idleMs=-5', /idleMs must be milliseconds in 0\.\.60000, got "-5"/],
    ['serial:/dev/ttyUSB0?idleMs=%zz', /option "idleMs" is not valid percent-encoding/],
    ['stdin:/dev/tty', /stdin takes no path, got "\/dev\/tty"/],
    ['sim:', /sim needs a file/],
    ['sim:a.txt?loop=yes', /loop must be 1, 0, true or false, got "yes"/],
    ['sim:a.txt?intervalMs=999999', /intervalMs must be milliseconds in 0\.\.60000/],
    ['hid:05e0', /hid needs VID:PID, got "05e0"/],
    ['hid:05e0:zzzz', /PID must be 1–4 hex digits \(e\.g\. 05e0\), got "zzzz"/],
    ['hid:', /hid needs VID:PID in hex/],
    ['hid-pos:', /hid-pos needs "auto" or VID:PID/],
    ['auto?x=1', /auto takes no options, got "x"/],
    ['serial:/dev/tty\u0000USB0', /contains control characters/],
  ])('rejects %j with a message naming the bad part', (uri, message) => {
    expect(() => parseScannerUri(uri)).toThrow(ScannerUriError);
    expect(() => parseScannerUri(uri)).toThrow(message);
  });

  it('bounds the URI length', () => {
    expect(() => parseScannerUri(`sim:${'a'.repeat(5000)}`)).toThrow(/longer than 4096 characters/);
  });
});

describe('createScanner', () => {
  it('builds the serial, stdin and sim drivers without opening them', async () => {
    let opened = 0;
    const serial = await createScanner('serial:/dev/ttyS9?baud=19200', deps, {
      openSerialPort: () => {
        opened++;
        return Promise.reject(new Error('not used'));
      },
    });
    expect(serial).toBeInstanceOf(SerialScannerDriver);
    expect(serial.deviceId).toBe('serial:/dev/ttyS9');
    expect(serial.uri).toBe('serial:/dev/ttyS9?baud=19200');
    expect(serial.status()).toMatchObject({ state: 'connecting', reads: 0, errors: 0 });
    expect(opened).toBe(0);
    expect(await createScanner('stdin', deps)).toBeInstanceOf(StdinScanSource);
    const sim = await createScanner('sim:/nonexistent/scans.txt', deps);
    expect(sim).toBeInstanceOf(SimScanSource);
    await expect(sim.open()).rejects.toThrow(/sim: cannot read scan file "\/nonexistent\/scans.txt": ENOENT/);
  });

  it('builds HID keyboard-mode and HID POS drivers without opening them', async () => {
    const hid = new FakeHid();
    const kb = await createScanner('hid:05e0:1200', deps, { hid });
    expect(kb).toBeInstanceOf(HidKeyboardDriver);
    expect(kb.deviceId).toBe('hid:05E0:1200');
    expect(await createScanner('hid-pos:auto', deps, { hid })).toBeInstanceOf(HidPosDriver);
  });

  it('refuses to build `auto` directly and says how to expand it', async () => {
    await expect(createScanner('auto', deps)).rejects.toThrow(ScannerNotAvailableError);
    await expect(createScanner('auto', deps)).rejects.toThrow(/resolveAutoScanners/);
  });

  it('rejects a bad URI with the parse error', async () => {
    await expect(createScanner('serial:/dev/x?baud=abc', deps)).rejects.toThrow(/baud must be one of/);
  });
});
