/**
 * Opens the storage a command asked for: PostgreSQL when a `postgres://` URL is given, otherwise
 * SQLite in the data dir.
 */
import { openSqliteStorage } from './sqlite-storage.js';
import type { CentralStorage } from './types.js';

export interface StorageChoice {
  /** SQLite data dir. */
  dataDir?: string | undefined;
  /** `postgres://USER[:PASSWORD]@HOST:PORT/DB` (also `postgresql://`). */
  database?: string | undefined;
}

/** Opens (creating and migrating as needed) the storage. Throws Error naming what is missing. */
export async function openStorage(choice: StorageChoice): Promise<CentralStorage> {
  if (choice.database !== undefined) throw new Error('--database: PostgreSQL storage is not built in yet');
  if (!choice.dataDir) throw new Error('no storage: give a data dir (SQLite) or a postgres:// database URL');
  return openSqliteStorage(choice.dataDir);
}
