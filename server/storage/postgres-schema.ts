/**
 * Schema history of the PostgreSQL storage, versioned like the SQLite one: the applied version is
 * the row in `central_schema`, each step runs in its own transaction, and a session advisory lock
 * keeps two nodes that start together from migrating at the same time.
 *
 * Check-ins are partitioned by UTC day of `scanned_ms` (range partitions `checkins_pYYYYMMDD`,
 * made on demand by the ingest): retention drops whole partitions (postgres-retention.ts), and a trace over a time range
 * touches only the days in it. The primary key (scanned_ms, id) serves time-ordered export by
 * keyset; an id is stored once whatever scan time a retry carries through the unpartitioned
 * `checkin_ids` (postgres-checkin-ids.ts, v8), and
 * the per-partition indexes on (id_no|alt_id, scanned_ms) and (checkpoint_id, scanned_ms) keep
 * tracing to a few index probes per day however many rows there are.
 */
import type pg from 'pg';
import { POSTGRES_CHECKIN_COUNTS_MIGRATION } from './checkin-counts.js';
import { POSTGRES_FLEET_MIGRATION } from './postgres-fleet.js';
import { POSTGRES_DATA_KEY_MIGRATION, POSTGRES_PRIVACY_MIGRATION } from './postgres-privacy.js';
import { POSTGRES_HEARTBEAT_PLACE_MIGRATION, POSTGRES_HEARTBEAT_UNREADABLE_MIGRATION } from './heartbeat-place.js';
import { POSTGRES_CHECKIN_IDS_MIGRATION } from './postgres-checkin-ids.js';
import { POSTGRES_SUCCESSION_MIGRATION } from './succession.js';
import { POSTGRES_ENROLL_ATTEMPT_MIGRATION } from './enroll-attempt.js';
import { schemaTooNewError } from './errors.js';

/** Arbitrary but fixed key of the migration advisory lock ("ckmg"). */
const MIGRATION_LOCK_KEY = 0x636b6d67;

export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE central_secrets (
     name text PRIMARY KEY,
     value text NOT NULL,
     created_at timestamptz NOT NULL DEFAULT now()
   );
   CREATE TABLE trust_bundles (
     content_hash text PRIMARY KEY,
     jws text NOT NULL,
     issued_at text NOT NULL
   );
   CREATE TABLE devices (
     id text PRIMARY KEY,
     name text NOT NULL,
     version text NOT NULL,
     platform text NOT NULL,
     token_hash text NOT NULL UNIQUE,
     enrolled_at text NOT NULL
   );
   CREATE TABLE enrollment_codes (
     code_hash text PRIMARY KEY,
     created_at text NOT NULL,
     expires_ms bigint NOT NULL,
     used_at text,
     used_by text
   );
   CREATE TABLE checkins (
     scanned_ms bigint NOT NULL,
     id uuid NOT NULL,
     scanned_at text NOT NULL,
     device_id text NOT NULL,
     sender_device_id text NOT NULL,
     checkpoint_id text NOT NULL,
     direction text NOT NULL,
     format text NOT NULL,
     verdict text NOT NULL,
     id_no text,
     alt_id text,
     record text NOT NULL,
     received_at text NOT NULL,
     PRIMARY KEY (scanned_ms, id)
   ) PARTITION BY RANGE (scanned_ms);
   CREATE INDEX checkins_by_person ON checkins (id_no, scanned_ms) WHERE id_no IS NOT NULL;
   CREATE INDEX checkins_by_alt_id ON checkins (alt_id, scanned_ms) WHERE alt_id IS NOT NULL;
   CREATE INDEX checkins_by_checkpoint ON checkins (checkpoint_id, scanned_ms);
   CREATE TABLE heartbeats (
     device_id text PRIMARY KEY,
     received_at text NOT NULL,
     received_ms bigint NOT NULL,
     queue_depth bigint NOT NULL,
     oldest_pending_at text,
     last_scan_at text,
     trust_issued_at text,
     version text,
     clock_offset_ms bigint,
     applied_config_version text,
     update_state text,
     oldest_identity_at text,
     body text NOT NULL
   );
   CREATE TABLE declarations (
     id text PRIMARY KEY,
     kid text NOT NULL,
     issued_at text NOT NULL,
     expires_at text NOT NULL
   );`,
  // v2: the fleet — provisioning cards, revocations, groups, configuration profiles, settings,
  // update releases (postgres-fleet.ts).
  POSTGRES_FLEET_MIGRATION,
  // v3: overrides received from kiosks (server/overrides.ts), exactly once by id; check-ins are
  // looked up by id alone when an override arrives.
  `CREATE TABLE overrides (
     id text PRIMARY KEY,
     checkin_id text NOT NULL,
     sender_device_id text NOT NULL,
     at text NOT NULL,
     record text NOT NULL,
     received_at text NOT NULL
   );
   CREATE INDEX overrides_by_checkin ON overrides (checkin_id);
   CREATE INDEX checkins_by_id ON checkins (id);`,
  // v4: privacy — the hash-chained audit log and the marker for sealing older check-ins.
  POSTGRES_PRIVACY_MIGRATION,
  // v5: check-ins per quarter hour, kept by statement triggers (checkin-counts.ts): the operations
  // room reads counters instead of a week of check-ins.
  POSTGRES_CHECKIN_COUNTS_MIGRATION,
  // v6: the fingerprint of the data key that seals identity fields, for databases sealed before
  // it was recorded (postgres-privacy.ts); nodes refuse a missing or different key from then on.
  POSTGRES_DATA_KEY_MIGRATION,
  // v7: the checkpoint and direction a kiosk reports in its heartbeat (as in SQLite's v7).
  POSTGRES_HEARTBEAT_PLACE_MIGRATION,
  // v8: one row per check-in id across day partitions (postgres-checkin-ids.ts): the primary key
  // (scanned_ms, id) let a retry with another scan time be stored twice.
  POSTGRES_CHECKIN_IDS_MIGRATION,
  // v9: device succession after re-enrollment (as in SQLite's v8, succession.ts).
  POSTGRES_SUCCESSION_MIGRATION,
  // v10: the heartbeat times the server could not read (as in SQLite's v9, heartbeat-place.ts).
  POSTGRES_HEARTBEAT_UNREADABLE_MIGRATION,
  // v11: the attempt secret's hash on a spent code: a kiosk whose answer was lost resumes its
  // enrollment (enroll-attempt.ts, as in SQLite's v10).
  POSTGRES_ENROLL_ATTEMPT_MIGRATION,
];

/** Applies pending migrations; returns the schema version now in place. */
export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS central_schema (version integer NOT NULL)');
      const { rows } = await client.query<{ version: number }>('SELECT version FROM central_schema');
      let version = rows[0]?.version ?? 0;
      if (rows.length === 0) await client.query('INSERT INTO central_schema (version) VALUES (0)');
      if (version > POSTGRES_MIGRATIONS.length) {
        throw schemaTooNewError('PostgreSQL central database', version, POSTGRES_MIGRATIONS.length);
      }
      for (; version < POSTGRES_MIGRATIONS.length; version++) {
        await client.query('BEGIN');
        try {
          await client.query(POSTGRES_MIGRATIONS[version] as string);
          await client.query('UPDATE central_schema SET version = $1', [version + 1]);
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK');
          throw err;
        }
      }
      return version;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}

export const DAY_MS = 86_400_000;

/** Name of the partition holding UTC day `day` (days since the epoch). */
export function partitionName(day: number): string {
  const d = new Date(day * DAY_MS);
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `checkins_p${ymd.replace('-', 'm')}`;
}

/**
 * Creates the partition of UTC day `day` unless it exists. Two nodes may race: the loser's
 * "already exists" (42P07) or catalog unique violation (23505) means the partition is there.
 */
export async function ensureDayPartition(pool: pg.Pool, day: number): Promise<void> {
  const from = day * DAY_MS;
  const sql = `CREATE TABLE IF NOT EXISTS ${partitionName(day)} PARTITION OF checkins FOR VALUES FROM (${from}) TO (${from + DAY_MS})`;
  try {
    await pool.query(sql);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== '42P07' && code !== '23505') throw err;
  }
}
