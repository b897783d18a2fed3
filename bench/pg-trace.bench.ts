/**
 * Tracing at scale on PostgreSQL: check-ins generated server-side (generate_series) into the real
 * partitioned table over 30 days — 2,000 checkpoints, 2,000,000 people — first a tenth of the
 * rows, then all of them (default 10,000,000), to show how the figures grow. At each size: the p99
 * of 200 trace queries (random person, 14-day range, ±30 min, through the same storage code the
 * server runs) next to the floor of a primary-key lookup p99 in the same table and run.
 */
import { startPgCluster } from '../test/helpers/postgres.js';
import { DAY_MS, ensureDayPartition } from '../server/storage/postgres-schema.js';
import { openPostgresStorage } from '../server/storage/postgres-storage.js';
import type { PostgresStorage } from '../server/storage/postgres-storage.js';
import { trace } from '../server/trace.js';
import { latencyStats, type Row } from './lib.js';

const TOTAL = Number(process.env.BENCH_TRACE_ROWS ?? 10_000_000);
const DAYS = 30;
const PEOPLE = 2_000_000;
const CHECKPOINTS = 2000;
const QUERIES = 200;
const START = Date.parse('2026-10-01T00:00:00Z');
const SPAN = DAYS * DAY_MS;

/** The secondary indexes and primary key as the migration declares them (rebuilt after a bulk load). */
const INDEXES = [
  'ALTER TABLE checkins ADD PRIMARY KEY (scanned_ms, id)',
  'CREATE INDEX checkins_by_person ON checkins (id_no, scanned_ms) WHERE id_no IS NOT NULL',
  'CREATE INDEX checkins_by_alt_id ON checkins (alt_id, scanned_ms) WHERE alt_id IS NOT NULL',
  'CREATE INDEX checkins_by_checkpoint ON checkins (checkpoint_id, scanned_ms)',
];

/**
 * Inserts rows g in [from, to): time spread evenly over the span, offset per phase so phases
 * interleave. As any bulk load: indexes dropped first and rebuilt after (the same definitions as
 * the migration), two loader connections in parallel.
 */
async function generate(storage: PostgresStorage, from: number, to: number, offsetMs: number): Promise<void> {
  await storage.pool.query('ALTER TABLE checkins DROP CONSTRAINT checkins_pkey; DROP INDEX checkins_by_person, checkins_by_alt_id, checkins_by_checkpoint');
  const step = SPAN / (to - from);
  const chunk = 250_000;
  const ranges: [number, number][] = [];
  for (let a = from; a < to; a += chunk) ranges.push([a, Math.min(to, a + chunk)]);
  const loader = async () => {
    const client = await storage.pool.connect();
    try {
      await client.query('SET statement_timeout = 0');
      for (let r = ranges.shift(); r; r = ranges.shift()) {
        const [a, b] = r;
        await client.query(
          `INSERT INTO checkins (id, scanned_ms, scanned_at, device_id, sender_device_id, checkpoint_id, direction, format, verdict, id_no, alt_id, record, received_at)
           SELECT id, t, at, dev, dev, cp, 'in', 'cccd', 'accept', person, NULL,
             '{"id":"' || id || '","deviceId":"' || dev || '","checkpointId":"' || cp || '","direction":"in","scannedAt":"' || at ||
               '","format":"cccd","verdict":"accept","reasons":["identity-only"],"subject":{"idType":"cccd","idNo":"' || person || '"}}',
             at
           FROM (
             SELECT id, t, to_char(to_timestamp(t / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at, dev, cp, person
             FROM (
               SELECT gen_random_uuid() AS id, ${START + offsetMs}::bigint + floor((g - ${from})::float8 * ${step})::bigint AS t,
                 'dev-' || (g % 5000) AS dev, 'CP-' || ((g * 31) % ${CHECKPOINTS}) AS cp, lpad(((g::bigint * 7919) % ${PEOPLE})::text, 12, '0') AS person
               FROM generate_series(${a}, ${b - 1}) g
             ) s
           ) r`,
        );
      }
    } finally {
      client.release();
    }
  };
  await Promise.all([loader(), loader()]);
  const client = await storage.pool.connect();
  try {
    await client.query('SET statement_timeout = 0');
    for (const sql of INDEXES) await client.query(sql);
    await client.query('ANALYZE checkins');
  } finally {
    client.release();
  }
}

/**
 * `QUERIES` traces of people who do have check-ins: row g's person over a 14-day range centred
 * on row g's scan time (`timeOf`), as an officer tracing a known case would ask.
 */
async function measure(storage: PostgresStorage, rows: number, timeOf: (g: number) => number): Promise<Row[]> {
  const traces: number[] = [];
  let landmarks = 0;
  let nearby = 0;
  for (let i = 0; i < QUERIES; i++) {
    const g = Math.floor(Math.random() * rows);
    const person = String((g * 7919) % PEOPLE).padStart(12, '0');
    const fromMs = timeOf(g) - 7 * DAY_MS;
    const t0 = performance.now();
    const r = await trace(storage, { idNo: person, fromMs, toMs: fromMs + 14 * DAY_MS, windowMinutes: 30 });
    traces.push(performance.now() - t0);
    landmarks += r.landmarks.length;
    nearby += r.landmarks.reduce((n, l) => n + l.nearby.length, 0);
  }
  const sample = (await storage.pool.query<{ scanned_ms: string; id: string }>('SELECT scanned_ms, id FROM checkins TABLESAMPLE SYSTEM (0.05) LIMIT 200')).rows;
  const lookups: number[] = [];
  for (const s of sample) {
    const t0 = performance.now();
    await storage.pool.query('SELECT record FROM checkins WHERE scanned_ms = $1 AND id = $2', [s.scanned_ms, s.id]);
    lookups.push(performance.now() - t0);
  }
  const t = latencyStats(traces);
  const floor = latencyStats(lookups);
  const label = `${rows / 1e6}M check-ins`;
  return [
    {
      bench: 'pg-trace',
      metric: `trace p99 over ${label} (avg ${(landmarks / QUERIES).toFixed(1)} landmarks, ${(nearby / QUERIES).toFixed(1)} contacts)`,
      value: t.p99,
      unit: 'ms',
      floor: floor.p99,
      ratio: t.p99 / floor.p99,
      ratioMeaning: '× primary-key lookup p99 (aim: value < 100 ms)',
    },
    { bench: 'pg-trace', metric: `trace p50 over ${label}`, value: t.p50, unit: 'ms', floor: floor.p50, ratio: t.p50 / floor.p50, ratioMeaning: '× primary-key lookup p50' },
  ];
}

export async function run(): Promise<Row[]> {
  // Durability is not what this measures: fsync off makes loading the rows quicker.
  const cluster = await startPgCluster({ fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', shared_buffers: '512MB', max_wal_size: '8GB', maintenance_work_mem: '256MB' });
  try {
    const storage = await openPostgresStorage(await cluster.createDatabase());
    try {
      for (let d = 0; d <= DAYS; d++) await ensureDayPartition(storage.pool, Math.floor(START / DAY_MS) + d);
      const rows: Row[] = [];
      const first = Math.floor(TOTAL / 10);
      let t0 = performance.now();
      await generate(storage, 0, first, 0);
      console.error(`pg-trace: ${first} rows generated in ${Math.round((performance.now() - t0) / 1000)} s`);
      const timeOfFirst = (g: number) => START + Math.floor(g * (SPAN / first));
      rows.push(...(await measure(storage, first, timeOfFirst)));
      t0 = performance.now();
      await generate(storage, first, TOTAL, 7_919);
      console.error(`pg-trace: ${TOTAL} rows in place after ${Math.round((performance.now() - t0) / 1000)} s more`);
      rows.push(...(await measure(storage, TOTAL, (g) => (g < first ? timeOfFirst(g) : START + 7_919 + Math.floor((g - first) * (SPAN / (TOTAL - first)))))));
      return rows;
    } finally {
      await storage.close();
    }
  } finally {
    await cluster.stop();
  }
}
