/**
 * The durable store's interface as the pipeline, the forwarder and the CLI see it.
 * Implemented on better-sqlite3 in src/store/ (WAL, synchronous=FULL).
 */
import type { CheckIn } from '../shared/types.js';

export type DeliveryState = 'pending' | 'forwarded' | 'rejected';

export type RecordOutcome = { kind: 'recorded' } | { kind: 'duplicate'; of: string };

export interface DedupRule {
  /** Identity key of the subject (never stored in clear if the store chooses to hash it). */
  key: string;
  /** Same key at the same device and direction within this many ms before → duplicate. */
  windowMs: number;
}

export interface StoredCheckIn extends CheckIn {
  delivery: DeliveryState;
  /** Why the server rejected it, when delivery = 'rejected'. */
  rejectReason?: string;
}

export interface QueueStats {
  /** Check-ins not yet forwarded (excluding rejected). */
  depth: number;
  oldestPendingAt?: string;
  rejected: number;
  /**
   * scannedAt of the oldest check-in held, whatever its delivery state: every check-in may carry
   * identity fields, so this is the oldest personal data on the device (heartbeat `oldestIdentityAt`).
   */
  oldestHeldAt?: string;
}

/** Which retention rule a purge applies; goes into the purge receipt. */
export interface PurgeRule {
  /** Short rule name, e.g. 'kiosk-retention'. */
  rule: string;
  retentionDays?: number;
  /** When the purge ran (ISO); default now. */
  at?: string;
}

export interface AuditEntry {
  at: string;
  actor: string;
  action: string;
  /** Free-form JSON-able detail (no personal data beyond the check-in id). */
  detail?: Record<string, unknown>;
}

export interface CheckInStore {
  /**
   * Duplicate check, check-in row and outbox row in ONE transaction, committed with
   * synchronous=FULL before returning. Throws StoreError only for storage faults.
   */
  record(checkIn: CheckIn, dedup?: DedupRule): RecordOutcome;
  /** Every check-in, oldest first (for `export`). */
  all(): IterableIterator<StoredCheckIn>;
  get(id: string): StoredCheckIn | undefined;
  /** Pending check-ins, oldest first, at most `limit`. */
  pendingBatch(limit: number): CheckIn[];
  markForwarded(ids: readonly string[], at: string): void;
  markRejected(rejections: readonly { id: string; reason: string }[], at: string): void;
  queueStats(): QueueStats;
  /**
   * Deletes forwarded check-ins scanned before `before` (ISO), writing a receipt per chunk into the
   * hash-chained audit log. Returns how many.
   */
  purgeForwarded(before: string, rule?: PurgeRule): number;
  setOverride(id: string, override: NonNullable<CheckIn['override']>): void;
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  audit(entry: AuditEntry): void;
  auditLog(limit: number): AuditEntry[];
  /** Hex SHA-256 of the newest audit entry (the head of the chain). */
  auditHead(): string;
  close(): void;
}
