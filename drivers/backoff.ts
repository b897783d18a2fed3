/**
 * Exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff and Jitter"):
 * the n-th delay (n from 0) is drawn uniformly from [floorMs, min(capMs, baseMs · 2^n)).
 * Full jitter spreads reconnect attempts of many kiosks; the small floor keeps a run of tiny random
 * draws from turning into a busy loop against a device that fails to open instantly.
 */
export interface BackoffOptions {
  /** First ceiling in milliseconds. Default 250. */
  baseMs?: number;
  /** Largest ceiling in milliseconds. Default 5000. */
  capMs?: number;
  /** Smallest delay in milliseconds. Default 50 (clamped to ≤ baseMs). */
  floorMs?: number;
  /** Uniform random in [0, 1). Default Math.random; injected by tests. */
  random?: () => number;
}

export class Backoff {
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly floorMs: number;
  private readonly random: () => number;
  private attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.baseMs = options.baseMs ?? 250;
    this.capMs = options.capMs ?? 5000;
    this.floorMs = Math.min(options.floorMs ?? 50, this.baseMs);
    this.random = options.random ?? Math.random;
    if (!(this.baseMs > 0) || !(this.capMs >= this.baseMs) || !(this.floorMs >= 0)) {
      throw new RangeError('backoff needs 0 < baseMs <= capMs and floorMs >= 0');
    }
  }

  /** The delay (ms) before the next attempt; advances the attempt counter. */
  next(): number {
    // 2^n overflows nothing here: the exponent stops growing once the cap is reached.
    const ceiling = Math.min(this.capMs, this.baseMs * 2 ** Math.min(this.attempt, 30));
    this.attempt++;
    const r = Math.min(Math.max(this.random(), 0), 1);
    return Math.floor(this.floorMs + r * (ceiling - this.floorMs));
  }

  /** Attempts made since the last reset. */
  get attempts(): number {
    return this.attempt;
  }

  /** Call after a success: the next failure starts again from baseMs. */
  reset(): void {
    this.attempt = 0;
  }
}
