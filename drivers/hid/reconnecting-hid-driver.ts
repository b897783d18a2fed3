/**
 * What the HID drivers (HID POS and raw keyboard) share: finding the device in HID.devices(),
 * opening it through the node-hid seam, status bookkeeping, and reconnecting after an unplug.
 *
 * Lifecycle: open() makes one attempt and resolves either way, so the kiosk starts with the scanner
 * unplugged. node-hid reports an unplug as one 'error' on the handle and then no more 'data': the
 * driver then drops any half-received read (subclass resetDecoder), emits `disconnected`, and retries
 * with exponential backoff (drivers/backoff.ts). Each attempt enumerates again, because the hidraw
 * path of a replugged device usually changes. close() leaves no timer and no open handle behind.
 */
import { EventEmitter } from 'node:events';
import type { ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import type { DriverDeps, ScannerDriver, ScannerEvents } from '../types.js';
import { Backoff, type BackoffOptions } from '../backoff.js';
import type { HidApi, HidDeviceInfo, HidHandle } from './hid-seam.js';

export interface HidDriverBaseOptions {
  source: 'hid' | 'hid-pos';
  deviceId: string;
  uri: string;
  hid: HidApi;
  /** Picks the device to open from HID.devices(); undefined = not plugged in (yet). */
  select: (devices: HidDeviceInfo[]) => HidDeviceInfo | undefined;
  backoff?: BackoffOptions;
}

export type ScanFields = Pick<ScanEvent, 'text'> & Partial<Pick<ScanEvent, 'bytes' | 'symbology' | 'fault'>>;

export abstract class ReconnectingHidDriver extends EventEmitter<ScannerEvents> implements ScannerDriver {
  readonly deviceId: string;
  readonly uri: string;
  protected readonly deps: DriverDeps;
  protected readonly log: Logger;
  protected handle: HidHandle | undefined;
  protected info: HidDeviceInfo | undefined;
  private readonly base: HidDriverBaseOptions;
  private readonly backoff: Backoff;
  private state: ScannerStatus['state'] = 'connecting';
  private lastReadAt: string | undefined;
  private lastError: string | undefined;
  private reads = 0;
  private errors = 0;
  /** Bumped per connection so late events from a released handle are ignored. */
  private generation = 0;
  private retryTimer: unknown = undefined;
  private attempt: Promise<void> | undefined;
  private opened = false;
  private closed = false;

  protected constructor(base: HidDriverBaseOptions, deps: DriverDeps, logNamespace: string) {
    super();
    this.base = base;
    this.deviceId = base.deviceId;
    this.uri = base.uri;
    this.deps = deps;
    this.log = deps.logger.child(logNamespace);
    this.backoff = new Backoff(base.backoff);
  }

  /** One input report from the open device. Must not throw (bad input is counted, not thrown). */
  protected abstract handleReport(report: Uint8Array): void;
  /** Forget any half-decoded read (device lost or closed): partial data is never a scan. */
  protected abstract resetDecoder(why: 'unplug' | 'close'): void;
  /** Optional vendor initialisation after each open; failures are logged, not fatal. */
  protected async afterOpen(_handle: HidHandle, _info: HidDeviceInfo): Promise<void> {}

  async open(): Promise<void> {
    if (this.closed) throw new Error(`${this.deviceId}: open() after close()`);
    if (this.opened) return;
    this.opened = true;
    await this.tryConnect();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer !== undefined) this.deps.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.attempt;
    const handle = this.handle;
    this.release();
    this.resetDecoder('close');
    if (handle) await closeQuietly(handle);
    // Closed on request: the last connection problem (…; retrying) is over.
    this.lastError = undefined;
    this.setState('closed');
  }

  status(): ScannerStatus {
    const s: ScannerStatus = { deviceId: this.deviceId, uri: this.uri, state: this.state, reads: this.reads, errors: this.errors };
    if (this.lastReadAt !== undefined) s.lastReadAt = this.lastReadAt;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    return s;
  }

  /** Emits a scan stamped with the injected clock; a faulty one also counts as an error. */
  protected emitScan(fields: ScanFields): void {
    const receivedAt = this.deps.clock.now();
    this.reads++;
    this.lastReadAt = new Date(receivedAt).toISOString();
    if (fields.fault) this.errors++;
    this.safeEmit('scan', { source: this.base.source, deviceId: this.deviceId, receivedAt, ...fields });
  }

  /** Counts a recoverable fault (bad report...) and reports it on `error` when someone listens. */
  protected countError(message: string): void {
    this.errors++;
    this.lastError = message;
    if (this.listenerCount('error') > 0) this.safeEmit('error', new Error(`${this.deviceId}: ${message}`));
  }

  private tryConnect(): Promise<void> {
    this.attempt ??= this.connectOnce().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  private async connectOnce(): Promise<void> {
    let handle: HidHandle;
    let info: HidDeviceInfo | undefined;
    try {
      info = this.base.select(await this.base.hid.devices());
      if (!info?.path) throw new Error('device not present');
      handle = await this.base.hid.open(info.path);
    } catch (err) {
      if (this.closed) return;
      const message = errorMessage(err);
      if (this.state !== 'disconnected') this.log.warn('cannot open HID scanner; retrying', { deviceId: this.deviceId, error: message });
      this.setState('disconnected', message);
      this.scheduleRetry();
      return;
    }
    if (this.closed) {
      await closeQuietly(handle);
      return;
    }
    this.attach(handle, info);
    try {
      await this.afterOpen(handle, info);
    } catch (err) {
      this.log.warn('HID scanner initialisation failed; reading anyway', { deviceId: this.deviceId, error: errorMessage(err) });
    }
  }

  private attach(handle: HidHandle, info: HidDeviceInfo): void {
    const gen = ++this.generation;
    this.handle = handle;
    this.info = info;
    handle.on('data', (report) => {
      if (gen !== this.generation) return;
      try {
        this.handleReport(report);
      } catch (err) {
        // A decoder bug must not take the reader down: count it and go on.
        this.countError(`report handling failed: ${errorMessage(err)}`);
      }
    });
    handle.on('error', (err) => {
      if (gen === this.generation && !this.closed) this.lost(err);
    });
    this.backoff.reset();
    this.log.info('HID scanner connected', { deviceId: this.deviceId, path: info.path });
    this.setState('connected');
  }

  private lost(err: Error): void {
    const handle = this.handle;
    this.release();
    this.resetDecoder('unplug');
    if (handle) void closeQuietly(handle);
    this.log.warn('HID scanner disconnected', { deviceId: this.deviceId, error: err.message });
    this.errors++;
    this.setState('disconnected', err.message);
    this.safeEmit('disconnected');
    this.scheduleRetry();
  }

  private release(): void {
    this.generation++;
    this.handle?.removeAllListeners();
    // Keep an 'error' sink: a late error from a released handle must not become an uncaught one.
    this.handle?.on('error', () => undefined);
    this.handle = undefined;
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) void this.tryConnect();
    }, this.backoff.next());
  }

  private setState(state: ScannerStatus['state'], lastError?: string): void {
    const nextError = state === 'connected' ? undefined : (lastError ?? this.lastError);
    if (state === this.state && nextError === this.lastError) return;
    this.state = state;
    this.lastError = nextError;
    this.safeEmit('status', this.status());
  }

  private safeEmit<K extends keyof ScannerEvents>(event: K, ...args: ScannerEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: ScannerEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error('scanner listener threw', { deviceId: this.deviceId, event, error: errorMessage(err) });
    }
  }
}

async function closeQuietly(handle: HidHandle): Promise<void> {
  try {
    await handle.close();
  } catch {
    // Closing an unplugged device fails on some platforms; nothing is left to release.
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
