/**
 * Opens the storage a command asked for: PostgreSQL when a `postgres://` URL is given, otherwise
 * SQLite in the data dir. Identity fields are sealed above the backend (sealed-storage.ts) with the
 * data key in the data dir; with `--database` that needs `--data-dir` too (the same data-key.json on
 * every node) — without it the check-ins' identity fields are stored as received, and the server
 * says so in its log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CENTRAL_DB_FILE } from '../db.js';
import { NoCentralDatabaseError } from './errors.js';
import { openSqliteStorage } from './sqlite-storage.js';
import { CentralSeal, overlayStorage, sealedStorage } from './sealed-storage.js';
import type { Logger } from '../../src/shared/ports.js';
import type { CentralStorage } from './types.js';

export interface StorageChoice {
  /** SQLite data dir; with `database`, where data-key.json lives. */
  dataDir?: string | undefined;
  /** `postgres://USER[:PASSWORD]@HOST:PORT/DB` (also `postgresql://`). */
  database?: string | undefined;
  /** Refuse (NoCentralDatabaseError) rather than create an empty central database. */
  mustExist?: boolean;
  /** Hears when a too-open data-key.json was narrowed to 0600. */
  logger?: Pick<Logger, 'warn'> | undefined;
}

/** Opens (creating and migrating as needed) the storage. Throws Error naming what is missing. */
export async function openStorage(choice: StorageChoice): Promise<CentralStorage> {
  let inner: CentralStorage;
  if (choice.database !== undefined) {
    const { openPostgresStorage } = await import('./postgres-storage.js');
    inner = await openPostgresStorage(choice.database, { mustExist: choice.mustExist ?? false });
    if (!choice.dataDir) return (await holdsSealedCheckIns(inner)) ? withoutDataKey(inner) : inner;
    fs.mkdirSync(choice.dataDir, { recursive: true, mode: 0o700 });
  } else {
    if (!choice.dataDir) throw new Error('no storage: give a data dir (SQLite) or a postgres:// database URL');
    if (choice.mustExist && !fs.existsSync(path.join(choice.dataDir, CENTRAL_DB_FILE))) {
      throw new NoCentralDatabaseError(`the data dir ${choice.dataDir} holds no central database (${CENTRAL_DB_FILE}); start the server there first, or check --data-dir`);
    }
    inner = openSqliteStorage(choice.dataDir);
  }
  try {
    return await sealedStorage(inner, choice.dataDir, choice.logger);
  } catch (err) {
    await inner.close();
    throw err;
  }
}

/** Whether the first stored check-in is sealed (records are sealed all or none, oldest first). */
async function holdsSealedCheckIns(storage: CentralStorage): Promise<boolean> {
  for await (const c of storage.exportCheckIns()) return CentralSeal.keyIdOf(c) !== undefined;
  return false;
}

const NO_DATA_KEY =
  'the identity fields in this database are sealed with the data key of the central server: add --data-dir DIR, the directory holding its data-key.json';

/**
 * `inner` for a command started without the data dir on a database whose records are sealed:
 * whatever reads identity fields (export, tracing) says what is missing instead of answering
 * with sealed blobs or — for a trace by clear ID number — silently finding nobody.
 */
function withoutDataKey(inner: CentralStorage): CentralStorage {
  const refuse = () => Promise.reject(new Error(NO_DATA_KEY));
  const overrides: Partial<CentralStorage> = {
    checkInsOfPerson: refuse,
    checkInsNear: refuse,
    // eslint-disable-next-line require-yield
    async *exportCheckIns() {
      throw new Error(NO_DATA_KEY);
    },
  };
  return overlayStorage(inner, overrides);
}
