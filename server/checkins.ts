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

/** Ingest options. */
export interface IngestOptions {
  /**
   * The server's retention (days): a valid record scanned before `receivedAt` minus this many
   * days is answered `accepted` (the kiosk may let it go) but not stored — retention would delete
   * it within the hour — with a `purge` receipt in the audit log (`rule: "central-retention: …
   * arrived past retention, not stored"`). On PostgreSQL this also keeps a batch of old scan
   * times from making a day partition each. Absent: every valid record is stored.
   */
  retentionDays?: number;
}

const DAY_MS = 86_400_000;

/**
 * Validates each record on its own (a bogus record is rejected alone, with a reason) and stores
 * the valid ones in one transaction. `receivedAt` is an ISO time.
 */
export async function ingestCheckIns(storage: CentralStorage, senderDeviceId: string, records: readonly unknown[], receivedAt: string, opts: IngestOptions = {}): Promise<IngestResult> {
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
  const expired = opts.retentionDays === undefined ? [] : await settleExpired(storage, valid, nowMs, opts.retentionDays);
  const toStore = expired.length ? valid.filter((c) => !expired.includes(c)) : valid;
  const stored = toStore.length ? await storage.ingestCheckIns(senderDeviceId, toStore, receivedAt) : { accepted: [], duplicate: [] };
  const asSent = (id: string) => sentAs.get(id) ?? id;
  return { accepted: [...stored.accepted, ...expired.map((c) => c.id)].map(asSent), duplicate: [...stored.duplicate.map(asSent), ...repeated], rejected };
}

/**
 * The records of `valid` scanned before the retention cut-off, after their `purge` receipt was
 * appended to the audit log (counts per UTC day of scanning, as retention's own receipts).
 */
async function settleExpired(storage: CentralStorage, valid: readonly CheckIn[], nowMs: number, retentionDays: number): Promise<CheckIn[]> {
  const beforeMs = nowMs - retentionDays * DAY_MS;
  const expired = valid.filter((c) => Date.parse(c.scannedAt) < beforeMs);
  if (expired.length === 0) return expired;
  const days: Record<string, number> = {};
  for (const c of expired) {
    const day = new Date(Date.parse(c.scannedAt)).toISOString().slice(0, 10);
    days[day] = (days[day] ?? 0) + 1;
  }
  await storage.appendAudit({
    at: new Date(nowMs).toISOString(),
    actor: 'system',
    action: 'purge',
    detail: {
      rule: 'central-retention: check-ins scanned more than retentionDays ago; arrived past retention, not stored',
      retentionDays,
      before: new Date(beforeMs).toISOString(),
      removed: expired.length,
      days,
    },
  });
  return expired;
}
