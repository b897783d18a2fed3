/**
 * Central retention: check-ins scanned more than `retentionDays` ago (default 21) are removed —
 * whole partitions dropped where the backend has them, the rest deleted in chunks — each removal
 * together with its receipt in the hash-chained audit log (`purge`: rule, cut-off, how many, per
 * UTC day, the partition when one was dropped). Runs at start and then every `intervalMs`.
 */
import type { Clock, Logger } from '../src/shared/ports.js';
import type { CentralStorage, PurgeReceipt } from './storage/types.js';

export const DEFAULT_RETENTION_DAYS = 21;
const DAY_MS = 86_400_000;
const CHUNK = 1000;

/**
 * Removes what is past retention at `nowMs`; returns how many check-ins were removed. Whole
 * partitions go first where the backend has them (PostgreSQL: a DROP per day, receipt with
 * `partition`), then the rest is deleted in chunks (the straddling day; all of it on SQLite).
 */
export async function purgeExpired(storage: CentralStorage, nowMs: number, retentionDays: number): Promise<number> {
  const beforeMs = nowMs - retentionDays * DAY_MS;
  const at = new Date(nowMs).toISOString();
  const receipt: PurgeReceipt = (n, days, partition) => ({
    at,
    actor: 'system',
    action: 'purge',
    detail: {
      rule: 'central-retention: check-ins scanned more than retentionDays ago',
      retentionDays,
      before: new Date(beforeMs).toISOString(),
      removed: n,
      days,
      ...(partition === undefined ? {} : { partition }),
    },
  });
  let total = storage.dropExpiredPartitions ? await storage.dropExpiredPartitions(beforeMs, receipt) : 0;
  for (;;) {
    const removed = await storage.purgeCheckIns(beforeMs, CHUNK, receipt);
    total += removed;
    if (removed < CHUNK) return total;
  }
}

export interface Retention {
  /** Stops the timer; resolves once a purge in progress has finished. */
  stop(): Promise<void>;
}

/** Purges now and then every `intervalMs` (default 1 h); failures are logged and retried next time. */
export function startRetention(o: { storage: CentralStorage; clock: Clock; logger: Logger; retentionDays: number; intervalMs?: number }): Retention {
  const log = o.logger.child('retention');
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= purgeExpired(o.storage, o.clock.now(), o.retentionDays)
      .then((n) => {
        if (n > 0) log.info('purged check-ins past retention', { count: n, retentionDays: o.retentionDays });
      })
      .catch((err: unknown) => log.error('retention purge failed', { error: err instanceof Error ? err.message : String(err) }))
      .finally(() => {
        running = undefined;
      });
  };
  run();
  const timer = setInterval(run, o.intervalMs ?? 3_600_000);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
