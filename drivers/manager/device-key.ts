/**
 * Which physical device a scanner URI reads, so one scanner is never opened twice: once because
 * it was configured and once more because discovery found it (that would turn every scan into two).
 *
 *   serial:/dev/serial/by-id/usb-X and serial:/dev/ttyACM0  -> the same key when the link resolves there
 *   hid:0C2E:0B87 and hid-pos:0C2E:0B87                     -> the same key (two interfaces, one scanner)
 */
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { hex4 } from '../hid/hid-seam.js';
import { parseScannerUri } from '../uri.js';

/** Resolves symlinks of a device path; returns the path itself when it cannot (device absent). */
export type CanonicalPath = (path: string) => string;

export const realCanonicalPath: CanonicalPath = (path) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/**
 * The keys naming the device a URI reads: for serial both the path as written and where it
 * resolves now (a by-id link is only resolvable while the device is plugged in, and a pty or a
 * replugged adapter may resolve elsewhere later), so matching any key of a managed scanner means
 * "already read". Throws ScannerUriError for a bad URI.
 */
export function deviceKeys(uri: string, canonicalPath: CanonicalPath): string[] {
  const parsed = parseScannerUri(uri);
  if (parsed.kind !== 'serial') return [deviceKey(uri, canonicalPath)];
  return [...new Set([`serial:${parsed.path}`, `serial:${canonicalPath(parsed.path)}`])];
}

/** The one key of a URI: serial by resolved path. Throws ScannerUriError for a bad URI. */
export function deviceKey(uri: string, canonicalPath: CanonicalPath): string {
  const parsed = parseScannerUri(uri);
  switch (parsed.kind) {
    case 'serial':
      return `serial:${canonicalPath(parsed.path)}`;
    case 'hid':
    case 'hid-pos': {
      const at = parsed.params.path ? `@${parsed.params.path}` : '';
      if (parsed.vendorId === undefined || parsed.productId === undefined) return `hid-pos:auto${at}`;
      return `usb:${hex4(parsed.vendorId)}:${hex4(parsed.productId)}${at}`;
    }
    case 'sim':
      return `sim:${canonicalPath(resolve(parsed.file))}`;
    case 'camera':
      // A file by its absolute, resolved path: `camera:held.mp4` and `camera:/dir/held.mp4` are one file.
      if (parsed.source === 'file') return `camera:${canonicalPath(resolve(parsed.location))}`;
      return parsed.source === 'v4l2' ? `camera:${canonicalPath(parsed.location)}` : `camera:${parsed.location}`;
    case 'stdin':
      return 'stdin';
    case 'auto':
      return 'auto';
  }
}

/** True for a key of a HID POS scanner given as 'hid-pos:auto' (it reads whichever one is first). */
export function isAnyHidPosKey(key: string): boolean {
  return key.startsWith('hid-pos:auto');
}
