/**
 * HID POS scanner driver (usage page 0x8C). Reports are parsed with the vendor's layout
 * (pos-vendors.ts), joined over the continuation bit (pos-report.ts) and emitted as one ScanEvent
 * with source 'hid-pos' and the AIM symbology mapped to a name. Bad reports (unknown report id,
 * short, bad length, junk) are dropped and counted as errors; a read cut by an unplug is discarded.
 */
import type { DriverDeps } from '../types.js';
import type { BackoffOptions } from '../backoff.js';
import { symbologyFromAim } from './aim.js';
import type { HidApi, HidDeviceInfo, HidHandle } from './hid-seam.js';
import { hex4 } from './hid-seam.js';
import { decodeScanBytes, MAX_SCAN_BYTES, parsePosReport, PosReassembler } from './pos-report.js';
import { HOST_REPLY_AIM_IDS, posProfileFor, type HidCommand, type PosVendorProfile } from './pos-vendors.js';
import { ReconnectingHidDriver, errorMessage } from './reconnecting-hid-driver.js';

/** HID POS usage page (bar code scanner). */
export const HID_POS_USAGE_PAGE = 0x8c;

export interface HidPosTarget {
  /** Both absent = the first HID POS interface found ('hid-pos:auto'). */
  vendorId?: number;
  productId?: number;
  /** A fixed hidraw path; when set, vendor/product only confirm it. */
  path?: string;
}

export interface HidPosDriverOptions {
  hid: HidApi;
  target: HidPosTarget;
  /** The URI it was opened from; default 'hid-pos:VID:PID' or 'hid-pos:auto'. */
  uri?: string;
  /** Send the vendor's init commands after open (default true). */
  vendorInit?: boolean;
  /** Overrides the vendor table entry (e.g. a device needing another layout). */
  profile?: PosVendorProfile;
  maxScanBytes?: number;
  backoff?: BackoffOptions;
}

export type Indication = 'good' | 'bad';

export class HidPosDriver extends ReconnectingHidDriver {
  private readonly opts: HidPosDriverOptions;
  private readonly reassembler: PosReassembler;
  private profile: PosVendorProfile | undefined;

  constructor(opts: HidPosDriverOptions, deps: DriverDeps) {
    const id = targetId(opts.target);
    super(
      {
        source: 'hid-pos',
        deviceId: id,
        uri: opts.uri ?? id,
        hid: opts.hid,
        select: (devices) => selectPosDevice(devices, opts.target),
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
      },
      deps,
      'hid-pos',
    );
    this.opts = opts;
    this.reassembler = new PosReassembler(opts.maxScanBytes ?? MAX_SCAN_BYTES);
  }

  /** Beep/LED for a good or bad read where the vendor supports it; otherwise a no-op. Never throws. */
  async indicate(kind: Indication): Promise<boolean> {
    const commands = this.currentProfile().indicate[kind];
    const handle = this.handle;
    if (!commands || commands.length === 0 || !handle) return false;
    try {
      for (const c of commands) await send(handle, c);
      return true;
    } catch (err) {
      this.log.warn('scanner indication failed', { deviceId: this.deviceId, kind, error: errorMessage(err) });
      return false;
    }
  }

  protected override async afterOpen(handle: HidHandle, info: HidDeviceInfo): Promise<void> {
    this.profile = this.opts.profile ?? posProfileFor(info.vendorId);
    if (this.opts.vendorInit === false) return;
    for (const c of this.profile.init) {
      await send(handle, c);
      this.log.debug('vendor init sent', { deviceId: this.deviceId, note: c.note });
    }
  }

  protected override handleReport(report: Uint8Array): void {
    const parsed = parsePosReport(report, this.currentProfile().layout);
    if (!parsed.ok) {
      // A bad report in the middle of a read leaves a hole: the read cannot be trusted any more.
      const lost = this.reassembler.discard();
      this.countError(`HID POS report rejected: ${parsed.reason} (${report.length} bytes${lost ? `, ${lost} buffered bytes dropped` : ''})`);
      return;
    }
    const result = this.reassembler.push(parsed);
    if (result.kind === 'partial') return;
    if (HOST_REPLY_AIM_IDS.includes(result.aim)) {
      this.log.debug('host command reply ignored', { deviceId: this.deviceId, aim: result.aim });
      return;
    }
    const symbology = symbologyFromAim(result.aim);
    if (result.kind === 'too-large') {
      this.log.warn('HID POS read too large', { deviceId: this.deviceId, bytes: result.droppedBytes, reports: result.reports });
      this.emitScan({ text: '', fault: 'too-large', ...(symbology ? { symbology } : {}) });
      return;
    }
    this.emitScan({ text: decodeScanBytes(result.bytes), bytes: result.bytes, ...(symbology ? { symbology } : {}) });
  }

  protected override resetDecoder(why: 'unplug' | 'close'): void {
    const lost = this.reassembler.discard();
    if (lost > 0) this.log.warn('partial HID POS read discarded', { deviceId: this.deviceId, why, bytes: lost });
  }

  private currentProfile(): PosVendorProfile {
    return this.profile ?? this.opts.profile ?? posProfileFor(this.opts.target.vendorId ?? -1);
  }
}

/** 'hid-pos:0C2E:0B87', or 'hid-pos:auto' when no vendor/product is given. */
export function targetId(t: HidPosTarget): string {
  if (t.vendorId === undefined || t.productId === undefined) return t.path ? `hid-pos:${t.path}` : 'hid-pos:auto';
  return `hid-pos:${hex4(t.vendorId)}:${hex4(t.productId)}`;
}

/** The HID POS interface matching the target; a keyboard interface of the same device is never chosen. */
export function selectPosDevice(devices: HidDeviceInfo[], t: HidPosTarget): HidDeviceInfo | undefined {
  return devices.find(
    (d) =>
      d.usagePage === HID_POS_USAGE_PAGE &&
      (t.path === undefined || d.path === t.path) &&
      (t.vendorId === undefined || d.vendorId === t.vendorId) &&
      (t.productId === undefined || d.productId === t.productId),
  );
}

async function send(handle: HidHandle, c: HidCommand): Promise<void> {
  if (c.kind === 'feature') await handle.sendFeatureReport(c.bytes);
  else await handle.write(c.bytes);
}
