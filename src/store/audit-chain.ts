/**
 * The kiosk's audit log as an append-only hash chain: every entry stores
 * `hash = SHA-256(previous hash (32 bytes, zeros for the first) || UTF-8 of
 * JSON [seq, at, actor, action, detail-text-or-null])`. Changing, removing or reordering an entry
 * breaks every hash after it; `verifyAuditChain` finds the first broken one. SQL triggers refuse
 * UPDATE and DELETE on the table, so the store itself cannot rewrite history by mistake.
 *
 * What the chain does not prove by itself: that nothing was cut off the END (the newest entries).
 * The head hash (`auditHead`) is what to keep elsewhere for that (the heartbeat carries it).
 */
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AuditEntry } from './types.js';

export const GENESIS: Buffer = Buffer.alloc(32);

/** The SQL that makes the table append-only (schema v5). */
export const AUDIT_APPEND_ONLY_SQL = `
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`;

export function entryHash(prev: Buffer, seq: number, at: string, actor: string, action: string, detail: string | null): Buffer {
  return createHash('sha256').update(prev).update(JSON.stringify([seq, at, actor, action, detail]), 'utf8').digest();
}

/** Prepared statements for appending; make once per connection. */
export interface AuditAppender {
  /** Appends one entry; the caller runs it inside a write transaction (or alone). Returns its seq. */
  append(entry: { at: string; actor: string; action: string; detail: string | null }): number;
}

export function auditAppender(db: Database.Database): AuditAppender {
  const last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
  const insert = db.prepare('INSERT INTO audit_log (seq, at, actor, action, detail, hash) VALUES (?, ?, ?, ?, ?, ?)');
  const appendTx = db.transaction((e: { at: string; actor: string; action: string; detail: string | null }) => {
    const prev = last.get() as { seq: number; hash: Buffer | null } | undefined;
    const seq = (prev?.seq ?? 0) + 1;
    insert.run(seq, e.at, e.actor, e.action, e.detail, entryHash(prev?.hash ?? GENESIS, seq, e.at, e.actor, e.action, e.detail));
    return seq;
  });
  return { append: (e) => appendTx.immediate(e) };
}

/** Fills `hash` for entries written before the chain existed (schema v5 step), oldest first. */
export function chainExistingEntries(db: Database.Database): void {
  const rows = db.prepare('SELECT seq, at, actor, action, detail FROM audit_log ORDER BY seq').all() as AuditRow[];
  const set = db.prepare('UPDATE audit_log SET hash = ? WHERE seq = ?');
  let prev: Buffer = GENESIS;
  for (const r of rows) {
    prev = entryHash(prev, r.seq, r.at, r.actor, r.action, r.detail);
    set.run(prev, r.seq);
  }
}

interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  detail: string | null;
  hash?: Buffer | null;
}

/** One entry as `audit` prints it: the stored fields plus its chain hash (hex). */
export interface ChainedAuditEntry extends AuditEntry {
  seq: number;
  hash: string;
}

export type ChainVerdict =
  | { ok: true; entries: number; head: string }
  | { ok: false; entries: number; brokenAt: number; reason: string };

/** An entry as stored, with `detail` as the exact JSON text that was hashed and `hash` in hex. */
export interface AuditRowText {
  seq: number;
  at: string;
  actor: string;
  action: string;
  detail: string | null;
  hash: string;
}

/**
 * Checks entries one by one, oldest first: fails at the first entry whose hash does not match,
 * whose seq is not the previous one plus one (an entry removed), or when the log does not start
 * at seq 1 (the oldest entries removed).
 */
export class ChainChecker {
  private prev: Buffer = GENESIS;
  private expected = 1;
  private entries = 0;
  private failure: ChainVerdict | undefined;

  /** Feeds the next entry; false once the chain is broken (then `verdict()` says where). */
  next(r: { seq: number; at: string; actor: string; action: string; detail: string | null; hash: Buffer | string | null }): boolean {
    if (this.failure) return false;
    if (r.seq !== this.expected) {
      this.failure = { ok: false, entries: this.entries, brokenAt: r.seq, reason: r.seq > this.expected ? `entries ${this.expected}..${r.seq - 1} are missing` : 'sequence out of order' };
      return false;
    }
    const want = entryHash(this.prev, r.seq, r.at, r.actor, r.action, r.detail);
    const have = typeof r.hash === 'string' ? Buffer.from(r.hash, 'hex') : r.hash;
    if (!have || !want.equals(have)) {
      this.failure = { ok: false, entries: this.entries, brokenAt: r.seq, reason: have ? 'hash does not match the entry and its predecessor (entry changed)' : 'entry has no hash' };
      return false;
    }
    this.prev = want;
    this.expected++;
    this.entries++;
    return true;
  }

  verdict(): ChainVerdict {
    return this.failure ?? { ok: true, entries: this.entries, head: this.prev.toString('hex') };
  }
}

/** Walks the whole log of a kiosk database (memory stays flat: rows are iterated). */
export function verifyAuditChain(db: Database.Database): ChainVerdict {
  const check = new ChainChecker();
  const rows = db.prepare('SELECT seq, at, actor, action, detail, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>;
  for (const r of rows) if (!check.next({ ...r, hash: r.hash ?? null })) break;
  return check.verdict();
}

/** The same check over rows from any storage (the central server's backends). */
export async function verifyAuditRows(rows: AsyncIterable<AuditRowText>): Promise<ChainVerdict> {
  const check = new ChainChecker();
  for await (const r of rows) if (!check.next(r)) break;
  return check.verdict();
}

/** Every entry as stored, oldest first. */
export function* auditRowsText(db: Database.Database): IterableIterator<AuditRowText> {
  const rows = db.prepare('SELECT seq, at, actor, action, detail, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>;
  for (const r of rows) yield { seq: r.seq, at: r.at, actor: r.actor, action: r.action, detail: r.detail, hash: r.hash ? r.hash.toString('hex') : '' };
}

/** Every entry, oldest first, with its hash (for `checkpoint-kiosk audit`). */
export function* chainedEntries(db: Database.Database): IterableIterator<ChainedAuditEntry> {
  const rows = db.prepare('SELECT seq, at, actor, action, detail, hash FROM audit_log ORDER BY seq').iterate() as IterableIterator<AuditRow>;
  for (const r of rows) {
    // Members in the documented order, the order the hash covers them: seq, at, actor, action, detail, hash.
    const hash = r.hash ? r.hash.toString('hex') : '';
    yield r.detail !== null
      ? { seq: r.seq, at: r.at, actor: r.actor, action: r.action, detail: JSON.parse(r.detail) as Record<string, unknown>, hash }
      : { seq: r.seq, at: r.at, actor: r.actor, action: r.action, hash };
  }
}

/** Hash of the newest entry (hex), or the genesis value for an empty log. */
export function auditHead(db: Database.Database): string {
  const h = db.prepare('SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1').pluck().get() as Buffer | null | undefined;
  return (h ?? GENESIS).toString('hex');
}
