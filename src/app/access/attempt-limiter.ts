/**
 * Rate limit for secrets typed on the kiosk's own screen (technician PIN, officer codes, the
 * first-start setup code): a growing wait between attempts instead of a lockout.
 *
 * A fixed lockout after N failures is a denial of service anyone at an unattended kiosk can
 * trigger: five wrong PINs and the technician is out for an hour. Here every failure beyond
 * `freeAttempts` adds a wait before the next attempt is even checked, doubling from `baseDelayMs`
 * up to `maxDelayMs`. Attempts made during the wait are refused unchecked and do not count, so
 * hammering the keypad never pushes the wait further: after any number of wrong entries the right
 * one is accepted at most `maxDelayMs` after the last checked attempt. The guess rate stays bounded
 * (one per `maxDelayMs`: 2,880 a day at 30 s — a 6-digit PIN holds for about a year on average).
 *
 * The failure count and the next allowed time live in the store, so a restart (or pulling the
 * plug) does not reset them.
 */
import type { Clock } from '../../shared/ports.js';
import type { CheckInStore } from '../../store/types.js';

export interface LimiterOptions {
  /** Failures allowed before any wait. Default 3. */
  freeAttempts?: number;
  /** First wait, ms; doubled for every further failure. Default 1000. */
  baseDelayMs?: number;
  /** Longest wait, ms. Default 30 000. */
  maxDelayMs?: number;
}

export interface LimiterExtra {
  /**
   * Failures older than this (ms since the last one) are forgotten. For a count that no right
   * entry clears (one spanning several secrets); absent: kept until a right entry.
   */
  forgetAfterMs?: number;
}

export type AttemptGate = { ok: true } | { ok: false; retryAt: number };

export class AttemptLimiter {
  private readonly free: number;
  private readonly base: number;
  private readonly max: number;

  constructor(
    private readonly store: Pick<CheckInStore, 'getSetting' | 'setSetting'>,
    private readonly clock: Clock,
    private readonly key: string,
    opts: LimiterOptions = {},
    private readonly extra: LimiterExtra = {},
  ) {
    this.free = opts.freeAttempts ?? 3;
    this.base = opts.baseDelayMs ?? 1000;
    this.max = opts.maxDelayMs ?? 30_000;
  }

  /** May an attempt be checked now? When not, the epoch ms from which it may. */
  gate(): AttemptGate {
    const next = this.num('nextAt');
    return next > this.clock.now() ? { ok: false, retryAt: next } : { ok: true };
  }

  /** Records a checked, wrong attempt; returns the epoch ms from which the next is checked (≤ now: at once). */
  failed(): number {
    const failures = this.failures() + 1;
    const wait = this.delayAfter(failures);
    const now = this.clock.now();
    const next = now + wait;
    this.store.setSetting(`${this.key}.failures`, String(failures));
    this.store.setSetting(`${this.key}.nextAt`, String(next));
    if (this.extra.forgetAfterMs !== undefined) this.store.setSetting(`${this.key}.lastAt`, String(now));
    return next;
  }

  succeeded(): void {
    this.store.setSetting(`${this.key}.failures`, '0');
    this.store.setSetting(`${this.key}.nextAt`, '0');
  }

  /** Wait after the n-th consecutive failure, ms. */
  delayAfter(failures: number): number {
    if (failures <= this.free) return 0;
    return Math.min(this.max, this.base * 2 ** Math.min(failures - this.free - 1, 30));
  }

  failures(): number {
    const forget = this.extra.forgetAfterMs;
    if (forget !== undefined && this.clock.now() - this.num('lastAt') > forget) return 0;
    return this.num('failures');
  }

  private num(suffix: string): number {
    const n = Number(this.store.getSetting(`${this.key}.${suffix}`) ?? '0');
    return Number.isFinite(n) && n > 0 ? n : 0;
  }
}
