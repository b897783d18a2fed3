/**
 * The overrides outbox (schema v4): every officer override of a check-in is written here in the same
 * transaction as the override itself, and the forwarder delivers it to the central server as its
 * own record (POST /api/v1/overrides) — exactly once on the server by override id, at least once
 * from here, surviving kill -9 like the check-in outbox.
 */
import type Database from 'better-sqlite3';
import type { OverrideRecord } from '../shared/types.js';
import type { RejectedOverride } from './types.js';

type Stmt = Database.Statement;

/** Prepared statements of the overrides outbox; used inside SqliteStore's transactions and guard. */
export class OverrideOutbox {
  readonly insert: Stmt;
  private readonly selectPending: Stmt;
  private readonly forwardOne: Stmt;
  private readonly rejectOne: Stmt;
  private readonly countPending: Stmt;
  private readonly countRejected: Stmt;
  private readonly selectRejected: Stmt;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO override_outbox (id, checkin_id, record) VALUES (?, ?, ?)');
    // Check-ins go first: an override waits while its check-in is still pending here (a check-in
    // the server rejected, or one purged after delivery, no longer holds it back).
    this.selectPending = db.prepare(
      `SELECT o.record FROM override_outbox o
        WHERE o.state = 'pending'
          AND NOT EXISTS (SELECT 1 FROM checkins c JOIN outbox b ON b.checkin_seq = c.seq WHERE c.id = o.checkin_id AND b.state = 'pending')
        ORDER BY o.seq LIMIT ?`,
    ).pluck();
    this.forwardOne = db.prepare(`UPDATE override_outbox SET state = 'forwarded', reject_reason = NULL, updated_at = ? WHERE id = ? AND state <> 'forwarded'`);
    this.rejectOne = db.prepare(`UPDATE override_outbox SET state = 'rejected', reject_reason = ?, updated_at = ? WHERE id = ? AND state = 'pending'`);
    this.countPending = db.prepare(`SELECT count(*) FROM override_outbox WHERE state = 'pending'`).pluck();
    this.countRejected = db.prepare(`SELECT count(*) FROM override_outbox WHERE state = 'rejected'`).pluck();
    // Newest refusals last (as the technician panel lists check-ins), through the (state, seq) index.
    this.selectRejected = db.prepare(
      `SELECT id, checkin_id AS checkinId, record, reject_reason AS reason, updated_at AS rejectedAt FROM
         (SELECT * FROM override_outbox WHERE state = 'rejected' ORDER BY seq DESC LIMIT ?) ORDER BY seq`,
    );
  }

  add(record: OverrideRecord): void {
    this.insert.run(record.id, record.checkinId, JSON.stringify(record));
  }

  pending(limit: number): OverrideRecord[] {
    return (this.selectPending.all(limit) as string[]).map((r) => JSON.parse(r) as OverrideRecord);
  }

  forwarded(id: string, at: string): void {
    this.forwardOne.run(at, id);
  }

  rejected(id: string, reason: string, at: string): void {
    this.rejectOne.run(reason, at, id);
  }

  depth(): number {
    return this.countPending.get() as number;
  }

  /** How many overrides the server refused (kept, marked rejected). */
  rejectedCount(): number {
    return this.countRejected.get() as number;
  }

  /** The latest `limit` refused overrides, oldest of them first, with the server's reason. */
  rejectedList(limit: number): RejectedOverride[] {
    const rows = this.selectRejected.all(limit) as { id: string; checkinId: string; record: string; reason: string | null; rejectedAt: string | null }[];
    return rows.map((r) => {
      const rec = JSON.parse(r.record) as OverrideRecord;
      return { id: r.id, checkinId: r.checkinId, verdict: rec.verdict, by: rec.by, at: rec.at, reason: r.reason ?? 'rejected', ...(r.rejectedAt ? { rejectedAt: r.rejectedAt } : {}) };
    });
  }
}
