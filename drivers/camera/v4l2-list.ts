/**
 * V4L2 capture devices for `checkpoint-kiosk devices`: /sys/class/video4linux/videoN gives each
 * node's name and index; index 0 is a device's capture node (UVC webcams add a metadata node with
 * index 1, which cannot give pictures and is left out). Without sysfs, /dev/video* is listed as is.
 * Cameras are listed, never picked by `--scanner auto`: a camera is opened only when named.
 */
import { readdirSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface V4l2Device {
  /** /dev/videoN */
  path: string;
  /** The driver's name for it (sysfs `name`), e.g. "HD Pro Webcam C920". */
  name: string;
  /** USB ids (4 hex digits) when the camera is on USB. */
  vendorId?: string;
  productId?: string;
}

/** Most nodes looked at (bounded work on a machine with many capture cards). */
const MAX_NODES = 64;

export function listV4l2Devices(sysfs = '/sys/class/video4linux', dev = '/dev'): V4l2Device[] {
  let nodes: string[];
  try {
    nodes = readdirSync(sysfs).filter((n) => /^video\d+$/u.test(n));
  } catch {
    return listDevNodes(dev);
  }
  const out: V4l2Device[] = [];
  for (const node of nodes.sort(byNumber).slice(0, MAX_NODES)) {
    const dir = join(sysfs, node);
    const index = readText(join(dir, 'index'));
    if (index !== undefined && index !== '0') continue;
    const entry: V4l2Device = { path: join(dev, node), name: readText(join(dir, 'name')) ?? node };
    // device → the USB interface; its parent directory (the USB device) holds the USB ids.
    const usb = usbDeviceDir(join(dir, 'device'));
    const vid = usb && readText(join(usb, 'idVendor'));
    const pid = usb && readText(join(usb, 'idProduct'));
    if (vid && /^[0-9a-f]{4}$/iu.test(vid)) entry.vendorId = vid.toLowerCase();
    if (pid && /^[0-9a-f]{4}$/iu.test(pid)) entry.productId = pid.toLowerCase();
    out.push(entry);
  }
  return out;
}

function listDevNodes(dev: string): V4l2Device[] {
  try {
    return readdirSync(dev)
      .filter((n) => /^video\d+$/u.test(n))
      .sort(byNumber)
      .slice(0, MAX_NODES)
      .map((n) => ({ path: join(dev, n), name: n }));
  } catch {
    return [];
  }
}

function usbDeviceDir(link: string): string | undefined {
  try {
    return dirname(realpathSync(link));
  } catch {
    return undefined;
  }
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim().slice(0, 200);
  } catch {
    return undefined;
  }
}

function byNumber(a: string, b: string): number {
  return Number(a.replace(/\D/gu, '')) - Number(b.replace(/\D/gu, ''));
}
