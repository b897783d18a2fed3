/**
 * Storage faults as one error type with a code (flags, not a class tree: STYLE) and a user-facing
 * message that names the database file and says what to do. `detail` carries the technical cause
 * for logs; `toJSON`/`fromJSON` let the error cross a process boundary (IPC, the CLI's JSON lines).
 */
import path from 'node:path';

export type StoreErrorCode =
  | 'read-only'
  | 'disk-full'
  | 'locked'
  | 'corrupt'
  | 'too-new'
  | 'io'
  | 'closed'
  | 'key'
  | 'internal';

export interface StoreErrorJSON {
  name: 'StoreError';
  code: StoreErrorCode;
  file: string;
  message: string;
  detail?: string;
  sqliteCode?: string;
}

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly code: StoreErrorCode;
  /** Absolute path of the database file concerned. */
  readonly file: string;
  /** Technical cause (SQLite message, errno): for logs, not for the screen. */
  readonly detail: string | undefined;
  /** The SQLite extended result code or Node errno code that caused it, when there was one. */
  readonly sqliteCode: string | undefined;

  constructor(
    code: StoreErrorCode,
    file: string,
    opts: { message?: string; detail?: string; sqliteCode?: string; cause?: unknown } = {},
  ) {
    super(opts.message ?? userMessage(code, file, opts.detail), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.file = file;
    this.detail = opts.detail;
    this.sqliteCode = opts.sqliteCode;
  }

  toJSON(): StoreErrorJSON {
    const json: StoreErrorJSON = { name: 'StoreError', code: this.code, file: this.file, message: this.message };
    if (this.detail !== undefined) json.detail = this.detail;
    if (this.sqliteCode !== undefined) json.sqliteCode = this.sqliteCode;
    return json;
  }

  static fromJSON(json: StoreErrorJSON): StoreError {
    const opts: { message: string; detail?: string; sqliteCode?: string } = { message: json.message };
    if (json.detail !== undefined) opts.detail = json.detail;
    if (json.sqliteCode !== undefined) opts.sqliteCode = json.sqliteCode;
    return new StoreError(json.code, json.file, opts);
  }
}

/** What the technician reads: the file, what happened, what to do. Never personal data. */
export function userMessage(code: StoreErrorCode, file: string, detail?: string): string {
  const dir = path.dirname(file);
  switch (code) {
    case 'read-only':
      return `Cannot write the check-in database ${file}: the folder or the file is read-only. ` +
        `Make ${dir} writable for the user running the kiosk (check the mount options and permissions), then restart the kiosk.`;
    case 'disk-full':
      return `The disk holding the check-in database ${file} is full; the last check-in was NOT recorded. ` +
        `Free space on that disk (unforwarded check-ins are kept until the server has them), then scan again.`;
    case 'locked':
      return `The check-in database ${file} is locked by another program (a second kiosk instance, or a tool holding it open). ` +
        `Stop the other program using it, then restart the kiosk.`;
    case 'corrupt':
      return `The check-in database ${file} is damaged${detail ? ` (${detail})` : ''}; it was left untouched. ` +
        `Copy it somewhere safe for recovery (it may hold check-ins not yet on the server), then move it out of ${dir} so the kiosk can start with a new one.`;
    case 'too-new':
      return `The check-in database ${file} was written by a newer version of checkpoint-kiosk${detail ? ` (${detail})` : ''}; it was left untouched. ` +
        `Install that newer version again (or the matching one), then restart the kiosk.`;
    case 'closed':
      return `The check-in database ${file} is already closed; restart the kiosk.`;
    case 'io':
      return `Cannot read or write the check-in database ${file}${detail ? ` (${detail})` : ''}. ` +
        `Check the storage device, its connection and that ${dir} exists and is a folder, then restart the kiosk.`;
    case 'key':
      return `The data key that seals the identity fields in ${file} cannot be used${detail ? ` (${detail})` : ''}; the database was left untouched. ` +
        `Restore data-key.json in ${dir} from where it was kept, then restart the kiosk.`;
    case 'internal':
      return `Unexpected error in the check-in database ${file}${detail ? ` (${detail})` : ''}. ` +
        `Export the logs for support; restart the kiosk.`;
  }
}

const NODE_ERRNO: Record<string, StoreErrorCode> = {
  EACCES: 'read-only',
  EPERM: 'read-only',
  EROFS: 'read-only',
  ENOSPC: 'disk-full',
  EDQUOT: 'disk-full',
  EBUSY: 'locked',
};

/** SQLite primary result codes (extended codes such as SQLITE_IOERR_WRITE start with these). */
const SQLITE_PRIMARY: [prefix: string, code: StoreErrorCode][] = [
  ['SQLITE_READONLY', 'read-only'],
  ['SQLITE_PERM', 'read-only'],
  ['SQLITE_FULL', 'disk-full'],
  ['SQLITE_BUSY', 'locked'],
  ['SQLITE_LOCKED', 'locked'],
  ['SQLITE_CORRUPT', 'corrupt'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_IOERR', 'io'],
  ['SQLITE_CANTOPEN', 'io'],
];

/**
 * Maps whatever a storage call threw (a better-sqlite3 SqliteError, a Node fs error, or already a
 * StoreError) to a StoreError for `file`. Unknown causes become 'internal', never swallowed.
 */
export function toStoreError(err: unknown, file: string): StoreError {
  if (err instanceof StoreError) return err;
  const code = typeof (err as { code?: unknown })?.code === 'string' ? (err as { code: string }).code : undefined;
  const detail = err instanceof Error ? err.message : String(err);
  if (code !== undefined) {
    const byErrno = NODE_ERRNO[code];
    if (byErrno) return new StoreError(byErrno, file, { detail, sqliteCode: code, cause: err });
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'EIO') {
      return new StoreError('io', file, { detail, sqliteCode: code, cause: err });
    }
    // SQLITE_IOERR_SHORT_READ etc: match the longest primary prefix so SQLITE_READONLY_* stays read-only.
    const hit = SQLITE_PRIMARY.find(([prefix]) => code === prefix || code.startsWith(`${prefix}_`));
    if (hit) {
      // A disk full while writing sometimes surfaces as an I/O error carrying ENOSPC's text.
      const mapped = hit[1] === 'io' && /full|no space/i.test(detail) ? 'disk-full' : hit[1];
      return new StoreError(mapped, file, { detail, sqliteCode: code, cause: err });
    }
  }
  if (err instanceof TypeError && /database connection is not open/i.test(detail)) {
    return new StoreError('closed', file, { detail, cause: err });
  }
  return new StoreError('internal', file, { detail, ...(code ? { sqliteCode: code } : {}), cause: err });
}
