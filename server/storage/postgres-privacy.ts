/**
 * The privacy part of the storage seam on PostgreSQL (pg): the hash-chained, append-only audit
 * log, the retention purge with its receipt in the same transaction, and the batched sealing of
 * check-ins stored before sealing. Kept apart from the rest of the PostgreSQL storage so that the
 * class only delegates; the SQL mirrors server/db.ts (SQLite).
 *
 * PostgreSQL keeps old row versions until VACUUM reclaims them and never promises to overwrite
 * freed space: the purge and the sealing pass run `VACUUM` on the table afterwards, and the data
 * files of a PostgreSQL server should sit on encrypted storage all the same.
 */
import pg from 'pg';
import type { CheckIn } from '../../src/shared/types.js';
import { GENESIS, entryHash } from '../../src/store/audit-chain.js';
import type { AuditInput, AuditRow, PurgeReceipt } from './types.js';
import { pgTransaction } from './postgres-transaction.js';
import { listCheckInPartitions } from './postgres-partitions.js';

/** Schema step adding the privacy tables (append it to the PostgreSQL migrations). */
export const POSTGRES_PRIVACY_MIGRATION = `
  CREATE TABLE audit_log (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    actor text NOT NULL,
    action text NOT NULL,
    detail text,
    hash bytea NOT NULL
  );
  CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
  CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
  CREATE TABLE central_meta (key text PRIMARY KEY, value text NOT NULL);
  INSERT INTO central_meta (key, value) SELECT 'seal-pending', '1' WHERE EXISTS (SELECT 1 FROM checkins);`;

/** Advisory lock serialising appends across nodes ("ckau"). */
const AUDIT_LOCK_KEY = 0x636b6175;

/** Appends one entry inside the caller's transaction (`client` has run BEGIN). */
export async function appendAuditWith(client: pg.PoolClient, e: AuditInput): Promise<void> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_LOCK_KEY]);
  const { rows } = await client.query<{ seq: string; hash: Buffer }>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const seq = Number(rows[0]?.seq ?? 0) + 1;
  const detail = e.detail === undefined ? null : JSON.stringify(e.detail);
  const hash = entryHash(rows[0]?.hash ?? GENESIS, seq, e.at, e.actor, e.action, detail);
  await client.query('INSERT INTO audit_log (seq, at, actor, action, detail, hash) VALUES ($1, $2, $3, $4, $5, $6)', [seq, e.at, e.actor, e.action, detail, hash]);
}

export function pgAppendAudit(pool: pg.Pool, e: AuditInput): Promise<void> {
  return pgTransaction(pool, (c) => appendAuditWith(c, e));
}

/** The audit log oldest first, 1,000 rows per query. */
export async function* pgAuditRows(pool: pg.Pool): AsyncIterable<AuditRow> {
  let after = 0;
  for (;;) {
    const { rows } = await pool.query<{ seq: string; at: string; actor: string; action: string; detail: string | null; hash: Buffer }>(
      'SELECT seq, at, actor, action, detail, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000',
      [after],
    );
    for (const r of rows) yield { seq: Number(r.seq), at: r.at, actor: r.actor, action: r.action, detail: r.detail, hash: r.hash.toString('hex') };
    if (rows.length < 1000) return;
    after = Number(rows[rows.length - 1]!.seq);
  }
}

/**
 * Deletes at most `limit` check-ins scanned before `beforeMs`, oldest first, with the receipt in
 * the same transaction. Retention drops whole partitions first (postgres-retention.ts), so this
 * touches only the day straddling the cut-off and a DEFAULT partition if one exists (the
 * `scanned_ms < $1` on the DELETE itself lets the planner prune every other partition). The last
 * chunk vacuums just the partitions that can hold rows before the cut-off.
 */
export async function pgPurgeCheckIns(pool: pg.Pool, beforeMs: number, limit: number, receipt: PurgeReceipt): Promise<number> {
  const removed = await pgTransaction(pool, async (c) => {
    const { rows } = await c.query<{ scanned_ms: string }>(
      `WITH doomed AS (SELECT scanned_ms, id FROM checkins WHERE scanned_ms < $1 ORDER BY scanned_ms, id LIMIT $2)
       DELETE FROM checkins c USING doomed d WHERE c.scanned_ms < $1 AND c.scanned_ms = d.scanned_ms AND c.id = d.id
       RETURNING c.scanned_ms`,
      [Math.floor(beforeMs), Math.max(1, Math.floor(limit))],
    );
    if (rows.length === 0) return 0;
    const days: Record<string, number> = {};
    for (const r of rows) {
      const day = new Date(Number(r.scanned_ms)).toISOString().slice(0, 10);
      days[day] = (days[day] ?? 0) + 1;
    }
    const sorted = Object.fromEntries(Object.entries(days).sort(([a], [b]) => a.localeCompare(b)));
    await appendAuditWith(c, receipt(rows.length, sorted));
    return rows.length;
  });
  if (removed > 0 && removed < limit) await vacuumBefore(pool, Math.floor(beforeMs));
  return removed;
}

/** VACUUM of the partitions holding times before `cutoffMs` (the whole table when it is not partitioned). */
async function vacuumBefore(pool: pg.Pool, cutoffMs: number): Promise<void> {
  const parts = await listCheckInPartitions(pool);
  if (parts.length === 0) {
    await pool.query('VACUUM checkins');
    return;
  }
  for (const p of parts) if (p.fromMs === undefined || p.fromMs < cutoffMs) await pool.query(`VACUUM ${pg.escapeIdentifier(p.name)}`);
}

export async function pgSealLegacyCheckIns(pool: pg.Pool, transform: (c: CheckIn) => CheckIn | undefined, batchSize = 500): Promise<number> {
  const pending = await pool.query("SELECT 1 FROM central_meta WHERE key = 'seal-pending'");
  if (pending.rowCount === 0) return 0;
  let after: [number, string] = [-1, '00000000-0000-0000-0000-000000000000'];
  let total = 0;
  for (;;) {
    const { rows } = await pool.query<{ scanned_ms: string; id: string; record: string }>(
      'SELECT scanned_ms, id, record FROM checkins WHERE (scanned_ms, id) > ($1, $2) ORDER BY scanned_ms, id LIMIT $3',
      [after[0], after[1], batchSize],
    );
    if (rows.length === 0) break;
    total += await pgTransaction(pool, async (c) => {
      let changed = 0;
      for (const r of rows) {
        const next = transform(JSON.parse(r.record) as CheckIn);
        if (!next) continue;
        await c.query('UPDATE checkins SET record = $1, id_no = $2, alt_id = $3 WHERE scanned_ms = $4 AND id = $5', [
          JSON.stringify(next),
          next.subject.idNo ?? null,
          next.subject.altId ?? null,
          r.scanned_ms,
          r.id,
        ]);
        changed++;
      }
      return changed;
    });
    const last = rows[rows.length - 1]!;
    after = [Number(last.scanned_ms), last.id];
    if (rows.length < batchSize) break;
  }
  await pool.query('VACUUM checkins');
  await pool.query("DELETE FROM central_meta WHERE key = 'seal-pending'");
  return total;
}

/**
 * Schema step recording the data key of a database sealed before fingerprints were kept: the key
 * id of a sealed record (16 hex digits, the fingerprint's prefix), and — when clear records sit
 * beside sealed ones (a node without the key kept writing) — the marker that has the next node
 * with the key seal them. Scans the check-ins once, at this migration only.
 */
export const POSTGRES_DATA_KEY_MIGRATION = `
  INSERT INTO central_meta (key, value)
    SELECT 'data-key', substring(record from '"subject":\\{"sealed":"v1:([0-9a-f]+):') FROM checkins
    WHERE record LIKE '%"subject":{"sealed":"v1:%' LIMIT 1;
  INSERT INTO central_meta (key, value) SELECT 'seal-pending', '1'
    WHERE EXISTS (SELECT 1 FROM central_meta WHERE key = 'data-key')
      AND EXISTS (SELECT 1 FROM checkins WHERE record NOT LIKE '%"subject":{"sealed":"v1:%')
    ON CONFLICT (key) DO NOTHING;`;

/** PostgresStorage.bindDataKey: one transaction, serialised across nodes by a row lock. */
export function pgBindDataKey(pool: pg.Pool, fingerprint: string, sealExisting: boolean): Promise<string> {
  return pgTransaction(pool, async (c) => {
    // First writer wins: of two nodes binding at once, the second sees the first's row.
    await c.query("INSERT INTO central_meta (key, value) VALUES ('data-key', $1) ON CONFLICT (key) DO NOTHING", [fingerprint]);
    const { rows } = await c.query<{ value: string }>("SELECT value FROM central_meta WHERE key = 'data-key' FOR UPDATE");
    const recorded = rows[0]?.value ?? fingerprint;
    if (recorded === fingerprint) {
      // Ours is the first record (or was already): the clear check-ins stored so far get sealed.
      if (sealExisting) await c.query("INSERT INTO central_meta (key, value) SELECT 'seal-pending', '1' WHERE EXISTS (SELECT 1 FROM checkins) ON CONFLICT (key) DO NOTHING");
      return fingerprint;
    }
    if (recorded.length < fingerprint.length && fingerprint.startsWith(recorded)) {
      await c.query("UPDATE central_meta SET value = $1 WHERE key = 'data-key'", [fingerprint]);
      return fingerprint;
    }
    return recorded;
  });
}
