/**
 * Loads zxing-wasm's reader (ZXing-C++ compiled to WebAssembly) from the installed npm package.
 * The .wasm ships inside the package; passing its bytes as `wasmBinary` keeps zxing-wasm from
 * fetching it from a CDN, which a kiosk must never do (offline, and no code from the network).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as ZxingReaderModule from 'zxing-wasm/reader';

export type ZxingReader = typeof ZxingReaderModule;

let loading: Promise<ZxingReader> | undefined;

/** The prepared reader module (instantiated once per thread). Rejects naming the missing file. */
export function loadZxingReader(): Promise<ZxingReader> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    let wasmPath: string;
    try {
      wasmPath = require.resolve('zxing-wasm/reader/zxing_reader.wasm');
    } catch (err) {
      throw new Error(`zxing-wasm is not installed (npm ci): ${(err as Error).message}`, { cause: err });
    }
    const bytes = readFileSync(wasmPath);
    const wasmBinary = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    const reader = await import('zxing-wasm/reader');
    await reader.prepareZXingModule({ overrides: { wasmBinary }, fireImmediately: true });
    return reader;
  })();
  return loading;
}

/** Reader options for credentials on phones and paper: QR only, rotated or inverted allowed. */
export const QR_READER_OPTIONS = {
  formats: ['QRCode'],
  tryHarder: true,
  tryRotate: true,
  tryInvert: true,
  tryDownscale: true,
  returnErrors: true,
  maxNumberOfSymbols: 8,
} as const;
