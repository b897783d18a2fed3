/**
 * One kiosk per data dir: a second `run` (or the Electron app) on the same folder would read
 * the same scanners and forward the same queue twice. The lock is a file holding the owner's
 * pid, created exclusively; a lock whose process is gone (SIGKILL, power cut) is taken over.
 * `export` and other readers never take it.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const LOCK_FILE = 'kiosk.lock';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

export interface DataDirLock {
  release(): void;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Which program holds a lock: the kiosk by default; the central server uses its own file. */
export interface LockOwner {
  /** Lock file name inside the dir. */
  file: string;
  /** Message when another live process holds it. */
  busyMessage: (ownerPid: number, dir: string) => string;
}

const KIOSK_OWNER: LockOwner = {
  file: LOCK_FILE,
  busyMessage: (owner, dir) =>
    `another kiosk (pid ${owner}) is using the data dir ${dir}; stop it first (to read its check-ins while it runs, use \`checkpoint-kiosk export\`)`,
};

export function lockDataDir(dir: string, pid = process.pid, who: LockOwner = KIOSK_OWNER): DataDirLock {
  const file = join(dir, who.file);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          try {
            if (readFileSync(file, 'utf8').trim() === String(pid)) unlinkSync(file);
          } catch {
            // already gone: nothing to release
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== pid && processAlive(owner)) {
        throw new DataDirLockedError(who.busyMessage(owner, dir));
      }
      // Left behind by a kiosk that died: take it over.
      unlinkSync(file);
    }
  }
  throw new DataDirLockedError(`could not lock the data dir ${dir}: ${file} keeps reappearing`);
}
