/**
 * Ingest into PostgreSQL through the protocol: N check-ins POSTed (gzip, 500 per request, one
 * keep-alive connection) to a central server on a real PostgreSQL cluster. Floor: raw multi-row
 * INSERTs of the same rows, 500 per statement, into the same table (a second, identical database
 * of the same cluster), parameters prepared before the clock starts. Each side runs twice
 * (alternating) and the better run counts. Also reports retention by partition drop against the
 * former chunked DELETE (pg-retention.ts).
 */
import { gzipSync } from 'node:zlib';
import { silentLogger, systemClock, uuidv7Source } from '../src/core/system.js';
import type { CheckIn } from '../src/shared/types.js';
import { postPreserialisedBatches, startCentralWithDevice } from '../server/bench-support.js';
import { DAY_MS, ensureDayPartition } from '../server/storage/postgres-schema.js';
import { openPostgresStorage } from '../server/storage/postgres-storage.js';
import { startPgCluster } from '../test/helpers/postgres.js';
import type { Row } from './lib.js';
import { retentionRows } from './pg-retention.js';

const N = Number(process.env.BENCH_PG_INGEST_N ?? 50_000);
const BATCH = 500;
const COLUMNS = 'id, scanned_ms, scanned_at, device_id, sender_device_id, checkpoint_id, direction, format, verdict, id_no, alt_id, record, received_at';

function makeCheckIns(): CheckIn[] {
  const ids = uuidv7Source();
  const t0 = Date.now() - N * 200;
  return Array.from({ length: N }, (_, i) => ({
    id: ids.next(),
    deviceId: 'bench',
    checkpointId: `CP-${i % 55}`,
    direction: 'in',
    scannedAt: new Date(t0 + i * 200).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: { idType: 'cccd', idNo: `001090${String(i).padStart(6, '0')}`, name: 'Nguyễn Văn An', dob: '1990-02-01', sex: 'M' },
  }));
}

async function protocolRun(url: string, checkIns: readonly CheckIn[]): Promise<number> {
  const server = await startCentralWithDevice({ database: url, port: 0, logger: silentLogger, clock: systemClock });
  try {
    const bodies: Buffer[] = [];
    for (let i = 0; i < checkIns.length; i += BATCH) bodies.push(gzipSync(JSON.stringify({ checkins: checkIns.slice(i, i + BATCH) })));
    const ms = await postPreserialisedBatches(server.server.url, server.token, bodies);
    const stored = await server.server.storage.countCheckIns();
    if (stored !== checkIns.length) throw new Error(`protocol ingest stored ${stored} of ${checkIns.length}`);
    return ms;
  } finally {
    await server.server.close();
  }
}

async function floorRun(url: string, checkIns: readonly CheckIn[]): Promise<number> {
  const storage = await openPostgresStorage(url);
  try {
    const days = new Set(checkIns.map((c) => Math.floor(Date.parse(c.scannedAt) / DAY_MS)));
    for (const d of days) await ensureDayPartition(storage.pool, d);
    const receivedAt = new Date().toISOString();
    const statements: { text: string; values: unknown[] }[] = [];
    for (let i = 0; i < checkIns.length; i += BATCH) {
      const batch = checkIns.slice(i, i + BATCH);
      const values: unknown[] = [];
      const tuples = batch.map((c, j) => {
        values.push(c.id, Date.parse(c.scannedAt), c.scannedAt, c.deviceId, 'bench-device', c.checkpointId, c.direction, c.format, c.verdict, c.subject.idNo ?? null, c.subject.altId ?? null, JSON.stringify(c), receivedAt);
        return `(${Array.from({ length: 13 }, (_, k) => `$${j * 13 + k + 1}`).join(', ')})`;
      });
      statements.push({ text: `INSERT INTO checkins (${COLUMNS}) VALUES ${tuples.join(', ')}`, values });
    }
    const client = await storage.pool.connect();
    try {
      const t0 = performance.now();
      for (const s of statements) await client.query(s.text, s.values);
      return performance.now() - t0;
    } finally {
      client.release();
    }
  } finally {
    await storage.close();
  }
}

export async function run(): Promise<Row[]> {
  const cluster = await startPgCluster();
  try {
    const checkIns = makeCheckIns();
    const floors: number[] = [];
    const protocol: number[] = [];
    for (let round = 0; round < 2; round++) {
      floors.push(await floorRun(await cluster.createDatabase(), checkIns));
      protocol.push(await protocolRun(await cluster.createDatabase(), checkIns));
    }
    const rate = (N / Math.min(...protocol)) * 1000;
    const floor = (N / Math.min(...floors)) * 1000;
    return [
      ...(await retentionRows(cluster)),
      {
        bench: 'pg-ingest',
        metric: `ingest into PostgreSQL via protocol (${N} check-ins, batches of ${BATCH})`,
        value: rate,
        unit: '1/s',
        floor,
        ratio: rate / floor,
        ratioMeaning: 'protocol / raw multi-row INSERTs into the same table (aim ≥ 0.7)',
      },
    ];
  } finally {
    await cluster.stop();
  }
}
