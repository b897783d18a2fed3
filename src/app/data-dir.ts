/**
 * The kiosk's data dir made ready before anything is written to it: created (0700, parents
 * included) when missing, and checked to be a folder this user can write. A path that cannot be
 * used — a file, a folder under a file, a folder not writable or on a read-only disk, a parent
 * that cannot be created — is refused with DataDirError, whose message names the path, the problem
 * and the fix; `run` answers it as a configuration error (exit 2, README "Exit codes").
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';

export class DataDirError extends Error {
  override name = 'DataDirError';
}

/**
 * Creates `dir` (mode 0700, with its parents) unless it exists, then checks it is a directory
 * this process can write and enter. Throws DataDirError for an unusable path; any other error
 * (EIO, say) is thrown as it is.
 */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'EEXIST' });
    accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    throw dataDirProblem(err, dir) ?? err;
  }
}

/**
 * The plain-words DataDirError for an errno from creating or checking `dir`, or undefined when it
 * is not about the path. `what` names whose data it holds ("the kiosk's data", the default).
 */
export function dataDirProblem(err: unknown, dir: string, what = "the kiosk's data"): DataDirError | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'EEXIST':
      return new DataDirError(`${dir} is a file, not a folder: name a folder for ${what} (it is created when missing)`);
    case 'ENOTDIR':
      return new DataDirError(`${dir} cannot be a folder: a part of that path is a file; name a folder for ${what}`);
    case 'EACCES':
    case 'EPERM':
      return new DataDirError(`${dir} cannot be created or written by this user (permission denied): choose a folder it may write, or give it that folder (chown)`);
    case 'EROFS':
      return new DataDirError(`${dir} is on a read-only file system: choose a folder on a writable disk`);
    case 'ENOENT':
      return new DataDirError(`${dir} cannot be created: its parent folder does not exist and cannot be made here`);
    case 'ENAMETOOLONG':
      return new DataDirError(`${dir}: the path is too long`);
    default:
      return undefined;
  }
}
