/**
 * HID keyboard-mode scanner read raw through hidraw (node-hid), so the kiosk gets whole scans
 * with a device id instead of keystrokes in whatever window has focus. Reports are boot-keyboard
 * reports, 8 bytes, or 9 with a leading report id on composite devices; each is decoded by
 * BootKeyboardDecoder with the configured layout and collected into lines ended by Enter/Tab.
 *
 * Caveat: on Linux reading hidraw does not stop the kernel's keyboard driver from also typing the
 * scan into the focused window; the kiosk window must ignore it (or the device must be unbound
 * from hid-generic's input handler by a udev rule, see README).
 */
import type { DriverDeps } from '../types.js';
import type { BackoffOptions } from '../backoff.js';
import type { HidApi, HidDeviceInfo } from '../hid/hid-seam.js';
import { hex4 } from '../hid/hid-seam.js';
import { ReconnectingHidDriver } from '../hid/reconnecting-hid-driver.js';
import { BootKeyboardDecoder } from './boot-decoder.js';
import { BUILT_IN_LAYOUTS, type KeyboardLayout } from './layouts.js';
import { MAX_SCAN_CHARS, ScanLineAssembler } from './scan-line.js';

export interface HidKeyboardTarget {
  vendorId: number;
  productId: number;
  /** A fixed hidraw path; default: the keyboard interface of vendorId:productId. */
  path?: string;
}

export interface HidKeyboardDriverOptions {
  hid: HidApi;
  target: HidKeyboardTarget;
  uri?: string;
  layout?: KeyboardLayout;
  maxScanChars?: number;
  backoff?: BackoffOptions;
}

export class HidKeyboardDriver extends ReconnectingHidDriver {
  private readonly decoder: BootKeyboardDecoder;
  private readonly line: ScanLineAssembler;

  constructor(opts: HidKeyboardDriverOptions, deps: DriverDeps) {
    const id = `hid:${hex4(opts.target.vendorId)}:${hex4(opts.target.productId)}`;
    super(
      {
        source: 'hid',
        deviceId: id,
        uri: opts.uri ?? id,
        hid: opts.hid,
        select: (devices) => selectKeyboardInterface(devices, opts.target),
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
      },
      deps,
      'hid-keyboard',
    );
    this.decoder = new BootKeyboardDecoder({ layout: opts.layout ?? BUILT_IN_LAYOUTS.us });
    this.line = new ScanLineAssembler(opts.maxScanChars ?? MAX_SCAN_CHARS);
  }

  protected override handleReport(report: Uint8Array): void {
    // 9 bytes = report id + boot report (composite scanners number their keyboard report).
    const boot = report.length === 9 ? report.subarray(1) : report;
    const keys = this.decoder.feed(boot);
    if (keys === null) {
      this.countError(`keyboard report of unexpected length ${report.length}`);
      return;
    }
    for (const k of keys) {
      if (k.kind === 'dropped') {
        this.countError(`keystroke dropped: ${k.reason}`);
        continue;
      }
      const done = this.line.push(k);
      if (!done) continue;
      if ('fault' in done) {
        this.log.warn('keyboard scan too large', { deviceId: this.deviceId, chars: done.chars });
        this.emitScan({ text: '', fault: 'too-large' });
      } else {
        this.emitScan({ text: done.text, bytes: new TextEncoder().encode(done.text) });
      }
    }
  }

  protected override resetDecoder(why: 'unplug' | 'close'): void {
    this.decoder.reset(false);
    const lost = this.line.discard();
    if (lost > 0) this.log.warn('partial keyboard scan discarded', { deviceId: this.deviceId, why, chars: lost });
  }
}

/** The keyboard interface (usage page 1, usage 6) of the device; another interface only if the backend hides usages. */
export function selectKeyboardInterface(devices: HidDeviceInfo[], t: HidKeyboardTarget): HidDeviceInfo | undefined {
  const mine = devices.filter((d) => d.vendorId === t.vendorId && d.productId === t.productId && (t.path === undefined || d.path === t.path));
  return mine.find((d) => d.usagePage === 0x01 && d.usage === 0x06) ?? mine.find((d) => d.usagePage === undefined || d.usagePage === 0);
}
