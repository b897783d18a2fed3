/**
 * Events per minute over a sliding window, for per-device health (reads and errors per minute).
 * Counts are kept in fixed time buckets (default 60 × 1 s), so memory is bounded whatever the
 * event rate, and the window slides with the injected clock — no timers.
 */
export interface RateWindowOptions {
  /** Length of the window in milliseconds. Default 60 000. */
  windowMs?: number;
  /** Bucket width in milliseconds (the resolution of the slide). Default 1 000. */
  bucketMs?: number;
}

export class RateWindow {
  readonly windowMs: number;
  private readonly bucketMs: number;
  private readonly counts: number[];
  /** Bucket number (time / bucketMs) each slot currently holds; -1 = empty. */
  private readonly slots: number[];

  constructor(options: RateWindowOptions = {}) {
    this.windowMs = options.windowMs ?? 60_000;
    this.bucketMs = options.bucketMs ?? 1_000;
    if (!(this.bucketMs > 0) || !(this.windowMs >= this.bucketMs) || this.windowMs / this.bucketMs > 3600) {
      throw new RangeError('rate window needs 0 < bucketMs <= windowMs and at most 3600 buckets');
    }
    const n = Math.ceil(this.windowMs / this.bucketMs);
    this.counts = new Array<number>(n).fill(0);
    this.slots = new Array<number>(n).fill(-1);
  }

  /** Records `n` events at time `nowMs` (ms since the epoch). */
  add(nowMs: number, n = 1): void {
    const bucket = Math.floor(nowMs / this.bucketMs);
    const i = bucket % this.counts.length;
    if (this.slots[i] !== bucket) {
      this.slots[i] = bucket;
      this.counts[i] = 0;
    }
    this.counts[i] = (this.counts[i] ?? 0) + n;
  }

  /** Events in the window ending at `nowMs` (the current bucket and the ones before it). */
  count(nowMs: number): number {
    const current = Math.floor(nowMs / this.bucketMs);
    const oldest = current - this.counts.length + 1;
    let total = 0;
    for (let i = 0; i < this.counts.length; i++) {
      const b = this.slots[i] ?? -1;
      if (b >= oldest && b <= current) total += this.counts[i] ?? 0;
    }
    return total;
  }

  /** Events per minute over the window, rounded to one decimal. */
  perMinute(nowMs: number): number {
    return Math.round((this.count(nowMs) * 60_000 * 10) / this.windowMs) / 10;
  }
}
