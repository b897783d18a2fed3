/**
 * The admin token a running server checks, kept current. `central admin-token --rotate` replaces
 * it in the storage (a file of the SQLite data dir, a row of PostgreSQL shared by every node).
 * Each server re-reads it every `refreshMs` and takes the new one without a restart; from then on
 * the old token is refused, and with it every operations-room sign-in made under it (the session
 * key is derived from the token: ops/session.ts). A token (or sign-in) that does not match makes
 * the server re-read at once — at most once per ADMIN_TOKEN_RECHECK_MS, so a flood of wrong tokens
 * costs one small read a second — so the new token works on every node the moment it is used.
 */
import type { Clock, Logger } from '../src/shared/ports.js';
import { loadOrCreateAdminToken, newToken } from './secrets.js';
import type { CentralStorage } from './storage/types.js';

/** Now, epoch ms with a fraction (two rotations in one millisecond still stamp in order). */
export const preciseNow = (): number => performance.timeOrigin + performance.now();

/**
 * Replaces the admin token with a new random one. Rotations are serialised in the database
 * (storage.rotateSecret): under its lock, one is refused — nothing changes, `{ lost: true }` — when
 * the token it read is gone or another rotation was stamped after `launchedAtMs`, i.e. while this
 * one was under way. Two `--rotate` started together (two shells, a script) therefore never both
 * hand out a token, even when one reaches the database only after the other has finished (each
 * needs it for milliseconds after a second of start-up): the CLI passes its process's start as
 * `launchedAtMs`. The answer is immediate, and a token returned is the one in force at that moment.
 * A storage without a token yet gets one first (as a start would).
 */
export async function rotateAdminToken(storage: CentralStorage, launchedAtMs: number = preciseNow()): Promise<{ token: string } | { lost: true }> {
  const current = (await storage.readSecret('admin-token'))?.trim() || (await loadOrCreateAdminToken(storage));
  const token = newToken();
  return (await storage.rotateSecret('admin-token', current, token, launchedAtMs, preciseNow)) ? { token } : { lost: true };
}

/** How often a running server looks for a replaced admin token (ms): when the old one stops working at the latest. */
export const ADMIN_TOKEN_REFRESH_MS = 30_000;

/** Least time between two re-reads asked for by a token that did not match (ms). */
export const ADMIN_TOKEN_RECHECK_MS = 1_000;

export interface AdminTokenWatch {
  /**
   * Re-reads the stored token now, unless one was asked for less than ADMIN_TOKEN_RECHECK_MS ago
   * (then it resolves at once, or joins the read in progress). Never rejects.
   */
  recheck(): Promise<void>;
  /** Stops the timer; resolves once a read in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Re-reads the admin token every `refreshMs` (and on `recheck()`) and calls `apply(token)` when it
 * differs from `current()`. A failed read (database out of reach) keeps the current token and is
 * logged; a token missing from the storage is never recreated here (the next start does that).
 */
export function watchAdminToken(o: {
  storage: CentralStorage;
  logger: Logger;
  clock: Clock;
  current: () => string;
  apply: (token: string) => void;
  refreshMs?: number;
}): AdminTokenWatch {
  let running: Promise<void> | undefined;
  let lastRecheckMs = -Infinity;
  const read = (): Promise<void> => {
    running ??= o.storage
      .readSecret('admin-token')
      .then((stored) => {
        const token = stored?.trim();
        if (token && token !== o.current()) {
          o.apply(token);
          o.logger.warn('admin token replaced: the previous one and its sign-ins are refused from now on');
        }
      })
      .catch((err: unknown) => o.logger.warn('admin token not re-read', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void read(), o.refreshMs ?? ADMIN_TOKEN_REFRESH_MS);
  timer.unref();
  return {
    recheck() {
      if (running) return running;
      const now = o.clock.now();
      if (now - lastRecheckMs < ADMIN_TOKEN_RECHECK_MS) return Promise.resolve();
      lastRecheckMs = now;
      return read();
    },
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
