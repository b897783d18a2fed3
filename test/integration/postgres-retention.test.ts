/**
 * Retention on a real PostgreSQL cluster with check-ins spread over 30 days and three "nodes"
 * (three storages, three pools) on one database: the partitions wholly past the cut-off are
 * dropped, the day straddling it is trimmed row by row, every receipt counts exactly what went
 * (dropped + kept = ingested, per day), partitions for future days survive, and ingest into today
 * on another node during retention neither fails nor loses a row. Then the edges: a node with a
 * stale partition cache ingesting a late check-in for a dropped day, a DEFAULT partition, and a
 * long reader holding the table (the drop gives up with a clear error instead of queueing ingest).
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CheckIn } from '../../src/shared/types.js';
import { verifyAuditRows } from '../../src/store/audit-chain.js';
import { purgeExpired } from '../../server/retention.js';
import { listCheckInPartitions } from '../../server/storage/postgres-partitions.js';
import { RetentionLockTimeoutError } from '../../server/storage/postgres-retention.js';
import { openPostgresStorage, type PostgresStorage } from '../../server/storage/postgres-storage.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Now: 10:00 UTC; with 21 days, the cut-off is 2026-11-29T10:00Z (that day straddles it). */
const NOW = Date.parse('2026-12-20T10:00:00.000Z');
const CUTOFF = NOW - 21 * DAY;
const FIRST_DAY = Date.parse('2026-11-20T00:00:00.000Z');

let cluster: PgCluster;
beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off' });
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
});

function checkIn(scannedMs: number, device = 'dev-1'): CheckIn {
  return {
    id: randomUUID(),
    deviceId: device,
    checkpointId: `cp-${scannedMs % 5}`,
    direction: 'in',
    scannedAt: new Date(scannedMs).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: { idType: 'cccd', idNo: '001090000001' },
  };
}

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

interface PurgeDetail {
  removed: number;
  days: Record<string, number>;
  partition?: string;
  before: string;
}

async function receipts(s: PostgresStorage): Promise<PurgeDetail[]> {
  const out: PurgeDetail[] = [];
  for await (const r of s.auditRows()) if (r.action === 'purge') out.push(JSON.parse(r.detail ?? '{}') as PurgeDetail);
  return out;
}

async function storedPerDay(s: PostgresStorage): Promise<Record<string, number>> {
  const { rows } = await s.pool.query<{ day: string; n: string }>('SELECT scanned_ms / 86400000 AS day, count(*) AS n FROM checkins GROUP BY 1');
  return Object.fromEntries(rows.map((r) => [ymd(Number(r.day) * DAY), Number(r.n)]));
}

it('drops whole days past the cut-off, trims the straddling day, receipts match, ingest on another node goes on', async () => {
  const url = await cluster.createDatabase();
  const [a, b, c] = [await openPostgresStorage(url), await openPostgresStorage(url), await openPostgresStorage(url)];
  try {
    // 30 days back to tomorrow: day i holds 40 + i check-ins, 37 minutes apart from 00:05 (so the
    // straddling day has some before 10:00 and some after).
    const ingested: Record<string, number> = {};
    for (let d = 0; d <= 31; d++) {
      const day = FIRST_DAY + d * DAY;
      const batch = Array.from({ length: 40 + d }, (_, k) => checkIn(day + 5 * 60_000 + k * 37 * 60_000 - Math.floor(k / 39) * 23 * HOUR));
      expect((await a.ingestCheckIns('dev-1', batch, new Date(NOW).toISOString())).accepted).toHaveLength(batch.length);
      ingested[ymd(day)] = batch.length;
    }
    const before = await storedPerDay(a);
    expect(before).toEqual(ingested);
    const straddling = ymd(CUTOFF);
    const straddlingGone = (await a.pool.query<{ n: string }>('SELECT count(*) AS n FROM checkins WHERE scanned_ms >= $1 AND scanned_ms < $2', [CUTOFF - 10 * HOUR, CUTOFF])).rows[0]!.n;
    expect(Number(straddlingGone)).toBeGreaterThan(0);

    // Nodes a and b run retention at the same time while node c keeps ingesting into today.
    let stop = false;
    const live: CheckIn[] = [];
    const ingestLoop = (async () => {
      let batches = 0;
      while (!stop || batches < 5) {
        const batch = Array.from({ length: 50 }, (_, k) => checkIn(NOW - HOUR + batches * 50 + k, 'dev-live'));
        const r = await c.ingestCheckIns('dev-live', batch, new Date(NOW).toISOString());
        expect(r.accepted).toHaveLength(50);
        live.push(...batch);
        batches++;
      }
    })();
    const [ra, rb] = await Promise.all([purgeExpired(a, NOW, 21), purgeExpired(b, NOW, 21)]);
    stop = true;
    await ingestLoop;

    // The partitions wholly before the cut-off are gone; the straddling day, the retained days and
    // tomorrow's partition remain.
    const parts = await listCheckInPartitions(a.pool);
    expect(parts.filter((p) => (p.toMs as number) <= CUTOFF)).toEqual([]);
    expect(parts.map((p) => p.name)).toContain(`checkins_p${straddling.replaceAll('-', '')}`);
    expect(parts.map((p) => p.name)).toContain(`checkins_p${ymd(NOW + DAY).replaceAll('-', '')}`);
    expect(parts).toHaveLength(32 - 9);

    // Exactly what went is in the receipts: one per dropped day (with its partition), row receipts
    // for the straddling day; dropped + kept = ingested for every day.
    const rs = await receipts(a);
    const dropReceipts = rs.filter((r) => r.partition);
    expect(dropReceipts.map((r) => r.partition).sort()).toEqual(Array.from({ length: 9 }, (_, d) => `checkins_p${ymd(FIRST_DAY + d * DAY).replaceAll('-', '')}`));
    for (const r of dropReceipts) expect(Object.values(r.days)).toEqual([r.removed]);
    const removedPerDay: Record<string, number> = {};
    for (const r of rs) for (const [day, n] of Object.entries(r.days)) removedPerDay[day] = (removedPerDay[day] ?? 0) + n;
    expect(removedPerDay[straddling]).toBe(Number(straddlingGone));
    expect(ra + rb).toBe(Object.values(removedPerDay).reduce((x, y) => x + y, 0));
    const after = await storedPerDay(a);
    for (const [day, n] of Object.entries(ingested)) expect((after[day] ?? 0) + (removedPerDay[day] ?? 0) + (day === ymd(NOW) ? -live.length : 0)).toBe(n);
    expect((await a.pool.query<{ n: string }>('SELECT count(*) AS n FROM checkins WHERE scanned_ms < $1', [CUTOFF])).rows[0]!.n).toBe('0');
    expect(await verifyAuditRows(a.auditRows())).toMatchObject({ ok: true });

    // Nothing of the live ingest was lost; the counters agree with the rows.
    expect(live.length).toBeGreaterThanOrEqual(250);
    expect([...(await a.countCheckInsById(live.map((l) => ({ id: l.id, scannedAt: l.scannedAt })))).values()]).toEqual(live.map(() => 1));
    expect(await a.checkInTotal()).toBe(await a.countCheckIns());
    // Ingest into today and tomorrow still works on every node.
    for (const s of [a, b, c]) expect((await s.ingestCheckIns('dev-1', [checkIn(NOW + 1), checkIn(NOW + DAY + 1)], new Date(NOW).toISOString())).accepted).toHaveLength(2);

    // Node b still believes in a dropped day: its late check-in is stored (the partition comes
    // back), and the next run drops it with a receipt for that one row.
    const late = checkIn(FIRST_DAY + 2 * DAY + HOUR);
    expect((await b.ingestCheckIns('dev-1', [late], new Date(NOW).toISOString())).accepted).toEqual([late.id]);
    expect(await purgeExpired(a, NOW, 21)).toBe(1);
    expect((await receipts(a)).at(-1)).toMatchObject({ removed: 1, days: { [ymd(FIRST_DAY + 2 * DAY)]: 1 }, partition: expect.any(String) as unknown });
    expect(await a.checkInTotal()).toBe(await a.countCheckIns());
  } finally {
    await Promise.all([a.close(), b.close(), c.close()]);
  }
}, 180_000);

it('leaves a DEFAULT partition in place and deletes only its rows past the cut-off', async () => {
  const url = await cluster.createDatabase();
  const s = await openPostgresStorage(url);
  try {
    await s.ingestCheckIns('dev-1', [checkIn(FIRST_DAY + HOUR), checkIn(NOW - HOUR)], new Date(NOW).toISOString());
    await s.pool.query('CREATE TABLE checkins_default PARTITION OF checkins DEFAULT');
    // Rows for days without a partition land in the default: two old ones, one recent.
    const raw = new pg.Pool({ connectionString: url });
    for (const t of [FIRST_DAY + 3 * DAY, FIRST_DAY + 4 * DAY + HOUR, NOW - 3 * DAY]) {
      const c = checkIn(t);
      await raw.query(
        `INSERT INTO checkins (id, scanned_ms, scanned_at, device_id, sender_device_id, checkpoint_id, direction, format, verdict, id_no, alt_id, record, received_at)
         VALUES ($1, $2, $3, 'dev-1', 'dev-1', 'cp', 'in', 'cccd', 'accept', NULL, NULL, $4, $3)`,
        [c.id, t, c.scannedAt, JSON.stringify(c)],
      );
    }
    await raw.end();
    expect((await s.pool.query('SELECT 1 FROM checkins_default')).rowCount).toBe(3);

    expect(await purgeExpired(s, NOW, 21)).toBe(3);
    const parts = (await listCheckInPartitions(s.pool)).map((p) => p.name);
    expect(parts).toContain('checkins_default');
    expect(parts).not.toContain(`checkins_p${ymd(FIRST_DAY).replaceAll('-', '')}`);
    expect((await s.pool.query('SELECT 1 FROM checkins_default')).rowCount).toBe(1);
    const rs = await receipts(s);
    expect(rs).toEqual([
      expect.objectContaining({ removed: 1, days: { [ymd(FIRST_DAY)]: 1 }, partition: `checkins_p${ymd(FIRST_DAY).replaceAll('-', '')}` }),
      expect.objectContaining({ removed: 2, days: { [ymd(FIRST_DAY + 3 * DAY)]: 1, [ymd(FIRST_DAY + 4 * DAY)]: 1 } }),
    ]);
    expect(rs[1]).not.toHaveProperty('partition');
    expect(await s.checkInTotal()).toBe(await s.countCheckIns());
    expect(await s.countCheckIns()).toBe(2);
  } finally {
    await s.close();
  }
}, 120_000);

it('gives up with a clear error when a long reader holds the table, without blocking ingest for long', async () => {
  const url = await cluster.createDatabase();
  const s = await openPostgresStorage(url);
  const other = await openPostgresStorage(url);
  const reader = new pg.Client({ connectionString: url });
  await reader.connect();
  try {
    await s.ingestCheckIns('dev-1', [checkIn(FIRST_DAY + HOUR), checkIn(NOW - HOUR)], new Date(NOW).toISOString());
    await reader.query('BEGIN');
    await reader.query('SELECT count(*) FROM checkins');
    const purge = purgeExpired(s, NOW, 21).catch((err: unknown) => err);
    // Ingest from another node while retention waits for its lock: it waits at most the lock
    // timeout, then goes through.
    expect((await other.ingestCheckIns('dev-1', [checkIn(NOW - 2 * HOUR)], new Date(NOW).toISOString())).accepted).toHaveLength(1);
    const err = await purge;
    expect(err).toBeInstanceOf(RetentionLockTimeoutError);
    expect((err as Error).message).toMatch(/could not lock checkins .* to drop checkins_p20261120 .* next run tries again/);
    expect(await receipts(s)).toEqual([]);
    expect(await s.countCheckIns()).toBe(3);
    await reader.query('COMMIT');
    expect(await purgeExpired(s, NOW, 21)).toBe(1);
    expect(await s.countCheckIns()).toBe(2);
  } finally {
    await reader.end();
    await Promise.all([s.close(), other.close()]);
  }
}, 120_000);
