/**
 * Builds outputs from output URIs (output-uri.ts). node-hid and serialport are loaded lazily, only
 * when a relay of that kind is configured and no seam is injected.
 */
import type { DriverDeps, ScannerDriver } from '../types.js';
import { loadNodeHid, type HidApi } from '../hid/hid-seam.js';
import { HidRelayOutput } from './hid-relay.js';
import { parseOutputUri, type OutputUri } from './output-uri.js';
import { OutputSet } from './output-set.js';
import { ScannerBeeperOutput } from './scanner-beeper.js';
import { SerialRelayOutput, type RelayPortOpener } from './serial-relay.js';
import type { Output, OutputStats } from './types.js';

export interface OutputOverrides {
  /** Replaces the real node-hid (tests: FakeHid). */
  hid?: HidApi;
  /** Replaces the real serialport opener. */
  openRelayPort?: RelayPortOpener;
  /** The scanners for `beeper` (e.g. () => manager.drivers()). Required when a beeper is configured. */
  scanners?: () => readonly ScannerDriver[];
}

/** `none` does nothing; it exists so a configuration can say "no relay" explicitly. */
class NoOutput implements Output {
  constructor(readonly uri: string) {}
  async open(): Promise<void> {}
  async pulse(): Promise<void> {}
  async close(): Promise<void> {}
  stats(): OutputStats {
    return { uri: this.uri, pulses: 0, errors: 0 };
  }
}

/** Throws OutputUriError for a bad URI; the device itself is only opened by open()/pulse(). */
export async function createOutput(uri: string, deps: DriverDeps, overrides: OutputOverrides = {}): Promise<Output> {
  return createOutputFrom(parseOutputUri(uri), deps, overrides);
}

export async function createOutputFrom(p: OutputUri, deps: DriverDeps, overrides: OutputOverrides = {}): Promise<Output> {
  switch (p.kind) {
    case 'none':
      return new NoOutput(p.uri);
    case 'hid-relay':
      return new HidRelayOutput(
        {
          uri: p.uri,
          hid: overrides.hid ?? (await loadNodeHid()),
          vendorId: p.vendorId,
          productId: p.productId,
          channel: p.channel,
          pulseMs: p.pulseMs,
          on: p.on,
          ...(p.path !== undefined ? { path: p.path } : {}),
        },
        deps,
      );
    case 'serial-relay':
      return new SerialRelayOutput(
        {
          uri: p.uri,
          path: p.path,
          baudRate: p.baudRate,
          channel: p.channel,
          pulseMs: p.pulseMs,
          on: p.on,
          ...(overrides.openRelayPort ? { openPort: overrides.openRelayPort } : {}),
        },
        deps,
      );
    case 'beeper':
      if (!overrides.scanners) throw new Error('beeper output needs the scanners (pass overrides.scanners, e.g. () => manager.drivers())');
      return new ScannerBeeperOutput({ uri: p.uri, scanners: overrides.scanners, on: p.on }, deps);
  }
}

/** Every URI parsed first (a bad one throws before any device is touched), then built. */
export async function createOutputs(uris: readonly string[], deps: DriverDeps, overrides: OutputOverrides = {}): Promise<OutputSet> {
  const parsed = uris.map(parseOutputUri);
  const outputs: Output[] = [];
  for (const p of parsed) outputs.push(await createOutputFrom(p, deps, overrides));
  return new OutputSet(outputs, deps.logger);
}
