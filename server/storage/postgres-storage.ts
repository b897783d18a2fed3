/**
 * `CentralStorage` on PostgreSQL through `pg` (node-postgres) with a connection pool. Several
 * server nodes share one database: everything a node needs — secrets, the signed trust bundle,
 * devices, codes, check-ins, heartbeats — lives in it, so any node answers any kiosk.
 *
 * Ingest is one `INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING id` per batch
 * (one statement, hence one transaction): a retried batch, at this node or another, stores
 * nothing twice — even when a retry carries another scan time, which would route it to another day
 * partition: the `checkin_ids` trigger skips a row whose id is stored (postgres-checkin-ids.ts).
 */
import { RESUME_WINDOW_MS } from './enroll-attempt.js';
import pg from 'pg';
import type { CheckIn, VerdictKind } from '../../src/shared/types.js';
import { DatabaseSettingError, NoCentralDatabaseError } from './errors.js';
import type { OverrideIngestResult, OverrideRecord } from '../overrides.js';
import { pgIngestOverrides } from './postgres-overrides.js';
import { pgTransaction } from './postgres-transaction.js';
import { NOT_REVOKED_SQL, PostgresFleetStorage } from './postgres-fleet.js';
import { DAY_MS, ensureDayPartition, migratePostgres } from './postgres-schema.js';
import { pgDropExpiredPartitions } from './postgres-retention.js';
import { quarterAligned } from './checkin-counts.js';
import { heartbeatRowOf, KNOWN_CHECKPOINTS_SQL, ROTATED_AT_KEY, toHourArray } from './sqlite-storage.js';
import { pgAppendAudit, pgAuditRows, pgBindDataKey, pgPurgeCheckIns, pgSealLegacyCheckIns } from './postgres-privacy.js';
import type { HeartbeatJoinRow } from './sqlite-storage.js';
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

/** Connections per node (each node has its own pool). */
const POOL_MAX = 10;
/** No query may run longer than this (ms): a stuck query must not hold a request forever. */
const STATEMENT_TIMEOUT_MS = 30_000;
const EXPORT_PAGE = 2000;

/** `url` without its password, for logs and messages. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** Checks the form of a database URL; returns an error text or undefined. */
export function checkDatabaseUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL (expected postgres://USER@HOST:PORT/DB)';
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `scheme ${u.protocol} is not postgres: (expected postgres://USER@HOST:PORT/DB)`;
  if (!u.hostname) return 'no host (expected postgres://USER@HOST:PORT/DB)';
  if (u.pathname.length < 2) return 'no database name (expected postgres://USER@HOST:PORT/DB)';
  return undefined;
}

/**
 * Connects, checks the server answers and applies pending migrations. With `mustExist`, a
 * database without the central schema is refused (NoCentralDatabaseError) instead of set up.
 */
export async function openPostgresStorage(url: string, opts: { mustExist?: boolean } = {}): Promise<PostgresStorage> {
  const problem = checkDatabaseUrl(url);
  if (problem) throw new Error(`--database: ${problem}`);
  const pool = new pg.Pool({ connectionString: url, max: POOL_MAX, statement_timeout: STATEMENT_TIMEOUT_MS, connectionTimeoutMillis: 10_000 });
  // An idle connection dropped by the database (restart, failover) must not crash the node: the
  // next query gets a fresh connection or a clear error.
  pool.on('error', () => undefined);
  try {
    if (opts.mustExist) {
      const { rows } = await pool.query<{ t: string | null }>("SELECT to_regclass('central_schema')::text AS t");
      if (!rows[0]?.t) throw new NoCentralDatabaseError(`the database ${redactDatabaseUrl(url)} holds no central server schema (start the server on it first)`);
    }
    await migratePostgres(pool);
  } catch (err) {
    await pool.end().catch(() => undefined);
    // A schema newer than this version (migratePostgres) names both versions already.
    if (err instanceof NoCentralDatabaseError || err instanceof DatabaseSettingError) throw err;
    throw openProblem(url, err as Error & { code?: string });
  }
  return new PostgresStorage(pool, redactDatabaseUrl(url));
}

/**
 * What went wrong opening `url`, with the fix: a database that does not exist (3D000) or a user
 * refused (28P01, 28000) is a DatabaseSettingError; a server out of reach says where it was looked
 * for. PostgreSQL's own words are kept; the password never appears.
 */
function openProblem(url: string, err: Error & { code?: string }): Error {
  const shown = redactDatabaseUrl(url);
  const u = new URL(url);
  const where = `${u.hostname}:${u.port || '5432'}`;
  const db = decodeURIComponent(u.pathname.slice(1));
  if (err.code === '3D000') {
    return new DatabaseSettingError(`the database ${shown}: ${err.message}; create it first (createdb -h ${u.hostname} -p ${u.port || '5432'} -U USER ${db}) or correct --database`, { cause: err });
  }
  if (err.code === '28P01' || err.code === '28000') {
    return new DatabaseSettingError(`the database ${shown}: ${err.message}; check the user and password (in --database, PGPASSWORD or ~/.pgpass) and pg_hba.conf`, { cause: err });
  }
  if (err.code === 'ECONNREFUSED' || err.code === 'ENOTFOUND' || err.code === 'EHOSTUNREACH') {
    return new Error(`cannot use the database ${shown}: ${err.message}; is PostgreSQL running and listening at ${where}?`, { cause: err });
  }
  return new Error(`cannot use the database ${shown}: ${err.message}`, { cause: err });
}

const CHECKIN_COLUMNS = 'id, scanned_ms, scanned_at, device_id, sender_device_id, checkpoint_id, direction, format, verdict, id_no, alt_id, record, received_at';

export class PostgresStorage implements CentralStorage {
  readonly backend = 'postgres' as const;
  private readonly knownDays = new Set<number>();
  private closed = false;

  readonly fleet: PostgresFleetStorage;

  constructor(
    /** The pool (benchmarks and tests may query it directly). */
    readonly pool: pg.Pool,
    readonly location: string,
  ) {
    this.fleet = new PostgresFleetStorage(pool);
  }

  async loadOrCreateSecret(name: SecretName, create: () => string): Promise<string> {
    const existing = await this.readSecret(name);
    if (existing !== undefined) return existing;
    await this.pool.query('INSERT INTO central_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, create()]);
    return (await this.readSecret(name)) as string;
  }

  async replaceSecret(name: 'admin-token', value: string): Promise<void> {
    await this.pool.query('INSERT INTO central_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value', [name, value]);
  }

  async rotateSecret(name: 'admin-token', expected: string, value: string, launchedAtMs: number, now: () => number): Promise<boolean> {
    return pgTransaction(this.pool, async (c) => {
      // The token's row locked: a rotation on any node waits here for the one before it to commit,
      // then reads the token and the stamp it wrote.
      const { rows } = await c.query<{ value: string }>('SELECT value FROM central_secrets WHERE name = $1 FOR UPDATE', [name]);
      if (rows[0]?.value.trim() !== expected) return false;
      const last = (await c.query<{ value: string }>('SELECT value FROM central_meta WHERE key = $1', [ROTATED_AT_KEY])).rows[0]?.value;
      if (last !== undefined && Number(last) > launchedAtMs) return false;
      await c.query('UPDATE central_secrets SET value = $2 WHERE name = $1', [name, value]);
      await c.query('INSERT INTO central_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [ROTATED_AT_KEY, String(now())]);
      return true;
    });
  }

  async readSecret(name: SecretName): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM central_secrets WHERE name = $1', [name]);
    return rows[0]?.value;
  }

  /** The bundle signed last by any node (nodes share one trust file in practice). */
  async currentBundle(): Promise<SignedBundleState | undefined> {
    const row = (await this.pool.query<{ jws: string; issued_at: string }>('SELECT jws, issued_at FROM trust_bundles ORDER BY issued_at DESC LIMIT 1')).rows[0];
    return row ? { jws: row.jws, issuedAt: row.issued_at } : undefined;
  }

  async publishedBundle(contentHash: string, sign: () => Promise<SignedBundleState>): Promise<SignedBundleState> {
    const read = async () =>
      (await this.pool.query<{ jws: string; issued_at: string }>('SELECT jws, issued_at FROM trust_bundles WHERE content_hash = $1', [contentHash])).rows[0];
    let row = await read();
    if (!row) {
      const signed = await sign();
      await this.pool.query('INSERT INTO trust_bundles (content_hash, jws, issued_at) VALUES ($1, $2, $3) ON CONFLICT (content_hash) DO NOTHING', [
        contentHash,
        signed.jws,
        signed.issuedAt,
      ]);
      row = await read();
    }
    if (!row) throw new Error('trust bundle state vanished while being written');
    return { jws: row.jws, issuedAt: row.issued_at };
  }

  async addEnrollmentCode(code: NewEnrollmentCode): Promise<boolean> {
    const r = await this.pool.query('INSERT INTO enrollment_codes (code_hash, created_at, expires_ms) VALUES ($1, $2, $3) ON CONFLICT (code_hash) DO NOTHING', [
      code.codeHash,
      new Date(code.createdAtMs).toISOString(),
      code.expiresAtMs,
    ]);
    return r.rowCount === 1;
  }

  async enrollDevice(codeHash: string, device: NewDevice, nowMs: number): Promise<EnrollStorageOutcome> {
    const now = new Date(nowMs).toISOString();
    return this.transaction(async (client) => {
      // The conditional UPDATE is the race guard: of two nodes spending one code, one row wins.
      const spent = await client.query('UPDATE enrollment_codes SET used_at = $1, used_by = $2, attempt_hash = $5 WHERE code_hash = $3 AND used_at IS NULL AND expires_ms > $4', [
        now,
        device.id,
        codeHash,
        nowMs,
        device.attemptHash ?? null,
      ]);
      if (spent.rowCount !== 1) {
        const { rows } = await client.query<{ used_at: string | null }>('SELECT used_at FROM enrollment_codes WHERE code_hash = $1', [codeHash]);
        const row = rows[0];
        return !row ? 'code-unknown' : row.used_at ? 'code-used' : 'code-expired';
      }
      await client.query('INSERT INTO devices (id, name, version, platform, token_hash, enrolled_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        device.id,
        device.name,
        device.version,
        device.platform,
        device.tokenHash,
        now,
      ]);
      if (device.predecessorId !== undefined) {
        await client.query('INSERT INTO device_successions (successor_id, predecessor_id, recorded_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [device.id, device.predecessorId, now]);
      }
      return 'enrolled';
    });
  }

  async resumeEnrollment(codeHash: string, attemptHash: string, tokenHash: string, nowMs: number): Promise<string | undefined> {
    return this.transaction(async (client) => {
      // Row lock on the code: two resumes of one enrollment take turns, the later token stands.
      const { rows } = await client.query<{ id: string; used_at: string }>(
        `SELECT c.used_by AS id, c.used_at FROM enrollment_codes c JOIN devices ON devices.id = c.used_by
          WHERE c.code_hash = $1 AND c.attempt_hash = $2 AND ${NOT_REVOKED_SQL} FOR UPDATE OF c`,
        [codeHash, attemptHash],
      );
      const row = rows[0];
      if (!row || !(nowMs - Date.parse(row.used_at) <= RESUME_WINDOW_MS)) return undefined;
      await client.query('UPDATE devices SET token_hash = $1 WHERE id = $2', [tokenHash, row.id]);
      return row.id;
    });
  }

  async deviceForTokenHash(tokenHash: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ id: string }>(`SELECT id FROM devices WHERE token_hash = $1 AND ${NOT_REVOKED_SQL}`, [tokenHash]);
    return rows[0]?.id;
  }

  async deviceTokenHash(deviceId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ token_hash: string }>('SELECT token_hash FROM devices WHERE id = $1', [deviceId]);
    return rows[0]?.token_hash;
  }

  async predecessorOf(deviceId: string): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ predecessor_id: string }>('SELECT predecessor_id FROM device_successions WHERE successor_id = $1', [deviceId]);
    return rows[0]?.predecessor_id;
  }

  async ingestCheckIns(senderDeviceId: string, checkins: readonly CheckIn[], receivedAt: string): Promise<StoredBatch> {
    const ms = checkins.map((c) => Date.parse(c.scannedAt));
    let rows: { id: string }[];
    try {
      rows = await this.insertBatch(senderDeviceId, checkins, ms, receivedAt);
    } catch (err) {
      // 23514: no partition for a row — retention (maybe at another node) dropped a day this
      // node still believed in. Forget what we knew and try once more.
      if ((err as { code?: string }).code !== '23514') throw err;
      this.knownDays.clear();
      rows = await this.insertBatch(senderDeviceId, checkins, ms, receivedAt);
    }
    // PostgreSQL prints uuids in lower case; the answer echoes the ids as the kiosk sent them.
    const inserted = new Set(rows.map((r) => r.id));
    const out: StoredBatch = { accepted: [], duplicate: [] };
    for (const c of checkins) {
      if (inserted.delete(c.id.toLowerCase())) out.accepted.push(c.id);
      else out.duplicate.push(c.id);
    }
    return out;
  }

  private async insertBatch(senderDeviceId: string, checkins: readonly CheckIn[], ms: readonly number[], receivedAt: string): Promise<{ id: string }[]> {
    for (const t of ms) {
      const day = Math.floor(t / DAY_MS);
      if (!this.knownDays.has(day)) {
        await ensureDayPartition(this.pool, day);
        this.knownDays.add(day);
      }
    }
    const { rows } = await this.pool.query<{ id: string }>(
      `INSERT INTO checkins (${CHECKIN_COLUMNS})
       SELECT id, scanned_ms, scanned_at, device_id, $12, checkpoint_id, direction, format, verdict, id_no, alt_id, record, $13
       FROM unnest($1::uuid[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[])
         AS t(id, scanned_ms, scanned_at, device_id, checkpoint_id, direction, format, verdict, id_no, alt_id, record)
       ON CONFLICT (scanned_ms, id) DO NOTHING RETURNING id`,
      [
        checkins.map((c) => c.id),
        ms,
        checkins.map((c) => c.scannedAt),
        checkins.map((c) => c.deviceId),
        checkins.map((c) => c.checkpointId),
        checkins.map((c) => c.direction),
        checkins.map((c) => c.format),
        checkins.map((c) => c.verdict),
        checkins.map((c) => c.subject.idNo ?? null),
        checkins.map((c) => c.subject.altId ?? null),
        checkins.map((c) => JSON.stringify(c)),
        senderDeviceId,
        receivedAt,
      ],
    );
    return rows;
  }

  async *exportCheckIns(range?: ScanRange): AsyncIterable<CheckIn> {
    // Keyset pages on the primary key (scanned_ms, id): memory stays flat, no long transaction.
    // A range prunes the day partitions outside it.
    const lo = range ? Math.floor(range.fromMs) : Number.MIN_SAFE_INTEGER;
    const hi = range ? Math.floor(range.toMs) : Number.MAX_SAFE_INTEGER;
    let after: [string, string] | undefined;
    for (;;) {
      const { rows } = await this.pool.query<{ scanned_ms: string; id: string; record: string }>(
        after
          ? `SELECT scanned_ms, id, record FROM checkins WHERE (scanned_ms, id) > ($3::bigint, $4::uuid) AND scanned_ms BETWEEN $1::bigint AND $2::bigint ORDER BY scanned_ms, id LIMIT ${EXPORT_PAGE}`
          : `SELECT scanned_ms, id, record FROM checkins WHERE scanned_ms BETWEEN $1::bigint AND $2::bigint ORDER BY scanned_ms, id LIMIT ${EXPORT_PAGE}`,
        after ? [lo, hi, ...after] : [lo, hi],
      );
      for (const r of rows) yield JSON.parse(r.record) as CheckIn;
      const last = rows[rows.length - 1];
      if (!last || rows.length < EXPORT_PAGE) return;
      after = [last.scanned_ms, last.id];
    }
  }

  async countCheckIns(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM checkins');
    return Number(rows[0]?.n ?? 0);
  }

  async countCheckInsById(refs: readonly CheckInRef[]): Promise<Map<string, number>> {
    const out = new Map<string, number>(refs.map((r) => [r.id, 0]));
    if (refs.length === 0) return out;
    const { rows } = await this.pool.query<{ id: string; n: string }>(
      `SELECT c.id::text AS id, count(*) AS n FROM checkins c JOIN unnest($1::bigint[], $2::uuid[]) AS r(scanned_ms, id)
         ON c.scanned_ms = r.scanned_ms AND c.id = r.id GROUP BY c.id`,
      [refs.map((r) => Date.parse(r.scannedAt)), refs.map((r) => r.id)],
    );
    const byLower = new Map(rows.map((r) => [r.id, Number(r.n)]));
    for (const r of refs) out.set(r.id, byLower.get(r.id.toLowerCase()) ?? 0);
    return out;
  }

  async recordHeartbeat(deviceId: string, h: StoredHeartbeat, nowMs: number): Promise<void> {
    await this.pool.query(
      `INSERT INTO heartbeats (device_id, received_at, received_ms, queue_depth, oldest_pending_at, last_scan_at, trust_issued_at, version,
         clock_offset_ms, applied_config_version, update_state, oldest_identity_at, checkpoint_id, direction, unreadable_times, body)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (device_id) DO UPDATE SET received_at = excluded.received_at, received_ms = excluded.received_ms,
         queue_depth = excluded.queue_depth, oldest_pending_at = excluded.oldest_pending_at, last_scan_at = excluded.last_scan_at,
         trust_issued_at = excluded.trust_issued_at, version = excluded.version, clock_offset_ms = excluded.clock_offset_ms,
         applied_config_version = excluded.applied_config_version, update_state = excluded.update_state,
         oldest_identity_at = excluded.oldest_identity_at, checkpoint_id = excluded.checkpoint_id, direction = excluded.direction,
         unreadable_times = excluded.unreadable_times,
         body = excluded.body`,
      [
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
      ],
    );
  }

  async recordDeclaration(d: IssuedDeclaration): Promise<void> {
    await this.pool.query('INSERT INTO declarations (id, kid, issued_at, expires_at) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO NOTHING', [
      d.id,
      d.kid,
      d.issuedAt,
      d.expiresAt,
    ]);
  }

  async countDeclarations(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT count(*) AS n FROM declarations');
    return Number(rows[0]?.n ?? 0);
  }

  async checkInFigures(fromMs: number, toMs: number): Promise<CheckInFigures> {
    const { rows } = await this.pool.query<{ count: string; devices: string; checkpoints: string }>(
      `SELECT count(*) AS count, count(DISTINCT sender_device_id) AS devices, count(DISTINCT checkpoint_id) AS checkpoints
       FROM checkins WHERE scanned_ms >= $1 AND scanned_ms < $2`,
      [Math.floor(fromMs), Math.floor(toMs)],
    );
    const r = rows[0];
    return { count: Number(r?.count ?? 0), devices: Number(r?.devices ?? 0), checkpoints: Number(r?.checkpoints ?? 0) };
  }

  async checkpointSeen(checkpointId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ seen: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM checkins WHERE checkpoint_id = $1) OR EXISTS (SELECT 1 FROM heartbeats WHERE checkpoint_id = $1) AS seen',
      [checkpointId],
    );
    return rows[0]?.seen === true;
  }

  async knownCheckpoints(limit: number): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(KNOWN_CHECKPOINTS_SQL, [limit]);
    return [...new Set(rows.map((r) => r.id))].sort();
  }

  async checkInsByCheckpoint(fromMs: number, toMs: number, limit: number): Promise<{ checkpointId: string; count: number }[]> {
    const { rows } = await this.pool.query<{ checkpoint_id: string; count: string }>(
      `SELECT checkpoint_id, count(*) AS count FROM checkins WHERE scanned_ms >= $1 AND scanned_ms < $2
       GROUP BY checkpoint_id ORDER BY count(*) DESC, checkpoint_id LIMIT $3`,
      [Math.floor(fromMs), Math.floor(toMs), limit],
    );
    return rows.map((r) => ({ checkpointId: r.checkpoint_id, count: Number(r.count) }));
  }

  async checkInsByVerdict(fromMs: number, toMs: number): Promise<{ verdict: VerdictKind; count: number }[]> {
    const { rows } = await this.pool.query<{ verdict: VerdictKind; count: string }>(
      `SELECT verdict, count(*) AS count FROM checkins WHERE scanned_ms >= $1 AND scanned_ms < $2 GROUP BY verdict ORDER BY verdict`,
      [Math.floor(fromMs), Math.floor(toMs)],
    );
    return rows.map((r) => ({ verdict: r.verdict, count: Number(r.count) }));
  }

  async checkInsByHour(fromMs: number, hours: number): Promise<number[]> {
    const from = Math.floor(fromMs);
    // From a whole quarter hour the counters answer (checkin-counts.ts: COUNT_SLOTS rows per
    // quarter, whatever the number of check-ins); otherwise the check-ins are counted. bigint /
    // bigint is integer division in PostgreSQL: whole hours.
    const { rows } = await this.pool.query<{ hour: string; n: string }>(
      quarterAligned(from)
        ? `SELECT (quarter_ms - $1::bigint) / 3600000 AS hour, sum(n) AS n FROM checkin_counts
           WHERE quarter_ms >= $1::bigint AND quarter_ms < $2::bigint GROUP BY 1`
        : `SELECT (scanned_ms - $1::bigint) / 3600000 AS hour, count(*) AS n FROM checkins
           WHERE scanned_ms >= $1::bigint AND scanned_ms < $2::bigint GROUP BY 1`,
      [from, from + hours * 3_600_000],
    );
    return toHourArray(rows, hours);
  }

  async checkInTotal(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>('SELECT coalesce(sum(n), 0) AS n FROM checkin_counts');
    return Number(rows[0]?.n ?? 0);
  }

  async devicesWithHeartbeat(limit: number): Promise<DeviceHeartbeatRow[]> {
    const { rows } = await this.pool.query<HeartbeatJoinRow>(
      `SELECT d.id, d.name, d.enrolled_at, h.received_at, h.received_ms, h.queue_depth, h.oldest_pending_at, h.last_scan_at,
         h.trust_issued_at, h.version, h.clock_offset_ms, h.applied_config_version, h.update_state, h.oldest_identity_at,
         h.checkpoint_id, h.direction, h.unreadable_times
       FROM devices d LEFT JOIN heartbeats h ON h.device_id = d.id ORDER BY d.enrolled_at, d.id LIMIT $1`,
      [limit],
    );
    return rows.map(heartbeatRowOf);
  }

  async checkInsOfPerson(idNo: string, fromMs: number, toMs: number, limit: number): Promise<CheckIn[]> {
    // Two index scans (by idNo, by altId) rather than one OR, which would defeat both indexes.
    const { rows } = await this.pool.query<{ record: string }>(
      `SELECT record FROM (
         SELECT scanned_ms, id, record FROM checkins WHERE id_no = $1 AND scanned_ms >= $2 AND scanned_ms <= $3
         UNION
         SELECT scanned_ms, id, record FROM checkins WHERE alt_id = $1 AND scanned_ms >= $2 AND scanned_ms <= $3
       ) t ORDER BY scanned_ms, id LIMIT $4`,
      [idNo, Math.floor(fromMs), Math.floor(toMs), limit],
    );
    return rows.map((r) => JSON.parse(r.record) as CheckIn);
  }

  async checkInsNear(q: NearbyQuery): Promise<CheckIn[]> {
    const { rows } = await this.pool.query<{ record: string }>(
      `SELECT record FROM checkins WHERE checkpoint_id = $1 AND scanned_ms >= $2 AND scanned_ms <= $3
         AND id::text <> lower($4) AND (id_no IS NULL OR id_no <> $5) AND (alt_id IS NULL OR alt_id <> $5)
       ORDER BY scanned_ms, id LIMIT $6`,
      [q.checkpointId, Math.floor(q.fromMs), Math.floor(q.toMs), q.excludeId, q.excludePerson, q.limit],
    );
    return rows.map((r) => JSON.parse(r.record) as CheckIn);
  }

  async dropExpiredPartitions(beforeMs: number, receipt: PurgeReceipt): Promise<number> {
    const dropped = await pgDropExpiredPartitions(this.pool, beforeMs, receipt);
    // This node forgets its partition cache (cheap to rebuild); other nodes learn of the drop from
    // the 23514 retry in ingest.
    if (dropped.length > 0) this.knownDays.clear();
    return dropped.reduce((n, d) => n + d.removed, 0);
  }

  async ingestOverrides(senderDeviceId: string, overrides: readonly OverrideRecord[], receivedAt: string): Promise<OverrideIngestResult> {
    return this.transaction((client) => pgIngestOverrides(client, senderDeviceId, overrides, receivedAt));
  }

  async dataKeyFingerprint(): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>("SELECT value FROM central_meta WHERE key = 'data-key'");
    return rows[0]?.value;
  }

  bindDataKey(fingerprint: string, sealExisting: boolean): Promise<string> {
    return pgBindDataKey(this.pool, fingerprint, sealExisting);
  }

  sealLegacyCheckIns(transform: (c: CheckIn) => CheckIn | undefined, batchSize?: number): Promise<number> {
    return pgSealLegacyCheckIns(this.pool, transform, batchSize);
  }

  purgeCheckIns(beforeMs: number, limit: number, receipt: PurgeReceipt): Promise<number> {
    return pgPurgeCheckIns(this.pool, beforeMs, limit, receipt);
  }

  appendAudit(entry: AuditInput): Promise<void> {
    return pgAppendAudit(this.pool, entry);
  }

  auditRows(): AsyncIterable<AuditRow> {
    return pgAuditRows(this.pool);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private transaction<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return pgTransaction(this.pool, fn);
  }
}
