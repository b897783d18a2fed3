/**
 * PostgreSQL part of override ingest (server/overrides.ts), run inside one transaction. The
 * check-in row is locked (FOR UPDATE) before its record is rewritten, so two nodes storing two
 * overrides of one check-in at the same time both end in the same record; the override id's
 * primary key makes a retry, at this node or another, a duplicate.
 */
import type pg from 'pg';
import type { CheckIn } from '../../src/shared/types.js';
import { MAX_SUCCESSION_DEPTH } from './succession.js';
import { withOverrides, type OverrideEntry, type OverrideIngestResult, type OverrideRecord } from '../overrides.js';

export async function pgIngestOverrides(client: pg.PoolClient, sender: string, overrides: readonly OverrideRecord[], receivedAt: string): Promise<OverrideIngestResult> {
  const out: OverrideIngestResult = { accepted: [], duplicate: [], rejected: [] };
  // The sender and every device it succeeded (a re-enrolled kiosk's earlier ids, succession.ts).
  const { rows: chain } = await client.query<{ id: string }>(
    `WITH RECURSIVE chain (id, depth) AS (
       SELECT $1::text, 0
       UNION SELECT s.predecessor_id, c.depth + 1 FROM device_successions s JOIN chain c ON s.successor_id = c.id WHERE c.depth < $2
     ) SELECT id FROM chain`,
    [sender, MAX_SUCCESSION_DEPTH],
  );
  const own = new Set([sender, ...chain.map((r) => r.id)]);
  for (const o of overrides) {
    const seen = await client.query('SELECT 1 FROM overrides WHERE id = $1', [o.id.toLowerCase()]);
    if (seen.rowCount) {
      out.duplicate.push(o.id);
      continue;
    }
    const found = await client.query<{ scanned_ms: string; sender_device_id: string; record: string }>(
      'SELECT scanned_ms, sender_device_id, record FROM checkins WHERE id = $1::uuid FOR UPDATE',
      [o.checkinId],
    );
    const row = found.rows[0];
    if (!row) {
      out.rejected.push({ id: o.id, reason: 'unknown-checkin' });
      continue;
    }
    if (!own.has(row.sender_device_id)) {
      out.rejected.push({ id: o.id, reason: 'foreign-checkin' });
      continue;
    }
    const { checkinId: _checkinId, ...entry } = o;
    const inserted = await client.query(
      'INSERT INTO overrides (id, checkin_id, sender_device_id, at, record, received_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
      [o.id.toLowerCase(), o.checkinId.toLowerCase(), sender, o.at, JSON.stringify(entry), receivedAt],
    );
    if (!inserted.rowCount) {
      out.duplicate.push(o.id);
      continue;
    }
    const all = await client.query<{ record: string }>('SELECT record FROM overrides WHERE checkin_id = $1', [o.checkinId.toLowerCase()]);
    const record = withOverrides(JSON.parse(row.record) as CheckIn, all.rows.map((r) => JSON.parse(r.record) as OverrideEntry));
    await client.query('UPDATE checkins SET verdict = $1, record = $2 WHERE scanned_ms = $3 AND id = $4::uuid', [record.verdict, JSON.stringify(record), row.scanned_ms, o.checkinId]);
    out.accepted.push(o.id);
  }
  return out;
}
