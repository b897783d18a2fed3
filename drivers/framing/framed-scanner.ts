/**
 * Bookkeeping shared by the byte-stream scanners (serial, stdin, sim): status counters, turning
 * framer output into ScanEvents, folding bursts of line noise (when the driver asks: a physical
 * line), and emitting without ever letting a listener crash the driver.
 */
import { EventEmitter } from 'node:events';
import type { LineNoiseStatus, ScanEvent, ScanSourceKind, ScannerStatus } from '../../src/shared/types.js';
import type { DriverDeps, ScannerEvents } from '../types.js';
import type { Frame } from './line-framer.js';
import { LineNoiseGate, type NoiseBurst } from './noise-gate.js';

export interface FramedScannerOptions {
  /**
   * Fold bursts of line noise into one `line-noise` fault (noise-gate.ts) instead of handing every
   * garbage frame on. For physical lines (serial), where noise means a wrong baud rate or a bad
   * cable; scripted sources (stdin, sim) hand every line on. Default false.
   */
  foldLineNoise?: boolean;
}

/** lastError while a line-noise burst is on: what happens and what to check. */
export function lineNoiseMessage(dropped: number): string {
  return `the scanner sends unreadable data (${dropped} frame${dropped === 1 ? '' : 's'} dropped) — check the baud rate (\`?baud=\`) and the cable`;
}

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
  private readonly noiseGate: LineNoiseGate | undefined;
  /** The last line-noise burst that ended (the one in progress is in noiseGate.current). */
  private lastNoise: NoiseBurst | undefined;

  protected constructor(source: ScanSourceKind, deviceId: string, uri: string, deps: DriverDeps, options: FramedScannerOptions = {}) {
    super();
    this.source = source;
    this.deviceId = deviceId;
    this.uri = uri;
    this.deps = deps;
    if (options.foldLineNoise) {
      this.noiseGate = new LineNoiseGate({
        clock: deps.clock,
        timers: deps.timers,
        onStart: () => {
          // Counts and times only: never a byte of the noise.
          this.deps.logger.warn('scanner sends line noise: further noise frames are dropped until it is quiet', { deviceId: this.deviceId });
          this.lineNoiseChanged(true);
          this.safeEmit('status', this.status());
        },
        onEnd: (burst) => {
          this.lastNoise = burst;
          this.deps.logger.warn('scanner line noise ended', { deviceId: this.deviceId, dropped: burst.dropped, durationMs: (burst.endedAt ?? burst.startedAt) - burst.startedAt });
          this.lineNoiseChanged(false);
          this.safeEmit('status', this.status());
        },
      });
    }
  }

  abstract open(): Promise<void>;
  abstract close(): Promise<void>;

  /**
   * reads: frames delivered (faulty ones included); errors: faulty frames (dropped line noise
   * included) plus device errors; lastError: the last device error, cleared when the device is
   * connected again, else the line-noise message while a burst is on (fault 'line-noise').
   */
  status(): ScannerStatus {
    const s: ScannerStatus = { deviceId: this.deviceId, uri: this.uri, state: this.state, reads: this.reads, errors: this.errors };
    if (this.lastReadAt !== undefined) s.lastReadAt = this.lastReadAt;
    if (this.lastError !== undefined) s.lastError = this.lastError;
    if (this.lastError !== undefined && this.lastErrorCode !== undefined) s.lastErrorCode = this.lastErrorCode;
    const noise = this.noiseGate?.current;
    if (noise) {
      s.fault = 'line-noise';
      s.lastError ??= lineNoiseMessage(noise.dropped);
    }
    const shown = noise ?? this.lastNoise;
    if (shown) s.lineNoise = noiseStatus(shown);
    return s;
  }

  /** True while a line-noise burst is dropping frames. */
  protected get lineNoiseActive(): boolean {
    return this.noiseGate?.current !== undefined;
  }

  /** Called when a line-noise burst starts (true) and ends (false); drivers adapt their framer. */
  protected lineNoiseChanged(_active: boolean): void {
    // Nothing by default.
  }

  /** Ends a line-noise burst in progress (status and log say so) and cancels its timer. */
  protected stopLineNoise(): void {
    this.noiseGate?.close();
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

  /**
   * `closed` because the kiosk closed the scanner (stop, reconfiguration), not because the source
   * failed: the last connection problem is over, so it is not carried into the closed status
   * (a closed serial scanner must not still say "…; retrying").
   */
  protected closedOnRequest(): void {
    this.lastError = undefined;
    this.lastErrorCode = undefined;
    this.setState('closed');
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
    if (this.noiseGate?.offer(frame) === 'drop') {
      this.errors++;
      return;
    }
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

function noiseStatus(burst: NoiseBurst): LineNoiseStatus {
  const s: LineNoiseStatus = { active: burst.endedAt === undefined, dropped: burst.dropped, startedAt: new Date(burst.startedAt).toISOString() };
  if (burst.endedAt !== undefined) s.endedAt = new Date(burst.endedAt).toISOString();
  return s;
}
