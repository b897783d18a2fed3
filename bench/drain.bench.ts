/**
 * Backlog drain: a kiosk that was offline holds N check-ins; the forwarder sends them to the
 * reference central server on loopback. Floor: raw POSTs of the same check-ins, pre-serialised
 * and gzipped in the same batch size and gzip level, to fresh servers before and after the drain
 * (the mean of the two counts); the forwarder's first batch is checked to be the floor's JSON.
 *
 * Where the forwarder's extra time goes is measured part by part on a second copy of the same
 * backlog, without the network: building the batches (reading the outbox: `pendingWire`),
 * serialising and gzipping them as the forwarder does, and the delivery-state update
 * (`markForwarded`). Each part is shown as a share of the raw POST time.
 */
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import zlib, { gzipSync } from 'node:zlib';
import { silentLogger, systemClock, systemTimers, uuidv7Source } from '../src/core/system.js';
import { openStore } from '../src/store/index.js';
import type { SqliteStore } from '../src/store/index.js';
import { drainBacklog } from '../src/sync/index.js';
import { GZIP_LEVEL, checkinsBody } from '../src/sync/forwarder.js';
import { postPreserialisedBatches, startCentralWithDevice } from '../server/bench-support.js';
import type { CheckIn } from '../src/shared/types.js';
import { aimed, type Row } from './lib.js';

const N = Number(process.env.BENCH_DRAIN_N ?? 100_000);
const BATCH = 500;
const gzip = promisify(zlib.gzip);

function backlog(): CheckIn[] {
  const ids = uuidv7Source();
  const out: CheckIn[] = [];
  for (let i = 0; i < N; i++) {
    out.push({
      id: ids.next(),
      deviceId: 'bench',
      checkpointId: 'QL1A-KM12',
      direction: 'in',
      scannedAt: new Date(Date.now() - (N - i) * 1000).toISOString(),
      format: 'cccd',
      verdict: 'accept',
      reasons: ['identity-only'],
      subject: { idType: 'cccd', idNo: `001090${String(i).padStart(6, '0')}`, name: 'Nguyễn Văn An', dob: '1990-02-01', sex: 'M' },
    });
  }
  return out;
}

/**
 * Writes the backlog once through the store (record(): sealed subjects, outbox rows) and returns
 * the closed store's folder. Seeding is not timed, but N synchronous=FULL commits on a loaded disk
 * take many minutes, so it happens on tmpfs when there is one (an fsync costs nothing there); each
 * store under test is a copy of that folder on the real disk (seededCopy).
 */
function seedOnce(root: string, checkIns: readonly CheckIn[]): string {
  const dir = existsSync('/dev/shm') ? mkdtempSync(join('/dev/shm', 'ck-drain-seed-')) : join(root, 'seed');
  const store = openStore({ dir, logger: silentLogger, clock: systemClock });
  for (const c of checkIns) store.record(c);
  store.close(); // folds the WAL back: kiosk.db and data-key.json are the whole store
  return dir;
}

function seededCopy(seed: string, dir: string): SqliteStore {
  cpSync(seed, dir, { recursive: true });
  return openStore({ dir, logger: silentLogger, clock: systemClock });
}

/** The forwarder's local work per batch, as it does it, timed part by part (ms in total). */
async function parts(store: SqliteStore): Promise<{ build: number; gzip: number; update: number }> {
  const t = { build: 0, gzip: 0, update: 0 };
  const at = new Date().toISOString();
  for (;;) {
    let t0 = performance.now();
    const batch = store.pendingWire(BATCH);
    t.build += performance.now() - t0;
    if (batch.length === 0) return t;
    t0 = performance.now();
    await gzip(checkinsBody(batch), { level: GZIP_LEVEL });
    t.gzip += performance.now() - t0;
    t0 = performance.now();
    store.markForwarded(
      batch.map((r) => r.id),
      at,
    );
    t.update += performance.now() - t0;
  }
}

/** The forwarder must send the very JSON the floor posts (else the two servers do different work). */
function checkSameBody(store: SqliteStore, checkIns: readonly CheckIn[]): void {
  const wire = checkinsBody(store.pendingWire(BATCH)).toString('utf8');
  if (wire !== JSON.stringify({ checkins: checkIns.slice(0, BATCH) })) throw new Error('the forwarder\'s first batch differs from the floor\'s first body');
}

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-drain-'));
  let seed: string | undefined;
  try {
    const checkIns = backlog();
    seed = seedOnce(dir, checkIns);
    const bodies: Buffer[] = [];
    for (let i = 0; i < N; i += BATCH) bodies.push(gzipSync(JSON.stringify({ checkins: checkIns.slice(i, i + BATCH) }), { level: GZIP_LEVEL }));

    // The floor runs before and after the drain (each on a fresh server: a repeat would be all
    // duplicates) and counts as their mean, so a load that drifts during the run favours neither.
    const rawPosts = async (name: string): Promise<number> => {
      const floorServer = await startCentralWithDevice({ dataDir: join(dir, name), port: 0, logger: silentLogger, clock: systemClock });
      try {
        return await postPreserialisedBatches(floorServer.server.url, floorServer.token, bodies);
      } finally {
        await floorServer.server.close();
      }
    };
    const floorBefore = await rawPosts('floor-before');

    const store = seededCopy(seed, join(dir, 'kiosk'));
    checkSameBody(store, checkIns);
    const target = await startCentralWithDevice({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock });
    const result = await drainBacklog({ store, serverUrl: target.server.url, token: target.token, clock: systemClock, timers: systemTimers, logger: silentLogger, batchSize: BATCH });
    await target.server.close();
    store.close();
    if (result.forwarded !== N) throw new Error(`drain forwarded ${result.forwarded} of ${N}`);
    const floorAfter = await rawPosts('floor-after');
    const floorMs = (floorBefore + floorAfter) / 2;

    const copy = seededCopy(seed, join(dir, 'parts'));
    const p = await parts(copy);
    copy.close();

    const rate = (N / result.ms) * 1000;
    const floor = (N / floorMs) * 1000;
    const part = (name: string, ms: number): Row => ({ bench: 'drain', metric: `part: ${name} (all batches)`, value: ms, unit: 'ms', floor: floorMs, ratio: ms / floorMs, ratioMeaning: 'share of the raw POST time' });
    return [
      aimed({ bench: 'drain', metric: `backlog drain (${N} check-ins)`, value: rate, unit: '1/s', floor, ratio: rate / floor, ratioMeaning: 'forwarder / raw POSTs of the same batches' }, '≥ 0.8'),
      { bench: 'drain', metric: 'raw POSTs after / before the drain (load drift)', value: floorAfter / floorBefore, unit: '×' },
      part('batch building (pendingWire)', p.build),
      part('JSON + gzip', p.gzip),
      part('delivery-state update (markForwarded)', p.update),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (seed) rmSync(seed, { recursive: true, force: true });
  }
}
