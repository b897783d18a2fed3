/**
 * Folds a burst of line noise (line-noise.ts) from one byte-stream scanner into one fault instead
 * of a stream of `unreadable` check-ins.
 *
 * Contract, per source (one gate per driver):
 * - A single noise frame, or a few, pass (they become `reject unreadable` check-ins as before).
 * - Once more than `threshold` noise frames arrived within `windowMs` (the one that makes it more
 *   passes too), the burst is on: every further noise frame is dropped — and so is a fragment
 *   shorter than MIN_SCAN_CHARS — until no noise frame came for `quietMs`.
 * - A clean frame (a real scan) always passes, burst or not, and neither starts nor ends a burst.
 * - onStart fires at the first dropped frame of a burst, onEnd once when it ends (quiet or
 *   close()) — only for a burst that dropped anything.
 * - Memory is bounded: the last threshold + 1 arrival times and counters; dropped frames are not kept.
 *
 * Time comes from the frames' receivedAt (the driver's injected clock) and the injected timers.
 */
import type { Clock, Timers } from '../../src/shared/ports.js';
import type { Frame } from './line-framer.js';
import { isFragment, isLineNoise } from './line-noise.js';

/** More than this many noise frames within NOISE_WINDOW_MS start a burst. */
export const NOISE_THRESHOLD = 3;
/** Window for counting noise frames, in milliseconds. */
export const NOISE_WINDOW_MS = 1000;
/** A burst ends after this long without a noise frame, in milliseconds. */
export const NOISE_QUIET_MS = 2000;

/** One burst: frames dropped so far, and when it started and ended (ms since the epoch). */
export interface NoiseBurst {
  dropped: number;
  startedAt: number;
  endedAt?: number;
}

export interface LineNoiseGateOptions {
  clock: Clock;
  timers: Timers;
  /** The first frame of a burst was dropped (dropped is 1). Should not throw. */
  onStart: (burst: NoiseBurst) => void;
  /** The burst ended; endedAt is set. Should not throw. */
  onEnd: (burst: NoiseBurst) => void;
  /** Default NOISE_THRESHOLD. */
  threshold?: number;
  /** Default NOISE_WINDOW_MS. */
  windowMs?: number;
  /** Default NOISE_QUIET_MS. */
  quietMs?: number;
}

export class LineNoiseGate {
  private readonly opts: LineNoiseGateOptions;
  private readonly threshold: number;
  private readonly windowMs: number;
  private readonly quietMs: number;
  /** Arrival times of the latest noise frames, at most threshold + 1. */
  private readonly recent: number[] = [];
  /** More than `threshold` noise frames came within the window: further noise is dropped. */
  private tripped = false;
  private lastNoiseAt = 0;
  private burst: NoiseBurst | undefined;
  private quietTimer: unknown = undefined;

  constructor(options: LineNoiseGateOptions) {
    this.opts = options;
    this.threshold = options.threshold ?? NOISE_THRESHOLD;
    this.windowMs = options.windowMs ?? NOISE_WINDOW_MS;
    this.quietMs = options.quietMs ?? NOISE_QUIET_MS;
  }

  /** The burst in progress that has dropped frames (a copy), else undefined. */
  get current(): NoiseBurst | undefined {
    return this.burst ? { ...this.burst } : undefined;
  }

  /** 'pass': hand the frame on as a scan; 'drop': it is noise inside a burst, count it only. */
  offer(frame: Frame): 'pass' | 'drop' {
    const noise = isLineNoise(frame) || (this.tripped && isFragment(frame));
    if (!noise) return 'pass';
    const at = frame.receivedAt;
    this.lastNoiseAt = at;
    if (this.tripped) {
      if (this.burst) this.burst.dropped++;
      else {
        this.burst = { dropped: 1, startedAt: at };
        this.opts.onStart({ ...this.burst });
      }
      return 'drop';
    }
    this.recent.push(at);
    if (this.recent.length > this.threshold + 1) this.recent.shift();
    if (this.recent.length === this.threshold + 1 && at - (this.recent[0] as number) <= this.windowMs) {
      this.tripped = true;
      this.recent.length = 0;
      this.armQuietTimer(this.quietMs);
    }
    return 'pass';
  }

  /** Ends a burst in progress (onEnd when it dropped anything) and cancels the timer. Idempotent. */
  close(): void {
    this.cancelQuietTimer();
    this.end();
  }

  private armQuietTimer(ms: number): void {
    this.quietTimer = this.opts.timers.setTimeout(() => {
      this.quietTimer = undefined;
      // Re-armed for the rest instead of at every noise frame: one timer per burst.
      const quietFor = this.opts.clock.now() - this.lastNoiseAt;
      if (quietFor >= this.quietMs) this.end();
      else this.armQuietTimer(this.quietMs - quietFor);
    }, ms);
  }

  private cancelQuietTimer(): void {
    if (this.quietTimer === undefined) return;
    this.opts.timers.clearTimeout(this.quietTimer);
    this.quietTimer = undefined;
  }

  private end(): void {
    this.tripped = false;
    this.recent.length = 0;
    const burst = this.burst;
    this.burst = undefined;
    if (burst) this.opts.onEnd({ ...burst, endedAt: this.opts.clock.now() });
  }
}
