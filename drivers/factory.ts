/**
 * Builds a scanner driver from a URI (README.md). The returned driver is not open yet: attach
 * listeners, then call open(). Native modules are loaded lazily by the drivers that need them.
 */
import type { Readable } from 'node:stream';
import type { DriverDeps, ScannerDriver } from './types.js';
import { parseScannerUri, type ScannerUri } from './uri.js';
import { SerialScannerDriver } from './serial/serial-driver.js';
import { openRealSerialPort, probeDevicePath, type DevicePresenceProbe, type SerialPortOpener } from './serial/port.js';
import { StdinScanSource } from './stdin/stdin-source.js';
import { SimScanSource } from './sim/sim-source.js';
import { createHidScanner } from './hid/hid-factory.js';
import type { HidApi } from './hid/hid-seam.js';
import { CameraScannerDriver, type CameraDriverOptions } from './camera/camera-driver.js';

export interface FactoryOverrides {
  /** Replaces the real serialport opener (tests). */
  openSerialPort?: SerialPortOpener;
  /** Replaces the device presence probe (tests). */
  probeDevice?: DevicePresenceProbe;
  /** Replaces process.stdin for `stdin` (tests). */
  stdin?: Readable;
  /** Replaces the real node-hid (tests: FakeHid from test/fakes/fake-hid.ts). */
  hid?: HidApi;
  /** Camera driver options other than the URI (tests: another ffmpeg path, a short backoff). */
  camera?: Omit<CameraDriverOptions, 'camera'>;
  /** The device id to take instead of the driver's own (camera and sim only; see manager/device-ids.ts). */
  deviceId?: string;
}

export class ScannerNotAvailableError extends Error {
  readonly kind: ScannerUri['kind'];
  constructor(kind: ScannerUri['kind']) {
    super(`scanner kind "${kind}" cannot be built directly; expand it with resolveAutoScanners() first`);
    this.name = 'ScannerNotAvailableError';
    this.kind = kind;
  }
}

/** Throws ScannerUriError for a bad URI, ScannerNotAvailableError for `auto` (expand it first). */
export async function createScanner(uri: string, deps: DriverDeps, overrides: FactoryOverrides = {}): Promise<ScannerDriver> {
  const parsed = parseScannerUri(uri);
  return createScannerFrom(parsed, deps, overrides);
}

export async function createScannerFrom(parsed: ScannerUri, deps: DriverDeps, overrides: FactoryOverrides = {}): Promise<ScannerDriver> {
  switch (parsed.kind) {
    case 'serial':
      return new SerialScannerDriver(
        {
          path: parsed.path,
          baudRate: parsed.baudRate,
          maxLineBytes: parsed.maxLineBytes,
          idleMs: parsed.idleMs,
          uri: parsed.uri,
          openPort: overrides.openSerialPort ?? openRealSerialPort,
          probe: overrides.probeDevice ?? probeDevicePath,
        },
        deps,
      );
    case 'stdin':
      return new StdinScanSource(
        { maxLineBytes: parsed.maxLineBytes, idleMs: parsed.idleMs, uri: parsed.uri, ...(overrides.stdin ? { input: overrides.stdin } : {}) },
        deps,
      );
    case 'sim':
      return new SimScanSource(
        { file: parsed.file, intervalMs: parsed.intervalMs, loop: parsed.loop, maxLineBytes: parsed.maxLineBytes, uri: parsed.uri, ...(overrides.deviceId === undefined ? {} : { deviceId: overrides.deviceId }) },
        deps,
      );
    case 'camera':
      return new CameraScannerDriver({ ...overrides.camera, ...(overrides.deviceId === undefined ? {} : { deviceId: overrides.deviceId }), camera: parsed }, deps);
    case 'hid':
    case 'hid-pos':
      return createHidScanner(parsed, deps, overrides.hid);
    case 'auto':
      // `auto` may stand for several scanners: the composition root expands it with
      // resolveAutoScanners() before calling the factory.
      throw new ScannerNotAvailableError(parsed.kind);
  }
}
