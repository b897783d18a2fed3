/**
 * The partitions of `checkins` as the catalog lists them (pg_inherits, pg_get_expr of the bound),
 * for retention and vacuuming. Kept apart from postgres-schema.ts so that the privacy code can use
 * it without an import cycle through the migrations.
 */
import type pg from 'pg';

/** One partition of `checkins` and its range [fromMs, toMs); both undefined for a DEFAULT partition or bounds we cannot read. */
export interface CheckInPartition {
  name: string;
  fromMs?: number;
  toMs?: number;
}

/** The partitions of `checkins` (ranges ascending, the default and unreadable ones last). */
export async function listCheckInPartitions(db: pg.Pool | pg.PoolClient): Promise<CheckInPartition[]> {
  const { rows } = await db.query<{ name: string; bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
     FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
     WHERE p.relname = 'checkins' AND p.relnamespace = current_schema()::regnamespace`,
  );
  const out: CheckInPartition[] = rows.map((r) => {
    // "FOR VALUES FROM ('1764547200000') TO ('1764633600000')"; "DEFAULT"; MINVALUE/MAXVALUE left unread.
    const m = /FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)/.exec(r.bound);
    return m ? { name: r.name, fromMs: Number(m[1]), toMs: Number(m[2]) } : { name: r.name };
  });
  return out.sort((a, b) => (a.fromMs ?? Infinity) - (b.fromMs ?? Infinity) || a.name.localeCompare(b.name));
}
