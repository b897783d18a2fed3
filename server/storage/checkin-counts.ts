/**
 * The check-in count rollup behind the operations room: `checkin_counts` holds how many check-ins
 * are stored per quarter hour of scan time (`quarter_ms`, UTC ms, a multiple of 15 min). Database
 * triggers keep it in step with `checkins` in the same transaction as every insert and delete, so
 * it is exact whoever writes (the ingest, the retention purge, a test or a benchmark inserting rows
 * directly). The dashboard's hourly chart (today and the 7 days before) and its total then read a
 * few hundred counter rows instead of every check-in of the week.
 *
 * Why a quarter hour: every time zone in use today is offset from UTC by a multiple of 15 minutes,
 * so a local hour (and a local midnight) is a whole number of quarters. A query not aligned to a
 * quarter falls back to counting check-ins (storage methods check this).
 *
 * PostgreSQL: statement-level triggers with transition tables (one upsert per statement, not per
 * row), and the counter is split into `COUNT_SLOTS` rows per quarter chosen by backend pid, so
 * ingests on different connections and nodes do not queue on one hot row; readers sum the slots.
 * Upserts run in quarter order so two ingests never lock two counters in opposite orders. Removing
 * a whole partition (retention) fires no trigger: postgres-retention.ts deletes its quarters itself,
 * under the same table lock. Dropping a partition by hand leaves its quarters behind — let retention
 * do it (it also writes the audit receipt).
 */

/** Length of one counter bucket (ms). */
export const QUARTER_MS = 900_000;
/** Counter rows per quarter in PostgreSQL (spreads concurrent upserts). */
export const COUNT_SLOTS = 8;

/** SQLite migration: the table, row triggers, a backfill from the check-ins already stored. */
export const SQLITE_CHECKIN_COUNTS_MIGRATION = `
  CREATE TABLE checkin_counts (quarter_ms INTEGER PRIMARY KEY, n INTEGER NOT NULL);
  CREATE TRIGGER checkin_counts_on_insert AFTER INSERT ON checkins BEGIN
    INSERT INTO checkin_counts (quarter_ms, n) VALUES (NEW.scanned_ms - NEW.scanned_ms % ${QUARTER_MS}, 1)
      ON CONFLICT (quarter_ms) DO UPDATE SET n = n + 1;
  END;
  CREATE TRIGGER checkin_counts_on_delete AFTER DELETE ON checkins BEGIN
    UPDATE checkin_counts SET n = n - 1 WHERE quarter_ms = OLD.scanned_ms - OLD.scanned_ms % ${QUARTER_MS};
  END;
  INSERT INTO checkin_counts (quarter_ms, n) SELECT scanned_ms - scanned_ms % ${QUARTER_MS}, count(*) FROM checkins WHERE true GROUP BY 1;`;

/** PostgreSQL migration: the slotted table, statement triggers on the partitioned table, a backfill. */
export const POSTGRES_CHECKIN_COUNTS_MIGRATION = `
  CREATE TABLE checkin_counts (
    quarter_ms bigint NOT NULL,
    slot smallint NOT NULL,
    n bigint NOT NULL,
    PRIMARY KEY (quarter_ms, slot)
  );
  CREATE FUNCTION checkin_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO checkin_counts (quarter_ms, slot, n)
        SELECT scanned_ms - scanned_ms % ${QUARTER_MS}, pg_backend_pid() % ${COUNT_SLOTS}, count(*) FROM new_rows GROUP BY 1 ORDER BY 1
        ON CONFLICT (quarter_ms, slot) DO UPDATE SET n = checkin_counts.n + excluded.n;
      RETURN NULL;
    END $$;
  CREATE FUNCTION checkin_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO checkin_counts (quarter_ms, slot, n)
        SELECT scanned_ms - scanned_ms % ${QUARTER_MS}, pg_backend_pid() % ${COUNT_SLOTS}, -count(*) FROM old_rows GROUP BY 1 ORDER BY 1
        ON CONFLICT (quarter_ms, slot) DO UPDATE SET n = checkin_counts.n + excluded.n;
      RETURN NULL;
    END $$;
  CREATE TRIGGER checkin_counts_on_insert AFTER INSERT ON checkins REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION checkin_counts_add();
  CREATE TRIGGER checkin_counts_on_delete AFTER DELETE ON checkins REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION checkin_counts_remove();
  INSERT INTO checkin_counts (quarter_ms, slot, n) SELECT scanned_ms - scanned_ms % ${QUARTER_MS}, 0, count(*) FROM checkins GROUP BY 1;`;

/** Whether per-hour counts from `fromMs` can be read from the rollup (a whole quarter, safe integer). */
export function quarterAligned(fromMs: number): boolean {
  return Number.isSafeInteger(fromMs) && fromMs % QUARTER_MS === 0;
}
