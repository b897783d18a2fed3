/**
 * Central retention: check-ins scanned more than `retentionDays` ago (default 21) are removed —
 * whole partitions dropped where the backend has them, the rest deleted in chunks — each removal
 * together with its receipt in the hash-chained audit log (`purge`: rule, cut-off, how many, per
 * UTC day, the partition when one was dropped). Runs at start and then every `intervalMs`.
 */
import type { Clock, Logger } from '../src/shared/ports.js';
import { DatabaseSettingError } from './storage/errors.js';
import type { CentralStorage, PurgeReceipt } from './storage/types.js';

export const DEFAULT_RETENTION_DAYS = 21;
/** Bounds of --retention-days and of `central retention-days --set`. */
export const RETENTION_DAYS_MIN = 1;
export const RETENTION_DAYS_MAX = 3650;

/** The recorded retention when it is a valid number of days, else undefined. */
export function parseRetentionDays(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{1,4}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= RETENTION_DAYS_MIN && n <= RETENTION_DAYS_MAX ? n : undefined;
}

/**
 * The retention every node of this database purges by (the `retention-days` server setting),
 * decided at start. Every node purges the one database, so on PostgreSQL one node's value would
 * decide for all: the first node records its value (`given` or the default), a node started
 * without --retention-days takes the recorded one, and a node given another value is refused
 * (DatabaseSettingError, exit 2) with both values and the fix — `central retention-days --set N`
 * changes it for the whole fleet. A SQLite data dir serves one node: --retention-days, when given,
 * is recorded; without it the recorded value stays in force (the default when none is).
 */
export async function fleetRetentionDays(storage: CentralStorage, given: number | undefined): Promise<number> {
  const recorded = parseRetentionDays(await storage.fleet.serverSetting('retention-days'));
  if (storage.backend === 'sqlite') {
    const days = given ?? recorded ?? DEFAULT_RETENTION_DAYS;
    if (days !== recorded) await storage.fleet.setServerSetting('retention-days', String(days));
    return days;
  }
  const inForce = parseRetentionDays(await storage.fleet.initServerSetting('retention-days', String(given ?? recorded ?? DEFAULT_RETENTION_DAYS)));
  if (inForce === undefined) throw new DatabaseSettingError(`the retention recorded in the database is not a number of days ${RETENTION_DAYS_MIN}-${RETENTION_DAYS_MAX}; set it with: checkpoint-kiosk central retention-days --set N --database URL`);
  if (given !== undefined && given !== inForce) {
    throw new DatabaseSettingError(
      `--retention-days ${given} differs from the ${inForce} days recorded in the shared database: every node purges that one database, so they all keep check-ins ${inForce} days. ` +
        `Start this node with --retention-days ${inForce} (or without --retention-days), or change it for every node with: checkpoint-kiosk central retention-days --set ${given} --database URL ` +
        '(running nodes take the new value at their next hourly purge)',
    );
  }
  return inForce;
}
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

/**
 * Purges now and then every `intervalMs` (default 1 h); failures are logged and retried next time.
 * Each run first re-reads the recorded retention (`central retention-days --set` changes it for
 * every node): a new valid value is used from then on and handed to `onChange`.
 */
export function startRetention(o: {
  storage: CentralStorage;
  clock: Clock;
  logger: Logger;
  retentionDays: number;
  intervalMs?: number;
  onChange?: (days: number) => void;
}): Retention {
  const log = o.logger.child('retention');
  let days = o.retentionDays;
  let running: Promise<void> | undefined;
  const follow = async () => {
    const recorded = parseRetentionDays(await o.storage.fleet.serverSetting('retention-days'));
    if (recorded === undefined || recorded === days) return;
    log.warn('retention changed for every node of the database', { from: days, to: recorded });
    days = recorded;
    o.onChange?.(days);
  };
  const run = () => {
    running ??= follow()
      .then(() => purgeExpired(o.storage, o.clock.now(), days))
      .then((n) => {
        if (n > 0) log.info('purged check-ins past retention', { count: n, retentionDays: days });
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
