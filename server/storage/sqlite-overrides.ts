/**
 * SQLite part of override ingest (server/overrides.ts): one synchronous transaction per batch.
 * Kept apart from sqlite-storage.ts so each backend's override code is one small file.
 */
import type { CheckIn } from '../../src/shared/types.js';
import type { CentralDb } from '../db.js';
import { MAX_SUCCESSION_DEPTH } from './succession.js';
import { withOverrides, type OverrideEntry, type OverrideIngestResult, type OverrideRecord } from '../overrides.js';

export type SqliteOverrideIngest = (sender: string, overrides: readonly OverrideRecord[], receivedAt: string) => OverrideIngestResult;

/** Prepares the statements once and returns the batch function. */
export function sqliteOverrideIngest(db: CentralDb): SqliteOverrideIngest {
  const exists = db.prepare('SELECT 1 FROM overrides WHERE id = ?').pluck();
  const checkIn = db.prepare('SELECT sender_device_id, record FROM checkins WHERE id = ?');
  const insert = db.prepare('INSERT INTO overrides (id, checkin_id, sender_device_id, at, record, received_at) VALUES (?, ?, ?, ?, ?, ?)');
  const ofCheckIn = db.prepare('SELECT record FROM overrides WHERE checkin_id = ?').pluck();
  const rewrite = db.prepare('UPDATE checkins SET verdict = ?, record = ? WHERE id = ?');
  const predecessor = db.prepare('SELECT predecessor_id FROM device_successions WHERE successor_id = ?').pluck();
  return db.transaction((sender: string, overrides: readonly OverrideRecord[], receivedAt: string): OverrideIngestResult => {
    const out: OverrideIngestResult = { accepted: [], duplicate: [], rejected: [] };
    // The sender and every device it succeeded (a re-enrolled kiosk's earlier ids).
    const own = new Set([sender]);
    for (let id = sender, i = 0; i < MAX_SUCCESSION_DEPTH; i++) {
      const before = predecessor.get(id) as string | undefined;
      if (before === undefined || own.has(before)) break;
      own.add(before);
      id = before;
    }
    for (const o of overrides) {
      if (exists.get(o.id) !== undefined) {
        out.duplicate.push(o.id);
        continue;
      }
      const row = checkIn.get(o.checkinId) as { sender_device_id: string; record: string } | undefined;
      if (!row) {
        out.rejected.push({ id: o.id, reason: 'unknown-checkin' });
        continue;
      }
      if (!own.has(row.sender_device_id)) {
        out.rejected.push({ id: o.id, reason: 'foreign-checkin' });
        continue;
      }
      const { checkinId: _checkinId, ...entry } = o;
      insert.run(o.id, o.checkinId, sender, o.at, JSON.stringify(entry), receivedAt);
      const all = (ofCheckIn.all(o.checkinId) as string[]).map((r) => JSON.parse(r) as OverrideEntry);
      const record = withOverrides(JSON.parse(row.record) as CheckIn, all);
      rewrite.run(record.verdict, JSON.stringify(record), o.checkinId);
      out.accepted.push(o.id);
    }
    return out;
  });
}
