/**
 * One check-in id, one stored row — across day partitions (PostgreSQL). `checkins` is partitioned
 * by day of `scanned_ms`, and a unique index of a partitioned table must include the partition key,
 * so its primary key (scanned_ms, id) only made a retry with the *same* scan time a conflict: a
 * retry carrying another `scannedAt` (a kiosk whose clock was corrected, a record re-sent from a
 * restored backup) landed in another partition and was stored a second time, where SQLite's
 * `id UNIQUE` answered `duplicate` (docs/PROTOCOL.md: an id is never stored twice).
 *
 * `checkin_ids` (unpartitioned, primary key `id`) holds each stored id with the scan time of its
 * row. A BEFORE INSERT row trigger on `checkins` claims the id there first (`ON CONFLICT (id) DO
 * NOTHING`) and skips the row when another row holds it, so the ingest's `INSERT … ON CONFLICT DO
 * NOTHING RETURNING id` simply does not return it: the kiosk is answered `duplicate`, exactly as
 * for a same-time retry. The claim and the row commit or roll back together (one statement). Two
 * nodes inserting one id at once queue on the id's index entry: the second waits for the first
 * to commit, then finds it taken and skips its row. Being a trigger, it holds for every writer —
 * an older node during a rolling upgrade, a benchmark or a test inserting rows directly.
 *
 * Kept in step with removals: an AFTER DELETE statement trigger (transition table, as the
 * per-quarter counters do) releases the ids of deleted rows — the retention purge, a delete by
 * hand — and retention's partition drop, which fires no trigger, deletes the ids of the dropped
 * day itself under its table lock (postgres-retention.ts), through `checkin_ids_by_time`.
 *
 * Migrating a database written before this step: every stored id is claimed with the latest scan
 * time it is stored under. An id such a database already holds twice keeps both rows (a migration
 * deletes no check-in) and stays claimed until retention removes its last copy.
 */

/**
 * Schema step v8 (append-only list in postgres-schema.ts). Idempotent, as every step is: a database
 * whose recorded version was set back (a restore of central_schema alone) runs it again safely.
 */
export const POSTGRES_CHECKIN_IDS_MIGRATION = `
  CREATE TABLE IF NOT EXISTS checkin_ids (
    id uuid PRIMARY KEY,
    scanned_ms bigint NOT NULL
  );
  CREATE INDEX IF NOT EXISTS checkin_ids_by_time ON checkin_ids (scanned_ms);
  CREATE OR REPLACE FUNCTION checkin_ids_claim() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO checkin_ids (id, scanned_ms) VALUES (NEW.id, NEW.scanned_ms) ON CONFLICT (id) DO NOTHING;
      IF FOUND THEN RETURN NEW; END IF;
      RETURN NULL; -- stored before (under any scan time): skip the row, the ingest answers duplicate
    END $$;
  CREATE OR REPLACE FUNCTION checkin_ids_release() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      DELETE FROM checkin_ids c USING old_rows o WHERE c.id = o.id AND c.scanned_ms = o.scanned_ms;
      RETURN NULL;
    END $$;
  DROP TRIGGER IF EXISTS checkin_ids_on_insert ON checkins;
  CREATE TRIGGER checkin_ids_on_insert BEFORE INSERT ON checkins
    FOR EACH ROW EXECUTE FUNCTION checkin_ids_claim();
  DROP TRIGGER IF EXISTS checkin_ids_on_delete ON checkins;
  CREATE TRIGGER checkin_ids_on_delete AFTER DELETE ON checkins REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION checkin_ids_release();
  INSERT INTO checkin_ids (id, scanned_ms) SELECT id, max(scanned_ms) FROM checkins GROUP BY id ON CONFLICT (id) DO NOTHING;`;
