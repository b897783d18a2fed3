/**
 * CheckInStore on better-sqlite3 (docs/POLICY.md, docs/PROTOCOL.md, docs/OPERATIONS.md). Receives an open, migrated connection from
 * openStore(). Every statement is prepared once here; every transaction is short and synchronous
 * (STYLE: never an await inside one). Storage faults leave as StoreError; caller mistakes (an
 * unparseable scannedAt, an unknown id for an override, an oversized value) as RangeError.
 */
import type Database from 'better-sqlite3';
import type { CheckIn, Override, OverrideRecord } from '../shared/types.js';
import type { Logger } from '../shared/ports.js';
import type { AuditEntry, CheckInStore, DedupRule, PurgeRule, QueueStats, RecordOutcome, RejectedOverride, StoredCheckIn, WireRecord } from './types.js';
import { StoreError, toStoreError } from './errors.js';
import { DEDUP_SALT_SETTING, DEDUP_TEXT_KEYS_UNTIL_SETTING, DEDUP_V1_UNTIL_SETTING, RESERVED_SETTING_PREFIX, dedupHash, keyedHasher } from './dedup-hash.js';
import { OverrideOutbox } from './override-outbox.js';
import { uuidv7Source } from '../core/system.js';
import { CHECKIN_COLUMNS, rowToCheckIn, rowToStored, rowToWireJson, type CheckInRow, type StoredRow } from './rows.js';
import type { IdentitySeal } from './identity-seal.js';
import { auditAppender, auditHead, type AuditAppender } from './audit-chain.js';
import { RecentHashes, hashKey } from './recent-hashes.js';
import { cutText } from '../shared/cut-text.js';

/** Rows fetched per page by all(): the iterator never holds the connection between pages. */
const EXPORT_PAGE = 500;
/** Rows deleted per statement by purgeForwarded(), so a big purge never stalls record() for long. */
const PURGE_CHUNK = 1000;
/** Ids per UPDATE statement in markForwarded() (a forwarder batch is at most 1,000). */
const FORWARD_CHUNK = 1000;
/** Upper bounds on caller-supplied text (characters). */
const MAX_SETTING_CHARS = 64 * 1024;
const MAX_AUDIT_DETAIL_CHARS = 4096;
const MAX_REASON_CHARS = 500;
/** A refused check-in's message (StoredCheckIn.message); the kiosk's own are a few hundred characters. */
const MAX_MESSAGE_CHARS = 1000;

type Stmt = Database.Statement;

/** What record() returns for a new check-in (one object: callers only read it). */
const RECORDED: RecordOutcome = Object.freeze({ kind: 'recorded' });

/** Options of SqliteStore beyond its connection. */
export interface SqliteStoreOptions {
  /** Most duplicate hashes held in memory to skip the duplicate lookup (recent-hashes.ts); tests set it low. */
  recentHashesCap?: number;
}

/** What a purge receipt in the audit log says (detail of a `purge` entry). */
export interface PurgeReceipt {
  rule: string;
  retentionDays?: number;
  /** Cut-off: forwarded check-ins scanned before this instant were removed. */
  before: string;
  /** Check-ins never forwarded were removed too (a kiosk with no central server: PurgeRule.unsent). */
  unsent?: true;
  removed: number;
  /** Removed check-ins per UTC day of scanning, e.g. {"2026-11-01": 12}. */
  days: Record<string, number>;
}

export class SqliteStore implements CheckInStore {
  /** Absolute path of kiosk.db. */
  readonly file: string;
  private readonly db: Database.Database;
  private readonly log: Logger;
  /** The v2 duplicate hash of a key (schema v6): one HMAC under the store's duplicate key. */
  private readonly duplicateHash: (key: string) => Buffer;
  /** The v1 duplicate hash of a key, for rows written before v6 (identity-seal.ts pepper()). */
  private readonly v1DuplicateHash: (key: string) => Buffer;
  /** Rows scanned up to this time (ms) may carry a v1 hash; -Infinity when none does. */
  private readonly v1UntilMs: number;
  /** Rows scanned up to this time (ms) may be keyed by the QR text (before v7); -Infinity when none is. */
  private readonly textKeysUntilMs: number;
  private readonly seal: IdentitySeal;
  private readonly auditLogAppend: AuditAppender;
  /** Hashes of recent check-ins: a scan whose hash is not among them needs no duplicate lookup. */
  private readonly recent: RecentHashes;
  /** PRAGMA data_version: changes when another connection commits to the file. */
  private readonly selectDataVersion: Stmt;
  private seenDataVersion: number;
  private closed = false;
  /** WAL journal (else the rollback journal a file system without shared memory falls back to). */
  private readonly wal: boolean;

  private readonly findDuplicate: Stmt;
  private readonly findDuplicateAny: Stmt;
  private readonly insertCheckIn: Stmt;
  private readonly insertOutbox: Stmt;
  private readonly selectById: Stmt;
  private readonly selectPage: Stmt;
  private readonly selectPending: Stmt;
  private readonly selectPendingAfter: Stmt;
  private readonly forwardMany: Stmt;
  private readonly rejectOne: Stmt;
  private readonly selectStats: Stmt;
  private readonly purgeChunk: Stmt;
  private readonly purgeDays: Stmt;
  private readonly purgeChunkAny: Stmt;
  private readonly purgeDaysAny: Stmt;
  private readonly updateOverride: Stmt;
  private readonly selectSetting: Stmt;
  private readonly upsertSetting: Stmt;
  private readonly selectAudit: Stmt;
  private readonly overrideOutbox: OverrideOutbox;
  private readonly overrideIds = uuidv7Source();

  private readonly recordTx: (c: CheckIn, hash: Buffer | null, key: string, formerHash: Buffer | null, v1Hash: Buffer | null, ms: number, windowMs: number, formerId: string, message: string | null, inheritsOverride: boolean) => RecordOutcome;
  private readonly forwardTx: (ids: readonly string[], at: string) => void;
  private readonly rejectTx: (rejections: readonly { id: string; reason: string }[], at: string) => void;
  private readonly overrideTx: (id: string, override: Override) => void;
  private readonly overrideForwardTx: (ids: readonly string[], at: string) => void;
  private readonly overrideRejectTx: (rejections: readonly { id: string; reason: string }[], at: string) => void;
  private readonly purgeTx: (ms: number, receipt: Omit<PurgeReceipt, 'removed' | 'days'>, at: string, unsent: boolean) => number;

  /** `seal` holds the keys derived from this data dir's data key (identity-seal.ts). */
  constructor(db: Database.Database, file: string, logger: Logger, seal: IdentitySeal, opts: SqliteStoreOptions = {}) {
    this.db = db;
    this.file = file;
    this.log = logger;
    this.seal = seal;
    this.auditLogAppend = auditAppender(db);
    this.wal = db.pragma('journal_mode', { simple: true }) === 'wal';
    const saltHex = (db.prepare('SELECT value FROM settings WHERE key = ?').get(DEDUP_SALT_SETTING) as { value: string } | undefined)?.value;
    if (!saltHex) throw new StoreError('corrupt', file, { detail: 'the duplicate-check salt is missing from settings' });
    const salt = Buffer.from(saltHex, 'hex');
    this.duplicateHash = keyedHasher(seal.duplicateKey(salt));
    this.v1DuplicateHash = (key) => this.seal.pepper(dedupHash(salt, key));
    const v1Until = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(DEDUP_V1_UNTIL_SETTING) as string | undefined;
    this.v1UntilMs = v1Until === undefined ? -Infinity : Number(v1Until);
    const textKeysUntil = db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(DEDUP_TEXT_KEYS_UNTIL_SETTING) as string | undefined;
    this.textKeysUntilMs = textKeysUntil === undefined ? -Infinity : Number(textKeysUntil);
    this.recent = new RecentHashes(db, opts.recentHashesCap);
    this.selectDataVersion = db.prepare('PRAGMA data_version').pluck();
    this.seenDataVersion = this.selectDataVersion.get() as number;
    this.recent.load();

    // The device's current and former id (the same id twice when it has none). Once enrolled, a
    // kiosk always has a former id, so this one statement is the usual case; the hash narrows the
    // index to the few reads of one credential, so sorting the two ranges costs nothing to speak of.
    this.findDuplicate = db.prepare(
      `SELECT id, verdict, reasons, override IS NOT NULL AS overridden FROM checkins WHERE dedup_hash = ? AND device_id IN (?, ?) AND direction = ?
         AND scanned_ms BETWEEN ? AND ? ORDER BY scanned_ms DESC, seq DESC LIMIT 1`,
    );
    // For a window that reaches back to rows written before v7 or v6: the key's hash, the former
    // (text) key's hash and its v1 hash (NULL for one not needed: it matches nothing), either id.
    this.findDuplicateAny = db.prepare(
      `SELECT id, verdict, reasons, override IS NOT NULL AS overridden FROM checkins WHERE dedup_hash IN (?, ?, ?) AND device_id IN (?, ?) AND direction = ?
         AND scanned_ms BETWEEN ? AND ? ORDER BY scanned_ms DESC, seq DESC LIMIT 1`,
    );
    this.insertCheckIn = db.prepare(
      `INSERT INTO checkins (id, device_id, checkpoint_id, direction, scanned_at, scanned_ms, format, verdict,
         reasons, subject, override, dedup_hash, message, manual) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertOutbox = db.prepare('INSERT INTO outbox (checkin_seq) VALUES (?)');
    // The message stays on the kiosk: read with the stored check-in, never in what is sent (CHECKIN_COLUMNS).
    // Overrides the server refused are few: the subquery walks the (state, seq) index's rejected rows only.
    const refusedOverrides = `(SELECT json_group_array(json_object('id', r.id, 'verdict', json_extract(r.record, '$.verdict'), 'reason', coalesce(r.reject_reason, 'rejected')))
        FROM (SELECT id, record, reject_reason FROM override_outbox WHERE state = 'rejected' AND checkin_id = c.id ORDER BY seq) r)`;
    const stored = `SELECT ${CHECKIN_COLUMNS}, c.message, o.state, o.reject_reason, ${refusedOverrides} AS overrides_rejected FROM checkins c LEFT JOIN outbox o ON o.checkin_seq = c.seq`;
    this.selectById = db.prepare(`${stored} WHERE c.id = ?`);
    this.selectPage = db.prepare(`${stored} WHERE c.seq > ? ORDER BY c.seq LIMIT ?`);
    this.selectPending = db.prepare(
      `SELECT ${CHECKIN_COLUMNS} FROM outbox o JOIN checkins c ON c.seq = o.checkin_seq
        WHERE o.state = 'pending' ORDER BY o.checkin_seq LIMIT ?`,
    );
    this.selectPendingAfter = db.prepare(
      `SELECT ${CHECKIN_COLUMNS} FROM outbox o JOIN checkins c ON c.seq = o.checkin_seq
        WHERE o.state = 'pending' AND o.checkin_seq > ? ORDER BY o.checkin_seq LIMIT ?`,
    );
    // A record the server accepted is forwarded whatever it was before (a rejected one re-sent by a
    // technician included); only a pending one can become rejected, never a forwarded one.
    // One statement per batch: the ids arrive as one JSON array (json_each), each found by the
    // unique index on checkins.id; unknown ids match nothing.
    this.forwardMany = db.prepare(
      `UPDATE outbox SET state = 'forwarded', reject_reason = NULL, updated_at = ?
        WHERE checkin_seq IN (SELECT c.seq FROM json_each(?) j JOIN checkins c ON c.id = j.value) AND state <> 'forwarded'`,
    );
    this.rejectOne = db.prepare(
      `UPDATE outbox SET state = 'rejected', reject_reason = ?, updated_at = ?
        WHERE checkin_seq = (SELECT seq FROM checkins WHERE id = ?) AND state = 'pending'`,
    );
    this.selectStats = db.prepare(
      `SELECT (SELECT COUNT(*) FROM outbox WHERE state = 'pending') AS depth,
              (SELECT COUNT(*) FROM outbox WHERE state = 'rejected') AS rejected,
              (SELECT c.scanned_at FROM outbox o JOIN checkins c ON c.seq = o.checkin_seq
                WHERE o.state = 'pending' ORDER BY o.checkin_seq LIMIT 1) AS oldest,
              (SELECT scanned_at FROM checkins ORDER BY scanned_ms LIMIT 1) AS oldestHeld`,
    );
    // The same rows (ORDER BY seq LIMIT) are counted, then deleted, inside one transaction. The
    // second pair (PurgeRule.unsent: a kiosk with no central server) takes every state.
    const purgeable = (states: string) => `SELECT c.seq FROM outbox o JOIN checkins c ON c.seq = o.checkin_seq
          WHERE o.state IN (${states}) AND c.scanned_ms < ? ORDER BY c.seq LIMIT ${PURGE_CHUNK}`;
    const daysOf = (states: string) =>
      db.prepare(
        `SELECT strftime('%Y-%m-%d', scanned_ms / 1000, 'unixepoch') AS day, COUNT(*) AS n FROM checkins
          WHERE seq IN (${purgeable(states)}) GROUP BY day ORDER BY day`,
      );
    const FORWARDED = "'forwarded'";
    const ANY = "'forwarded', 'pending', 'rejected'";
    this.purgeDays = daysOf(FORWARDED);
    this.purgeChunk = db.prepare(`DELETE FROM checkins WHERE seq IN (${purgeable(FORWARDED)})`);
    this.purgeDaysAny = daysOf(ANY);
    this.purgeChunkAny = db.prepare(`DELETE FROM checkins WHERE seq IN (${purgeable(ANY)})`);
    this.updateOverride = db.prepare('UPDATE checkins SET override = ? WHERE id = ?');
    this.overrideOutbox = new OverrideOutbox(db);
    this.selectSetting = db.prepare('SELECT value FROM settings WHERE key = ?').pluck();
    this.upsertSetting = db.prepare(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.selectAudit = db.prepare('SELECT at, actor, action, detail FROM audit_log ORDER BY seq DESC LIMIT ?');

    this.recordTx = db.transaction((c: CheckIn, hash: Buffer | null, key: string, formerHash: Buffer | null, v1Hash: Buffer | null, ms: number, windowMs: number, formerId: string, message: string | null, inheritsOverride: boolean): RecordOutcome => {
      const reasons = JSON.stringify(c.reasons);
      if (hash !== null) {
        // Another connection committed since this one last looked: its check-ins are not in `recent`.
        // Asked inside the write transaction, so no other commit can come between this and the insert.
        const version = this.selectDataVersion.get() as number;
        if (version !== this.seenDataVersion) {
          this.recent.load();
          this.seenDataVersion = version;
        }
      }
      // A window reaching back to rows written before v7 or v6 (formerHash, v1Hash) always looks:
      // `recent` is asked about the key's own hash only.
      const older = formerHash !== null || v1Hash !== null;
      if (hash !== null && (older || this.recent.mayHave(key, ms - windowMs))) {
        const prior = (
          older
            ? this.findDuplicateAny.get(hash, formerHash, v1Hash, c.deviceId, formerId, c.direction, ms - windowMs, ms)
            : this.findDuplicate.get(hash, c.deviceId, formerId, c.direction, ms - windowMs, ms)
        ) as { id: string; verdict: string; reasons: string; overridden: number } | undefined;
        // Folded only into the latest check-in of the same credential, and only when that one got
        // the same verdict and reasons: a retry that ends differently is a check-in of its own. An
        // officer's override is inherited only by a reading that identifies its holder
        // (DedupRule.inheritsOverride): another reading of the same unreadable text is judged alone.
        if (prior !== undefined && prior.verdict === c.verdict && prior.reasons === reasons && (inheritsOverride || prior.overridden === 0)) {
          return { kind: 'duplicate', of: prior.id };
        }
      }
      const { lastInsertRowid } = this.insertCheckIn.run(
        c.id, c.deviceId, c.checkpointId, c.direction, c.scannedAt, ms, c.format, c.verdict,
        reasons, this.seal.seal(c.subject, c.id), c.override ? JSON.stringify(c.override) : null, hash, message,
        c.manual ? JSON.stringify({ by: c.manual.by }) : null,
      );
      this.insertOutbox.run(lastInsertRowid);
      return RECORDED;
    }).immediate;
    this.overrideForwardTx = db.transaction((ids: readonly string[], at: string) => {
      for (const id of ids) this.overrideOutbox.forwarded(id, at);
    }).immediate;
    this.overrideRejectTx = db.transaction((rejections: readonly { id: string; reason: string }[], at: string) => {
      for (const r of rejections) this.overrideOutbox.rejected(r.id, String(r.reason).slice(0, MAX_REASON_CHARS), at);
    }).immediate;
    this.forwardTx = db.transaction((ids: readonly string[], at: string) => {
      for (let i = 0; i < ids.length; i += FORWARD_CHUNK) this.forwardMany.run(at, JSON.stringify(ids.slice(i, i + FORWARD_CHUNK)));
    }).immediate;
    this.rejectTx = db.transaction((rejections: readonly { id: string; reason: string }[], at: string) => {
      for (const r of rejections) this.rejectOne.run(String(r.reason).slice(0, MAX_REASON_CHARS), at, r.id);
    }).immediate;
    this.overrideTx = db.transaction((id: string, override: Override) => {
      const before = this.selectById.get(id) as StoredRow | undefined;
      if (before === undefined) throw new RangeError(`setOverride: no check-in with id ${id}`);
      // The verdict the check-in stood at until now: its latest override's, else its own.
      const from = before.override !== null ? (JSON.parse(before.override) as Override).verdict : before.verdict;
      this.updateOverride.run(JSON.stringify(override), id);
      const reasons = override.reasons ?? (JSON.parse(before.reasons) as OverrideRecord['reasons']);
      this.overrideOutbox.add({ id: override.id!, checkinId: id, verdict: override.verdict, reasons, by: override.by, reason: override.reason, at: override.at });
      // One entry per override, committed with it: the verdict it changed from and to, and the
      // officer's reason (what an auditor asks first; it travels with the override anyway).
      this.auditLogAppend.append({ at: override.at, actor: override.by, action: 'override', detail: JSON.stringify({ checkInId: id, from, to: override.verdict, reason: override.reason }) });
    }).immediate;
    // One receipt per chunk, committed with the deletion it describes: no removal without its receipt.
    this.purgeTx = db.transaction((ms: number, rule: Omit<PurgeReceipt, 'removed' | 'days'>, at: string, unsent: boolean): number => {
      const days = (unsent ? this.purgeDaysAny : this.purgeDays).all(ms) as { day: string; n: number }[];
      if (days.length === 0) return 0;
      const { changes } = (unsent ? this.purgeChunkAny : this.purgeChunk).run(ms);
      const receipt: PurgeReceipt = { ...rule, removed: changes, days: Object.fromEntries(days.map((d) => [d.day, d.n])) };
      this.auditLogAppend.append({ at, actor: 'system', action: 'purge', detail: JSON.stringify(receipt) });
      return changes;
    }).immediate;
  }

  /**
   * Duplicate rule: the most recent check-in with the same key, device (its id, or the former id
   * the rule names) and direction scanned in
   * [scannedAt - windowMs, scannedAt] (both ends inclusive) makes this one a duplicate of it when it
   * has the same verdict and the same reasons (in order); otherwise this one is recorded.
   */
  record(checkIn: CheckIn, dedup?: DedupRule, message?: string): RecordOutcome {
    const ms = Date.parse(checkIn.scannedAt);
    if (!Number.isFinite(ms)) throw new RangeError('record: scannedAt is not an ISO date-time');
    let hash: Buffer | null = null;
    let formerHash: Buffer | null = null;
    let v1Hash: Buffer | null = null;
    let windowMs = 0;
    if (dedup) {
      if (!(dedup.windowMs >= 0)) throw new RangeError('record: dedup.windowMs must be a number >= 0');
      hash = this.duplicateHash(dedup.key);
      const from = ms - dedup.windowMs;
      // Only while the window reaches back to rows written before v7 is the former (text) key
      // looked up too, and before v6 its old hash: those rows were keyed by the text.
      if (dedup.formerKey !== undefined && from <= this.textKeysUntilMs) formerHash = this.duplicateHash(dedup.formerKey);
      if (from <= this.v1UntilMs) v1Hash = this.v1DuplicateHash(dedup.formerKey ?? dedup.key);
      windowMs = dedup.windowMs;
    }
    const formerId = dedup?.formerDeviceId ?? checkIn.deviceId;
    const key = hash === null ? '' : hashKey(hash);
    // guard() spelled out: no closure on the path every scan takes.
    if (this.closed) throw new StoreError('closed', this.file);
    let outcome: RecordOutcome;
    try {
      outcome = this.recordTx(checkIn, hash, key, formerHash, v1Hash, ms, windowMs, formerId, message === undefined ? null : cutText(message, MAX_MESSAGE_CHARS), dedup?.inheritsOverride !== false);
    } catch (err) {
      throw this.failure('record', err);
    }
    // Committed: from now on a scan of the same credential must look.
    if (hash !== null && outcome === RECORDED) this.recent.add(key, ms, windowMs);
    return outcome;
  }

  *all(): IterableIterator<StoredCheckIn> {
    let after = 0;
    for (;;) {
      const rows = this.guard('all', () => this.selectPage.all(after, EXPORT_PAGE) as StoredRow[]);
      for (const row of rows) yield rowToStored(row, this.seal);
      const last = rows[rows.length - 1];
      if (rows.length < EXPORT_PAGE || last === undefined) return;
      after = last.seq;
    }
  }

  get(id: string): StoredCheckIn | undefined {
    const row = this.guard('get', () => this.selectById.get(id) as StoredRow | undefined);
    return row ? rowToStored(row, this.seal) : undefined;
  }

  pendingBatch(limit: number): CheckIn[] {
    const n = Math.max(0, Math.floor(limit));
    if (!Number.isFinite(n) || n === 0) return [];
    return this.guard('pendingBatch', () => (this.selectPending.all(n) as CheckInRow[]).map((r) => rowToCheckIn(r, this.seal)));
  }

  pendingWire(limit: number, after = 0): WireRecord[] {
    const n = Math.max(0, Math.floor(limit));
    if (!Number.isFinite(n) || n === 0) return [];
    const from = Number.isFinite(after) ? Math.max(0, Math.floor(after)) : 0;
    return this.guard('pendingWire', () =>
      (this.selectPendingAfter.all(from, n) as CheckInRow[]).map((r) => ({ id: r.id, json: rowToWireJson(r, this.seal), cursor: r.seq })),
    );
  }

  /**
   * Committed with synchronous=NORMAL: the mark reaches the disk with the next synchronous=FULL
   * commit (the next check-in) or checkpoint instead of costing an fsync of its own per batch. A
   * power cut before that can only undo the mark, never the check-in: the records are sent again
   * and the server, exactly-once by id, answers them as duplicates (docs/PROTOCOL.md). Only in WAL
   * mode: with a rollback journal NORMAL could corrupt the file on a power cut, so it stays FULL.
   */
  markForwarded(ids: readonly string[], at: string): void {
    if (ids.length === 0) return;
    this.guard('markForwarded', () => {
      if (!this.wal) return this.forwardTx(ids, at);
      this.db.pragma('synchronous = NORMAL');
      try {
        this.forwardTx(ids, at);
      } finally {
        this.db.pragma('synchronous = FULL');
      }
    });
  }

  markRejected(rejections: readonly { id: string; reason: string }[], at: string): void {
    if (rejections.length === 0) return;
    this.guard('markRejected', () => this.rejectTx(rejections, at));
  }

  queueStats(): QueueStats {
    const row = this.guard('queueStats', () => this.selectStats.get() as { depth: number; rejected: number; oldest: string | null; oldestHeld: string | null });
    const stats: QueueStats = {
      depth: row.depth,
      rejected: row.rejected,
      overridesPending: this.guard('queueStats', () => this.overrideOutbox.depth()),
      overridesRejected: this.guard('queueStats', () => this.overrideOutbox.rejectedCount()),
    };
    if (row.oldest !== null) stats.oldestPendingAt = row.oldest;
    if (row.oldestHeld !== null) stats.oldestHeldAt = row.oldestHeld;
    return stats;
  }

  /**
   * Only forwarded rows go; pending and rejected ones are kept whatever their age. Each chunk of
   * at most PURGE_CHUNK rows is deleted in one transaction together with its receipt in the
   * hash-chained audit log (`purge`: rule, cut-off, how many, per UTC day). Afterwards the WAL is
   * folded back and truncated: with secure_delete the removed rows are then gone from every file.
   */
  purgeForwarded(before: string, rule: PurgeRule = { rule: 'forwarded-before' }): number {
    const ms = Date.parse(before);
    if (!Number.isFinite(ms)) throw new RangeError('purgeForwarded: before is not an ISO date-time');
    const at = rule.at ?? new Date().toISOString();
    const base: Omit<PurgeReceipt, 'removed' | 'days'> = { rule: rule.rule, before: new Date(ms).toISOString() };
    if (rule.retentionDays !== undefined) base.retentionDays = rule.retentionDays;
    if (rule.unsent === true) base.unsent = true;
    let total = 0;
    for (;;) {
      const changes = this.guard('purgeForwarded', () => this.purgeTx(ms, base, at, rule.unsent === true));
      total += changes;
      if (changes < PURGE_CHUNK) break;
    }
    if (total > 0) {
      this.log.info(rule.unsent ? 'purged check-ins past retention (no central server)' : 'purged forwarded check-ins', { count: total });
      this.checkpoint('purge');
    }
    return total;
  }

  /** Hex hash of the newest audit entry: whoever keeps it can later prove nothing was cut off the log. */
  auditHead(): string {
    return this.guard('auditHead', () => auditHead(this.db));
  }

  /** The override on the check-in, its outbox row and an audit entry, in one transaction. */
  setOverride(id: string, override: Override): void {
    const withId: Override = override.id ? override : { ...override, id: this.overrideIds.next() };
    this.guard('setOverride', () => this.overrideTx(id, withId));
  }

  pendingOverrides(limit: number): OverrideRecord[] {
    const n = Math.max(0, Math.floor(limit));
    if (!Number.isFinite(n) || n === 0) return [];
    return this.guard('pendingOverrides', () => this.overrideOutbox.pending(n));
  }

  markOverridesForwarded(ids: readonly string[], at: string): void {
    if (ids.length === 0) return;
    this.guard('markOverridesForwarded', () => this.overrideForwardTx(ids, at));
  }

  markOverridesRejected(rejections: readonly { id: string; reason: string }[], at: string): void {
    if (rejections.length === 0) return;
    this.guard('markOverridesRejected', () => this.overrideRejectTx(rejections, at));
  }

  rejectedOverrides(limit: number): RejectedOverride[] {
    const n = Math.max(0, Math.floor(limit));
    if (!Number.isFinite(n) || n === 0) return [];
    return this.guard('rejectedOverrides', () => this.overrideOutbox.rejectedList(n));
  }

  getSetting(key: string): string | undefined {
    return this.guard('getSetting', () => this.selectSetting.get(key) as string | undefined);
  }

  /** Keys starting with `store.` are reserved (the duplicate-check salt lives there). */
  setSetting(key: string, value: string): void {
    if (key.startsWith(RESERVED_SETTING_PREFIX)) throw new RangeError(`setSetting: keys starting with "${RESERVED_SETTING_PREFIX}" are reserved`);
    if (key.length > 200 || value.length > MAX_SETTING_CHARS) throw new RangeError('setSetting: key or value too long');
    this.guard('setSetting', () => this.upsertSetting.run(key, value));
  }

  audit(entry: AuditEntry): void {
    const detail = entry.detail === undefined ? null : JSON.stringify(entry.detail);
    if (detail !== null && detail.length > MAX_AUDIT_DETAIL_CHARS) throw new RangeError('audit: detail too large');
    this.guard('audit', () => this.auditLogAppend.append({ at: entry.at, actor: entry.actor, action: entry.action, detail }));
  }

  /** The newest `limit` entries, newest first. */
  auditLog(limit: number): AuditEntry[] {
    const n = Math.max(0, Math.floor(limit));
    if (!Number.isFinite(n) || n === 0) return [];
    const rows = this.guard('auditLog', () => this.selectAudit.all(n) as { at: string; actor: string; action: string; detail: string | null }[]);
    return rows.map((r) => {
      const e: AuditEntry = { at: r.at, actor: r.actor, action: r.action };
      if (r.detail !== null) e.detail = JSON.parse(r.detail) as Record<string, unknown>;
      return e;
    });
  }

  /** Idempotent. Folds the WAL back into kiosk.db first so the file alone is a complete copy. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      this.log.warn('checkpoint on close failed', { code: toStoreError(err, this.file).code });
    }
    this.db.close();
  }

  /** Folds the WAL into kiosk.db and truncates it (best effort: a reader may hold it; the next one will). */
  private checkpoint(why: string): void {
    try {
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } catch (err) {
      this.log.warn('checkpoint failed', { why, code: toStoreError(err, this.file).code });
    }
  }

  /** Runs a storage call, turning any SQLite/fs fault into a StoreError (logged without data). */
  private guard<T>(op: string, fn: () => T): T {
    if (this.closed) throw new StoreError('closed', this.file);
    try {
      return fn();
    } catch (err) {
      throw this.failure(op, err);
    }
  }

  /** What a failed storage call throws: a caller's RangeError as it is, anything else as a logged StoreError. */
  private failure(op: string, err: unknown): Error {
    if (err instanceof RangeError) return err;
    const e = toStoreError(err, this.file);
    this.log.error('store operation failed', { op, code: e.code, sqliteCode: e.sqliteCode });
    return e;
  }
}
