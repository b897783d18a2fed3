/**
 * A manual clock and timers for driver and framer tests (STYLE: a fake clock is advanced
 * explicitly). Time moves only when a test calls advance()/advanceSync(); due timers fire in
 * time order.
 */
import type { Clock, Timers } from '../../src/shared/ports.js';

/** Lets pending promise callbacks and immediates run (open → devices() → open(path) → attach …). */
export function settle(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

export class FakeTime implements Clock, Timers {
  private t: number;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void; ms: number }>();

  constructor(start = Date.UTC(2026, 10, 25, 8, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + Math.max(0, ms), fn, ms });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  get timerCount(): number {
    return this.pending.size;
  }

  /** Delays (ms) of the timers still pending, in the order they were set. */
  pendingDelays(): number[] {
    return [...this.pending.values()].map((p) => p.ms);
  }

  /** Moves time forward and fires due timers, synchronously (pure code such as the framer). */
  advanceSync(ms: number): void {
    const end = this.t + ms;
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) this.fire(next);
    this.t = end;
  }

  /** Moves time forward and fires due timers, letting async work settle around each one. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
      this.fire(next);
      await settle();
    }
    this.t = end;
    await settle();
  }

  private nextDue(end: number): [number, { at: number; fn: () => void }] | undefined {
    const next = [...this.pending.entries()].sort((a, b) => a[1].at - b[1].at)[0];
    return next && next[1].at <= end ? next : undefined;
  }

  private fire([id, timer]: [number, { at: number; fn: () => void }]): void {
    this.pending.delete(id);
    this.t = timer.at;
    timer.fn();
  }
}
