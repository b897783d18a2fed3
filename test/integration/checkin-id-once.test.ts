/**
 * A check-in id is stored once whatever scan time a retry carries (docs/PROTOCOL.md "Idempotent by
 * id"). On PostgreSQL the check-ins are partitioned by day and the primary key is (scanned_ms, id),
 * so a retry of one id with a scan time two days earlier went to another partition and was stored
 * a second time ("accepted"), where SQLite answered "duplicate". Now both answer alike; on a real
 * throwaway PostgreSQL also: two nodes racing one id with different scan times store it once, the
 * retention purge and the partition drop release the ids they remove, and a database migrated from
 * schema v7 (with an id already stored twice) gets every stored id claimed.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { ingestCheckIns } from '../../server/checkins.js';
import { purgeExpired } from '../../server/retention.js';
import { POSTGRES_MIGRATIONS, ensureDayPartition } from '../../server/storage/postgres-schema.js';
import { openPostgresStorage, type PostgresStorage } from '../../server/storage/postgres-storage.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { pgBackend, startPgCluster, type PgCluster } from '../helpers/postgres.js';

const DAY = 86_400_000;
const NOW = Date.now();

function checkIn(scannedMs: number, id: string = randomUUID()): CheckIn {
  return {
    id,
    deviceId: 'k',
    checkpointId: 'cp-1',
    direction: 'in',
    scannedAt: new Date(scannedMs).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: { idType: 'cccd', idNo: '001090000001' },
  };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (backend) => {
  const pgb = pgBackend(backend);
  let dir: string;
  let central: CentralServer;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-id-once-'));
    const database = await pgb.database();
    central = await startCentral({ dataDir: dir, ...(database ? { database } : {}), port: 0, logger: silentLogger, clock: systemClock });
  }, 120_000);
  afterAll(async () => {
    await central?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a retry of one id with a scan time two days earlier is a duplicate, stored once', async () => {
    const first = checkIn(NOW - 60_000);
    const received = new Date(NOW).toISOString();
    expect(await ingestCheckIns(central.storage, 'k', [first], received)).toEqual({ accepted: [first.id], duplicate: [], rejected: [] });
    const retry = { ...first, scannedAt: new Date(NOW - 2 * DAY - 60_000).toISOString() };
    expect(await ingestCheckIns(central.storage, 'k', [retry], received)).toEqual({ accepted: [], duplicate: [first.id], rejected: [] });
    // In upper case too (ids are case-insensitive), and the same-time retry as before.
    expect((await ingestCheckIns(central.storage, 'k', [{ ...retry, id: first.id.toUpperCase() }, first], received)).duplicate).toEqual([first.id.toUpperCase(), first.id]);
    const stored: CheckIn[] = [];
    for await (const c of central.storage.exportCheckIns()) if (c.id === first.id) stored.push(c);
    expect(stored.map((c) => c.scannedAt)).toEqual([first.scannedAt]);
  });
});

describe('on postgres, across nodes, retention and migration', () => {
  let cluster: PgCluster;
  beforeAll(async () => {
    cluster = await startPgCluster({ fsync: 'off', synchronous_commit: 'off' });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  const rowsOf = async (s: PostgresStorage, id: string) => Number((await s.pool.query<{ n: string }>('SELECT count(*) AS n FROM checkins WHERE id = $1', [id])).rows[0]?.n);

  it('two nodes storing one id with different scan times at once store it once, and answer one accepted', async () => {
    const url = await cluster.createDatabase();
    const a = await openPostgresStorage(url);
    const b = await openPostgresStorage(url);
    try {
      const received = new Date(NOW).toISOString();
      for (let round = 0; round < 20; round++) {
        const id = randomUUID();
        const [ra, rb] = await Promise.all([
          ingestCheckIns(a, 'k', [checkIn(NOW - 1000 - round, id)], received),
          ingestCheckIns(b, 'k', [checkIn(NOW - 3 * DAY - round, id)], received),
        ]);
        expect([...ra.accepted, ...rb.accepted]).toEqual([id]);
        expect([...ra.duplicate, ...rb.duplicate]).toEqual([id]);
        expect(await rowsOf(a, id)).toBe(1);
      }
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('the purge and the partition drop release the ids they remove; ids of kept rows stay claimed', async () => {
    const s = await openPostgresStorage(await cluster.createDatabase());
    try {
      const old = checkIn(NOW - 30 * DAY);
      const straddling = checkIn(NOW - 21 * DAY - 3_600_000);
      const kept = checkIn(NOW - DAY);
      await ingestCheckIns(s, 'k', [old, straddling, kept], new Date(NOW).toISOString());
      await purgeExpired(s, NOW, 21);
      const ids = (await s.pool.query<{ id: string }>('SELECT id::text AS id FROM checkin_ids ORDER BY id')).rows.map((r) => r.id);
      expect(ids).toEqual([kept.id]);
      // A purged id sent again (not past retention now: its scan time moved) is stored anew.
      expect((await ingestCheckIns(s, 'k', [{ ...old, scannedAt: new Date(NOW - 2 * DAY).toISOString() }], new Date(NOW).toISOString())).accepted).toEqual([old.id]);
      expect((await ingestCheckIns(s, 'k', [{ ...kept, scannedAt: new Date(NOW - 2 * DAY).toISOString() }], new Date(NOW).toISOString())).duplicate).toEqual([kept.id]);
    } finally {
      await s.close();
    }
  });

  it('migrating a v7 database claims every stored id (an id stored twice already keeps both rows, and takes no third)', async () => {
    const url = await cluster.createDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const twice = randomUUID();
    const once = randomUUID();
    try {
      await client.query('CREATE TABLE central_schema (version integer NOT NULL); INSERT INTO central_schema VALUES (0)');
      for (const step of POSTGRES_MIGRATIONS.slice(0, 7)) await client.query(step);
      await client.query('UPDATE central_schema SET version = 7');
      const pool = new pg.Pool({ connectionString: url });
      const days = [NOW - 2 * DAY, NOW - DAY].map((t) => Math.floor(t / DAY));
      for (const d of days) await ensureDayPartition(pool, d);
      await pool.end();
      // What the old code let happen: one id in two day partitions.
      for (const [id, t] of [[twice, NOW - 2 * DAY], [twice, NOW - DAY], [once, NOW - DAY]] as const) {
        await client.query(
          `INSERT INTO checkins (scanned_ms, id, scanned_at, device_id, sender_device_id, checkpoint_id, direction, format, verdict, record, received_at)
           VALUES ($1, $2, $3, 'k', 'k', 'cp-1', 'in', 'cccd', 'accept', $4, $3)`,
          [t, id, new Date(t).toISOString(), JSON.stringify(checkIn(t, id))],
        );
      }
    } finally {
      await client.end();
    }
    const s = await openPostgresStorage(url);
    try {
      expect((await s.pool.query<{ version: number }>('SELECT version FROM central_schema')).rows[0]?.version).toBe(POSTGRES_MIGRATIONS.length);
      const claimed = await s.pool.query<{ id: string; scanned_ms: string }>('SELECT id::text AS id, scanned_ms FROM checkin_ids ORDER BY scanned_ms, id');
      expect(claimed.rows.find((r) => r.id === twice)?.scanned_ms).toBe(String(NOW - DAY));
      expect(claimed.rows.map((r) => r.id).sort()).toEqual([once, twice].sort());
      const received = new Date(NOW).toISOString();
      const r = await ingestCheckIns(s, 'k', [checkIn(NOW - 5 * 3_600_000, twice), checkIn(NOW - 3 * DAY, once)], received);
      expect(r.accepted).toEqual([]);
      expect(r.duplicate.sort()).toEqual([once, twice].sort());
      expect(await rowsOf(s, twice)).toBe(2);
      expect(await rowsOf(s, once)).toBe(1);
    } finally {
      await s.close();
    }
  });
});
