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
  // An id repeated within one batch is stored once and reported as a duplicate the second time.
  const seen = new Set<string>();
  const repeated: string[] = [];
  for (const raw of records) {
    const v = validateCheckIn(raw);
    if (!v.ok) rejected.push({ id: v.id, reason: v.reason });
    else if (seen.has(v.value.id)) repeated.push(v.value.id);
    else {
      seen.add(v.value.id);
      // The record says which device made it; the token says which delivered it. Kept apart so an
      // export never attributes a record only to the id a sender chose to write in it.
      valid.push(v.value.deviceId === senderDeviceId ? v.value : { ...v.value, senderDeviceId });
    }
  }
  const stored = valid.length ? await storage.ingestCheckIns(senderDeviceId, valid, receivedAt) : { accepted: [], duplicate: [] };
  return { accepted: stored.accepted, duplicate: [...stored.duplicate, ...repeated], rejected };
}
