/**
 * Retry timing for everything that talks to the central server (docs/PROTOCOL.md): exponential backoff
 * with full jitter ("Exponential Backoff And Jitter", AWS architecture blog), and `Retry-After`.
 */

export interface BackoffPolicy {
  /** Delay scale of the first retry (ms). */
  baseMs: number;
  /** Upper bound of any one delay (ms). */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 5 * 60_000 };

/**
 * Delay before retry number `failures` (1 = first retry): uniform in [0, min(cap, base·2^(failures-1))).
 * `random` returns [0, 1). Full jitter spreads a fleet of kiosks that lost the link together, so
 * they do not all come back in the same second.
 */
export function fullJitterDelay(failures: number, policy: BackoffPolicy, random: () => number): number {
  const exp = Math.min(Math.max(failures - 1, 0), 40);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exp);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * ceiling);
}

/** Longest Retry-After we obey (ms); a server asking for more gets retried after this anyway. */
export const MAX_RETRY_AFTER_MS = 60 * 60_000;

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns ms from `nowMs`,
 * clamped to [0, MAX_RETRY_AFTER_MS], or undefined when absent or unparseable.
 */
export function parseRetryAfter(header: unknown, nowMs: number): number | undefined {
  if (typeof header !== 'string') return undefined;
  const value = header.trim();
  if (value === '' || value.length > 64) return undefined;
  let ms: number;
  if (/^\d+$/.test(value)) ms = Number(value) * 1000;
  else {
    // An HTTP-date always names its day/month ("Wed, 21 Oct 2015 07:28:00 GMT"); without letters,
    // Date.parse would read things like "-5" or "1.5" as dates.
    if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(value)) return undefined;
    const at = Date.parse(value);
    if (Number.isNaN(at)) return undefined;
    ms = at - nowMs;
  }
  return Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS);
}
