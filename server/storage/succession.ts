/**
 * Device succession (protocol v1 extension, docs/PROTOCOL.md "Enrollment"): a kiosk that enrolls
 * again (after a revocation, or to take a new device id) names the device it was before and proves
 * it held that device's token; the new device is then recorded as its successor, in the same
 * transaction that spends the code. An override (server/overrides.ts) is accepted from a device
 * for check-ins delivered by it or by any device it succeeded, directly or down a chain of
 * re-enrollments — never for another kiosk's. A device is succeeded at most once (the first claim
 * stands), so a copied enrollment file cannot hand one kiosk's check-ins to two successors.
 * Both migrations create only what is missing.
 */
import type { Database } from 'better-sqlite3';

/** A re-enrollment chain longer than this is not followed further (ids are random, so there are no cycles; this only bounds the work). */
export const MAX_SUCCESSION_DEPTH = 64;

const TABLE = `CREATE TABLE IF NOT EXISTS device_successions (
    successor_id TEXT PRIMARY KEY,
    predecessor_id TEXT NOT NULL UNIQUE,
    recorded_at TEXT NOT NULL
  )`;

/** PostgreSQL migration step (text is a valid type name there too). */
export const POSTGRES_SUCCESSION_MIGRATION = `${TABLE};`;

/** SQLite migration step. */
export function sqliteSuccessionMigration(db: Database): void {
  db.exec(TABLE);
}
