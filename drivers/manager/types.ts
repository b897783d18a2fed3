/**
 * Types of the device manager (drivers/manager/device-manager.ts): per-device health for the
 * screens, its event map, and the two seams it is built from (driver factory and discovery).
 */
import type { DeviceHealth } from '../../src/shared/types.js';
import type { DriverDeps, ScannerDriver, ScannerEvents } from '../types.js';
import type { CanonicalPath } from './device-key.js';
import type { SelfTestResult } from './self-test.js';

export type { DeviceHealth };

export interface DeviceManagerEvents extends ScannerEvents {
  /** The device list or a device state changed: the full current health list. */
  devices: [DeviceHealth[]];
  /** A self-test ended (scan, timeout, cancel or close). */
  selftest: [SelfTestResult];

}

/**
 * Builds a driver (not yet open). Default: drivers/factory.ts createScanner. `options.deviceId`:
 * the id the driver must take instead of its own (another configured scanner has that one; see
 * device-ids.ts); only camera and sim drivers are ever given one.
 */
export type DriverFactory = (uri: string, deps: DriverDeps, options?: { deviceId?: string }) => Promise<ScannerDriver>;

/** One discovery run: the scanner URIs `auto` stands for now, and listers that failed. */
export interface AutoDiscoveryResult {
  uris: string[];
  errors?: ReadonlyArray<{ source: string; message: string }>;
}
export type AutoDiscovery = () => Promise<AutoDiscoveryResult>;

export interface DeviceManagerOptions {
  /**
   * Scanner URIs as given to --scanner (drivers/uri.ts); `auto` turns on discovery. May be empty
   * (web mode with only a keyboard-wedge scanner): status() then says 'no scanner configured'.
   */
  uris: readonly string[];
  deps: DriverDeps;
  createDriver?: DriverFactory;
  /** Default: drivers/discovery resolveAutoScanners() with the real listers. */
  discover?: AutoDiscovery;
  /** Period of re-discovery while `auto` is configured, in ms. Default 5000; 0 = only at open(). */
  rediscoverMs?: number;
  /**
   * An auto-found device missing from this many discoveries in a row, and not connected, is
   * closed and forgotten (its driver would otherwise retry a path that is gone for good).
   * Default 3. Drivers reconnect by themselves; the manager never reopens one.
   */
  retireAfterMisses?: number;
  /** Health window in ms. Default 60 000. */
  healthWindowMs?: number;
  /** Most scanners managed at once; more found by discovery are ignored (logged). Default 16. */
  maxDevices?: number;
  /** Resolves device symlinks to spot duplicates. Default realpath (device-key.ts). */
  canonicalPath?: CanonicalPath;
}

export const DEFAULT_REDISCOVER_MS = 5_000;
export const DEFAULT_RETIRE_AFTER_MISSES = 3;
export const DEFAULT_MAX_DEVICES = 16;
/** Id of the manager when it stands in for one ScannerDriver (status(), error messages). */
export const MANAGER_DEVICE_ID = 'scanners';
