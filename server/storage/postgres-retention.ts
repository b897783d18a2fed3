/**
 * Retention on PostgreSQL by partition: every `checkins` partition whose whole range ends at or
 * before the cut-off is dropped — no dead rows, no VACUUM, no long row locks — and only the day
 * that straddles the cut-off (and a DEFAULT partition, if an operator made one) is left to the
 * row-by-row purge (postgres-privacy.ts `pgPurgeCheckIns`).
 *
 * Each partition goes in its own short transaction, which:
 * 1. takes ACCESS EXCLUSIVE on `checkins` (the parent) first, with `lock_timeout`. DROP needs
 *    that lock anyway; taking it before touching the partition keeps the order an INSERT uses
 *    (parent, then partition), so a late check-in for that day arriving at another node waits
 *    instead of deadlocking. Ingest into other days waits the few milliseconds the transaction
 *    lasts; it never fails. A long reader holding the table makes the lock time out: the run
 *    stops with a clear error and retention tries again next time, instead of queueing every
 *    ingest behind its lock request.
 * 2. checks the partition is still there (another node's retention may have dropped it);
 * 3. counts its rows per UTC day under that lock — so the receipt is exactly what goes;
 * 4. drops it, deletes its quarters from `checkin_counts` and its ids from `checkin_ids` (a DROP
 *    fires no trigger), and appends the receipt to the hash-chained audit log, all committed together or not at all.
 *
 * An ingest node that still believes in a dropped day gets 23514 (no partition for the row),
 * forgets its partition cache and re-creates the partition (postgres-storage.ts): nothing is lost,
 * and the late check-in goes at the next run. Partitions whose bounds are not whole quarter hours
 * (never made by the server) are left to the row purge, which keeps the counters exact by trigger.
 */
import type pg from 'pg';
import { QUARTER_MS } from './checkin-counts.js';
import { appendAuditWith } from './postgres-privacy.js';
import { listCheckInPartitions } from './postgres-partitions.js';
import { pgTransaction } from './postgres-transaction.js';
import type { AuditInput, PurgeReceipt } from './types.js';

/** How long one drop waits for the table lock before giving up this run (ms). */
export const RETENTION_LOCK_TIMEOUT_MS = 2000;

/** A partition retention removed whole: its name and what it held per UTC day. */
export interface DroppedPartition {
  name: string;
  removed: number;
  days: Record<string, number>;
}

/** Thrown when the table lock could not be had within RETENTION_LOCK_TIMEOUT_MS. */
export class RetentionLockTimeoutError extends Error {
  readonly lockTimeout = true;
}

/**
 * Drops every partition of `checkins` wholly older than `beforeMs` (range end ≤ beforeMs), each
 * with `receipt(removed, days, name)` appended to the audit log in the same transaction (no
 * receipt for an empty partition: nothing was removed). Returns what was dropped, oldest first.
 * Throws RetentionLockTimeoutError when a long query keeps the table locked; partitions dropped
 * before that stay dropped (each one is its own transaction).
 */
export async function pgDropExpiredPartitions(pool: pg.Pool, beforeMs: number, receipt: PurgeReceipt): Promise<DroppedPartition[]> {
  const cutoff = Math.floor(beforeMs);
  const doomed = (await listCheckInPartitions(pool)).filter(
    (p) => p.fromMs !== undefined && p.toMs !== undefined && p.toMs <= cutoff && p.fromMs % QUARTER_MS === 0 && p.toMs % QUARTER_MS === 0,
  );
  const dropped: DroppedPartition[] = [];
  for (const p of doomed) {
    const d = await dropOne(pool, p.name, p.fromMs as number, p.toMs as number, receipt);
    if (d) dropped.push(d);
  }
  return dropped;
}

async function dropOne(pool: pg.Pool, name: string, fromMs: number, toMs: number, receipt: PurgeReceipt): Promise<DroppedPartition | undefined> {
  try {
    return await pgTransaction(pool, async (c) => {
      await c.query(`SET LOCAL lock_timeout = ${RETENTION_LOCK_TIMEOUT_MS}`);
      await c.query('LOCK TABLE checkins IN ACCESS EXCLUSIVE MODE');
      // Still a partition of checkins? (Another node may have dropped it since we listed.)
      const still = await c.query(
        `SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = 'checkins'::regclass AND c.relname = $1 AND c.relnamespace = current_schema()::regnamespace`,
        [name],
      );
      if (still.rowCount === 0) return undefined;
      const table = c.escapeIdentifier(name);
      const { rows } = await c.query<{ day: string; n: string }>(`SELECT scanned_ms / 86400000 AS day, count(*) AS n FROM ${table} GROUP BY 1 ORDER BY 1`);
      const days: Record<string, number> = {};
      let removed = 0;
      for (const r of rows) {
        days[new Date(Number(r.day) * 86_400_000).toISOString().slice(0, 10)] = Number(r.n);
        removed += Number(r.n);
      }
      await c.query(`DROP TABLE ${table}`);
      await c.query('DELETE FROM checkin_counts WHERE quarter_ms >= $1 AND quarter_ms < $2', [fromMs, toMs]);
      // Nor does it release the day's ids (postgres-checkin-ids.ts): a row-by-row purge's trigger would.
      await c.query('DELETE FROM checkin_ids WHERE scanned_ms >= $1 AND scanned_ms < $2', [fromMs, toMs]);
      if (removed > 0) await appendAuditWith(c, receipt(removed, days, name) satisfies AuditInput);
      return { name, removed, days };
    });
  } catch (err) {
    if ((err as { code?: string }).code === '55P03') {
      throw new RetentionLockTimeoutError(
        `retention: could not lock checkins within ${RETENTION_LOCK_TIMEOUT_MS} ms to drop ${name} (a long query holds it); nothing was removed from that partition, the next run tries again`,
        { cause: err },
      );
    }
    throw err;
  }
}
