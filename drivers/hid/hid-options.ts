/**
 * The options HID scanner URIs accept (drivers/uri.ts keeps them raw in `params`):
 *
 *   hid:VID:PID?layout=us|de&path=/dev/hidrawN
 *   hid-pos:VID:PID|auto?init=1|0&path=/dev/hidrawN
 *
 * Checked both at start (drivers/start-check.ts, so `run` exits 2 before opening anything) and
 * when the driver is built (hid-factory.ts), with the same messages.
 */
import type { ScannerUri } from '../uri.js';

type HidUri = Extract<ScannerUri, { kind: 'hid' | 'hid-pos' }>;

/** Keyboard layouts a `hid:` scanner can be decoded with. */
export const HID_LAYOUTS = ['us', 'de'] as const;
export type HidLayoutName = (typeof HID_LAYOUTS)[number];

/**
 * Returns what is wrong with the options of a parsed `hid:`/`hid-pos:` URI (an unknown option, a
 * layout other than us/de, init other than 1/0, a path that is not a device path), or undefined.
 */
export function hidOptionProblem(parsed: HidUri): string | undefined {
  const known = parsed.kind === 'hid' ? ['layout', 'path'] : ['init', 'path'];
  for (const key of Object.keys(parsed.params)) {
    if (!known.includes(key)) return `unknown option "${key}" for ${parsed.kind} (known: ${known.join(', ')})`;
  }
  const path = parsed.params.path;
  if (path !== undefined && !/^\/dev\/hidraw\d{1,3}$|^[\\/]/.test(path)) return `path must be a device path such as /dev/hidraw3, got "${path}"`;
  if (parsed.kind === 'hid') {
    const layout = parsed.params.layout ?? 'us';
    if (!(HID_LAYOUTS as readonly string[]).includes(layout)) return `layout must be us or de, got "${layout}"`;
    return undefined;
  }
  const init = parsed.params.init ?? '1';
  if (init !== '1' && init !== '0') return `init must be 1 or 0, got "${init}"`;
  return undefined;
}
