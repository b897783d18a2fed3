/**
 * The central server's own SQLite database (WAL, synchronous=FULL): devices, enrollment codes,
 * received check-ins (exactly once by id), heartbeats, issued declarations. Every transaction is
 * short and synchronous: nothing here awaits. Only `storage/sqlite-storage.ts` queries it.
 */
import { sqliteEnrollAttemptMigration } from './storage/enroll-attempt.js';
import { schemaTooNewError } from './storage/errors.js';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { AUDIT_APPEND_ONLY_SQL } from '../src/store/audit-chain.js';
import { tighten } from '../src/store/open-store.js';
import { SQLITE_CHECKIN_COUNTS_MIGRATION } from './storage/checkin-counts.js';
import { sqliteSuccessionMigration } from './storage/succession.js';
import { sqliteHeartbeatPlaceMigration, sqliteHeartbeatUnreadableMigration } from './storage/heartbeat-place.js';

export type CentralDb = Database.Database;

/** Each step: SQL run as one script, or a function for what SQL alone cannot say (a column added only when missing). */
const MIGRATIONS: (string | ((db: CentralDb) => void))[] = [
  `CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     version TEXT NOT NULL,
     platform TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     enrolled_at TEXT NOT NULL
   );
   CREATE TABLE enrollment_codes (
     code_hash TEXT PRIMARY KEY,
     created_at TEXT NOT NULL,
     expires_at TEXT NOT NULL,
     used_at TEXT,
     used_by TEXT
   );
   CREATE TABLE checkins (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     device_id TEXT NOT NULL,
     sender_device_id TEXT NOT NULL,
     checkpoint_id TEXT NOT NULL,
     direction TEXT NOT NULL,
     scanned_at TEXT NOT NULL,
     scanned_ms INTEGER NOT NULL,
     format TEXT NOT NULL,
     verdict TEXT NOT NULL,
     id_no TEXT,
     alt_id TEXT,
     record TEXT NOT NULL,
     received_at TEXT NOT NULL
   );
   CREATE INDEX checkins_by_time ON checkins(scanned_ms);
   CREATE INDEX checkins_by_checkpoint ON checkins(checkpoint_id, scanned_ms);
   CREATE INDEX checkins_by_person ON checkins(id_no, scanned_ms);
   CREATE INDEX checkins_by_alt_id ON checkins(alt_id, scanned_ms);
   CREATE TABLE heartbeats (
     device_id TEXT PRIMARY KEY,
     received_at TEXT NOT NULL,
     received_ms INTEGER NOT NULL,
     queue_depth INTEGER NOT NULL,
     oldest_pending_at TEXT,
     last_scan_at TEXT,
     trust_issued_at TEXT,
     version TEXT,
     body TEXT NOT NULL
   );`,
  // v2: heartbeat extension fields (clock offset, applied config, update state, oldest identity)
  // and the register of issued declarations (ids and times only, no personal data).
  `ALTER TABLE heartbeats ADD COLUMN clock_offset_ms INTEGER;
   ALTER TABLE heartbeats ADD COLUMN applied_config_version TEXT;
   ALTER TABLE heartbeats ADD COLUMN update_state TEXT;
   ALTER TABLE heartbeats ADD COLUMN oldest_identity_at TEXT;
   CREATE TABLE declarations (
     id TEXT PRIMARY KEY,
     kid TEXT NOT NULL,
     issued_at TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );`,
  // v3: the fleet — provisioning cards (each one an enrollment code), revoked devices, device
  // groups, versioned configuration profiles (one version counter for the whole server), server
  // settings (the public URL written into cards) and update releases with their rollout share.
  `CREATE TABLE fleet_cards (
     code_hash TEXT PRIMARY KEY REFERENCES enrollment_codes (code_hash),
     checkpoint TEXT NOT NULL,
     direction TEXT,
     profile TEXT,
     issued_at TEXT NOT NULL,
     expires_at TEXT NOT NULL
   );
   CREATE TABLE fleet_revocations (
     device_id TEXT PRIMARY KEY,
     revoked_at TEXT NOT NULL
   );
   CREATE TABLE fleet_groups (
     device_id TEXT PRIMARY KEY,
     grp TEXT NOT NULL
   );
   CREATE TABLE fleet_profiles (
     version INTEGER PRIMARY KEY AUTOINCREMENT,
     scope TEXT NOT NULL CHECK (scope IN ('device', 'group')),
     target TEXT NOT NULL,
     config TEXT NOT NULL,
     set_at TEXT NOT NULL
   );
   CREATE INDEX fleet_profiles_by_target ON fleet_profiles (scope, target, version);
   CREATE TABLE fleet_settings (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );
   CREATE TABLE fleet_releases (
     version TEXT PRIMARY KEY,
     file TEXT NOT NULL,
     sha512 TEXT NOT NULL,
     size INTEGER NOT NULL,
     staging_percentage INTEGER NOT NULL CHECK (staging_percentage BETWEEN 0 AND 100),
     released_at TEXT NOT NULL
   );`,
  // v4: overrides received from kiosks (server/overrides.ts), exactly once by id.
  `CREATE TABLE overrides (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     checkin_id TEXT NOT NULL,
     sender_device_id TEXT NOT NULL,
     at TEXT NOT NULL,
     record TEXT NOT NULL,
     received_at TEXT NOT NULL
   );
   CREATE INDEX overrides_by_checkin ON overrides(checkin_id);`,
  // v5: privacy. A hash-chained, append-only audit log (purge receipts, lawful exports) and a
  // marker asking for the sealing of check-ins stored before identity sealing (run in batches by
  // SqliteStorage.sealLegacyCheckIns, resumable).
  `CREATE TABLE audit_log (
     seq INTEGER PRIMARY KEY,
     at TEXT NOT NULL,
     actor TEXT NOT NULL,
     action TEXT NOT NULL,
     detail TEXT,
     hash BLOB NOT NULL
   );
   ${AUDIT_APPEND_ONLY_SQL}
   CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO meta (key, value) SELECT 'seal-pending', '1' WHERE EXISTS (SELECT 1 FROM checkins);`,
  // v6: check-ins per quarter hour, kept by triggers (storage/checkin-counts.ts): the operations
  // room's hourly chart and total read counters instead of a week of check-ins.
  SQLITE_CHECKIN_COUNTS_MIGRATION,
  // v7: the checkpoint and direction a kiosk reports in its heartbeat (extension fields): the
  // fleet pages show where a kiosk enrolled with a bare code stands.
  sqliteHeartbeatPlaceMigration,
  // v8: which device a re-enrolled kiosk was before (storage/succession.ts): it may override the
  // check-ins it delivered under its earlier enrollments.
  sqliteSuccessionMigration,
  // v9: the heartbeat times the server could not read (storage/heartbeat-place.ts): the room flags
  // a queue whose age is unreadable.
  sqliteHeartbeatUnreadableMigration,
  // v10: the attempt secret's hash on a spent code: a kiosk whose answer was lost resumes its
  // enrollment (storage/enroll-attempt.ts).
  sqliteEnrollAttemptMigration,
];

export const CENTRAL_DB_FILE = 'central.sqlite';

/** Opens (creating if needed) `<dataDir>/central.sqlite` and applies pending migrations. */
export function openCentralDb(dataDir: string): CentralDb {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, CENTRAL_DB_FILE);
  ownerOnly(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  // Purged check-ins (personal data past retention) are overwritten, not left in free pages.
  db.pragma('secure_delete = ON');
  // Another process (`central enroll-code`) may write while the server runs: wait, don't fail.
  db.pragma('busy_timeout = 5000');
  // The -shm exists from here on; a -wal left by an older version is tightened too.
  for (const f of [`${file}-wal`, `${file}-shm`]) ownerBitsOnly(f);
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    db.close();
    throw schemaTooNewError(`central database ${file}`, current, MIGRATIONS.length);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const step = MIGRATIONS[v] as string | ((db: CentralDb) => void);
    db.transaction(() => {
      if (typeof step === 'function') step(db);
      else db.exec(step);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

/**
 * Owner-only (0600) central database, like the kiosk's: it holds check-ins (names and ID numbers
 * sealed, but also who checked in where and when). The file is created 0600 before SQLite opens
 * it because SQLite creates `-wal` and `-shm` with the database file's mode; an existing file
 * with wider modes (created by an older version) is narrowed.
 */
function ownerOnly(file: string): void {
  try {
    fs.closeSync(fs.openSync(file, 'a', 0o600));
  } catch {
    // Not writable here: SQLite's own open gives the specific error.
  }
  ownerBitsOnly(file);
}

/** Removes group/other bits (a missing file is skipped; a file we do not own keeps its modes). */
function ownerBitsOnly(file: string): void {
  try {
    tighten(file, 0o700);
  } catch {
    // Not ours to change: SQLite's own open decides what happens next.
  }
}
