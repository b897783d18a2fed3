/**
 * Checks an existing kiosk.db BEFORE the store writes anything to it (no WAL switch, no
 * migration): a damaged file or one from a newer version must be reported and left byte-for-byte
 * as it was, because it may hold check-ins that never reached the server. Never recreate, never
 * delete.
 *
 * Two stages: the 100-byte header read with plain fs (catches random bytes and truncation without
 * SQLite touching the file), then a read-only connection running `PRAGMA quick_check` (O(size):
 * milliseconds for a kiosk's few days of data) and reading the schema version.
 */
import fs from 'node:fs';
import Database from 'better-sqlite3';
import { StoreError, toStoreError } from './errors.js';
import { SCHEMA_VERSION } from './migrations.js';

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;

/**
 * 'recover': a crash left a hot journal that only a read-write connection may roll back (SQLite's
 * own crash recovery, which restores the last committed state). The caller opens read-write and
 * runs checkContent() on that connection before changing anything else.
 */
export type PreflightResult = { kind: 'new' } | { kind: 'existing'; version: number } | { kind: 'recover' };

/** Codes a read-only connection gives when recovery needs write access: not damage. */
const NEEDS_RECOVERY = new Set(['SQLITE_READONLY_ROLLBACK', 'SQLITE_READONLY_RECOVERY', 'SQLITE_READONLY_CANTINIT', 'SQLITE_READONLY_CANTLOCK']);

export function preflight(file: string, busyTimeoutMs: number): PreflightResult {
  let size: number;
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) throw new StoreError('io', file, { detail: 'the path exists but is not a regular file' });
    size = st.size;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return { kind: 'new' };
    throw toStoreError(err, file);
  }
  // SQLite itself treats a zero-byte file as an empty database: nothing in it can be lost.
  if (size === 0) return { kind: 'new' };
  checkHeader(file, size);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs });
    return { kind: 'existing', version: checkContent(db, file) };
  } catch (err) {
    if (NEEDS_RECOVERY.has((err as { code?: string }).code ?? '')) return { kind: 'recover' };
    // SQLite's own "database disk image is malformed" / "file is not a database" map to 'corrupt'.
    throw toStoreError(err, file);
  } finally {
    db?.close();
  }
}

function corrupt(file: string, why: string): StoreError {
  return new StoreError('corrupt', file, { detail: why });
}

function checkHeader(file: string, size: number): void {
  const header = Buffer.alloc(HEADER_BYTES);
  let read: number;
  try {
    const fd = fs.openSync(file, 'r');
    try {
      read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw toStoreError(err, file);
  }
  if (read < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw corrupt(file, 'not an SQLite database');
  }
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    throw corrupt(file, 'invalid page size in header');
  }
  if (size % pageSize !== 0) throw corrupt(file, 'file is truncated (not a whole number of pages)');
  // The in-header page count is authoritative when its "version-valid-for" matches the change
  // counter. With a non-empty -wal or -journal beside it, an interrupted checkpoint or transaction
  // may legitimately have left the file shorter than page 1 says: only check without either.
  const changeCounter = header.readUInt32BE(24);
  const pageCount = header.readUInt32BE(28);
  const validFor = header.readUInt32BE(92);
  if (pageCount > 0 && validFor === changeCounter && !hasJournal(file) && pageCount * pageSize > size) {
    throw corrupt(file, `file is truncated (${size} bytes, header says ${pageCount * pageSize})`);
  }
}

function hasJournal(file: string): boolean {
  return ['-wal', '-journal'].some((suffix) => {
    try {
      return fs.statSync(`${file}${suffix}`).size > 0;
    } catch {
      return false;
    }
  });
}

/**
 * Integrity and version of an open connection; returns the schema version. Throws 'corrupt' or
 * 'too-new' without writing (the only write a connection may have done by then is SQLite's own
 * hot-journal rollback).
 */
export function checkContent(db: Database.Database, file: string): number {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
  if (problems.length > 0) {
    // quick_check text names pages and tables, never row content: safe to show.
    throw corrupt(file, `integrity check failed: ${problems.slice(0, 2).join('; ').slice(0, 200)}`);
  }
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new StoreError('too-new', file, { detail: `schema version ${version}, this version knows up to ${SCHEMA_VERSION}` });
  }
  return version;
}
