/**
 * USB HID relay boards sold as "USBRelay1/2/4/8" (dcttech and clones): V-USB firmware, USB id
 * 16C0:05DF (obdev's shared id, so the product string "USBRelay…" is checked too), no driver
 * needed. Protocol (feature report, report id 0, 8 data bytes):
 *
 *   ON  channel n: [0x00, 0xFF, n, 0, 0, 0, 0, 0, 0]
 *   OFF channel n: [0x00, 0xFD, n, 0, 0, 0, 0, 0, 0]
 *
 * (0xFE / 0xFC switch all channels; not used.) Boards with the CH551G chip and another protocol
 * share the look but not the id; they are not supported.
 */
import type { DriverDeps } from '../types.js';
import type { HidApi, HidDeviceInfo, HidHandle } from '../hid/hid-seam.js';
import { hex4 } from '../hid/hid-seam.js';
import { RelayOutput, type RelaySettings } from './relay-output.js';

export const HID_RELAY_ON = 0xff;
export const HID_RELAY_OFF = 0xfd;

export interface HidRelayOptions extends RelaySettings {
  hid: HidApi;
  vendorId: number;
  productId: number;
  /** A fixed hidraw path (several boards): skips the product-name check. */
  path?: string;
}

/** The 9-byte feature report switching `channel` (1..8) on or off. */
export function hidRelayReport(state: 'on' | 'off', channel: number): number[] {
  return [0x00, state === 'on' ? HID_RELAY_ON : HID_RELAY_OFF, channel, 0, 0, 0, 0, 0, 0];
}

export class HidRelayOutput extends RelayOutput {
  private readonly opts: HidRelayOptions;
  private handle: HidHandle | undefined;

  constructor(opts: HidRelayOptions, deps: DriverDeps) {
    super(opts, deps, 'hid-relay');
    this.opts = opts;
  }

  protected async ensureOpen(): Promise<void> {
    if (this.handle) return;
    const info = selectRelay(await this.opts.hid.devices(), this.opts);
    if (!info?.path) {
      throw new Error(`USB relay ${hex4(this.opts.vendorId)}:${hex4(this.opts.productId)}${this.opts.path ? ` at ${this.opts.path}` : ''} not found (plugged in? udev rule for hidraw access?)`);
    }
    const handle = await this.opts.hid.open(info.path);
    // An unplug surfaces as 'error' on the handle: forget it so the next command reopens.
    handle.on('error', () => {
      if (this.handle === handle) this.handle = undefined;
    });
    this.handle = handle;
    this.log.info('USB relay opened', { path: info.path, channel: this.opts.channel });
  }

  protected async send(state: 'on' | 'off'): Promise<void> {
    const handle = this.handle;
    if (!handle) throw new Error('USB relay is not open');
    await handle.sendFeatureReport(hidRelayReport(state, this.opts.channel));
  }

  protected async release(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (!handle) return;
    handle.removeAllListeners();
    handle.on('error', () => undefined);
    await handle.close().catch(() => undefined);
  }
}

export function selectRelay(devices: HidDeviceInfo[], o: Pick<HidRelayOptions, 'vendorId' | 'productId' | 'path'>): HidDeviceInfo | undefined {
  return devices.find(
    (d) =>
      d.vendorId === o.vendorId &&
      d.productId === o.productId &&
      (o.path !== undefined ? d.path === o.path : d.product === undefined || /^USBRelay/iu.test(d.product)),
  );
}
