/**
 * The privacy seam methods on a real, throwaway PostgreSQL cluster: the audit log appends a chain
 * that verifies and refuses UPDATE, DELETE and TRUNCATE; the purge removes what is past the cut-off
 * with a per-day receipt in the same transaction; the legacy sealing pass rewrites every clear
 * record once, tracing columns included, and clears its marker.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CheckIn } from '../../src/shared/types.js';
import { verifyAuditRows } from '../../src/store/audit-chain.js';
import { POSTGRES_PRIVACY_MIGRATION, pgAppendAudit, pgAuditRows, pgPurgeCheckIns, pgSealLegacyCheckIns } from '../../server/storage/postgres-privacy.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';
import { openStorage } from '../../server/storage/open.js';
import { ingestCheckIns } from '../../server/checkins.js';
import { trace } from '../../server/trace.js';
import { plantedSubject } from '../fixtures/store/pre-seal.js';

let cluster: PgCluster;
let pool: pg.Pool;
const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const DAY = 86_400_000;

beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off' });
  pool = new pg.Pool({ connectionString: await cluster.createDatabase() });
  // The columns of the PostgreSQL storage's checkins table that these methods touch.
  await pool.query(`CREATE TABLE checkins (scanned_ms bigint NOT NULL, id uuid NOT NULL, id_no text, alt_id text, record text NOT NULL, PRIMARY KEY (scanned_ms, id))`);
  for (let i = 0; i < 10; i++) {
    const c = { id: `0190c000-0000-7000-8000-${String(i).padStart(12, '0')}`, scannedAt: new Date(T0 + Math.floor(i / 2) * DAY).toISOString(), subject: { idNo: `00109000000${i}` } };
    await pool.query('INSERT INTO checkins VALUES ($1, $2, $3, NULL, $4)', [Date.parse(c.scannedAt), c.id, c.subject.idNo, JSON.stringify(c)]);
  }
  await pool.query(POSTGRES_PRIVACY_MIGRATION);
}, 120_000);
afterAll(async () => {
  await pool?.end();
  await cluster?.stop();
});

it('seals legacy records once, then purges with receipts in a chain that verifies and cannot be edited', async () => {
  const sealedOnce = await pgSealLegacyCheckIns(pool, (c) => (c.subject.idNo?.startsWith('H:') ? undefined : { ...c, subject: { idNo: `H:${c.subject.idNo}` } }), 3);
  expect(sealedOnce).toBe(10);
  const ids = await pool.query<{ id_no: string }>('SELECT id_no FROM checkins ORDER BY scanned_ms, id');
  expect(ids.rows.every((r) => r.id_no.startsWith('H:'))).toBe(true);
  expect(await pgSealLegacyCheckIns(pool, () => { throw new Error('must not run again'); })).toBe(0);

  await pgAppendAudit(pool, { at: new Date(T0).toISOString(), actor: 'system', action: 'started' });
  const removed = await pgPurgeCheckIns(pool, T0 + 3 * DAY, 4, (n, days) => ({ at: new Date(T0).toISOString(), actor: 'system', action: 'purge', detail: { removed: n, days } }));
  expect(removed).toBe(4);
  expect(await pgPurgeCheckIns(pool, T0 + 3 * DAY, 4, (n, days) => ({ at: new Date(T0).toISOString(), actor: 'system', action: 'purge', detail: { removed: n, days } }))).toBe(2);
  const rows: { action: string; detail: string | null }[] = [];
  for await (const r of pgAuditRows(pool)) rows.push(r);
  expect(rows.map((r) => [r.action, r.detail === null ? null : (JSON.parse(r.detail) as { days: unknown }).days])).toEqual([
    ['started', null],
    ['purge', { '2026-11-25': 2, '2026-11-26': 2 }],
    ['purge', { '2026-11-27': 2 }],
  ]);
  expect(await verifyAuditRows(pgAuditRows(pool))).toMatchObject({ ok: true, entries: 3 });
  const left = await pool.query<{ checkIn: string }>('SELECT record AS "checkIn" FROM checkins');
  expect(left.rows.map((r) => (JSON.parse(r.checkIn) as CheckIn).scannedAt >= new Date(T0 + 3 * DAY).toISOString())).toEqual([true, true, true, true]);

  await expect(pool.query("UPDATE audit_log SET actor = 'x' WHERE seq = 2")).rejects.toThrow(/append-only/);
  await expect(pool.query('DELETE FROM audit_log')).rejects.toThrow(/append-only/);
  await expect(pool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);
  await pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change');
  await pool.query("UPDATE audit_log SET detail = replace(detail, '2026-11-27', '2026-11-28') WHERE seq = 3");
  expect(await verifyAuditRows(pgAuditRows(pool))).toMatchObject({ ok: false, brokenAt: 3 });
}, 120_000);

it('the PostgreSQL storage seals identity fields (key in --data-dir) and traces by keyed hash', async () => {
  const database = await cluster.createDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-seal-'));
  try {
    const storage = await openStorage({ database, dataDir });
    const sent: CheckIn[] = Array.from({ length: 6 }, (_, i) => ({
      id: `0190d000-0000-7000-8000-${String(i).padStart(12, '0')}`,
      deviceId: 'dev-1',
      checkpointId: 'cp-a',
      direction: 'in',
      scannedAt: new Date(T0 + i * 60_000).toISOString(),
      format: 'cccd',
      verdict: 'accept',
      reasons: ['identity-only'],
      subject: plantedSubject(i),
    }));
    expect((await ingestCheckIns(storage, 'dev-1', sent, new Date(T0).toISOString())).accepted).toHaveLength(6);
    const exported: CheckIn[] = [];
    for await (const c of storage.exportCheckIns()) exported.push(c);
    expect(exported).toMatchObject(sent);
    const t = await trace(storage, { idNo: sent[2]!.subject.idNo!, fromMs: T0, toMs: T0 + DAY, windowMinutes: 1 });
    expect(t.landmarks[0]?.nearby.map((c) => c.id)).toEqual([sent[1]!.id, sent[3]!.id]);
    await storage.close();
    const raw = new pg.Pool({ connectionString: database });
    const { rows } = await raw.query<{ text: string }>("SELECT concat_ws('|', id_no, alt_id, record) AS text FROM checkins");
    await raw.end();
    const all = rows.map((r) => r.text).join('\n');
    for (const c of sent) {
      expect(all).not.toContain(c.subject.idNo);
      expect(all).not.toContain(c.subject.name);
    }
    expect(all).toContain('"sealed":"v1:');
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}, 120_000);
