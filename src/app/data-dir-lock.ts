/**
 * One kiosk per data dir: a second `run` (or the Electron app) on the same folder would read
 * the same scanners and forward the same queue twice. `export` and other readers never take it.
 *
 * The lock is an operating-system lock that dies with its process: an exclusive SQLite lock
 * (POSIX fcntl byte-range locks on Linux and macOS, LockFileEx on Windows) held on
 * `<dir>/kiosk.lock.db` for as long as the kiosk runs. The kernel drops it the moment the process
 * ends, however it ends (SIGKILL, crash, power cut), so a lock is never left behind and a pid
 * reused after a reboot can never make a dead kiosk look alive. `<dir>/kiosk.lock` only names the
 * holder's pid for the message a second kiosk prints; it decides nothing.
 *
 * Caveat kept by this module: a POSIX lock is released when *any* descriptor of the file in the
 * holding process is closed, so the lock database is never opened with `fs` once it exists
 * (SQLite itself defers such closes while it holds locks).
 */
import Database from 'better-sqlite3';
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The pid file: names the holder (informational; absent while nothing runs). */
export const LOCK_FILE = 'kiosk.lock';
/** Suffix of the SQLite file whose exclusive lock is the actual lock (`kiosk.lock.db`). */
export const LOCK_DB_SUFFIX = '.db';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

export interface DataDirLock {
  /** Drops the lock (idempotent). The lock also goes when the process ends. */
  release(): void;
}

/** Which program holds a lock: the kiosk by default; the central server uses its own file. */
export interface LockOwner {
  /** Pid file name inside the dir; the lock database is this name plus LOCK_DB_SUFFIX. */
  file: string;
  /** Message when another live process holds it; `ownerPid` undefined when its pid file is unreadable. */
  busyMessage: (ownerPid: number | undefined, dir: string) => string;
}

const KIOSK_OWNER: LockOwner = {
  file: LOCK_FILE,
  busyMessage: (owner, dir) =>
    `another kiosk${owner === undefined ? '' : ` (pid ${owner})`} is using the data dir ${dir}; stop it first (to read its check-ins while it runs, use \`checkpoint-kiosk export\`)`,
};

/** The pid a holder wrote in its pid file, or undefined. */
function ownerPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** SQLite error codes that mean another connection holds the lock. */
const BUSY = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED']);
/** The lock file is not a database (overwritten by hand, say): it is replaced, since no kiosk writes such a file. */
const NOT_OURS = new Set(['SQLITE_NOTADB', 'SQLITE_CORRUPT']);

/**
 * Takes the data dir's lock for this process, or throws DataDirLockedError (the owner's message)
 * when another process — or another lock in this one — holds it. `dir` must exist. Other fs
 * errors (EACCES on a read-only dir, …) are thrown as they are.
 */
export function lockDataDir(dir: string, pid = process.pid, who: LockOwner = KIOSK_OWNER): DataDirLock {
  const pidFile = join(dir, who.file);
  const dbFile = `${pidFile}${LOCK_DB_SUFFIX}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    // Created owner-only; an existing file is left alone (opening it with fs here could drop a
    // lock this process already holds on it: see the caveat above).
    try {
      closeSync(openSync(dbFile, 'wx', 0o600));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    // timeout 0: a held lock is answered at once, never waited for.
    const db = new Database(dbFile, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      const code = (err as { code?: string }).code ?? '';
      if (BUSY.has(code)) throw new DataDirLockedError(who.busyMessage(ownerPid(pidFile), dir));
      if (attempt === 0 && NOT_OURS.has(code)) {
        unlinkSync(dbFile);
        continue;
      }
      throw err;
    }
    // A pid file left by a kiosk that died (power cut, SIGKILL) is simply overwritten.
    try {
      writeFileSync(pidFile, `${pid}\n`, { mode: 0o600 });
    } catch (err) {
      db.close();
      throw err;
    }
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        // The pid file goes first, while the lock is still held: a kiosk starting now cannot
        // have written its own pid yet, so only ours is removed.
        try {
          if (ownerPid(pidFile) === pid) unlinkSync(pidFile);
        } catch {
          // already gone: nothing to remove
        }
        db.close();
      },
    };
  }
  throw new DataDirLockedError(`could not lock the data dir ${dir}: ${dbFile} is not a lock file and keeps reappearing`);
}
