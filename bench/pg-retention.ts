/**
 * Retention on PostgreSQL (a row of `npm run bench pg-ingest`): DAYS past-retention days of
 * ROWS check-ins each, plus one retained day and the day straddling the cut-off, removed by the
 * partition drop (`purgeExpired` as the server runs it) against the former way — `DELETE` in
 * chunks of 1,000 with a receipt each, then VACUUM — on an identical second database of the same
 * cluster in the same run. Ratio = delete / drop (higher is better).
 */
import { purgeExpired } from '../server/retention.js';
import { overlayStorage } from '../server/storage/sealed-storage.js';
import { DAY_MS, ensureDayPartition } from '../server/storage/postgres-schema.js';
import { openPostgresStorage, type PostgresStorage } from '../server/storage/postgres-storage.js';
import type { PgCluster } from '../test/helpers/postgres.js';
import type { Row } from './lib.js';

const DAYS = Number(process.env.BENCH_PG_RETENTION_DAYS ?? 7);
const ROWS = Number(process.env.BENCH_PG_RETENTION_ROWS ?? 20_000);
const RETENTION_DAYS = 21;

/** Fills DAYS + 2 days ending at the cut-off's day + 1 with ROWS rows each (one INSERT per day). */
async function seed(s: PostgresStorage, nowMs: number): Promise<void> {
  const cutoffDay = Math.floor((nowMs - RETENTION_DAYS * DAY_MS) / DAY_MS);
  for (let day = cutoffDay - DAYS; day <= cutoffDay + 1; day++) {
    await ensureDayPartition(s.pool, day);
    await s.pool.query(
      `INSERT INTO checkins (id, scanned_ms, scanned_at, device_id, sender_device_id, checkpoint_id, direction, format, verdict, id_no, alt_id, record, received_at)
       SELECT gen_random_uuid(), t, to_char(to_timestamp(t / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'bench', 'bench',
              'CP-' || (i % 55), 'in', 'cccd', 'accept', 'H' || md5(i::text), NULL, repeat('x', 400), 'now'
       FROM generate_series(0, $2::int - 1) AS i, LATERAL (SELECT $1::bigint + (i::bigint * ${DAY_MS}) / $2::int AS t) AS x`,
      [day * DAY_MS, ROWS],
    );
  }
  await s.pool.query('VACUUM ANALYZE checkins');
}

async function timed(s: PostgresStorage, nowMs: number, expected: number): Promise<number> {
  const t0 = performance.now();
  const removed = await purgeExpired(s, nowMs, RETENTION_DAYS);
  const ms = performance.now() - t0;
  if (removed !== expected) throw new Error(`retention removed ${removed}, expected ${expected}`);
  return ms;
}

export async function retentionRows(cluster: PgCluster): Promise<Row[]> {
  const nowMs = Date.now();
  const cutoff = nowMs - RETENTION_DAYS * DAY_MS;
  // Rows of the straddling day before the cut-off (same formula as the seed).
  const straddleStart = Math.floor(cutoff / DAY_MS) * DAY_MS;
  let straddling = 0;
  for (let i = 0; i < ROWS; i++) if (straddleStart + Math.floor((i * DAY_MS) / ROWS) < cutoff) straddling++;
  const expected = DAYS * ROWS + straddling;
  const drop: number[] = [];
  const del: number[] = [];
  for (let round = 0; round < 2; round++) {
    const [a, b] = [await openPostgresStorage(await cluster.createDatabase()), await openPostgresStorage(await cluster.createDatabase())];
    try {
      await seed(a, nowMs);
      await seed(b, nowMs);
      drop.push(await timed(a, nowMs, expected));
      // The former retention: no partition drop, so every row goes through the chunked DELETE.
      del.push(await timed(overlayStorage(b, { dropExpiredPartitions: undefined }) as PostgresStorage, nowMs, expected));
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  }
  const value = Math.min(...drop);
  const floor = Math.min(...del);
  return [
    {
      bench: 'pg-ingest',
      metric: `retention of ${DAYS} days × ${ROWS} check-ins + straddling day (partition drop)`,
      value,
      unit: 'ms',
      floor,
      ratio: floor / value,
      ratioMeaning: 'chunked DELETE + VACUUM (the former retention) / partition drop',
    },
  ];
}
