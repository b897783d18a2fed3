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

/**
 * The database was migrated by a newer version of the program (its schema version is above the
 * last this one knows). Opening it would read and write tables this version does not know, and a
 * restart cannot help: a DatabaseSettingError (exit 2, so systemd's RestartPreventExitStatus=2
 * stops the restart loop) naming both versions and what to do.
 */
export function schemaTooNewError(what: string, found: number, known: number): DatabaseSettingError {
  return new DatabaseSettingError(
    `the ${what} has schema version ${found}, newer than this version of checkpoint-kiosk knows (${known}): a newer version has upgraded it. Run that newer version (upgrade this installation: docs/OPERATIONS.md, "Upgrades"), or to go back to this one restore the backup taken before the upgrade; restarting this version cannot help`,
  );
}
