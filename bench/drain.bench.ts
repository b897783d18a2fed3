/**
 * Backlog drain (issue 4, README.md): a kiosk that was offline holds N check-ins; the forwarder
 * sends them to the reference central server on loopback. Floor: raw POSTs of the same
 * check-ins, pre-serialised and gzipped in the same batch size, to a second fresh server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { silentLogger, systemClock, systemTimers, uuidv7Source } from '../src/core/system.js';
import { openStore } from '../src/store/index.js';
import { drainBacklog } from '../src/sync/index.js';
import { postPreserialisedBatches, startCentralWithDevice } from '../server/bench-support.js';
import type { CheckIn } from '../src/shared/types.js';
import type { Row } from './lib.js';

const N = Number(process.env.BENCH_DRAIN_N ?? 100_000);
const BATCH = 500;

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-drain-'));
  try {
    const ids = uuidv7Source();
    const store = openStore({ dir: join(dir, 'kiosk'), logger: silentLogger, clock: systemClock });
    const checkIns: CheckIn[] = [];
    for (let i = 0; i < N; i++) {
      const c: CheckIn = {
        id: ids.next(),
        deviceId: 'bench',
        checkpointId: 'QL1A-KM12',
        direction: 'in',
        scannedAt: new Date(Date.now() - (N - i) * 1000).toISOString(),
        format: 'cccd',
        verdict: 'accept',
        reasons: ['identity-only'],
        subject: { idType: 'cccd', idNo: `001090${String(i).padStart(6, '0')}`, name: 'Nguyễn Văn An', dob: '1990-02-01', sex: 'M' },
      };
      checkIns.push(c);
      store.record(c); // seeding: not timed
    }
    const bodies: Buffer[] = [];
    for (let i = 0; i < N; i += BATCH) bodies.push(gzipSync(JSON.stringify({ checkins: checkIns.slice(i, i + BATCH) })));

    const floorServer = await startCentralWithDevice({ dataDir: join(dir, 'floor'), port: 0, logger: silentLogger, clock: systemClock });
    const floorMs = await postPreserialisedBatches(floorServer.server.url, floorServer.token, bodies);
    await floorServer.server.close();

    const target = await startCentralWithDevice({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock });
    const result = await drainBacklog({ store, serverUrl: target.server.url, token: target.token, clock: systemClock, timers: systemTimers, logger: silentLogger, batchSize: BATCH });
    await target.server.close();
    store.close();
    if (result.forwarded !== N) throw new Error(`drain forwarded ${result.forwarded} of ${N}`);
    const rate = (N / result.ms) * 1000;
    const floor = (N / floorMs) * 1000;
    return [{ bench: 'drain', metric: `backlog drain (${N} check-ins)`, value: rate, unit: '1/s', floor, ratio: rate / floor, ratioMeaning: 'forwarder / raw POSTs of the same batches' }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
