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

/**
 * The heartbeat time members the server could not read in a device's latest heartbeat (stored as
 * null, heartbeats.ts readableHeartbeatTimes), comma-separated, null when none: without it a queue
 * whose age cannot be read looked like an empty queue, and the room never flagged it. A column of
 * its own for the reasons given above; a heartbeat stored before has none (null).
 */
export const POSTGRES_HEARTBEAT_UNREADABLE_MIGRATION = 'ALTER TABLE heartbeats ADD COLUMN IF NOT EXISTS unreadable_times text;';

export function sqliteHeartbeatUnreadableMigration(db: Database): void {
  const present = new Set((db.pragma('table_info(heartbeats)') as { name: string }[]).map((c) => c.name));
  if (!present.has('unreadable_times')) db.exec('ALTER TABLE heartbeats ADD COLUMN unreadable_times TEXT');
}
