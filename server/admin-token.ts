/**
 * The admin token a running server checks, kept current. `central admin-token --rotate` replaces
 * it in the storage (a file of the SQLite data dir, a row of PostgreSQL shared by every node);
 * each server re-reads it every `refreshMs` and takes the new one without a restart. From then on
 * the old token is refused, and with it every operations-room sign-in made under it (the session
 * key is derived from the token: ops/session.ts).
 */
import type { Logger } from '../src/shared/ports.js';
import type { CentralStorage } from './storage/types.js';

/** How often a running server looks for a replaced admin token (ms). */
export const ADMIN_TOKEN_REFRESH_MS = 30_000;

export interface AdminTokenWatch {
  /** Stops the timer; resolves once a read in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Re-reads the admin token every `refreshMs` and calls `apply(token)` when it differs from
 * `current()`. A failed read (database out of reach) keeps the current token and is logged; a
 * token missing from the storage is never recreated here (the next start does that).
 */
export function watchAdminToken(o: { storage: CentralStorage; logger: Logger; current: () => string; apply: (token: string) => void; refreshMs?: number }): AdminTokenWatch {
  let running: Promise<void> | undefined;
  const read = () => {
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
  };
  const timer = setInterval(read, o.refreshMs ?? ADMIN_TOKEN_REFRESH_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
