/**
 * Discovery: list serial ports and HID interfaces, score each against the scanner fingerprints,
 * and recommend the ones `--scanner auto` should open. Listers are injected (tests pass fixtures);
 * `realDiscoveryDeps()` loads serialport and node-hid with dynamic import(). A lister that fails
 * (SerialPort.list() rejects without udevadm; node-hid without libusb) is reported in `errors` and
 * discovery goes on with the other.
 */
import type { HidDeviceInfo } from '../hid/hid-seam.js';
import { listV4l2Devices, type V4l2Device } from '../camera/v4l2-list.js';
import { hex4, loadNodeHid } from '../hid/hid-seam.js';
import {
  GENERIC_SCANNER_IDS,
  NOT_A_SCANNER_PATTERN,
  SCANNER_NAME_PATTERN,
  USB_SERIAL_BRIDGES,
  vendorFingerprint,
} from './fingerprints.js';

/** One entry of SerialPort.list() (serialport 13 PortInfo); ids are lower-case hex strings on Linux. */
export interface SerialPortInfo {
  path: string;
  manufacturer?: string | undefined;
  serialNumber?: string | undefined;
  pnpId?: string | undefined;
  locationId?: string | undefined;
  productId?: string | undefined;
  vendorId?: string | undefined;
}

export interface DiscoveryDeps {
  listSerial?: () => Promise<SerialPortInfo[]>;
  listHid?: () => Promise<HidDeviceInfo[]>;
  /** V4L2 capture devices (cameras): listed for technicians, never picked by `auto`. */
  listCameras?: () => Promise<V4l2Device[]>;
}

export type DiscoveredKind = 'serial' | 'hid-pos' | 'hid' | 'camera' | 'other';

export interface DiscoveredDevice {
  kind: DiscoveredKind;
  /** What to pass to --scanner (for kind 'other': the device path, not openable as a scanner). */
  uri: string;
  path: string;
  vendorId?: string;
  productId?: string;
  vendor: string;
  product: string;
  /** 0-100: how sure we are that this is a barcode scanner we can read. */
  score: number;
  recommended: boolean;
  /** Why it got its score, for technicians. */
  why: string;
}

export interface DiscoveryResult {
  entries: DiscoveredDevice[];
  errors: Array<{ source: 'serial' | 'hid' | 'camera'; message: string }>;
}

/** Entries at or above this score are recommended and picked by `--scanner auto`. */
export const RECOMMEND_SCORE = 50;
/** Bounded work: a machine with more devices than this is summarised, not scored in full. */
const MAX_DEVICES = 512;

export async function discover(deps: DiscoveryDeps): Promise<DiscoveryResult> {
  const errors: DiscoveryResult['errors'] = [];
  const [serial, hid, cameras] = await Promise.all([
    run('serial', deps.listSerial, errors),
    run('hid', deps.listHid, errors),
    run('camera', deps.listCameras, errors),
  ]);
  const entries = [
    ...serial.slice(0, MAX_DEVICES).map(scoreSerial),
    ...hid.slice(0, MAX_DEVICES).map(scoreHid),
    ...cameras.slice(0, MAX_DEVICES).map(cameraEntry),
  ];
  entries.sort((a, b) => b.score - a.score || a.uri.localeCompare(b.uri));
  return { entries, errors };
}

async function run<T>(source: 'serial' | 'hid' | 'camera', lister: (() => Promise<T[]>) | undefined, errors: DiscoveryResult['errors']): Promise<T[]> {
  if (!lister) return [];
  try {
    const list = await lister();
    return Array.isArray(list) ? list : [];
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    errors.push({
      source,
      message: source === 'serial' && /udevadm/i.test(message) ? `serial ports cannot be listed: udevadm is missing (install Debian's udev): ${message}` : message,
    });
    return [];
  }
}

function parseHexId(s: string | undefined): number | undefined {
  return s !== undefined && /^[0-9a-f]{1,4}$/i.test(s) ? parseInt(s, 16) : undefined;
}

export function scoreSerial(p: SerialPortInfo): DiscoveredDevice {
  const vid = parseHexId(p.vendorId);
  const pid = parseHexId(p.productId);
  const fp = vendorFingerprint(vid);
  const names = `${p.manufacturer ?? ''} ${p.pnpId ?? ''}`;
  const why: string[] = [];
  let score = 0;
  if (fp) {
    score += 55;
    why.push(`${fp.vendor} USB id`);
    const mode = pid === undefined ? undefined : fp.products?.[pid];
    if (mode) why.push(`product mode: ${mode.name}`);
  }
  if (/ttyACM\d+$/.test(p.path)) {
    score += 10;
    why.push('CDC-ACM (USB virtual COM)');
  }
  const bridge = USB_SERIAL_BRIDGES.find((b) => b.vendorId === vid);
  if (bridge && !fp) {
    score += 20;
    why.push(`${bridge.vendor} USB-serial adapter: an RS-232 scanner may be behind it`);
  }
  if (SCANNER_NAME_PATTERN.test(names) && !NOT_A_SCANNER_PATTERN.test(names)) {
    score += 25;
    why.push('name says scanner');
  }
  if (vid === undefined) why.push('no USB ids (built-in or legacy UART)');
  score = Math.min(100, score);
  const entry: DiscoveredDevice = {
    kind: 'serial',
    uri: `serial:${p.path}`,
    path: p.path,
    vendor: fp?.vendor ?? p.manufacturer ?? 'unknown',
    product: p.pnpId ?? '',
    score,
    recommended: score >= RECOMMEND_SCORE,
    why: why.join('; ') || 'no scanner fingerprint',
  };
  if (vid !== undefined) entry.vendorId = hex4(vid);
  if (pid !== undefined) entry.productId = hex4(pid);
  return entry;
}

export function scoreHid(d: HidDeviceInfo): DiscoveredDevice {
  const fp = vendorFingerprint(d.vendorId);
  const names = `${d.manufacturer ?? ''} ${d.product ?? ''}`;
  const namedScanner = SCANNER_NAME_PATTERN.test(names) && !NOT_A_SCANNER_PATTERN.test(names);
  const generic = GENERIC_SCANNER_IDS.find((g) => g.vendorId === d.vendorId && g.productId === d.productId);
  const isPos = d.usagePage === 0x8c;
  const isKeyboard = d.usagePage === 0x01 && d.usage === 0x06;
  const ids = `${hex4(d.vendorId)}:${hex4(d.productId)}`;
  const why: string[] = [];
  let score = 0;
  let kind: DiscoveredKind = 'other';
  if (isPos) {
    kind = 'hid-pos';
    score += 60;
    why.push('HID POS interface (usage page 0x8C)');
    if (fp) {
      score += 30;
      why.push(`${fp.vendor} USB id`);
    }
  } else if (isKeyboard) {
    kind = 'hid';
    if (fp?.scannerMaker) {
      score += 55;
      why.push(`keyboard interface of a ${fp.vendor} scanner (keyboard mode)`);
    } else if (generic) {
      score += 50;
      why.push(`known ${generic.note}`);
    }
    if (namedScanner) {
      // A keyboard that calls itself a bar code scanner is one, whatever chip vendor it uses.
      score += fp?.scannerMaker || generic ? 25 : 50;
      why.push('name says scanner');
    }
    if (score === 0) why.push('a keyboard with no scanner fingerprint');
  } else {
    why.push(d.usagePage === 0x01 && d.usage === 0x02 ? 'a mouse' : `HID usage page 0x${(d.usagePage ?? 0).toString(16)}: not a scanner interface`);
  }
  score = Math.min(100, score);
  return {
    kind,
    uri: kind === 'hid-pos' ? `hid-pos:${ids}` : kind === 'hid' ? `hid:${ids}` : (d.path ?? `hid-device:${ids}`),
    path: d.path ?? '',
    vendorId: hex4(d.vendorId),
    productId: hex4(d.productId),
    vendor: fp?.vendor ?? d.manufacturer ?? 'unknown',
    product: d.product ?? '',
    score,
    recommended: kind !== 'other' && score >= RECOMMEND_SCORE,
    why: why.join('; '),
  };
}

/**
 * The scanners `--scanner auto` opens: every recommended entry, one per physical device (a scanner
 * showing both a HID POS and a keyboard interface is read through HID POS, which is preferred
 * over serial, which is preferred over keyboard mode), best first. Empty when nothing qualifies.
 */
export function pickAuto(entries: readonly DiscoveredDevice[]): DiscoveredDevice[] {
  const rank: Record<DiscoveredKind, number> = { 'hid-pos': 3, serial: 2, hid: 1, camera: 0, other: 0 };
  const best = new Map<string, DiscoveredDevice>();
  for (const e of entries) {
    if (!e.recommended) continue;
    // Same VID:PID = same device for HID (the URI cannot tell two identical ones apart anyway);
    // serial ports are distinct by path.
    const key = e.kind === 'serial' ? e.uri : `${e.vendorId}:${e.productId}`;
    const prev = best.get(key);
    if (!prev || rank[e.kind] > rank[prev.kind] || (rank[e.kind] === rank[prev.kind] && e.score > prev.score)) best.set(key, e);
  }
  const picked = [...best.values()];
  // A USB scanner in CDC mode shows up only as serial; one with HID POS and CDC both: prefer HID POS.
  const hidIds = new Set(picked.filter((e) => e.kind !== 'serial').map((e) => `${e.vendorId}:${e.productId}`));
  return picked
    .filter((e) => e.kind !== 'serial' || e.vendorId === undefined || !hidIds.has(`${e.vendorId}:${e.productId}`))
    .sort((a, b) => rank[b.kind] - rank[a.kind] || b.score - a.score || a.uri.localeCompare(b.uri));
}

/**
 * A V4L2 capture device as a `devices` line: its `camera:` URI, never recommended (a camera reads
 * codes only when named with --scanner, so `auto` never turns a webcam on by itself).
 */
export function cameraEntry(cam: V4l2Device): DiscoveredDevice {
  const entry: DiscoveredDevice = {
    kind: 'camera',
    uri: `camera:${cam.path}`,
    path: cam.path,
    vendor: 'unknown',
    product: cam.name,
    score: 0,
    recommended: false,
    why: 'V4L2 capture device: a camera reads QR codes when named, e.g. --scanner camera:' + cam.path,
  };
  if (cam.vendorId) entry.vendorId = cam.vendorId;
  if (cam.productId) entry.productId = cam.productId;
  return entry;
}

/** The real listers: serialport's SerialPort.list() and node-hid's devices() (both loaded lazily), V4L2 from sysfs. */
export function realDiscoveryDeps(): Required<DiscoveryDeps> {
  return {
    listSerial: async () => {
      const { SerialPort } = await import('serialport');
      return (await SerialPort.list()) as SerialPortInfo[];
    },
    listHid: async () => (await loadNodeHid()).devices(),
    listCameras: async () => listV4l2Devices(),
  };
}
