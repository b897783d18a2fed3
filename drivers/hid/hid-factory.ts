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
import { hidOptionProblem, type HidLayoutName } from './hid-options.js';

type HidUri = Extract<ScannerUri, { kind: 'hid' | 'hid-pos' }>;

export async function createHidScanner(parsed: HidUri, deps: DriverDeps, hid?: HidApi): Promise<HidKeyboardDriver | HidPosDriver> {
  const problem = hidOptionProblem(parsed);
  if (problem) throw new ScannerUriError(parsed.uri, problem);
  const path = parsed.params.path;
  const api = hid ?? (await loadNodeHid());
  if (parsed.kind === 'hid') {
    const layoutName = (parsed.params.layout ?? 'us') as HidLayoutName;
    return new HidKeyboardDriver(
      {
        hid: api,
        uri: parsed.uri,
        target: { vendorId: parsed.vendorId, productId: parsed.productId, ...(path ? { path } : {}) },
        layout: BUILT_IN_LAYOUTS[layoutName],
      },
      deps,
    );
  }
  const init = parsed.params.init ?? '1';
  const target = {
    ...(parsed.vendorId !== undefined ? { vendorId: parsed.vendorId } : {}),
    ...(parsed.productId !== undefined ? { productId: parsed.productId } : {}),
    ...(path ? { path } : {}),
  };
  return new HidPosDriver({ hid: api, uri: parsed.uri, target, vendorInit: init === '1' }, deps);
}
