/**
 * The checkpoint id and direction a kiosk reports in its heartbeat (protocol extension, see
 * docs/PROTOCOL.md "Heartbeat") get columns of their own, in both backends: reading them out of
 * the stored body instead would fail on PostgreSQL for a body holding an escaped NUL anywhere
 * (its json functions refuse an escaped NUL), and would parse every body on every page view.
 * Heartbeats stored before the migration have neither (null) until the kiosk's next one.
 * Both migrations add only what is missing, so running one again (a database whose recorded
 * version was set back) changes nothing.
 */
import type { Database } from 'better-sqlite3';

const PLACE_COLUMNS = ['checkpoint_id', 'direction'] as const;

/** PostgreSQL: `ADD COLUMN IF NOT EXISTS`. */
export const POSTGRES_HEARTBEAT_PLACE_MIGRATION = PLACE_COLUMNS.map((c) => `ALTER TABLE heartbeats ADD COLUMN IF NOT EXISTS ${c} text;`).join('\n');

/** SQLite has no `ADD COLUMN IF NOT EXISTS`: the table's columns are looked at first. */
export function sqliteHeartbeatPlaceMigration(db: Database): void {
  const present = new Set((db.pragma('table_info(heartbeats)') as { name: string }[]).map((c) => c.name));
  for (const c of PLACE_COLUMNS) if (!present.has(c)) db.exec(`ALTER TABLE heartbeats ADD COLUMN ${c} TEXT`);
}
