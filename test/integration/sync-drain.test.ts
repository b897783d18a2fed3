/** The pieces the backlog-drain benchmark uses, exercised small: drainBacklog and the raw-POST floor. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { postPreserialisedBatches, startCentralWithDevice } from '../../server/bench-support.js';
import type { CentralServer } from '../../server/app.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import type { CheckInStore } from '../../src/store/types.js';
import { drainBacklog } from '../../src/sync/drain.js';
import { openKioskStore, seed } from '../helpers/sync-fixtures.js';

let tmp: string;
let server: CentralServer;
let token: string;
let store: CheckInStore;

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-drain-'));
  ({ server, token } = await startCentralWithDevice({ dataDir: path.join(tmp, 'central'), port: 0, logger: silentLogger, clock: systemClock }));
  store = openKioskStore(path.join(tmp, 'kiosk'));
});

afterEach(async () => {
  store.close();
  await server.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('drainBacklog sends everything, then stops; an empty queue resolves at once', async () => {
  const ids = seed(store, 250);
  const result = await drainBacklog({ store, serverUrl: server.url, token, clock: systemClock, timers: systemTimers, logger: silentLogger, batchSize: 100 });
  expect(result).toMatchObject({ forwarded: 250, rejected: 0 });
  expect(await server.storage.countCheckIns()).toBe(ids.length);
  expect(store.queueStats().depth).toBe(0);
  expect(await drainBacklog({ store, serverUrl: server.url, token, clock: systemClock, timers: systemTimers, logger: silentLogger })).toMatchObject({ forwarded: 0 });
});

it('drainBacklog fails fast on a refused token instead of hanging', async () => {
  seed(store, 3);
  await expect(drainBacklog({ store, serverUrl: server.url, token: 'nope', clock: systemClock, timers: systemTimers, logger: silentLogger })).rejects.toThrow(/refused the device token/);
});

it('postPreserialisedBatches posts gzip batches as they are', async () => {
  const batch = (n: number) =>
    zlib.gzipSync(
      JSON.stringify({
        checkins: Array.from({ length: n }, (_, i) => ({
          id: `01a21000-0000-7000-8000-${String(n * 1000 + i).padStart(12, '0')}`,
          deviceId: 'k', checkpointId: 'cp', direction: 'in', scannedAt: '2026-11-25T08:00:00Z', format: 'cccd', verdict: 'accept', reasons: [], subject: {},
        })),
      }),
    );
  const ms = await postPreserialisedBatches(server.url, token, [batch(10), batch(20)]);
  expect(ms).toBeGreaterThan(0);
  expect(await server.storage.countCheckIns()).toBe(30);
  await expect(postPreserialisedBatches(server.url, 'wrong', [batch(1)])).rejects.toThrow(/401/);
});
