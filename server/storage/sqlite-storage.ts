/**
 * `CentralStorage` on SQLite in the data dir (the embedded default): `central.sqlite` (WAL,
 * synchronous=FULL), secrets as 0600 files beside it, the trust-bundle signature in
 * `trust-bundle.state.json`. better-sqlite3 is synchronous; the methods are async only to fit the
 * seam.
 */
import { RESUME_WINDOW_MS } from './enroll-attempt.js';
import fs from 'node:fs';
import path from 'node:path';
import type { CheckIn, VerdictKind } from '../../src/shared/types.js';
import { openCentralDb } from '../db.js';
import type { CentralDb } from '../db.js';
import { SECRET_FILES, createSecretFile, replaceSecretFile } from '../secrets.js';
import type { OverrideIngestResult, OverrideRecord } from '../overrides.js';
import { sqliteOverrideIngest, type SqliteOverrideIngest } from './sqlite-overrides.js';
import { SqliteFleetStorage } from './sqlite-fleet.js';
import { auditAppender, auditRowsText } from '../../src/store/audit-chain.js';
import { quarterAligned } from './checkin-counts.js';
import type {
  AuditInput,
  AuditRow,
  CentralStorage,
  CheckInFigures,
  CheckInRef,
  DeviceHeartbeatRow,
  EnrollStorageOutcome,
  IssuedDeclaration,
  NearbyQuery,
  NewDevice,
  NewEnrollmentCode,
  PurgeReceipt,
  ScanRange,
  SecretName,
  SignedBundleState,
  StoredBatch,
  StoredHeartbeat,
} from './types.js';

const TRUST_STATE_FILE = 'trust-bundle.state.json';

/** Opens (creating if needed) the SQLite storage of `dataDir`. */
export function openSqliteStorage(dataDir: string): SqliteStorage {
  return new SqliteStorage(dataDir, openCentralDb(dataDir));
}

/** A devices ⟕ heartbeats row as both backends select it (snake_case columns). */
export type HeartbeatJoinRow = {
  id: string;
  name: string;
  enrolled_at: string;
  received_at: string | null;
  received_ms: number | string | null;
  queue_depth: number | string | null;
  oldest_pending_at: string | null;
  last_scan_at: string | null;
  trust_issued_at: string | null;
  version: string | null;
  clock_offset_ms: number | string | null;
  applied_config_version: string | null;
  update_state: string | null;
  oldest_identity_at: string | null;
  checkpoint_id: string | null;
  direction: string | null;
  unreadable_times: string | null;
};

/** Key (in `meta` / `central_meta`) of the time the admin token was last rotated (epoch ms, fractional). */
export const ROTATED_AT_KEY = 'admin-token-rotated-at';

export class SqliteStorage implements CentralStorage {
  readonly backend = 'sqlite' as const;
  readonly location: string;
  readonly fleet: SqliteFleetStorage;
  private closed = false;
  private readonly insertCheckIn;
  private readonly applyBatch;
  private readonly applyOverrides: SqliteOverrideIngest;
  private readonly audit;

  constructor(
    private readonly dataDir: string,
    /** The open database (tests may read it; everything else goes through the methods). */
    readonly db: CentralDb,
  ) {
    this.location = path.resolve(dataDir);
    this.applyOverrides = sqliteOverrideIngest(db);
    this.fleet = new SqliteFleetStorage(db);
    this.audit = auditAppender(db);
    this.insertCheckIn = db.prepare(
      `INSERT OR IGNORE INTO checkins
         (id, device_id, sender_device_id, checkpoint_id, direction, scanned_at, scanned_ms, format, verdict, id_no, alt_id, record, received_at)
       VALUES (@id, @deviceId, @sender, @checkpointId, @direction, @scannedAt, @scannedMs, @format, @verdict, @idNo, @altId, @record, @receivedAt)`,
    );
    this.applyBatch = db.transaction((sender: string, valid: readonly CheckIn[], receivedAt: string): StoredBatch => {
      const out: StoredBatch = { accepted: [], duplicate: [] };
      for (const c of valid) {
        const info = this.insertCheckIn.run({
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
        (info.changes === 1 ? out.accepted : out.duplicate).push(c.id);
      }
      return out;
    });
  }

  async loadOrCreateSecret(name: SecretName, create: () => string): Promise<string> {
    const file = path.join(this.dataDir, SECRET_FILES[name]);
    // Exclusive create: of two processes racing on a fresh dir, one file wins and both read it.
    if (!fs.existsSync(file)) createSecretFile(file, create());
    return fs.readFileSync(file, 'utf8');
  }

  async replaceSecret(name: 'admin-token', value: string): Promise<void> {
    replaceSecretFile(path.join(this.dataDir, SECRET_FILES[name]), value);
  }

  async rotateSecret(name: 'admin-token', expected: string, value: string, launchedAtMs: number, now: () => number): Promise<boolean> {
    const file = path.join(this.dataDir, SECRET_FILES[name]);
    // The file has no lock of its own: the database's write lock (BEGIN IMMEDIATE, waited for up
    // to busy_timeout) serialises rotations of every process on this data dir, so the second one
    // reads the token and the stamp the first wrote.
    const swap = this.db.transaction(() => {
      let stored: string | undefined;
      try {
        stored = fs.readFileSync(file, 'utf8').trim();
      } catch {
        stored = undefined;
      }
      if (stored !== expected) return false;
      const last = this.db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(ROTATED_AT_KEY) as string | undefined;
      if (last !== undefined && Number(last) > launchedAtMs) return false;
      this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(ROTATED_AT_KEY, String(now()));
      // Last: a failed write rolls the stamp back with the transaction.
      replaceSecretFile(file, value);
      return true;
    });
    return swap.immediate();
  }

  async readSecret(name: SecretName): Promise<string | undefined> {
    try {
      return fs.readFileSync(path.join(this.dataDir, SECRET_FILES[name]), 'utf8');
    } catch {
      return undefined;
    }
  }

  async currentBundle(): Promise<SignedBundleState | undefined> {
    try {
      const state = JSON.parse(fs.readFileSync(path.join(this.dataDir, TRUST_STATE_FILE), 'utf8')) as { jws?: unknown; issuedAt?: unknown };
      return typeof state.jws === 'string' && typeof state.issuedAt === 'string' ? { jws: state.jws, issuedAt: state.issuedAt } : undefined;
    } catch {
      return undefined; // never published (the server signs the bundle when it starts)
    }
  }

  async publishedBundle(contentHash: string, sign: () => Promise<SignedBundleState>): Promise<SignedBundleState> {
    const stateFile = path.join(this.dataDir, TRUST_STATE_FILE);
    try {
      const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as { contentHash?: string; jws?: string; issuedAt?: string };
      if (state.contentHash === contentHash && typeof state.jws === 'string' && typeof state.issuedAt === 'string') {
        return { jws: state.jws, issuedAt: state.issuedAt };
      }
    } catch {
      // No state yet (first start) or unreadable: sign afresh.
    }
    const signed = await sign();
    const tmp = `${stateFile}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ contentHash, ...signed }));
    fs.renameSync(tmp, stateFile);
    return signed;
  }

  async addEnrollmentCode(code: NewEnrollmentCode): Promise<boolean> {
    const info = this.db
      .prepare('INSERT OR IGNORE INTO enrollment_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)')
      .run(code.codeHash, new Date(code.createdAtMs).toISOString(), new Date(code.expiresAtMs).toISOString());
    return info.changes === 1;
  }

  async enrollDevice(codeHash: string, device: NewDevice, nowMs: number): Promise<EnrollStorageOutcome> {
    const now = new Date(nowMs).toISOString();
    return this.db.transaction((): EnrollStorageOutcome => {
      const row = this.db.prepare('SELECT expires_at, used_at FROM enrollment_codes WHERE code_hash = ?').get(codeHash) as
        | { expires_at: string; used_at: string | null }
        | undefined;
      if (!row) return 'code-unknown';
      if (row.used_at) return 'code-used';
      if (Date.parse(row.expires_at) <= nowMs) return 'code-expired';
      this.db
        .prepare('INSERT INTO devices (id, name, version, platform, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(device.id, device.name, device.version, device.platform, device.tokenHash, now);
      this.db.prepare('UPDATE enrollment_codes SET used_at = ?, used_by = ?, attempt_hash = ? WHERE code_hash = ?').run(now, device.id, device.attemptHash ?? null, codeHash);
      if (device.predecessorId !== undefined) {
        this.db.prepare('INSERT OR IGNORE INTO device_successions (successor_id, predecessor_id, recorded_at) VALUES (?, ?, ?)').run(device.id, device.predecessorId, now);
      }
      return 'enrolled';
    })();
  }

  async resumeEnrollment(codeHash: string, attemptHash: string, tokenHash: string, nowMs: number): Promise<string | undefined> {
    return this.db.transaction((): string | undefined => {
      const row = this.db
        .prepare(
          `SELECT c.used_by AS id, c.used_at AS usedAt FROM enrollment_codes c JOIN devices d ON d.id = c.used_by
            WHERE c.code_hash = ? AND c.attempt_hash = ? AND NOT EXISTS (SELECT 1 FROM fleet_revocations r WHERE r.device_id = d.id)`,
        )
        .get(codeHash, attemptHash) as { id: string; usedAt: string } | undefined;
      if (!row || !(nowMs - Date.parse(row.usedAt) <= RESUME_WINDOW_MS)) return undefined;
      this.db.prepare('UPDATE devices SET token_hash = ? WHERE id = ?').run(tokenHash, row.id);
      return row.id;
    }).immediate();
  }

  async deviceForTokenHash(tokenHash: string): Promise<string | undefined> {
    const row = this.db
      .prepare('SELECT id FROM devices WHERE token_hash = ? AND NOT EXISTS (SELECT 1 FROM fleet_revocations r WHERE r.device_id = devices.id)')
      .get(tokenHash) as { id: string } | undefined;
    return row?.id;
  }

  async deviceTokenHash(deviceId: string): Promise<string | undefined> {
    return (this.db.prepare('SELECT token_hash FROM devices WHERE id = ?').get(deviceId) as { token_hash: string } | undefined)?.token_hash;
  }

  async predecessorOf(deviceId: string): Promise<string | undefined> {
    return (this.db.prepare('SELECT predecessor_id FROM device_successions WHERE successor_id = ?').get(deviceId) as { predecessor_id: string } | undefined)?.predecessor_id;
  }

  async ingestCheckIns(senderDeviceId: string, checkins: readonly CheckIn[], receivedAt: string): Promise<StoredBatch> {
    return this.applyBatch(senderDeviceId, checkins, receivedAt);
  }

  async ingestOverrides(senderDeviceId: string, overrides: readonly OverrideRecord[], receivedAt: string): Promise<OverrideIngestResult> {
    return this.applyOverrides(senderDeviceId, overrides, receivedAt);
  }

  async *exportCheckIns(range?: ScanRange): AsyncIterable<CheckIn> {
    const rows = (
      range
        ? this.db.prepare('SELECT record FROM checkins WHERE scanned_ms BETWEEN ? AND ? ORDER BY scanned_ms, seq').iterate(range.fromMs, range.toMs)
        : this.db.prepare('SELECT record FROM checkins ORDER BY scanned_ms, seq').iterate()
    ) as IterableIterator<{ record: string }>;
    for (const row of rows) yield JSON.parse(row.record) as CheckIn;
  }

  async countCheckIns(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM checkins').get() as { n: number }).n;
  }

  async countCheckInsById(refs: readonly CheckInRef[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(refs.map((r) => [r.id, 0]));
    const stmt = this.db.prepare('SELECT count(*) AS n FROM checkins WHERE id = ?');
    for (const r of refs) out.set(r.id, (stmt.get(r.id) as { n: number }).n);
    return out;
  }

  async recordHeartbeat(deviceId: string, h: StoredHeartbeat, nowMs: number): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO heartbeats (device_id, received_at, received_ms, queue_depth, oldest_pending_at, last_scan_at, trust_issued_at, version,
           clock_offset_ms, applied_config_version, update_state, oldest_identity_at, checkpoint_id, direction, unreadable_times, body)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(device_id) DO UPDATE SET received_at = excluded.received_at, received_ms = excluded.received_ms,
           queue_depth = excluded.queue_depth, oldest_pending_at = excluded.oldest_pending_at, last_scan_at = excluded.last_scan_at,
           trust_issued_at = excluded.trust_issued_at, version = excluded.version, clock_offset_ms = excluded.clock_offset_ms,
           applied_config_version = excluded.applied_config_version, update_state = excluded.update_state,
           oldest_identity_at = excluded.oldest_identity_at, checkpoint_id = excluded.checkpoint_id, direction = excluded.direction,
           unreadable_times = excluded.unreadable_times,
           body = excluded.body`,
      )
      .run(
        deviceId,
        new Date(nowMs).toISOString(),
        nowMs,
        h.queueDepth,
        h.oldestPendingAt,
        h.lastScanAt,
        h.trustIssuedAt,
        h.version,
        h.clockOffsetMs,
        h.appliedConfigVersion,
        h.updateState,
        h.oldestIdentityAt,
        h.checkpointId ?? null,
        h.direction ?? null,
        h.unreadableTimes?.length ? h.unreadableTimes.join(',') : null,
        h.body,
      );
  }

  async recordDeclaration(d: IssuedDeclaration): Promise<void> {
    this.db.prepare('INSERT OR IGNORE INTO declarations (id, kid, issued_at, expires_at) VALUES (?, ?, ?, ?)').run(d.id, d.kid, d.issuedAt, d.expiresAt);
  }

  async countDeclarations(): Promise<number> {
    return (this.db.prepare('SELECT count(*) AS n FROM declarations').get() as { n: number }).n;
  }

  async checkInFigures(fromMs: number, toMs: number): Promise<CheckInFigures> {
    return this.db
      .prepare(
        `SELECT count(*) AS count, count(DISTINCT sender_device_id) AS devices, count(DISTINCT checkpoint_id) AS checkpoints
         FROM checkins WHERE scanned_ms >= ? AND scanned_ms < ?`,
      )
      .get(fromMs, toMs) as CheckInFigures;
  }

  async checkpointSeen(checkpointId: string): Promise<boolean> {
    return (
      this.db
        .prepare('SELECT EXISTS (SELECT 1 FROM checkins WHERE checkpoint_id = @cp) OR EXISTS (SELECT 1 FROM heartbeats WHERE checkpoint_id = @cp) AS seen')
        .get({ cp: checkpointId }) as { seen: number }
    ).seen === 1;
  }

  async knownCheckpoints(limit: number): Promise<string[]> {
    const rows = this.db.prepare(KNOWN_CHECKPOINTS_SQL.replace(/\$1/g, '@limit')).all({ limit }) as { id: string }[];
    return [...new Set(rows.map((r) => r.id))].sort();
  }

  async checkInsByCheckpoint(fromMs: number, toMs: number, limit: number): Promise<{ checkpointId: string; count: number }[]> {
    return this.db
      .prepare(
        `SELECT checkpoint_id AS checkpointId, count(*) AS count FROM checkins
         WHERE scanned_ms >= ? AND scanned_ms < ? GROUP BY checkpoint_id ORDER BY count DESC, checkpoint_id LIMIT ?`,
      )
      .all(fromMs, toMs, limit) as { checkpointId: string; count: number }[];
  }

  async checkInsByHour(fromMs: number, hours: number): Promise<number[]> {
    const from = Math.floor(fromMs);
    // From a whole quarter hour the counters answer (checkin-counts.ts: a few rows per hour, not
    // every check-in of the range); otherwise the check-ins are counted. Integer division on
    // integers: better-sqlite3 binds a JS number as REAL, and REAL / 3600000 is a fraction (10.5
    // is no array index) — that once made every hour 0 on the dashboard.
    const sql = quarterAligned(from)
      ? `SELECT (quarter_ms - CAST(@from AS INTEGER)) / 3600000 AS hour, sum(n) AS n FROM checkin_counts
         WHERE quarter_ms >= @from AND quarter_ms < @to GROUP BY hour`
      : `SELECT (scanned_ms - CAST(@from AS INTEGER)) / 3600000 AS hour, count(*) AS n FROM checkins
         WHERE scanned_ms >= @from AND scanned_ms < @to GROUP BY hour`;
    const rows = this.db.prepare(sql).all({ from, to: from + hours * 3_600_000 }) as { hour: number; n: number }[];
    return toHourArray(rows, hours);
  }

  async checkInTotal(): Promise<number> {
    return (this.db.prepare('SELECT coalesce(sum(n), 0) AS n FROM checkin_counts').get() as { n: number }).n;
  }

  async checkInsByVerdict(fromMs: number, toMs: number): Promise<{ verdict: VerdictKind; count: number }[]> {
    return this.db
      .prepare('SELECT verdict, count(*) AS count FROM checkins WHERE scanned_ms >= ? AND scanned_ms < ? GROUP BY verdict ORDER BY verdict')
      .all(fromMs, toMs) as { verdict: VerdictKind; count: number }[];
  }

  async devicesWithHeartbeat(limit: number): Promise<DeviceHeartbeatRow[]> {
    const rows = this.db
      .prepare(
        `SELECT d.id, d.name, d.enrolled_at, h.received_at, h.received_ms, h.queue_depth, h.oldest_pending_at, h.last_scan_at,
           h.trust_issued_at, h.version, h.clock_offset_ms, h.applied_config_version, h.update_state, h.oldest_identity_at,
           h.checkpoint_id, h.direction, h.unreadable_times
         FROM devices d LEFT JOIN heartbeats h ON h.device_id = d.id ORDER BY d.enrolled_at, d.id LIMIT ?`,
      )
      .all(limit) as HeartbeatJoinRow[];
    return rows.map(heartbeatRowOf);
  }

  async checkInsOfPerson(idNo: string, fromMs: number, toMs: number, limit: number): Promise<CheckIn[]> {
    const rows = this.db
      .prepare(
        `SELECT record FROM checkins WHERE (id_no = @idNo OR alt_id = @idNo) AND scanned_ms >= @from AND scanned_ms <= @to
         ORDER BY scanned_ms, seq LIMIT @limit`,
      )
      .all({ idNo, from: fromMs, to: toMs, limit }) as { record: string }[];
    return rows.map((r) => JSON.parse(r.record) as CheckIn);
  }

  async checkInsNear(q: NearbyQuery): Promise<CheckIn[]> {
    const rows = this.db
      .prepare(
        `SELECT record FROM checkins WHERE checkpoint_id = @cp AND scanned_ms >= @from AND scanned_ms <= @to
           AND id <> @id AND (id_no IS NULL OR id_no <> @idNo) AND (alt_id IS NULL OR alt_id <> @idNo)
         ORDER BY scanned_ms, seq LIMIT @limit`,
      )
      .all({ cp: q.checkpointId, from: q.fromMs, to: q.toMs, id: q.excludeId, idNo: q.excludePerson, limit: q.limit }) as { record: string }[];
    return rows.map((r) => JSON.parse(r.record) as CheckIn);
  }

  async dataKeyFingerprint(): Promise<string | undefined> {
    return this.db.prepare("SELECT value FROM meta WHERE key = 'data-key'").pluck().get() as string | undefined;
  }

  async bindDataKey(fingerprint: string, sealExisting: boolean): Promise<string> {
    // Every open binds: take the write lock only when there is something to write.
    const seen = await this.dataKeyFingerprint();
    if (seen === fingerprint) return seen;
    return this.db.transaction((): string => {
      const recorded = this.db.prepare("SELECT value FROM meta WHERE key = 'data-key'").pluck().get() as string | undefined;
      if (recorded !== undefined && !(recorded.length < fingerprint.length && fingerprint.startsWith(recorded))) return recorded;
      this.db.prepare("INSERT INTO meta (key, value) VALUES ('data-key', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(fingerprint);
      if (recorded === undefined && sealExisting) {
        this.db.prepare("INSERT OR IGNORE INTO meta (key, value) SELECT 'seal-pending', '1' WHERE EXISTS (SELECT 1 FROM checkins)").run();
      }
      return fingerprint;
    }).immediate();
  }

  async sealLegacyCheckIns(transform: (c: CheckIn) => CheckIn | undefined, batchSize = 500): Promise<number> {
    const pending = this.db.prepare("SELECT 1 FROM meta WHERE key = 'seal-pending'").pluck().get();
    if (pending === undefined) return 0;
    const select = this.db.prepare('SELECT seq, record FROM checkins WHERE seq > ? ORDER BY seq LIMIT ?');
    const update = this.db.prepare('UPDATE checkins SET record = ?, id_no = ?, alt_id = ? WHERE seq = ?');
    const batch = this.db.transaction((after: number) => {
      const rows = select.all(after, batchSize) as { seq: number; record: string }[];
      let changed = 0;
      for (const r of rows) {
        const next = transform(JSON.parse(r.record) as CheckIn);
        if (!next) continue;
        update.run(JSON.stringify(next), next.subject.idNo ?? null, next.subject.altId ?? null, r.seq);
        changed++;
      }
      return { last: rows.at(-1)?.seq, count: rows.length, changed };
    }).immediate;
    let after = 0;
    let total = 0;
    for (;;) {
      const b = batch(after);
      total += b.changed;
      if (b.last === undefined || b.count < batchSize) break;
      after = b.last;
    }
    // Rewritten pages can keep old bytes in their unused gaps: rebuild the file, then clear the
    // marker (a crash before this point repeats only the cheap scan and the VACUUM).
    this.db.exec('VACUUM');
    this.db.prepare("DELETE FROM meta WHERE key = 'seal-pending'").run();
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return total;
  }

  async purgeCheckIns(beforeMs: number, limit: number, receipt: PurgeReceipt): Promise<number> {
    const n = Math.max(1, Math.floor(limit));
    const doomed = `SELECT seq FROM checkins WHERE scanned_ms < ? ORDER BY scanned_ms, seq LIMIT ${n}`;
    const days = this.db.prepare(
      `SELECT strftime('%Y-%m-%d', scanned_ms / 1000, 'unixepoch') AS day, count(*) AS n FROM checkins WHERE seq IN (${doomed}) GROUP BY day ORDER BY day`,
    );
    const del = this.db.prepare(`DELETE FROM checkins WHERE seq IN (${doomed})`);
    const dropEmptyQuarters = this.db.prepare('DELETE FROM checkin_counts WHERE quarter_ms < ? AND n = 0');
    const removed = this.db.transaction(() => {
      const perDay = days.all(Math.floor(beforeMs)) as { day: string; n: number }[];
      if (perDay.length === 0) return 0;
      const { changes } = del.run(Math.floor(beforeMs));
      // The delete trigger counted the quarters down; emptied quarters before the cut-off go.
      dropEmptyQuarters.run(Math.floor(beforeMs));
      this.appendAuditNow(receipt(changes, Object.fromEntries(perDay.map((d) => [d.day, d.n]))));
      return changes;
    }).immediate();
    // The last chunk: fold the WAL back and truncate it, so the removed rows are in no file.
    if (removed < n) this.db.pragma('wal_checkpoint(TRUNCATE)');
    return removed;
  }

  async appendAudit(entry: AuditInput): Promise<void> {
    this.appendAuditNow(entry);
  }

  async *auditRows(): AsyncIterable<AuditRow> {
    yield* auditRowsText(this.db);
  }

  private appendAuditNow(entry: AuditInput): void {
    this.audit.append({ at: entry.at, actor: entry.actor, action: entry.action, detail: entry.detail === undefined ? null : JSON.stringify(entry.detail) });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}

/** Rows of (hour, n) into an array of `hours` counts; rows outside 0..hours-1 are ignored. */
export function toHourArray(rows: readonly { hour: number | string; n: number | string }[], hours: number): number[] {
  const out = new Array<number>(hours).fill(0);
  for (const r of rows) {
    const h = Math.floor(Number(r.hour));
    if (h >= 0 && h < hours) out[h] = (out[h] ?? 0) + Number(r.n);
  }
  return out;
}

/** Maps a joined row to the seam's shape (numbers may arrive as strings from PostgreSQL). */
/**
 * Checkpoint ids of stored check-ins (a loose index scan of checkins_by_checkpoint: one seek per
 * distinct id, at most $1 of them) and of devices' latest heartbeats (at most $1); the same text on
 * SQLite (with @limit) and PostgreSQL.
 */
export const KNOWN_CHECKPOINTS_SQL = `
  WITH RECURSIVE cp(id, n) AS (
    SELECT min(checkpoint_id), 1 FROM checkins
    UNION ALL
    SELECT (SELECT min(checkpoint_id) FROM checkins WHERE checkpoint_id > cp.id), n + 1 FROM cp WHERE cp.id IS NOT NULL AND n < $1
  )
  SELECT id FROM cp WHERE id IS NOT NULL
  UNION
  SELECT id FROM (SELECT DISTINCT checkpoint_id AS id FROM heartbeats WHERE checkpoint_id IS NOT NULL ORDER BY checkpoint_id LIMIT $1) AS hb`;

export function heartbeatRowOf(r: HeartbeatJoinRow): DeviceHeartbeatRow {
  return {
    deviceId: r.id,
    name: r.name,
    enrolledAt: r.enrolled_at,
    lastHeartbeatAt: r.received_at,
    lastHeartbeatMs: r.received_ms === null ? null : Number(r.received_ms),
    queueDepth: r.queue_depth === null ? null : Number(r.queue_depth),
    oldestPendingAt: r.oldest_pending_at,
    lastScanAt: r.last_scan_at,
    trustIssuedAt: r.trust_issued_at,
    version: r.version,
    clockOffsetMs: r.clock_offset_ms === null ? null : Number(r.clock_offset_ms),
    appliedConfigVersion: r.applied_config_version,
    updateState: r.update_state,
    oldestIdentityAt: r.oldest_identity_at,
    checkpointId: r.checkpoint_id,
    direction: r.direction,
    unreadableTimes: r.unreadable_times ? r.unreadable_times.split(',') : [],
  };
}
