/**
 * Outputs: URI parsing, the USB HID relay's exact feature reports in order against a fake node-hid
 * and a manual clock, failure handling (never thrown, counted), and the scanner beeper through a
 * real HidPosDriver on the fake device.
 */
import { describe, expect, it } from 'vitest';
import type { DriverDeps, ScannerDriver } from '../../drivers/types.js';
import type { HidDeviceInfo } from '../../drivers/hid/hid-seam.js';
import { HidPosDriver } from '../../drivers/hid/pos-driver.js';
import { parseOutputUri, OutputUriError } from '../../drivers/outputs/output-uri.js';
import { createOutput, createOutputs } from '../../drivers/outputs/factory.js';
import { hidRelayReport } from '../../drivers/outputs/hid-relay.js';
import { lctechFrame } from '../../drivers/outputs/serial-relay.js';
import type { Output } from '../../drivers/outputs/types.js';
import { FakeHid, FakeTime, settle, silentLogger } from '../fakes/fake-hid.js';

const RELAY: HidDeviceInfo = { vendorId: 0x16c0, productId: 0x05df, path: '/dev/hidraw4', product: 'USBRelay2', manufacturer: 'www.dcttech.com', release: 0x100, interface: 0 };
const ON1 = [0x00, 0xff, 0x01, 0, 0, 0, 0, 0, 0];
const OFF1 = [0x00, 0xfd, 0x01, 0, 0, 0, 0, 0, 0];

function env(devices: HidDeviceInfo[] = [RELAY]) {
  const time = new FakeTime();
  const hid = new FakeHid(devices);
  const deps: DriverDeps = { clock: time, timers: time, logger: silentLogger };
  return { time, hid, deps };
}

describe('output URIs', () => {
  it('parses relays, beeper and none with their defaults', () => {
    expect(parseOutputUri('hid-relay:16C0:05DF?channel=2&pulseMs=800')).toEqual({
      kind: 'hid-relay',
      uri: 'hid-relay:16C0:05DF?channel=2&pulseMs=800',
      vendorId: 0x16c0,
      productId: 0x05df,
      channel: 2,
      pulseMs: 800,
      on: ['accept'],
    });
    expect(parseOutputUri('hid-relay')).toMatchObject({ vendorId: 0x16c0, productId: 0x05df, channel: 1, pulseMs: 800 });
    expect(parseOutputUri('hid-relay:auto?path=/dev/hidraw7')).toMatchObject({ path: '/dev/hidraw7' });
    expect(parseOutputUri('serial-relay:/dev/ttyUSB1?channel=1&pulseMs=1500&protocol=lctech&on=accept,refer')).toEqual({
      kind: 'serial-relay',
      uri: 'serial-relay:/dev/ttyUSB1?channel=1&pulseMs=1500&protocol=lctech&on=accept,refer',
      path: '/dev/ttyUSB1',
      channel: 1,
      pulseMs: 1500,
      on: ['accept', 'refer'],
      protocol: 'lctech',
      baudRate: 9600,
    });
    expect(parseOutputUri('beeper')).toEqual({ kind: 'beeper', uri: 'beeper', on: ['accept', 'reject', 'refer'] });
    expect(parseOutputUri(' none ')).toEqual({ kind: 'none', uri: 'none' });
  });

  it.each([
    ['', /empty/],
    ['relay:1', /unknown output kind "relay"/],
    ['hid-relay:16C0', /VID:PID in hex/],
    ['hid-relay?channel=9', /channel must be 1..8/],
    ['hid-relay?channel=0', /channel must be 1..8/],
    ['hid-relay?pulseMs=10', /pulseMs must be milliseconds in 50..10000/],
    ['hid-relay?pulseMs=20000', /pulseMs/],
    ['hid-relay?pulse=800', /unknown option "pulse" for hid-relay/],
    ['hid-relay?channel=1&channel=2', /given twice/],
    ['hid-relay?on=open', /on must list accept, reject and\/or refer/],
    ['hid-relay?path=hidraw1', /path must be a device path/],
    ['serial-relay:ttyUSB1', /absolute device path/],
    ['serial-relay:/dev/ttyUSB1?protocol=modbus', /protocol must be lctech/],
    ['serial-relay:/dev/ttyUSB1?baud=1234', /baud must be one of/],
    ['beeper:/dev/x', /beeper takes no path/],
    ['none?x=1', /unknown option "x" for none/],
    ['hid-relay?channel=1\u0007', /control characters/],
  ])('rejects %j with a clear reason', (uri, reason) => {
    expect(() => parseOutputUri(uri)).toThrow(OutputUriError);
    expect(() => parseOutputUri(uri)).toThrow(reason);
  });

  it('builds frames as the boards expect', () => {
    expect(hidRelayReport('on', 1)).toEqual(ON1);
    expect(hidRelayReport('off', 4)).toEqual([0x00, 0xfd, 0x04, 0, 0, 0, 0, 0, 0]);
    expect([...lctechFrame('on', 1)]).toEqual([0xa0, 0x01, 0x01, 0xa2]);
    expect([...lctechFrame('off', 1)]).toEqual([0xa0, 0x01, 0x00, 0xa1]);
    expect([...lctechFrame('on', 4)]).toEqual([0xa0, 0x04, 0x01, 0xa5]);
  });
});

describe('USB HID relay', () => {
  async function relay(uri: string, e = env()): Promise<{ out: Output } & ReturnType<typeof env>> {
    const out = await createOutput(uri, e.deps, { hid: e.hid });
    return { out, ...e };
  }

  it('switches off at open, then pulses ON and OFF pulseMs later, exact reports in order', async () => {
    const { out, hid, time } = await relay('hid-relay:16C0:05DF?channel=1&pulseMs=800');
    await out.open();
    expect(hid.last.features).toEqual([OFF1]);
    await out.pulse('accept');
    expect(hid.last.features).toEqual([OFF1, ON1]);
    await time.advance(799);
    expect(hid.last.features).toEqual([OFF1, ON1]);
    await time.advance(1);
    expect(hid.last.features).toEqual([OFF1, ON1, OFF1]);
    expect(hid.opened).toHaveLength(1);
    expect(out.stats()).toEqual({ uri: 'hid-relay:16C0:05DF?channel=1&pulseMs=800', pulses: 1, errors: 0 });
    expect(time.timerCount).toBe(0);
  });

  it('pulses only for the configured verdicts, on its channel', async () => {
    const { out, hid, time } = await relay('hid-relay?channel=3&on=accept,refer&pulseMs=100');
    await out.pulse('reject');
    expect(hid.opened).toHaveLength(0);
    await out.pulse('refer');
    await time.advance(100);
    expect(hid.last.features).toEqual([
      [0x00, 0xff, 0x03, 0, 0, 0, 0, 0, 0],
      [0x00, 0xfd, 0x03, 0, 0, 0, 0, 0, 0],
    ]);
  });

  it('a pulse while the relay is on extends it instead of chattering', async () => {
    const { out, hid, time } = await relay('hid-relay?pulseMs=800');
    await out.pulse('accept');
    await time.advance(500);
    await out.pulse('accept');
    await time.advance(500);
    expect(hid.last.features).toEqual([ON1]);
    await time.advance(300);
    expect(hid.last.features).toEqual([ON1, OFF1]);
    await out.pulse('accept');
    await time.advance(800);
    expect(hid.last.features).toEqual([ON1, OFF1, ON1, OFF1]);
  });

  it('picks the USBRelay board, not another device on the shared V-USB id', async () => {
    const other: HidDeviceInfo = { ...RELAY, path: '/dev/hidraw2', product: 'LED sign' };
    const { out, hid } = await relay('hid-relay', env([other, RELAY]));
    await out.pulse('accept');
    expect(hid.last.info.path).toBe('/dev/hidraw4');
  });

  it('never throws when the board is absent or unplugged mid-pulse; counts and reopens', async () => {
    const { out, hid, time } = await relay('hid-relay?pulseMs=800', env([]));
    await expect(out.open()).resolves.toBeUndefined();
    await expect(out.pulse('accept')).resolves.toBeUndefined();
    expect(out.stats()).toMatchObject({ pulses: 0, errors: 2, lastError: expect.stringMatching(/USB relay 16C0:05DF not found/) });
    expect(time.timerCount).toBe(0);

    hid.plug(RELAY);
    await out.pulse('accept');
    expect(hid.last.features).toEqual([ON1]);
    hid.unplug('/dev/hidraw4');
    await time.advance(800); // OFF fails: the board lost power with its port anyway
    expect(out.stats()).toMatchObject({ pulses: 1, errors: 3 });
    hid.plug(RELAY);
    await out.pulse('accept');
    expect(hid.opened).toHaveLength(2);
    expect(hid.last.features).toEqual([ON1]);
    await time.advance(800);
    expect(hid.last.features).toEqual([ON1, OFF1]);
  });

  it('close() during a pulse switches the relay off at once and leaves no timer', async () => {
    const { out, hid, time } = await relay('hid-relay?pulseMs=5000');
    await out.pulse('accept');
    await out.close();
    expect(hid.last.features).toEqual([ON1, OFF1]);
    expect(hid.last.closed).toBe(true);
    expect(time.timerCount).toBe(0);
    await out.pulse('accept');
    expect(hid.opened).toHaveLength(1);
  });
});

describe('scanner beeper and output set', () => {
  const HONEYWELL: HidDeviceInfo = { vendorId: 0x0c2e, productId: 0x0b87, path: '/dev/hidraw1', usagePage: 0x8c, usage: 0x02, release: 0, interface: 0 };
  const BEEP = [0xfd, 0x03, 0x16, 0x07, 0x0d];

  it('beeps good for accept and bad for reject on the scanner that read the code only', async () => {
    const e = env([HONEYWELL, { ...HONEYWELL, productId: 0x0b88, path: '/dev/hidraw2' }]);
    const a = new HidPosDriver({ hid: e.hid, target: { vendorId: 0x0c2e, productId: 0x0b87 }, vendorInit: false }, e.deps);
    const b = new HidPosDriver({ hid: e.hid, target: { vendorId: 0x0c2e, productId: 0x0b88 }, vendorInit: false }, e.deps);
    await a.open();
    await b.open();
    const scanners: ScannerDriver[] = [a, b];
    const set = await createOutputs(['beeper'], e.deps, { scanners: () => scanners });
    await set.pulse('accept', { deviceId: a.deviceId });
    await set.pulse('reject', { deviceId: a.deviceId });
    const [ha, hb] = e.hid.opened;
    expect(ha?.writes).toEqual([BEEP, BEEP, BEEP]);
    expect(hb?.writes).toEqual([]);
    await set.pulse('refer');
    expect(hb?.writes).toEqual([BEEP, BEEP]);
    expect(set.stats()).toEqual([{ uri: 'beeper', pulses: 4, errors: 0 }]);
    await a.close();
    await b.close();
  });

  it('relay and beeper together: a failing output never stops the other, nothing is thrown', async () => {
    const e = env([HONEYWELL]);
    const scanner = new HidPosDriver({ hid: e.hid, target: { vendorId: 0x0c2e, productId: 0x0b87 }, vendorInit: false }, e.deps);
    await scanner.open();
    const set = await createOutputs(['hid-relay?pulseMs=800', 'beeper?on=accept'], e.deps, { hid: e.hid, scanners: () => [scanner] });
    await set.open();
    await set.pulse('accept', { deviceId: scanner.deviceId });
    expect(e.hid.last.writes).toEqual([BEEP]);
    expect(set.stats().map((s) => [s.uri, s.pulses, s.errors])).toEqual([
      ['hid-relay?pulseMs=800', 0, 2],
      ['beeper?on=accept', 1, 0],
    ]);
    await set.close();
    await scanner.close();
    await settle();
  });

  it('rejects a bad URI in the list before touching any device; beeper needs the scanners', async () => {
    const e = env();
    await expect(createOutputs(['hid-relay', 'serial-relay:/dev/ttyUSB0?channel=x'], e.deps, { hid: e.hid })).rejects.toThrow(/channel must be/);
    expect(e.hid.devicesCalls).toBe(0);
    await expect(createOutput('beeper', e.deps)).rejects.toThrow(/needs the scanners/);
    const none = await createOutput('none', e.deps);
    await none.pulse('accept');
    expect(none.stats()).toEqual({ uri: 'none', pulses: 0, errors: 0 });
  });
});
