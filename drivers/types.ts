/**
 * The scanner driver contract. Every kind of scanner (serial, HID POS, HID keyboard, stdin,
 * simulator) is an EventEmitter with these typed events. Drivers import nothing from src/
 * except src/shared types; native modules are loaded with dynamic import() in the real
 * factories only, so tests never load a binary they do not need.
 */
import type { EventEmitter } from 'node:events';
import type { CameraPreview, ScanEvent, ScannerStatus } from '../src/shared/types.js';
import type { Clock, Logger, Timers } from '../src/shared/ports.js';

export interface ScannerEvents {
  scan: [ScanEvent];
  status: [ScannerStatus];
  /** A recoverable fault (bad frame, read error); the driver keeps going. */
  error: [Error];
  /** The device went away; the driver reconnects by itself unless closed. */
  disconnected: [];
}

export interface ScannerDriver extends EventEmitter<ScannerEvents> {
  /** Stable id of this scanner, e.g. 'serial:/dev/ttyACM0'. */
  readonly deviceId: string;
  /** The URI it was opened from. */
  readonly uri: string;
  /** Resolves once the device is open (or, for reconnecting drivers, once the first attempt ran). */
  open(): Promise<void>;
  /** Stops reading and reconnecting; resolves when released. Idempotent. */
  close(): Promise<void>;
  status(): ScannerStatus;
  /**
   * Scanners that see a picture (cameras) hand a low-rate preview to `sink` while one is set, for
   * the aiming help on the local screen; undefined stops it. Other scanners lack this method.
   */
  setPreviewSink?(sink: ((preview: CameraPreview) => void) | undefined): void;
}

export interface DriverDeps {
  clock: Clock;
  timers: Timers;
  logger: Logger;
}
