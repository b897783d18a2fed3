/**
 * What both relay outputs share: the pulse timing and failure handling. A pulse switches the
 * channel ON, and OFF again pulseMs later (injected timers). A pulse that arrives while the relay
 * is on extends it (the gate stays open pulseMs after the last accept, with no off/on chatter).
 * Commands go through one queue, so ON and OFF never overtake each other. A failed command drops
 * the device handle; the next command reopens it (no background reconnect: a relay only matters
 * when it is switched). The relay is switched OFF at open(): if the kiosk died mid-pulse, the gate
 * does not stay open after a restart — a crash itself cannot be guarded against in software
 * (a USB-powered board drops its relay when the USB port loses power; see docs/SCANNERS.md).
 */
import type { Logger } from '../../src/shared/ports.js';
import type { DriverDeps } from '../types.js';
import type { Output, OutputStats, PulseKind } from './types.js';

export interface RelaySettings {
  uri: string;
  channel: number;
  pulseMs: number;
  on: readonly PulseKind[];
}

export abstract class RelayOutput implements Output {
  readonly uri: string;
  protected readonly settings: RelaySettings;
  protected readonly deps: DriverDeps;
  protected readonly log: Logger;
  private queue: Promise<unknown> = Promise.resolve();
  private offTimer: unknown = undefined;
  /** True from the start of a pulse until its switch-off is due. */
  private active = false;
  private closed = false;
  private pulses = 0;
  private errors = 0;
  private lastError: string | undefined;
  private lastErrorAt: number | undefined;

  protected constructor(settings: RelaySettings, deps: DriverDeps, logNamespace: string) {
    this.uri = settings.uri;
    this.settings = settings;
    this.deps = deps;
    this.log = deps.logger.child(logNamespace);
  }

  /** Opens the device if it is not open; throws with a message a technician can act on. */
  protected abstract ensureOpen(): Promise<void>;
  /** Sends the ON or OFF command for the configured channel on the open device. */
  protected abstract send(state: 'on' | 'off'): Promise<void>;
  /** Forgets (and closes quietly) the device handle; the next ensureOpen() reopens it. */
  protected abstract release(): Promise<void>;

  async open(): Promise<void> {
    if (this.closed) return;
    await this.command('off');
  }

  async pulse(kind: PulseKind): Promise<void> {
    if (this.closed || !this.settings.on.includes(kind)) return;
    if (this.active) {
      this.armOff();
      return;
    }
    this.active = true;
    const ok = await this.command('on');
    if (!ok) {
      this.active = false;
      return;
    }
    this.pulses++;
    if (!this.closed && this.active) this.armOff();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const wasActive = this.active || this.offTimer !== undefined;
    this.disarm();
    this.active = false;
    if (wasActive) await this.command('off', true);
    await this.queue;
    await this.release().catch(() => undefined);
  }

  stats(): OutputStats {
    const s: OutputStats = { uri: this.uri, pulses: this.pulses, errors: this.errors };
    if (this.lastError !== undefined) s.lastError = this.lastError;
    if (this.lastErrorAt !== undefined) s.lastErrorAt = new Date(this.lastErrorAt).toISOString();
    return s;
  }

  private armOff(): void {
    this.disarm();
    this.offTimer = this.deps.timers.setTimeout(() => {
      this.offTimer = undefined;
      // Not active from now on: a pulse arriving during the OFF command queues a fresh ON after it.
      this.active = false;
      void this.command('off');
    }, this.settings.pulseMs);
  }

  private disarm(): void {
    if (this.offTimer !== undefined) this.deps.timers.clearTimeout(this.offTimer);
    this.offTimer = undefined;
  }

  /** Queues one command; resolves true when it was sent. Never rejects. */
  private command(state: 'on' | 'off', evenIfClosed = false): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      if (this.closed && !evenIfClosed) return false;
      try {
        await this.ensureOpen();
        await this.send(state);
        return true;
      } catch (err) {
        this.errors++;
        this.lastError = err instanceof Error ? err.message : String(err);
        this.lastErrorAt = this.deps.clock.now();
        this.log.warn('relay command failed', { uri: this.uri, state, channel: this.settings.channel, error: this.lastError });
        await this.release().catch(() => undefined);
        return false;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result;
    return result;
  }
}
