/**
 * Schema history of kiosk.db. The version lives in `PRAGMA user_version`; each step takes the
 * database from version N-1 to N inside one transaction together with the version bump, so a
 * crash mid-migration leaves the previous version intact. Steps are append-only: a shipped step
 * is never edited (devices in the field have run it), a change is a new step.
 *
 *   v1  check-ins + outbox (first release; the duplicate key was stored in clear)
 *   v2  settings, audit log, officer override column
 *   v3  duplicate key hashed with a per-database salt (privacy, docs/OPERATIONS.md), clear column dropped
 *   v4  overrides outbox: each officer override travels to the server once, as its own record
 *   v5  identity fields sealed at rest: existing rows are marked for the batched sealing pass
 *       (identity-seal.ts) that runs right after the migrations; audit log hash-chained and
 *       append-only (audit-chain.ts); index on scan time (retention, oldest record held)
 *   v6  duplicate hash in one HMAC under a key derived from pepper and salt (identity-seal.ts
 *       duplicateKey) instead of two; rows written before keep theirs, and the scan time up to
 *       which they do is noted so a duplicate window reaching back to them still finds them
 *   v7  duplicate key of a verified signed credential is its signer and signed content, of an
 *       identity QR its fields as read (VerifyResult.dedupText), no longer the QR text; rows
 *       written before keep their text key, and the scan time up to which they do is noted so a
 *       window reaching back to them also looks up the scan's text key (DedupRule.formerKey)
 *   v8  the human message of a check-in the kiosk refused itself (a multi-QR card's missing chunks,
 *       a line longer than a QR code): a nullable column, NULL for every row before
 */
import type Database from 'better-sqlite3';
import { DEDUP_SALT_SETTING, DEDUP_TEXT_KEYS_UNTIL_SETTING, DEDUP_V1_UNTIL_SETTING, dedupHash, newDedupSalt } from './dedup-hash.js';
import { AUDIT_APPEND_ONLY_SQL, chainExistingEntries } from './audit-chain.js';
import { SEAL_SETTINGS } from './identity-seal.js';

export interface Migration {
  version: number;
  description: string;
  up(db: Database.Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'check-ins and outbox',
    up(db) {
      db.exec(`
        CREATE TABLE checkins (
          seq           INTEGER PRIMARY KEY,          -- insertion order: "oldest first"
          id            TEXT NOT NULL UNIQUE,         -- UUIDv7
          device_id     TEXT NOT NULL,
          checkpoint_id TEXT NOT NULL,
          direction     TEXT NOT NULL CHECK (direction IN ('in', 'out')),
          scanned_at    TEXT NOT NULL,                -- UTC ISO, as given
          scanned_ms    INTEGER NOT NULL,             -- same instant, ms since epoch (window maths)
          format        TEXT NOT NULL,
          verdict       TEXT NOT NULL,
          reasons       TEXT NOT NULL,                -- JSON array of reason codes
          subject       TEXT NOT NULL,                -- JSON Subject
          dedup_key     TEXT
        );
        CREATE INDEX checkins_dedup_v1 ON checkins (dedup_key, device_id, direction, scanned_ms)
          WHERE dedup_key IS NOT NULL;
        CREATE TABLE outbox (
          checkin_seq   INTEGER PRIMARY KEY REFERENCES checkins (seq) ON DELETE CASCADE,
          state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'forwarded', 'rejected')),
          reject_reason TEXT,
          updated_at    TEXT
        );
        CREATE INDEX outbox_state ON outbox (state, checkin_seq);
      `);
    },
  },
  {
    version: 2,
    description: 'settings, audit log, override',
    up(db) {
      db.exec(`
        CREATE TABLE settings (
          key   TEXT PRIMARY KEY,
          value TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE audit_log (
          seq    INTEGER PRIMARY KEY,
          at     TEXT NOT NULL,
          actor  TEXT NOT NULL,
          action TEXT NOT NULL,
          detail TEXT                                 -- JSON object or NULL
        );
        ALTER TABLE checkins ADD COLUMN override TEXT; -- JSON Override or NULL
      `);
    },
  },
  {
    version: 3,
    description: 'hash duplicate keys with a per-database salt',
    up(db) {
      db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(DEDUP_SALT_SETTING, newDedupSalt());
      const saltHex = (db.prepare('SELECT value FROM settings WHERE key = ?').get(DEDUP_SALT_SETTING) as { value: string }).value;
      const salt = Buffer.from(saltHex, 'hex');
      db.function('kiosk_dedup_hash', { deterministic: true }, (key: unknown) =>
        typeof key === 'string' ? dedupHash(salt, key) : null,
      );
      db.exec(`
        ALTER TABLE checkins ADD COLUMN dedup_hash BLOB;
        UPDATE checkins SET dedup_hash = kiosk_dedup_hash(dedup_key) WHERE dedup_key IS NOT NULL;
        DROP INDEX checkins_dedup_v1;
        ALTER TABLE checkins DROP COLUMN dedup_key;
        CREATE INDEX checkins_dedup ON checkins (dedup_hash, device_id, direction, scanned_ms)
          WHERE dedup_hash IS NOT NULL;
      `);
    },
  },
  {
    version: 4,
    description: 'overrides outbox',
    up(db) {
      // No foreign key to checkins: a forwarded check-in may be purged while its override still
      // waits to be sent, and the override must not go with it.
      db.exec(`
        CREATE TABLE override_outbox (
          seq           INTEGER PRIMARY KEY,          -- "oldest first"
          id            TEXT NOT NULL UNIQUE,         -- UUIDv7 of the override record
          checkin_id    TEXT NOT NULL,
          record        TEXT NOT NULL,                -- JSON OverrideRecord as it travels
          state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'forwarded', 'rejected')),
          reject_reason TEXT,
          updated_at    TEXT
        );
        CREATE INDEX override_outbox_state ON override_outbox (state, seq);
      `);
    },
  },
  {
    version: 5,
    description: 'identity sealing, hash-chained audit log',
    up(db) {
      // The rows themselves are sealed in batches after the migration (a single transaction over
      // a big database would hold the whole table in the WAL): here only the marker that says so.
      const rows = db.prepare('SELECT EXISTS (SELECT 1 FROM checkins)').pluck().get() as number;
      if (rows) db.prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)').run(SEAL_SETTINGS.pending, '1');
      db.exec('ALTER TABLE audit_log ADD COLUMN hash BLOB');
      chainExistingEntries(db);
      db.exec(AUDIT_APPEND_ONLY_SQL);
      db.exec('CREATE INDEX checkins_by_time ON checkins (scanned_ms)');
    },
  },
  {
    version: 6,
    description: 'duplicate hash in one HMAC',
    up(db) {
      // The hashes already written cannot be converted (the key text is not kept): they stay, and
      // the store looks them up too for scans whose window reaches back to this time.
      const last = db.prepare('SELECT max(scanned_ms) FROM checkins WHERE dedup_hash IS NOT NULL').pluck().get() as number | null;
      if (last !== null) db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(DEDUP_V1_UNTIL_SETTING, String(last));
    },
  },
  {
    version: 7,
    description: 'duplicate key by signed content',
    up(db) {
      // As v6: the key texts are not kept, so the hashes stay; the store looks up a scan's former
      // (text) key too while its window reaches back to this time.
      const last = db.prepare('SELECT max(scanned_ms) FROM checkins WHERE dedup_hash IS NOT NULL').pluck().get() as number | null;
      if (last !== null) db.prepare('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)').run(DEDUP_TEXT_KEYS_UNTIL_SETTING, String(last));
    },
  },
  {
    version: 8,
    description: 'message of a check-in the kiosk refused itself',
    up(db) {
      // A nullable column without a default: SQLite adds it to the schema only, no row is rewritten.
      // A database whose recorded version was set back (a restored copy, tests) may have it already.
      const has = db.prepare("SELECT 1 FROM pragma_table_info('checkins') WHERE name = 'message'").get() !== undefined;
      if (!has) db.exec('ALTER TABLE checkins ADD COLUMN message TEXT');
    },
  },
  {
    version: 9,
    description: 'officer of a manual entry',
    up(db) {
      // CheckIn.manual as JSON ({"by": officer id}); NULL for a scanned check-in. As v8: schema only.
      const has = db.prepare("SELECT 1 FROM pragma_table_info('checkins') WHERE name = 'manual'").get() !== undefined;
      if (!has) db.exec('ALTER TABLE checkins ADD COLUMN manual TEXT');
    },
  },
];

/** The newest schema version this code knows. */
export const SCHEMA_VERSION = MIGRATIONS.length;

export function readSchemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings `db` to SCHEMA_VERSION. The caller has already refused a newer version (preflight).
 * Returns the version found and the version reached.
 */
export function migrate(db: Database.Database): { from: number; to: number } {
  const from = readSchemaVersion(db);
  for (const step of MIGRATIONS) {
    if (step.version <= from) continue;
    db.transaction(() => {
      step.up(db);
      // user_version lives in the header page, so the bump commits or rolls back with the step.
      db.pragma(`user_version = ${step.version}`);
    }).immediate();
  }
  return { from, to: Math.max(from, SCHEMA_VERSION) };
}
