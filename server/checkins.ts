/**
 * Check-in ingest and export on the central storage. Exactly once by id: a batch is applied in
 * one transaction that ignores ids already stored, so a retried batch (the kiosk never saw our
 * answer) reports its records as duplicates instead of storing them twice.
 */
import type { CheckIn } from '../src/shared/types.js';
import { validateCheckIn } from './checkin-validation.js';
import type { CentralStorage } from './storage/types.js';

export interface IngestResult {
  accepted: string[];
  duplicate: string[];
  rejected: { id: string; reason: string }[];
}

/**
 * Validates each record on its own (a bogus record is rejected alone, with a reason) and stores
 * the valid ones in one transaction. `receivedAt` is an ISO time.
 */
export async function ingestCheckIns(storage: CentralStorage, senderDeviceId: string, records: readonly unknown[], receivedAt: string): Promise<IngestResult> {
  const rejected: IngestResult['rejected'] = [];
  const valid: CheckIn[] = [];
  // Ids are compared and stored in lower case (RFC 9562: a UUID's hex digits are case-insensitive,
  // and PostgreSQL's uuid type already folds them), so 0193A0C5-… and 0193a0c5-… are one record on
  // either backend; the answer echoes each id as the kiosk sent it. An id repeated within one batch
  // is stored once and reported as a duplicate the second time.
  const sentAs = new Map<string, string>();
  const repeated: string[] = [];
  const nowMs = Date.parse(receivedAt);
  for (const raw of records) {
    const v = validateCheckIn(raw, nowMs);
    if (!v.ok) {
      rejected.push({ id: v.id, reason: v.reason });
      continue;
    }
    const id = v.value.id.toLowerCase();
    if (sentAs.has(id)) repeated.push(v.value.id);
    else {
      sentAs.set(id, v.value.id);
      // The record says which device made it; the token says which delivered it. Kept apart so an
      // export never attributes a record only to the id a sender chose to write in it.
      const record = { ...v.value, id };
      valid.push(record.deviceId === senderDeviceId ? record : { ...record, senderDeviceId });
    }
  }
  const stored = valid.length ? await storage.ingestCheckIns(senderDeviceId, valid, receivedAt) : { accepted: [], duplicate: [] };
  const asSent = (id: string) => sentAs.get(id) ?? id;
  return { accepted: stored.accepted.map(asSent), duplicate: [...stored.duplicate.map(asSent), ...repeated], rejected };
}
