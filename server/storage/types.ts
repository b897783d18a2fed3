/**
 * The central server's storage seam: everything the routes, the CLI and the dashboard read or
 * write goes through one `CentralStorage`. Two implementations exist — SQLite in the data dir (the
 * embedded default, `storage/sqlite-storage.ts`) and PostgreSQL through `pg` with a pool
 * (`storage/postgres-storage.ts`, for several nodes sharing one database).
 *
 * Rules for every method (and for methods you add):
 * - async, even where SQLite is synchronous: PostgreSQL is not;
 * - times cross the seam as epoch milliseconds (numbers) or ISO strings as documented per field;
 * - codes and tokens cross it only as SHA-256 hex hashes — the storage never sees a secret that
 *   would let a copy of the database enroll or impersonate a device;
 * - a method that writes several rows does so in one transaction (all or nothing);
 * - results are bounded by a `limit` parameter or by the nature of the query (aggregates).
 *
 * To add a table: add a migration to both backends (SQLite: `server/db.ts`; PostgreSQL:
 * `storage/postgres-schema.ts`), add methods here, implement them in both, and let the protocol
 * suite (test/integration/central-server.test.ts, run against both backends) cover them.
 */
import type { CheckIn, VerdictKind } from '../../src/shared/types.js';
import type { OverrideIngestResult, OverrideRecord } from '../overrides.js';
import type { FleetStorage } from './fleet-types.js';
import type { AuditRowText } from '../../src/store/audit-chain.js';

/** A closed range of scan times, epoch ms: [fromMs, toMs]. */
export interface ScanRange {
  fromMs: number;
  toMs: number;
}

/** An audit-log entry to append (`detail`: a JSON object without personal data). */
export interface AuditInput {
  at: string;
  actor: string;
  action: string;
  detail?: Record<string, unknown>;
}

/**
 * Builds the audit receipt of one removal: `removed` check-ins, per UTC day of scanning
 * ("YYYY-MM-DD" → count), and `partition` when a whole PostgreSQL partition was dropped.
 */
export type PurgeReceipt = (removed: number, days: Record<string, number>, partition?: string) => AuditInput;

/** An audit-log entry as stored: `detail` as the JSON text that was hashed, `hash` hex. */
export type AuditRow = AuditRowText;

/** A check-in named by id and scan time (ISO). */
export interface CheckInRef {
  id: string;
  scannedAt: string;
}

/** Which backend a storage is. */
export type StorageBackend = 'sqlite' | 'postgres';

/**
 * Long-lived secrets of the server. SQLite keeps them as 0600 files in the data dir; PostgreSQL
 * keeps them in the database so that every node signs with the same keys.
 */
export type SecretName = 'root-key' | 'declaration-key' | 'admin-token';

/** What the trust bundle signer produced for one content (see `publishedBundle`). */
export interface SignedBundleState {
  /** Compact JWS of the bundle. */
  jws: string;
  /** ISO time the content was first signed. */
  issuedAt: string;
}

/** One enrollment code as stored: the hash only. */
export interface NewEnrollmentCode {
  /** SHA-256 hex of the normalised code. */
  codeHash: string;
  createdAtMs: number;
  expiresAtMs: number;
}

/** A device created by a successful enrollment. */
export interface NewDevice {
  /** Random UUID chosen by the caller. */
  id: string;
  name: string;
  version: string;
  platform: string;
  /** SHA-256 hex of the device token. */
  tokenHash: string;
  /**
   * The device this kiosk was before (its proof already checked, server/enrollment.ts): recorded
   * as succeeded by `id` in the same transaction, unless another device succeeded it first
   * (storage/succession.ts).
   */
  predecessorId?: string;
  /**
   * SHA-256 hex of the kiosk's attempt secret (protocol extension `attempt`), kept with the spent
   * code so the same kiosk can resume this enrollment if its answer is lost (resumeEnrollment).
   */
  attemptHash?: string;
}

/** Outcome of spending an enrollment code. */
export type EnrollStorageOutcome = 'enrolled' | 'code-unknown' | 'code-used' | 'code-expired';

/** Result of storing already-validated check-ins: ids in input order. */
export interface StoredBatch {
  /** Newly stored now. */
  accepted: string[];
  /** Stored before (a retry): nothing changed. */
  duplicate: string[];
}

/**
 * The latest heartbeat of a device (protocol v1 heartbeat plus the optional extension fields;
 * absent fields are null).
 */
export interface StoredHeartbeat {
  queueDepth: number;
  oldestPendingAt: string | null;
  lastScanAt: string | null;
  trustIssuedAt: string | null;
  version: string;
  /** Kiosk clock minus server clock (ms), as the kiosk measured it. */
  clockOffsetMs: number | null;
  appliedConfigVersion: string | null;
  updateState: string | null;
  oldestIdentityAt: string | null;
  /** Checkpoint id and direction (`in` | `out`) the kiosk stamps on its check-ins now; absent = null. */
  checkpointId?: string | null;
  direction?: string | null;
  /** Time members the server could not read (stored as null): `oldestPendingAt`, …; absent = none. */
  unreadableTimes?: readonly string[];
  /** The whole body as received (JSON text, bounded by the route's body limit). */
  body: string;
}

/** A device with its latest heartbeat (heartbeat fields null when it never sent one). */
export interface DeviceHeartbeatRow {
  deviceId: string;
  name: string;
  enrolledAt: string;
  lastHeartbeatAt: string | null;
  lastHeartbeatMs: number | null;
  queueDepth: number | null;
  oldestPendingAt: string | null;
  lastScanAt: string | null;
  trustIssuedAt: string | null;
  version: string | null;
  clockOffsetMs: number | null;
  appliedConfigVersion: string | null;
  updateState: string | null;
  oldestIdentityAt: string | null;
  /**
   * Checkpoint id and direction the kiosk reported in its latest heartbeat; null when it never
   * sent one or its version does not report them.
   */
  checkpointId: string | null;
  direction: string | null;
  /** Time members of the latest heartbeat the server could not read (stored as null); empty when none. */
  unreadableTimes: string[];
}

/** Aggregates over check-ins scanned in [fromMs, toMs). */
export interface CheckInFigures {
  count: number;
  /** Distinct sending devices (scan points). */
  devices: number;
  checkpoints: number;
}

/** An issued traveller declaration as registered by the server: no personal data. */
export interface IssuedDeclaration {
  /** The declaration's UUID (its `id` claim). */
  id: string;
  /** kid of the issuer key that signed it. */
  kid: string;
  issuedAt: string;
  expiresAt: string;
}

/** The tracing query for the people near one landmark. */
export interface NearbyQuery {
  checkpointId: string;
  fromMs: number;
  toMs: number;
  /** The landmark's own check-in id (left out). */
  excludeId: string;
  /** The traced person's ID number: their records (by idNo or altId) are left out. */
  excludePerson: string;
  limit: number;
}

export interface CentralStorage {
  readonly backend: StorageBackend;
  /** Where the data lives, for logs: a directory, or a database URL without password. */
  readonly location: string;
  /** Provisioning cards, revocations, groups, configuration profiles, releases (fleet-types.ts). */
  readonly fleet: FleetStorage;

  // --- secrets and the signed trust bundle -------------------------------------------------
  /**
   * The secret `name`, created with `create()` when none is stored yet. Two nodes starting at the
   * same time both get the one value that won (first writer wins; the loser's value is dropped).
   */
  loadOrCreateSecret(name: SecretName, create: () => string): Promise<string>;
  /** The secret `name`, or undefined when none is stored (never creates one). */
  readSecret(name: SecretName): Promise<string | undefined>;
  /**
   * Replaces the admin token with `value` (`central admin-token --rotate`), durably. Only the
   * admin token: the keys are pinned by kiosks (root) or named in issued declarations.
   */
  replaceSecret(name: 'admin-token', value: string): Promise<void>;
  /**
   * Rotates the admin token to `value`, serialised with every other rotation on this database
   * (SQLite: an IMMEDIATE transaction, waited for up to busy_timeout; PostgreSQL: the token's row
   * locked FOR UPDATE). Under that lock it refuses (false, nothing changed) when the stored token
   * is no longer `expected` (compared without surrounding whitespace) or when the last rotation was
   * stamped after `launchedAtMs` — it then happened while this one was under way, so this one set
   * out to replace a token that is gone. Otherwise it writes `value`, stamps the rotation with
   * `now()` (taken under the lock) and answers true: that token is the one in force when it returns.
   * Times are epoch ms (fractional).
   */
  rotateSecret(name: 'admin-token', expected: string, value: string, launchedAtMs: number, now: () => number): Promise<boolean>;
  /**
   * The signed bundle for `contentHash` (a hash of the root kid and the bundle content): the one
   * stored, or the result of `sign()` stored now. Reusing the stored signature keeps the ETag
   * stable across restarts and identical on every node (first writer wins).
   */
  publishedBundle(contentHash: string, sign: () => Promise<SignedBundleState>): Promise<SignedBundleState>;
  /**
   * The signed bundle published last (what `GET /api/v1/trust-bundle` serves now), or undefined
   * before the first start. Optional: a backend without it makes `central trust-bundle` say so.
   */
  currentBundle?(): Promise<SignedBundleState | undefined>;

  // --- enrollment -----------------------------------------------------------------------------
  /** Registers a code. False when that hash was registered before (even if spent since). */
  addEnrollmentCode(code: NewEnrollmentCode): Promise<boolean>;
  /**
   * Spends the code `codeHash` and creates `device`, in one transaction; a code is spent at most
   * once even when two nodes race for it.
   */
  enrollDevice(codeHash: string, device: NewDevice, nowMs: number): Promise<EnrollStorageOutcome>;
  /**
   * Resumes the enrollment that spent `codeHash` when it was made with the attempt secret whose
   * SHA-256 is `attemptHash`, at most RESUME_WINDOW_MS ago (storage/enroll-attempt.ts), and its
   * device is not revoked: that device's token hash becomes `tokenHash` (the answer carrying the
   * first token never arrived), in one transaction. The device id, or undefined when nothing
   * matches (the caller answers "already used" as before).
   */
  resumeEnrollment(codeHash: string, attemptHash: string, tokenHash: string, nowMs: number): Promise<string | undefined>;
  /** The device id a token hash belongs to; undefined for a revoked device (checked on every call, no cache). */
  deviceForTokenHash(tokenHash: string): Promise<string | undefined>;
  /** The token hash of an enrolled device, revoked or not (a re-enrolling kiosk proves it held it); undefined for an unknown id. */
  deviceTokenHash(deviceId: string): Promise<string | undefined>;
  /** The device `deviceId` succeeded at its enrollment (storage/succession.ts), if any. */
  predecessorOf(deviceId: string): Promise<string | undefined>;

  // --- check-ins ------------------------------------------------------------------------------
  /**
   * Stores validated check-ins sent by device `senderDeviceId`, exactly once by id, in one
   * transaction. `receivedAt` is an ISO time.
   */
  ingestCheckIns(senderDeviceId: string, checkins: readonly CheckIn[], receivedAt: string): Promise<StoredBatch>;
  /**
   * Every stored check-in, oldest scan first, or with `range` only those scanned in
   * [fromMs, toMs] (epoch ms, both ends included; read through the scan-time index); streams
   * (memory stays flat).
   */
  exportCheckIns(range?: ScanRange): AsyncIterable<CheckIn>;

  // --- overrides (server/overrides.ts) -----------------------------------------------------------
  /**
   * Stores validated overrides sent by `senderDeviceId`, exactly once by override id, in one
   * transaction. Each stored override rewrites its check-in's record with `withOverrides()` (current
   * verdict, originalVerdict, overrides oldest first) and its verdict column. Refused one by one:
   * `unknown-checkin` (no such check-in stored yet), `foreign-checkin` (sent by a device that is
   * neither the sender nor one it succeeded, storage/succession.ts).
   */
  ingestOverrides(senderDeviceId: string, overrides: readonly OverrideRecord[], receivedAt: string): Promise<OverrideIngestResult>;
  countCheckIns(): Promise<number>;
  /**
   * How many stored rows each referenced check-in has (0 = missing, 1 = stored once). A reference
   * carries the scan time so that PostgreSQL finds it through its primary key. At most 1,000.
   */
  countCheckInsById(refs: readonly CheckInRef[]): Promise<Map<string, number>>;

  // --- heartbeats -----------------------------------------------------------------------------
  /** Replaces the device's latest heartbeat. */
  recordHeartbeat(deviceId: string, heartbeat: StoredHeartbeat, nowMs: number): Promise<void>;

  // --- declarations ---------------------------------------------------------------------------
  /** Registers an issued declaration (idempotent by id). */
  recordDeclaration(declaration: IssuedDeclaration): Promise<void>;
  countDeclarations(): Promise<number>;

  // --- stats (dashboard) ----------------------------------------------------------------------
  checkInFigures(fromMs: number, toMs: number): Promise<CheckInFigures>;
  /**
   * Whether any stored check-in (at any time) or any device's latest heartbeat names checkpoint
   * `checkpointId` (exactly). An index seek, however many check-ins there are.
   */
  checkpointSeen(checkpointId: string): Promise<boolean>;
  /**
   * Checkpoint ids named by stored check-ins or devices' latest heartbeats, in id order, at most
   * `limit` of each source (a loose index scan of the check-ins: one seek per checkpoint).
   */
  knownCheckpoints(limit: number): Promise<string[]>;
  /** Check-ins per checkpoint in [fromMs, toMs), most first (ties by checkpoint id). */
  checkInsByCheckpoint(fromMs: number, toMs: number, limit: number): Promise<{ checkpointId: string; count: number }[]>;
  /**
   * Check-ins per whole hour since `fromMs`: element h counts scans in [fromMs + h h, fromMs +
   * (h+1) h), for h in 0..hours-1. Hours are integers, never fractions. From a whole quarter hour
   * (every local midnight in use) the backends read their per-quarter counters, not the check-ins.
   */
  checkInsByHour(fromMs: number, hours: number): Promise<number[]>;
  /**
   * Check-ins stored, from the per-quarter-hour counters (checkin-counts.ts): a sum over at most a
   * few thousand counter rows, however many check-ins there are. Equal to `countCheckIns()` unless
   * a partition was dropped by hand behind the server's back.
   */
  checkInTotal(): Promise<number>;
  /**
   * Check-ins per verdict (the verdict as received) scanned in [fromMs, toMs); verdicts without
   * check-ins are left out. Used by the operations room's verdict mix. (PostgreSQL: `SELECT
   * verdict, count(*) FROM checkins WHERE scanned_ms >= $1 AND scanned_ms < $2 GROUP BY verdict`.)
   */
  checkInsByVerdict(fromMs: number, toMs: number): Promise<{ verdict: VerdictKind; count: number }[]>;
  /** Enrolled devices (oldest enrollment first) with their latest heartbeat. */
  devicesWithHeartbeat(limit: number): Promise<DeviceHeartbeatRow[]>;

  // --- tracing --------------------------------------------------------------------------------
  /** Check-ins whose idNo or altId is `idNo`, scanned in [fromMs, toMs], oldest first. */
  checkInsOfPerson(idNo: string, fromMs: number, toMs: number, limit: number): Promise<CheckIn[]>;
  /** Other people's check-ins at one checkpoint in [fromMs, toMs], oldest first. */
  checkInsNear(q: NearbyQuery): Promise<CheckIn[]>;

  // --- the data key that seals identity fields (sealed-storage.ts) ------------------------------
  /**
   * Fingerprint of the data key this database's identity fields are sealed with (lower-case hex:
   * 64 digits; 16 on a database sealed before fingerprints were recorded, the key id its sealed
   * records carry), or undefined while no node has sealed anything. Never the key itself.
   */
  dataKeyFingerprint(): Promise<string | undefined>;
  /**
   * Records `fingerprint` as the database's data key unless one is recorded already (first writer
   * wins; a recorded 16-digit key id that `fingerprint` starts with is replaced by the full one)
   * and returns the fingerprint recorded now, which the caller compares with its own. With
   * `sealExisting`, a first record also marks the stored check-ins for `sealLegacyCheckIns`, in
   * the same transaction: the database goes from clear to sealed as a whole.
   */
  bindDataKey(fingerprint: string, sealExisting: boolean): Promise<string>;

  // --- privacy: sealing, retention, audit log ------------------------------------------------
  /**
   * Runs the sealing of check-ins stored before identity sealing existed, when the backend's
   * migration marked it pending (else resolves 0 at once): every stored check-in, oldest first, is
   * passed to `transform`; a returned check-in replaces it (record and tracing columns). Batches of
   * `batchSize` rows, one transaction each, so a crash loses nothing and the next open resumes.
   * Afterwards the backend drops freed space (SQLite: VACUUM). Returns how many were rewritten.
   */
  sealLegacyCheckIns(transform: (c: CheckIn) => CheckIn | undefined, batchSize?: number): Promise<number>;
  /**
   * Deletes at most `limit` check-ins scanned before `beforeMs` (oldest first) and appends
   * `receipt(removed, days)` to the audit log, in one transaction; `days` counts the removed
   * check-ins per UTC day of scanning ("YYYY-MM-DD"). Returns how many were removed (0: none left).
   * Removed rows are overwritten, not left in free pages.
   */
  purgeCheckIns(beforeMs: number, limit: number, receipt: PurgeReceipt): Promise<number>;
  /**
   * Removes whole storage units holding only check-ins scanned before `beforeMs` (PostgreSQL: day
   * partitions, dropped rather than deleted row by row), each with `receipt(removed, days, name)`
   * in the audit log in the same transaction; retention calls it before `purgeCheckIns`, which then
   * deletes only what straddles the cut-off. Concurrent ingest must neither fail nor lose a row.
   * Returns how many check-ins went. Optional: SQLite has no partitions and leaves it out.
   */
  dropExpiredPartitions?(beforeMs: number, receipt: PurgeReceipt): Promise<number>;
  /** Appends one entry to the hash-chained audit log (see audit-chain: hash of the previous entry). */
  appendAudit(entry: AuditInput): Promise<void>;
  /** The audit log, oldest first, as stored (detail as JSON text, hash hex); streams. */
  auditRows(): AsyncIterable<AuditRow>;
  /** Releases the database (idempotent). */
  close(): Promise<void>;
}
