/**
 * A fake node-hid (the drivers/hid/hid-seam.ts interfaces) for unit tests: devices are plugged and
 * unplugged by the test, recorded input reports are replayed as 'data', and everything the driver
 * sends (output and feature reports) is recorded. Unplug behaves like node-hid on Linux: one
 * 'error' on the open handle, then no more data, and the device disappears from devices().
 * Also a manual clock + timers (src/shared/ports.ts) so reconnect backoff runs without waiting.
 */
import { EventEmitter } from 'node:events';
import type { HidApi, HidDeviceInfo, HidHandle } from '../../drivers/hid/hid-seam.js';

export class FakeHidHandle extends EventEmitter implements HidHandle {
  readonly writes: number[][] = [];
  readonly features: number[][] = [];
  closed = false;
  private unplugged = false;

  constructor(readonly info: HidDeviceInfo) {
    super();
  }

  /** Delivers one input report (as node-hid would: a Buffer). Ignored after unplug/close. */
  feed(report: Uint8Array | number[]): void {
    if (this.unplugged || this.closed) return;
    this.emit('data', Buffer.from(report));
  }

  feedAll(reports: Array<Uint8Array | number[]>): void {
    for (const r of reports) this.feed(r);
  }

  /** node-hid's unplug signature: a read error, then silence. */
  unplug(): void {
    if (this.unplugged) return;
    this.unplugged = true;
    this.emit('error', new Error('could not read from HID device'));
  }

  /** A non-fatal-looking error that node-hid could emit; drivers treat any error as a loss. */
  fail(message: string): void {
    this.emit('error', new Error(message));
  }

  async write(values: number[] | Buffer): Promise<number> {
    if (this.unplugged) throw new Error('Cannot write to hid device');
    this.writes.push([...values]);
    return values.length;
  }

  async sendFeatureReport(data: number[] | Buffer): Promise<number> {
    if (this.unplugged) throw new Error('could not send feature report to device');
    this.features.push([...data]);
    return data.length;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export class FakeHid implements HidApi {
  private present: HidDeviceInfo[] = [];
  /** Every handle opened, in order (a reconnect adds a new one). */
  readonly opened: FakeHidHandle[] = [];
  /** Paths whose open() rejects (e.g. permission denied on /dev/hidraw*). */
  readonly failOpen = new Set<string>();
  devicesCalls = 0;

  constructor(devices: HidDeviceInfo[] = []) {
    this.present = [...devices];
  }

  plug(info: HidDeviceInfo): void {
    this.present.push(info);
  }

  /** Removes the device and makes its open handles emit the unplug error. */
  unplug(path: string): void {
    this.present = this.present.filter((d) => d.path !== path);
    for (const h of this.opened) if (h.info.path === path && !h.closed) h.unplug();
  }

  /** The most recently opened handle. */
  get last(): FakeHidHandle {
    const h = this.opened[this.opened.length - 1];
    if (!h) throw new Error('no device was opened');
    return h;
  }

  async devices(): Promise<HidDeviceInfo[]> {
    this.devicesCalls++;
    return this.present.map((d) => ({ ...d }));
  }

  async open(path: string): Promise<HidHandle> {
    const info = this.present.find((d) => d.path === path);
    if (!info) throw new Error(`cannot open device with path ${path}`);
    if (this.failOpen.has(path)) throw new Error(`cannot open device with path ${path}`);
    const h = new FakeHidHandle(info);
    this.opened.push(h);
    return h;
  }
}

/** Parses a fixture report written as hex ("02 38 5d 51 31 ..."; spaces optional). */
export function hexReport(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-f]/i.test(clean)) throw new Error(`bad hex report: ${hex.slice(0, 20)}`);
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
}

export { FakeTime, settle } from './fake-time.js';

export { silentLogger } from '../../src/core/system.js';
