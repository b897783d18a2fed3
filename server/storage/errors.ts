/** Errors of opening a storage that callers tell apart. */

/** The data dir or database holds no central database, and the caller asked not to create one. */
export class NoCentralDatabaseError extends Error {
  override name = 'NoCentralDatabaseError';
}
