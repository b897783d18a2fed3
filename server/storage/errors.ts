/** Errors of opening a storage that callers tell apart. */

/** The data dir or database holds no central database, and the caller asked not to create one. */
export class NoCentralDatabaseError extends Error {
  override name = 'NoCentralDatabaseError';
}

/**
 * The data key at hand is not the one the database's identity fields are sealed with (or there is
 * none): using the storage would split the data (rows sealed with two keys, or clear beside
 * sealed). Raised before anything is written; the message names the recorded key and the fix.
 */
export class DataKeyRefusedError extends Error {
  override name = 'DataKeyRefusedError';
}

/**
 * The `--database` URL names a database that does not exist, or a user PostgreSQL refuses: a
 * setting to fix (exit 2: restarting cannot help), unlike a server that is down for now. The
 * message names the problem and the fix.
 */
export class DatabaseSettingError extends Error {
  override name = 'DatabaseSettingError';
}
