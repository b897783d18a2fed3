/**
 * Schema for resumable enrollment (protocol v1 extension `attempt`, server/enrollment.ts): the
 * SHA-256 of the attempt secret a kiosk sent with the enrollment that spent a code, kept on the
 * code's row. A kiosk whose answer was lost sends the same code and secret again and gets the
 * device that enrollment made, with a new token, instead of "already used".
 */
import type { Database } from 'better-sqlite3';

/** How long after a code was spent its enrollment can be resumed, ms (7 days: a kiosk offline for days after a lost answer). */
export const RESUME_WINDOW_MS = 7 * 24 * 3_600_000;

export const POSTGRES_ENROLL_ATTEMPT_MIGRATION = 'ALTER TABLE enrollment_codes ADD COLUMN IF NOT EXISTS attempt_hash text;';

export function sqliteEnrollAttemptMigration(db: Database): void {
  const present = new Set((db.pragma('table_info(enrollment_codes)') as { name: string }[]).map((c) => c.name));
  if (!present.has('attempt_hash')) db.exec('ALTER TABLE enrollment_codes ADD COLUMN attempt_hash TEXT');
}
