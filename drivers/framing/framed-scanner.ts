/**
 * Bookkeeping shared by the byte-stream scanners (serial, stdin, sim): status counters, turning
 * framer output into ScanEvents, and emitting without ever letting a listener crash the driver.
 */
import { EventEmitter } from 'node:events';
import type { ScanEvent, ScanSourceKind, ScannerStatus } from '../../src/shared/types.js';
import type { DriverDeps, ScannerEvents } from '../types.js';
import type { Frame } from './line-framer.js';

export abstract class FramedScanner extends EventEmitter<ScannerEvents> {
  readonly deviceId: string;
  readonly uri: string;
  protected readonly deps: DriverDeps;
  private readonly source: ScanSourceKind;
  private state: ScannerStatus['state'] = 'connecting';
  private lastReadAt: string | undefined;
  private lastError: string | undefined;
  private lastErrorCode: string | undefined;
  private reads = 0;
  private errors = 0;

  protected constructor(source: ScanSourceKind, deviceId: string, uri: string, deps: DriverDeps) {
    super();
    this.source = source;
    this.deviceId = deviceId;
    this.uri = uri;
    this.deps = deps;
  }

  abstract open(): Promise<void>;
  abstract close(): Promise<void>;

  /**
   * reads: frames delivered (faulty ones included); errors: faulty frames plus device errors;
   * lastError: the last device error, cleared when the device is connected again.
   */
  status(): ScannerStatus {
    const s: ScannerStatus = { deviceId: this.deviceId, uri: this.uri, state: this.state, reads: this.reads, errors: this.errors };
    if (this.lastReadAt !== undefined) s.lastReadAt = this.lastReadAt;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    if (this.lastError !== undefined && this.lastErrorCode !== undefined) s.lastErrorCode = this.lastErrorCode;
    return s;
  }

  protected get currentState(): ScannerStatus['state'] {
    return this.state;
  }

  /**
   * Changes state (and lastError with its errno-style code, when the driver knows one) and emits
   * `status` when anything changed.
   */
  protected setState(state: ScannerStatus['state'], lastError?: string, lastErrorCode?: string): void {
    const nextError = state === 'connected' ? undefined : (lastError ?? this.lastError);
    const nextCode = state === 'connected' ? undefined : lastError !== undefined ? lastErrorCode : this.lastErrorCode;
    if (state === this.state && nextError === this.lastError && nextCode === this.lastErrorCode) return;
    this.state = state;
    this.lastError = nextError;
    this.lastErrorCode = nextCode;
    this.safeEmit('status', this.status());
  }

  /** Counts a device error and reports it on `error` (only if someone listens: never throws). */
  protected reportError(err: Error): void {
    this.errors++;
    this.lastError = err.message;
    this.lastErrorCode = undefined;
    if (this.listenerCount('error') > 0) this.safeEmit('error', err);
  }

  /** Turns a framed line into a ScanEvent and emits it (with the symbology when the source knows it). */
  protected deliver(frame: Frame, symbology?: string): void {
    this.reads++;
    this.lastReadAt = new Date(frame.receivedAt).toISOString();
    const event: ScanEvent = { source: this.source, deviceId: this.deviceId, text: frame.text, receivedAt: frame.receivedAt };
    if (frame.bytes) event.bytes = frame.bytes;
    if (symbology !== undefined) event.symbology = symbology;
    if (frame.fault) {
      event.fault = frame.fault;
      this.errors++;
      // No payload in logs: only the kind of fault and the size.
      this.deps.logger.warn('bad scan frame', { deviceId: this.deviceId, fault: frame.fault, bytes: frame.byteLength });
    }
    this.safeEmit('scan', event);
  }

  /** A throwing listener is a bug elsewhere; it must not break reading. */
  protected safeEmit<K extends keyof ScannerEvents>(event: K, ...args: ScannerEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: ScannerEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.deps.logger.error('scanner listener threw', { deviceId: this.deviceId, event, error: err instanceof Error ? err.message : String(err) });
    }
  }
}
