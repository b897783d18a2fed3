/**
 * Check-in ingest and export on the central database. Exactly once by id: a batch is applied in
 * one transaction with INSERT OR IGNORE, so a retried batch (the kiosk never saw our answer)
 * reports its records as duplicates instead of storing them twice.
 */
import type { CheckIn } from '../src/shared/types.js';
import type { CentralDb } from './db.js';
import { validateCheckIn } from './checkin-validation.js';

export interface IngestResult {
  accepted: string[];
  duplicate: string[];
  rejected: { id: string; reason: string }[];
}

export interface CheckInStatements {
  ingest(senderDeviceId: string, records: readonly unknown[], receivedAt: string): IngestResult;
}

export function checkInStatements(db: CentralDb): CheckInStatements {
  const insert = db.prepare(
    `INSERT OR IGNORE INTO checkins
       (id, device_id, sender_device_id, checkpoint_id, direction, scanned_at, scanned_ms, format, verdict, id_no, alt_id, record, received_at)
     VALUES (@id, @deviceId, @sender, @checkpointId, @direction, @scannedAt, @scannedMs, @format, @verdict, @idNo, @altId, @record, @receivedAt)`,
  );
  const apply = db.transaction((sender: string, valid: CheckIn[], receivedAt: string, result: IngestResult) => {
    for (const c of valid) {
      const info = insert.run({
        id: c.id,
        deviceId: c.deviceId,
        sender,
        checkpointId: c.checkpointId,
        direction: c.direction,
        scannedAt: c.scannedAt,
        scannedMs: Date.parse(c.scannedAt),
        format: c.format,
        verdict: c.verdict,
        idNo: c.subject.idNo ?? null,
        altId: c.subject.altId ?? null,
        record: JSON.stringify(c),
        receivedAt,
      });
      (info.changes === 1 ? result.accepted : result.duplicate).push(c.id);
    }
  });
  return {
    ingest(sender, records, receivedAt) {
      const result: IngestResult = { accepted: [], duplicate: [], rejected: [] };
      const valid: CheckIn[] = [];
      for (const raw of records) {
        const v = validateCheckIn(raw);
        if (v.ok) valid.push(v.value);
        else result.rejected.push({ id: v.id, reason: v.reason });
      }
      apply(sender, valid, receivedAt, result);
      return result;
    },
  };
}

/** Every received check-in, oldest scan first (ties by arrival). Streams: memory stays flat. */
export function* exportCheckIns(db: CentralDb): IterableIterator<CheckIn> {
  const rows = db.prepare('SELECT record FROM checkins ORDER BY scanned_ms, seq').iterate() as IterableIterator<{ record: string }>;
  for (const row of rows) yield JSON.parse(row.record) as CheckIn;
}

export function countCheckIns(db: CentralDb): number {
  return (db.prepare('SELECT count(*) AS n FROM checkins').get() as { n: number }).n;
}
