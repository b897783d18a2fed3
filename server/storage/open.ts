/**
 * Opens the storage a command asked for: PostgreSQL when a `postgres://` URL is given, otherwise
 * SQLite in the data dir. Identity fields are sealed above the backend (sealed-storage.ts) with the
 * data key in the data dir; with `--database` that needs `--data-dir` too (the same data-key.json on
 * every node). The database records the fingerprint of the key it is sealed with: a node or a
 * command whose key is missing or another one is refused (DataKeyRefusedError) before anything is
 * written. Without `--data-dir`, on a database no key has sealed yet, identity fields are stored
 * as received (the server warns at start) — until a node with a key binds one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CENTRAL_DB_FILE } from '../db.js';
import { DataKeyRefusedError, NoCentralDatabaseError } from './errors.js';
import { openSqliteStorage } from './sqlite-storage.js';
import { dataKeyNeeded, overlayStorage, sealedStorage } from './sealed-storage.js';
import type { Logger } from '../../src/shared/ports.js';
import type { CentralStorage } from './types.js';

export interface StorageChoice {
  /** SQLite data dir; with `database`, where data-key.json lives. */
  dataDir?: string | undefined;
  /** `postgres://USER[:PASSWORD]@HOST:PORT/DB` (also `postgresql://`). */
  database?: string | undefined;
  /** Refuse (NoCentralDatabaseError) rather than create an empty central database. */
  mustExist?: boolean;
  /**
   * Whether the caller reads or writes identity fields (a serving node, export, trace): then a
   * PostgreSQL database sealed with a data key is refused up front without `dataDir`. Default
   * true; commands that never touch a check-in's subject (codes, tokens, fleet) pass false and get
   * a storage whose identity methods refuse instead.
   */
  identities?: boolean;
  /** Hears when a too-open data-key.json was narrowed to 0600. */
  logger?: Pick<Logger, 'warn'> | undefined;
}

/** Opens (creating and migrating as needed) the storage. Throws Error naming what is missing. */
export async function openStorage(choice: StorageChoice): Promise<CentralStorage> {
  let inner: CentralStorage;
  if (choice.database !== undefined) {
    const { openPostgresStorage } = await import('./postgres-storage.js');
    inner = await openPostgresStorage(choice.database, { mustExist: choice.mustExist ?? false });
    if (!choice.dataDir) return withoutDataDir(inner, choice.identities ?? true);
    try {
      fs.mkdirSync(choice.dataDir, { recursive: true, mode: 0o700 });
    } catch (err) {
      await inner.close();
      throw err;
    }
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

/**
 * A PostgreSQL storage opened without a data dir. On a database a key has sealed: refused when
 * the caller handles identities, else identity methods refuse with the fix. On one no key has
 * sealed: identity fields go in clear — until a node with a key binds one, after which this
 * node's ingest refuses (503 to the kiosk, which tries another node) rather than add clear rows.
 */
async function withoutDataDir(inner: CentralStorage, identities: boolean): Promise<CentralStorage> {
  let recorded: string | undefined;
  try {
    recorded = await inner.dataKeyFingerprint();
  } catch (err) {
    await inner.close();
    throw err;
  }
  if (recorded !== undefined && identities) {
    await inner.close();
    throw new DataKeyRefusedError(dataKeyNeeded(recorded, 'add'));
  }
  if (recorded !== undefined) return withoutDataKey(inner, recorded);
  return unsealedIngest(inner);
}

/** How long a node without a key trusts its last look at the database's data key (ms). */
const KEY_RECHECK_MS = 1_000;

/**
 * `inner` whose identity methods first re-read the recorded data key (at most once per
 * KEY_RECHECK_MS, so a flood of requests costs one small query a second) and refuse once a key is
 * bound: no clear row is added beside sealed ones, and no trace answers from the clear rows alone.
 */
function unsealedIngest(inner: CentralStorage): CentralStorage {
  let checkedAt = -Infinity;
  let bound: string | undefined;
  const ensureUnbound = async () => {
    const now = performance.now();
    if (bound === undefined && now - checkedAt >= KEY_RECHECK_MS) {
      checkedAt = now;
      bound = await inner.dataKeyFingerprint();
    }
    if (bound !== undefined) throw new DataKeyRefusedError(dataKeyNeeded(bound, 'add'));
  };
  return overlayStorage(inner, {
    ingestCheckIns: async (sender, checkins, receivedAt) => {
      await ensureUnbound();
      return inner.ingestCheckIns(sender, checkins, receivedAt);
    },
    checkInsOfPerson: async (idNo, fromMs, toMs, limit) => {
      await ensureUnbound();
      return inner.checkInsOfPerson(idNo, fromMs, toMs, limit);
    },
    checkInsNear: async (q) => {
      await ensureUnbound();
      return inner.checkInsNear(q);
    },
    async *exportCheckIns(range) {
      await ensureUnbound();
      yield* inner.exportCheckIns(range);
    },
  });
}

/**
 * `inner` for a command started without the data dir on a database whose records are sealed:
 * whatever reads or writes identity fields says what is missing instead of answering with sealed
 * blobs, storing clear rows beside sealed ones or — for a trace by clear ID number — silently
 * finding nobody.
 */
function withoutDataKey(inner: CentralStorage, recorded: string): CentralStorage {
  const refuse = () => Promise.reject(new DataKeyRefusedError(dataKeyNeeded(recorded, 'add')));
  const overrides: Partial<CentralStorage> = {
    checkInsOfPerson: refuse,
    checkInsNear: refuse,
    ingestCheckIns: refuse,
    // eslint-disable-next-line require-yield
    async *exportCheckIns() {
      throw new DataKeyRefusedError(dataKeyNeeded(recorded, 'add'));
    },
  };
  return overlayStorage(inner, overrides);
}
