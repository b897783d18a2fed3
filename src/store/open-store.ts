/**
 * Opens (creating if needed) <dir>/kiosk.db: data folder → preflight of an existing file (header,
 * integrity, version: nothing written) → connection pragmas → migrations → SqliteStore.
 * Every failure is a StoreError naming the file; an existing file is never recreated or deleted.
 *
 * Check-ins are personal data: the folder is made 0700 and kiosk.db with its -wal and -shm 0600
 * (SQLite gives -wal/-shm the mode of the database file). An existing install with wider modes is
 * tightened here, at every open.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Clock, Logger } from '../shared/ports.js';
import { StoreError, toStoreError } from './errors.js';
import { SCHEMA_VERSION, migrate } from './migrations.js';
import { checkContent, preflight } from './preflight.js';
import { SqliteStore } from './sqlite-store.js';
import { DataKeyError, fileDataKey, type DataKeyProvider } from './data-key.js';
import { IdentitySeal, bindKeyId, boundKeyId, sealClearRows } from './identity-seal.js';

export const DB_FILE_NAME = 'kiosk.db';
/** Upper bound on the connection's SQLite page cache, KiB (`PRAGMA cache_size`, docs/OPERATIONS.md). */
export const PAGE_CACHE_KIB = 2048;

export interface OpenStoreOptions {
  /** Data folder; created (with parents) when missing. */
  dir: string;
  logger: Logger;
  clock: Clock;
  /** How long a statement waits for another connection's lock before failing as 'locked', ms. Default 5000. */
  busyTimeoutMs?: number;
  /**
   * Upper bound on the database size in pages (page size 4 KiB by default). Unset = bounded only by
   * the disk. Reaching it fails writes as 'disk-full', exactly like a full disk.
   */
  maxPageCount?: number;
  /**
   * Where the data key that seals identity fields comes from. Default: data-key.json (0600) in
   * `dir` (data-key.ts explains the choice); the Electron shell passes a safeStorage-sealed one.
   */
  dataKey?: DataKeyProvider;
  /** Rows sealed per transaction when a database from before v5 is sealed. Default 500. */
  sealBatchSize?: number;
  /** Called after each committed sealing batch with the rows sealed so far (progress, tests). */
  onSealProgress?: (rows: number) => void;
  /** Most duplicate hashes kept in memory (recent-hashes.ts). Default RECENT_HASHES_CAP; tests set it low. */
  recentHashesCap?: number;
}

export function openStore(opts: OpenStoreOptions): SqliteStore {
  const dir = path.resolve(opts.dir);
  const file = path.join(dir, DB_FILE_NAME);
  const log = opts.logger.child('store');
  const busyTimeoutMs = opts.busyTimeoutMs ?? 5000;
  try {
    prepareDir(dir, file);
    const found = preflight(file, busyTimeoutMs);
    const db = new Database(file, { timeout: busyTimeoutMs });
    try {
      // Before the first write: SQLite creates -wal/-shm with the database file's mode.
      tightenFiles(file, log);
      if (found.kind === 'recover') {
        log.warn('rolling back an interrupted transaction before checking the database');
        checkContent(db, file);
      }
      configureConnection(db, busyTimeoutMs, opts.maxPageCount, log);
      tightenFiles(file, log);
      const { from, to } = migrate(db);
      const seal = openSeal(db, file, opts.dataKey ?? fileDataKey(dir, log));
      const pass = sealClearRows(db, seal, {
        ...(opts.sealBatchSize ? { batchSize: opts.sealBatchSize } : {}),
        ...(opts.onSealProgress ? { afterBatch: opts.onSealProgress } : {}),
      });
      if (pass.sealed > 0) log.info('identity fields sealed', { rows: pass.sealed, batches: pass.batches });
      const store = new SqliteStore(db, file, log, seal, opts.recentHashesCap === undefined ? {} : { recentHashesCap: opts.recentHashesCap });
      if (from !== to) {
        log.info('database migrated', { from, to });
        store.audit({ at: new Date(opts.clock.now()).toISOString(), actor: 'system', action: 'store-migrated', detail: { from, to } });
      }
      log.info('database open', { version: to, created: found.kind === 'new' });
      return store;
    } catch (err) {
      db.close();
      throw err;
    }
  } catch (err) {
    const e = toStoreError(err, file);
    log.error('cannot open database', { code: e.code, sqliteCode: e.sqliteCode });
    throw e;
  }
}

/**
 * Loads the data key and checks it is the one this database was sealed with (or binds it, for a
 * database that never had one). A new key is created only for an unbound database.
 */
function openSeal(db: Database.Database, file: string, provider: DataKeyProvider): IdentitySeal {
  const bound = boundKeyId(db);
  let key: Buffer;
  try {
    key = provider.load({ create: bound === undefined });
  } catch (err) {
    if (err instanceof DataKeyError) throw new StoreError('key', file, { message: err.message, detail: err.reason, cause: err });
    throw err;
  }
  const seal = new IdentitySeal(key);
  if (bound === undefined) bindKeyId(db, seal.keyId);
  else if (bound !== seal.keyId) {
    throw new StoreError('key', file, { detail: `data-key.json holds key ${seal.keyId}, the database was sealed with key ${bound}` });
  }
  return seal;
}

/** Creates the folder, and refuses early (with a clear code) when it or the file is not writable. */
function prepareDir(dir: string, file: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    try {
      tighten(dir, 0o700);
    } catch {
      // A folder we do not own keeps its owner's modes; writability is checked below.
    }
  } catch (err) {
    // Node's recursive mkdir reports ENOENT even when the real cause is a read-only parent:
    // ask the nearest existing ancestor directly.
    const e = toStoreError(whyNotWritable(dir) ?? err, file);
    throw new StoreError(e.code === 'read-only' || e.code === 'disk-full' ? e.code : 'io', file, {
      detail: `cannot create the data folder ${dir}: ${(err as Error).message}`,
      ...(e.sqliteCode ? { sqliteCode: e.sqliteCode } : {}),
      cause: err,
    });
  }
  // SQLite needs the folder writable too: WAL mode creates kiosk.db-wal and kiosk.db-shm beside it.
  for (const target of [dir, file]) {
    try {
      fs.accessSync(target, fs.constants.W_OK);
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ENOENT' && target === file) continue;
      throw toStoreError(err, file);
    }
  }
}

/** The access error of the nearest existing ancestor of `dir`, if it is a folder we cannot write. */
function whyNotWritable(dir: string): unknown {
  let at = path.dirname(dir);
  while (!fs.existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  try {
    fs.accessSync(at, fs.constants.W_OK);
    return undefined;
  } catch (err) {
    return err;
  }
}

/** Owner-only modes for the database and its companions (those that exist). */
function tightenFiles(file: string, log: Logger): void {
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      tighten(f, 0o600);
    } catch (err) {
      log.warn('cannot restrict file mode', { file: path.basename(f), error: (err as NodeJS.ErrnoException).code ?? String(err) });
    }
  }
}

/**
 * chmod when the mode is wider than `mode` (only bits are removed); a missing file is skipped.
 * Throws the chmod error (a file this user does not own). Also used for central.sqlite.
 */
export function tighten(target: string, mode: number): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(target);
  } catch {
    return;
  }
  if ((st.mode & 0o777 & ~mode) !== 0) fs.chmodSync(target, st.mode & 0o777 & mode);
}

/**
 * The connection pragmas of kiosk.db (WAL, synchronous=FULL, foreign keys, secure_delete, WAL size
 * bound). Exported so the pipeline benchmark's floor writes with exactly the kiosk's durability.
 * Throws StoreError('internal') when foreign keys cannot be enabled.
 */
export function configureConnection(db: Database.Database, busyTimeoutMs: number, maxPageCount: number | undefined, log: Logger): void {
  // synchronous=FULL: a check-in that was shown survives a power cut (docs/POLICY.md).
  const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
  if (mode !== 'wal') log.warn('WAL not available on this file system; using rollback journal', { mode });
  db.pragma('synchronous = FULL');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
  db.pragma('foreign_keys = ON');
  // Deleted rows (purged check-ins: personal data past retention) are overwritten, not left in free pages.
  db.pragma('secure_delete = ON');
  // Bounds the WAL file kept after a checkpoint, bytes.
  db.pragma('journal_size_limit = 67108864');
  // Page cache of this connection, KiB (negative = KiB in SQLite's pragma). better-sqlite3 builds
  // SQLite with a 16 MiB default, which a kiosk fills as its database grows and never gives back;
  // a check-in touches only the tail of the tables and a few index pages, which the OS file cache
  // serves just as well. SQLite's own stock default, 2 MiB, keeps resident memory flat.
  db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
  if (maxPageCount !== undefined) db.pragma(`max_page_count = ${Math.max(1, Math.floor(maxPageCount))}`);
  const fk = db.pragma('foreign_keys', { simple: true }) as number;
  if (fk !== 1) throw new StoreError('internal', db.name, { detail: 'foreign keys could not be enabled' });
}

export { SCHEMA_VERSION };
