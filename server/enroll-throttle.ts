/**
 * Throttle of failed enrollments (`POST /api/v1/enroll`): a code is a secret of 8 or more
 * characters, and without a bound on wrong guesses a script could try codes as fast as the server
 * answers. Each refused enrollment (unknown, expired or spent code) counts against the client's
 * address and against the node as a whole, within a sliding window; past either limit the route
 * answers 429 with `Retry-After` (seconds until the oldest counted failure leaves the window)
 * without looking at the code. Successful enrollments never count. Kept in memory per node: a
 * restart forgets it, and with several nodes each counts its own (the bound is per node).
 */
import type { Clock } from '../src/shared/ports.js';

export interface EnrollThrottleLimits {
  /** Failed attempts one client address may make within `windowMs`. */
  perClient: number;
  /** Failed attempts all clients together may make within `windowMs` (bounds guessing from many addresses). */
  global: number;
  windowMs: number;
}

export const DEFAULT_ENROLL_THROTTLE: EnrollThrottleLimits = { perClient: 10, global: 200, windowMs: 10 * 60_000 };

/** Addresses remembered at most (the oldest are forgotten first): bounds memory under a flood from many addresses; the global limit still holds. */
const MAX_CLIENTS = 10_000;

export interface EnrollThrottle {
  /** Seconds to wait (≥ 1) when `client` may not try now; undefined when it may. */
  retryAfterSeconds(client: string): number | undefined;
  /** Counts one refused enrollment from `client`. */
  failed(client: string): void;
}

export function createEnrollThrottle(clock: Clock, limits: EnrollThrottleLimits = DEFAULT_ENROLL_THROTTLE): EnrollThrottle {
  const perClient = new Map<string, number[]>();
  const all: number[] = [];
  const prune = (times: number[], now: number) => {
    while (times.length > 0 && (times[0] as number) <= now - limits.windowMs) times.shift();
  };
  const wait = (times: number[], limit: number, now: number) => (times.length < limit ? 0 : (times[times.length - limit] as number) + limits.windowMs - now);
  return {
    retryAfterSeconds(client) {
      const now = clock.now();
      prune(all, now);
      const mine = perClient.get(client);
      if (mine) {
        prune(mine, now);
        if (mine.length === 0) perClient.delete(client);
      }
      const ms = Math.max(wait(all, limits.global, now), mine ? wait(mine, limits.perClient, now) : 0);
      return ms > 0 ? Math.max(1, Math.ceil(ms / 1000)) : undefined;
    },
    failed(client) {
      const now = clock.now();
      all.push(now);
      let mine = perClient.get(client);
      if (!mine) {
        if (perClient.size >= MAX_CLIENTS) perClient.delete(perClient.keys().next().value as string);
        mine = [];
        perClient.set(client, mine);
      }
      mine.push(now);
      // Never more than the limit is needed to answer; older entries only cost memory.
      if (mine.length > limits.perClient) mine.shift();
      if (all.length > limits.global) all.shift();
    },
  };
}
