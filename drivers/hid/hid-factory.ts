/**
 * Builds the HID drivers from parsed scanner URIs (drivers/uri.ts keeps HID options raw in
 * `params`; they are validated here). node-hid is loaded only when no HidApi is injected.
 *
 *   hid:VID:PID?layout=us|de&path=/dev/hidrawN    keyboard-mode scanner read raw through hidraw
 *   hid-pos:VID:PID?init=1|0&path=/dev/hidrawN    HID POS scanner; hid-pos:auto = first one found
 */
import type { DriverDeps } from '../types.js';
import { ScannerUriError, type ScannerUri } from '../uri.js';
import { BUILT_IN_LAYOUTS } from '../keyboard/layouts.js';
import { HidKeyboardDriver } from '../keyboard/keyboard-driver.js';
import { loadNodeHid, type HidApi } from './hid-seam.js';
import { HidPosDriver } from './pos-driver.js';

type HidUri = Extract<ScannerUri, { kind: 'hid' | 'hid-pos' }>;

export async function createHidScanner(parsed: HidUri, deps: DriverDeps, hid?: HidApi): Promise<HidKeyboardDriver | HidPosDriver> {
  const fail = (detail: string): never => {
    throw new ScannerUriError(parsed.uri, detail);
  };
  const known = parsed.kind === 'hid' ? ['layout', 'path'] : ['init', 'path'];
  for (const key of Object.keys(parsed.params)) {
    if (!known.includes(key)) fail(`unknown option "${key}" for ${parsed.kind} (known: ${known.join(', ')})`);
  }
  const path = parsed.params.path;
  if (path !== undefined && !/^\/dev\/hidraw\d{1,3}$|^[\\/]/.test(path)) fail(`path must be a device path such as /dev/hidraw3, got "${path}"`);
  const api = hid ?? (await loadNodeHid());
  if (parsed.kind === 'hid') {
    const layoutName = parsed.params.layout ?? 'us';
    if (layoutName !== 'us' && layoutName !== 'de') fail(`layout must be us or de, got "${layoutName}"`);
    return new HidKeyboardDriver(
      {
        hid: api,
        uri: parsed.uri,
        target: { vendorId: parsed.vendorId, productId: parsed.productId, ...(path ? { path } : {}) },
        layout: BUILT_IN_LAYOUTS[layoutName as 'us' | 'de'],
      },
      deps,
    );
  }
  const init = parsed.params.init ?? '1';
  if (init !== '1' && init !== '0') fail(`init must be 1 or 0, got "${init}"`);
  const target = {
    ...(parsed.vendorId !== undefined ? { vendorId: parsed.vendorId } : {}),
    ...(parsed.productId !== undefined ? { productId: parsed.productId } : {}),
    ...(path ? { path } : {}),
  };
  return new HidPosDriver({ hid: api, uri: parsed.uri, target, vendorInit: init === '1' }, deps);
}
