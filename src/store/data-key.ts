/**
 * The kiosk's data key: 32 random bytes from which the identity-sealing key and the duplicate
 * pepper are derived (identity-seal.ts). It never goes into kiosk.db: a copy of the database
 * (a backup, the WAL, an image of the database file alone) then holds only ciphertext and keyed
 * hashes.
 *
 * Where the key lives is a provider's choice (the seam the Electron shell plugs into):
 *   - fileDataKey(): `<dataDir>/data-key.json`, mode 0600, beside kiosk.db. Covers a copied or
 *     leaked database file and its backups; it does NOT cover someone holding the whole data dir
 *     (the key file is there too) — use the OS keyring (Electron) or full-disk encryption for that.
 *   - the Electron shell seals the same file's key with safeStorage (src/electron/data-key-vault.ts),
 *     so the file alone is useless without the logged-in user's keyring.
 *
 * A key is created only for a database that has never been bound to one: a missing key file for
 * a database that has sealed data is an error (creating a new key would make the old identity
 * fields unreadable), never a silent reset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from '../shared/ports.js';

export const DATA_KEY_FILE = 'data-key.json';
export const DATA_KEY_BYTES = 32;
/** The key file is tiny; anything larger is not ours. */
const MAX_KEY_FILE_BYTES = 16 * 1024;

/** Raised when the data key cannot be had; the message names the file and says what to do. */
export class DataKeyError extends Error {
  override readonly name = 'DataKeyError';
  constructor(
    readonly reason: 'missing' | 'unreadable' | 'locked',
    readonly file: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Supplies the 32-byte data key of one data dir. `create` is true only when the database has no
 * key bound yet; with `create` false a missing key must throw DataKeyError('missing').
 */
export interface DataKeyProvider {
  /** Short name for logs and the README: 'file' or 'safe-storage'. */
  readonly kind: string;
  load(opts: { create: boolean }): Buffer;
}

/** The JSON shapes of data-key.json (`kind` says how `key` is protected). */
export type DataKeyFile =
  | { v: 1; kind: 'plain'; key: string }
  | { v: 1; kind: 'safe-storage'; sealed: string };

export function dataKeyPath(dir: string): string {
  return path.join(path.resolve(dir), DATA_KEY_FILE);
}

/**
 * Reads data-key.json; undefined when absent. Throws DataKeyError('unreadable') when damaged.
 * A file group or others may read (e.g. restored from a backup as 0644) is narrowed to 0600 first
 * and `log` gets a warning naming its old mode, as kiosk.db and central.sqlite are narrowed.
 */
export function readDataKeyFile(file: string, log?: Pick<Logger, 'warn'>): DataKeyFile | undefined {
  let text: string;
  try {
    const st = fs.statSync(file);
    if (st.size > MAX_KEY_FILE_BYTES) throw new Error('file too large');
    narrowMode(file, st.mode, log);
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return undefined;
    throw unreadable(file, (err as Error).message);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw unreadable(file, 'not JSON');
  }
  const o = json as Record<string, unknown>;
  if (o?.v === 1 && o.kind === 'plain' && typeof o.key === 'string') return { v: 1, kind: 'plain', key: o.key };
  if (o?.v === 1 && o.kind === 'safe-storage' && typeof o.sealed === 'string') return { v: 1, kind: 'safe-storage', sealed: o.sealed };
  throw unreadable(file, 'unknown layout');
}

/**
 * Writes data-key.json (0600) without ever replacing an existing one unless `replace`: the
 * content goes to a temp file, is fsynced, then hard-linked into place (link fails if the target
 * exists, so two processes creating a key at once cannot both win).
 */
export function writeDataKeyFile(file: string, content: DataKeyFile, replace = false): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, `${JSON.stringify(content)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.chmodSync(tmp, 0o600);
  try {
    if (replace) fs.renameSync(tmp, file);
    else fs.linkSync(tmp, file);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
  fsyncDir(path.dirname(file));
}

/** chmod 0600 when group or others have any bit; a file we may not chmod is logged, then read. */
function narrowMode(file: string, mode: number, log: Pick<Logger, 'warn'> | undefined): void {
  if ((mode & 0o077) === 0) return;
  const was = (mode & 0o777).toString(8);
  try {
    fs.chmodSync(file, mode & 0o600);
    log?.warn('data key file was readable by group or others; narrowed to 0600', { file: DATA_KEY_FILE, mode: was });
  } catch (err) {
    log?.warn('data key file is readable by group or others and cannot be narrowed; run chmod 600 on it', { file: DATA_KEY_FILE, mode: was, error: (err as NodeJS.ErrnoException).code ?? String(err) });
  }
}

/** Decodes a base64 key and checks its length. */
export function decodeKey(b64: string, file: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  if (key.length !== DATA_KEY_BYTES) throw unreadable(file, `key is ${key.length} bytes, expected ${DATA_KEY_BYTES}`);
  return key;
}

export function missingKey(file: string): DataKeyError {
  return new DataKeyError(
    'missing',
    file,
    `The data key ${file} is missing, but kiosk.db beside it holds identity fields sealed with it. ` +
      `Restore ${path.basename(file)} from where it was kept (it is not in any database backup), ` +
      `or, once every check-in has reached the server, move kiosk.db away to start afresh.`,
  );
}

export function unreadable(file: string, why: string): DataKeyError {
  return new DataKeyError(
    'unreadable',
    file,
    `The data key ${file} cannot be read (${why}). Restore it from where it was kept; without it the identity fields in kiosk.db cannot be read.`,
  );
}

/**
 * The plain-Node provider: the key in clear in a 0600 file beside kiosk.db (see the file comment).
 * `log` hears when a too-open key file was narrowed (readDataKeyFile).
 */
export function fileDataKey(dir: string, log?: Pick<Logger, 'warn'>): DataKeyProvider {
  const file = dataKeyPath(dir);
  return {
    kind: 'file',
    load({ create }) {
      const found = readDataKeyFile(file, log);
      if (found?.kind === 'plain') return decodeKey(found.key, file);
      if (found?.kind === 'safe-storage') {
        throw new DataKeyError(
          'locked',
          file,
          `The data key ${file} is sealed by the desktop keyring of the Electron kiosk; plain Node cannot open it. ` +
            `Run this from the Electron kiosk (technician screen), or on a kiosk set up with \`checkpoint-kiosk run\`.`,
        );
      }
      if (!create) throw missingKey(file);
      try {
        writeDataKeyFile(file, { v: 1, kind: 'plain', key: randomBytes(DATA_KEY_BYTES).toString('base64') });
      } catch (err) {
        // Another process created it first: use theirs.
        if ((err as { code?: string }).code !== 'EEXIST') throw err;
      }
      const made = readDataKeyFile(file);
      if (made?.kind !== 'plain') throw unreadable(file, 'created but not readable back');
      return decodeKey(made.key, file);
    },
  };
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some file systems refuse fsync on a directory; the link/rename itself is atomic.
  }
}
