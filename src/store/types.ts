/**
 * The durable store's interface as the pipeline, the forwarder and the CLI see it.
 * Implemented on better-sqlite3 in src/store/ (WAL, synchronous=FULL).
 */
import type { CheckIn, OverrideRecord } from '../shared/types.js';

export type DeliveryState = 'pending' | 'forwarded' | 'rejected';

export type RecordOutcome = { kind: 'recorded' } | { kind: 'duplicate'; of: string };

export interface DedupRule {
  /**
   * What makes two scans the same credential (the pipeline passes contentKey: a signed credential's
   * signer and signed payload, an identity QR's fields, else the normalised payload). The store
   * keeps only a keyed hash of it (HMAC-SHA-256 under a per-database salt), never the clear text.
   */
  key: string;
  /**
   * The key the same scan had before schema v7 (the normalised QR text, contentKey), when it differs
   * from `key`: check-ins recorded before the upgrade carry a hash of that one, so while the window
   * reaches back to them it is looked up too, and a re-read across the upgrade still folds. Never
   * stored.
   */
  formerKey?: string;
  /**
   * The latest check-in with the same key at the same device and direction within this many ms
   * before → duplicate of it, provided it has the same verdict and reasons as the new one.
   */
  windowMs: number;
  /**
   * False when the scan did not identify its holder (unreadable, unknown format, a signature that
   * does not verify …: shared/reasons.ts UNIDENTIFIED_REASONS): then a latest same-key check-in an
   * officer overrode is no duplicate of it (its override is not inherited by a mere re-read of the
   * same text), and the scan is recorded on its own. Default true.
   */
  inheritsOverride?: boolean;
  /**
   * Another id the same device recorded under (its local id before enrollment): check-ins under it
   * count as this device's for the window. A device id is renamed, the device is not.
   */
  formerDeviceId?: string;
}

export interface StoredCheckIn extends CheckIn {
  /**
   * The human message of a check-in the kiosk refused itself, before any credential was read (a
   * multi-QR SMART Health Card's chunks that did not become a card, a line longer than a QR code,
   * bytes that are not text): numbers and fixed words, never personal data. Absent otherwise, and
   * on check-ins recorded before schema v8. Kept on the kiosk: it does not travel to the server.
   */
  message?: string;
  delivery: DeliveryState;
  /** Why the server rejected it, when delivery = 'rejected'. */
  rejectReason?: string;
  /**
   * This check-in's overrides the central server refused (kept, marked rejected: the server's
   * export still shows the verdict before them), oldest first; absent when there are none.
   */
  overridesRejected?: { id: string; verdict: OverrideRecord['verdict']; reason: string }[];
}

/** An override the central server refused, as the technician panel lists it. */
export interface RejectedOverride {
  /** The override record's id. */
  id: string;
  checkinId: string;
  verdict: OverrideRecord['verdict'];
  /** The officer's id. */
  by: string;
  /** When the officer made it. */
  at: string;
  /** The server's reason. */
  reason: string;
  /** When the server's refusal was recorded here. */
  rejectedAt?: string;
}

/** A pending check-in as the forwarder sends it (CheckInStore.pendingWire). */
export interface WireRecord {
  id: string;
  /** Exactly JSON.stringify of the CheckIn pendingBatch() would return for it. */
  json: string;
  /** Its place in the outbox, oldest first: pass the last one as `after` to read the next batch. */
  cursor: number;
}

export interface QueueStats {
  /** Check-ins not yet forwarded (excluding rejected). */
  depth: number;
  oldestPendingAt?: string;
  rejected: number;
  /** Overrides not yet delivered (overrides outbox). */
  overridesPending?: number;
  /** Overrides the server refused: kept, marked rejected, shown to technicians. */
  overridesRejected?: number;
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
  /**
   * Also check-ins never forwarded (pending or rejected): only for a kiosk with no central server
   * (none configured, never enrolled), which has nothing to forward to (maintenance.ts).
   */
  unsent?: boolean;
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
   * synchronous=FULL before returning. Throws StoreError only for storage faults. A duplicate is
   * the latest same-key check-in in the window with the same verdict and reasons (DedupRule).
   * `message`: StoredCheckIn.message, stored with the check-in (cut to a bounded length).
   */
  record(checkIn: CheckIn, dedup?: DedupRule, message?: string): RecordOutcome;
  /** Every check-in, oldest first (for `export`). */
  all(): IterableIterator<StoredCheckIn>;
  get(id: string): StoredCheckIn | undefined;
  /** Pending check-ins, oldest first, at most `limit`. */
  pendingBatch(limit: number): CheckIn[];
  /**
   * The same records as pendingBatch, as JSON text ready to send (no parse and re-serialise of the
   * stored JSON), oldest first, at most `limit`, only those after `after` (a WireRecord.cursor;
   * default 0 = from the oldest). Lets the forwarder build the next batch while one is in flight.
   */
  pendingWire?(limit: number, after?: number): WireRecord[];
  markForwarded(ids: readonly string[], at: string): void;
  markRejected(rejections: readonly { id: string; reason: string }[], at: string): void;
  queueStats(): QueueStats;
  /**
   * Deletes forwarded check-ins scanned before `before` (ISO), writing a receipt per chunk into the
   * hash-chained audit log. Returns how many.
   */
  purgeForwarded(before: string, rule?: PurgeRule): number;
  /**
   * Stores the override on the check-in, queues it in the overrides outbox (as an OverrideRecord
   * with `override.id`, a new UUIDv7 when absent, and `override.reasons`, default the check-in's)
   * and writes an audit entry, in one transaction. RangeError for an unknown check-in id.
   */
  setOverride(id: string, override: NonNullable<CheckIn['override']>): void;
  /** Overrides waiting for delivery whose check-in is no longer pending, oldest first, at most `limit`. */
  pendingOverrides(limit: number): OverrideRecord[];
  markOverridesForwarded(ids: readonly string[], at: string): void;
  /** Permanently refused overrides: kept, marked and shown, never dropped. */
  markOverridesRejected(rejections: readonly { id: string; reason: string }[], at: string): void;
  /** The latest `limit` overrides the server refused, oldest of them first (absent: none kept). */
  rejectedOverrides?(limit: number): RejectedOverride[];
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  audit(entry: AuditEntry): void;
  auditLog(limit: number): AuditEntry[];
  /** Hex SHA-256 of the newest audit entry (the head of the chain). */
  auditHead(): string;
  close(): void;
}
