/**
 * Serial (virtual COM / RS-232) barcode scanner driver.
 *
 * Lifecycle: open() tries the port once and resolves either way, so the kiosk starts even when the
 * scanner is unplugged. While the port cannot be opened, or after it goes away (serialport `close`
 * with `disconnected`, or `error`), the driver is `disconnected` (with lastError), emits
 * `disconnected` once per loss, and retries with exponential backoff (full jitter) until the port
 * opens again; scanning then resumes with no restart of anything above it. Each connection has
 * its own framer, so half a line from before an unplug never glues onto the next scan.
 * A burst of line noise (wrong baud rate, bad cable) becomes one `line-noise` fault instead of a
 * check-in per garbage line (framing/noise-gate.ts).
 * A presence watchdog (stat of the path every watchMs) catches losses serialport misses.
 * close() stops reading and retrying and leaves no timer behind.
 */
import type { Logger } from '../../src/shared/ports.js';
import type { DriverDeps, ScannerDriver } from '../types.js';
import { Backoff, type BackoffOptions } from '../backoff.js';
import { FramedScanner } from '../framing/framed-scanner.js';
import { LineFramer } from '../framing/line-framer.js';
import { describeSerialError } from './serial-errors.js';
import { closeQuietly, type DevicePresenceProbe, type SerialPortLike, type SerialPortOpener } from './port.js';

export interface SerialDriverOptions {
  /** Device path, e.g. /dev/ttyUSB0. */
  path: string;
  baudRate: number;
  /** See LineFramer: maximum line length in bytes. */
  maxLineBytes: number;
  /** See LineFramer: inter-byte timeout in ms, 0 disables. */
  idleMs: number;
  /** The URI it was created from (reported in status). Default `serial:<path>`. */
  uri?: string;
  openPort: SerialPortOpener;
  /** Presence check of the device path while connected. Default: none (tests of fake ports). */
  probe?: DevicePresenceProbe;
  /** Period of the presence check in ms. Default 1000. */
  watchMs?: number;
  backoff?: BackoffOptions;
}

/** Default period of the device presence watchdog, in milliseconds. */
export const DEFAULT_WATCH_MS = 1000;

export class SerialScannerDriver extends FramedScanner implements ScannerDriver {
  private readonly options: SerialDriverOptions;
  private readonly backoff: Backoff;
  private readonly log: Logger;
  private port: SerialPortLike | undefined;
  private framer: LineFramer | undefined;
  /** Bumped per connection so late events from an old port are ignored. */
  private generation = 0;
  private retryTimer: unknown = undefined;
  private watchTimer: unknown = undefined;
  private attempt: Promise<void> | undefined;
  private opened = false;
  private closed = false;

  constructor(options: SerialDriverOptions, deps: DriverDeps) {
    // A serial line is physical: garbage in bursts is a baud-rate or cable fault, not scans.
    super('serial', `serial:${options.path}`, options.uri ?? `serial:${options.path}`, deps, { foldLineNoise: true });
    this.options = options;
    this.backoff = new Backoff(options.backoff);
    this.log = deps.logger.child('serial');
  }

  async open(): Promise<void> {
    if (this.closed) throw new Error(`${this.deviceId}: open() after close()`);
    if (this.opened) return;
    this.opened = true;
    await this.tryConnect();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelRetry();
    await this.attempt;
    const port = this.port;
    // A scanner without a terminator ends each scan by a silence of idleMs: a scan still waiting
    // for that silence when the kiosk stops is handed on now, not dropped (README, SIGTERM). The
    // head of a line still arriving on a terminating connection is dropped.
    if (this.framer?.holdsLineEndedBySilence) {
      try {
        this.framer.flush();
      } catch (err) {
        this.log.warn('scan listener threw at close', { deviceId: this.deviceId, error: err instanceof Error ? err.message : String(err) });
      }
    }
    this.dropConnection();
    if (port) await closeQuietly(port);
    this.stopLineNoise();
    this.closedOnRequest();
  }

  private tryConnect(): Promise<void> {
    this.attempt ??= this.connectOnce().finally(() => {
      this.attempt = undefined;
    });
    return this.attempt;
  }

  private async connectOnce(): Promise<void> {
    let port: SerialPortLike;
    try {
      port = await this.options.openPort({ path: this.options.path, baudRate: this.options.baudRate });
    } catch (err) {
      if (this.closed) return;
      const problem = describeSerialError(err, this.options.path);
      if (this.currentState !== 'disconnected' || this.backoff.attempts === 0) {
        this.log.warn('cannot open serial port; retrying', { deviceId: this.deviceId, error: problem.message, code: problem.code, detail: problem.detail });
      }
      this.setState('disconnected', problem.message, problem.code);
      this.scheduleRetry();
      return;
    }
    // Identity of the device right after opening, for the presence watchdog.
    const identity = this.options.probe ? await this.options.probe(this.options.path).catch(() => undefined) : undefined;
    if (this.closed) {
      await closeQuietly(port);
      return;
    }
    this.attach(port);
    if (this.options.probe) this.watch(this.generation, identity);
  }

  /**
   * Every watchMs, checks that the path still leads to the device we opened. A vanished or
   * replaced device is a loss even when serialport did not report one.
   */
  private watch(gen: number, identity: string | undefined): void {
    const probe = this.options.probe;
    if (!probe) return;
    this.watchTimer = this.deps.timers.setTimeout(() => {
      this.watchTimer = undefined;
      void probe(this.options.path)
        .catch(() => undefined)
        .then((now) => this.checkPresence(gen, identity, now));
    }, this.options.watchMs ?? DEFAULT_WATCH_MS);
  }

  private checkPresence(gen: number, identity: string | undefined, now: string | undefined): void {
    if (gen !== this.generation || this.closed) return;
    if (now !== undefined && now === identity) {
      this.watch(gen, identity);
      return;
    }
    const reason = now === undefined ? 'device path went away' : 'device path now leads to another device';
    this.lost(Object.assign(new Error(reason), { disconnected: true }));
  }

  private attach(port: SerialPortLike): void {
    const gen = ++this.generation;
    this.port = port;
    this.framer = new LineFramer({
      clock: this.deps.clock,
      timers: this.deps.timers,
      maxLineBytes: this.options.maxLineBytes,
      idleMs: this.options.idleMs,
      onFrame: (frame) => this.deliver(frame),
    });
    if (this.lineNoiseActive) this.framer.setNoisy(true);
    port.on('data', (chunk) => {
      if (gen === this.generation) this.framer?.push(chunk);
    });
    port.on('close', (err) => {
      if (gen !== this.generation || this.closed) return;
      this.lost(err ?? new Error('port closed'));
    });
    port.on('error', (err) => {
      if (gen !== this.generation || this.closed) return;
      this.lost(err);
    });
    this.backoff.reset();
    this.log.info('serial scanner connected', { deviceId: this.deviceId, baudRate: this.options.baudRate });
    this.setState('connected');
  }

  /** During line noise a short silence ends a line, so the noise's tail does not swallow a scan. */
  protected override lineNoiseChanged(active: boolean): void {
    this.framer?.setNoisy(active);
  }

  /** The device went away or failed: release it, report, and start reconnecting. */
  private lost(err: Error): void {
    const port = this.port;
    this.dropConnection();
    if (port) void closeQuietly(port);
    const unplugged = (err as { disconnected?: unknown }).disconnected === true;
    const problem = describeSerialError(err, this.options.path);
    this.log.warn('serial scanner disconnected', { deviceId: this.deviceId, unplugged, error: problem.message, code: problem.code, detail: problem.detail });
    // An unplug is reported by `disconnected`; anything else is also a device error.
    if (!unplugged) this.reportError(err);
    this.setState('disconnected', problem.message, problem.code);
    this.safeEmit('disconnected');
    this.scheduleRetry();
  }

  private dropConnection(): void {
    this.generation++;
    if (this.watchTimer !== undefined) this.deps.timers.clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
    this.framer?.close();
    this.framer = undefined;
    this.port?.removeAllListeners();
    // Keep an 'error' sink: a late error from a released port must not become an uncaught one.
    this.port?.on('error', () => undefined);
    this.port = undefined;
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer !== undefined) return;
    const delay = this.backoff.next();
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.closed) void this.tryConnect();
    }, delay);
  }

  private cancelRetry(): void {
    if (this.retryTimer === undefined) return;
    this.deps.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}
