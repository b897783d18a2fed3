/**
 * The forwarder builds the next batch while a request is out (pendingWire after a cursor). Against
 * the real central server and the real kiosk store over HTTP on 127.0.0.1, through the fault proxy:
 * the read-ahead is really used, every check-in reaches the server exactly once whatever fails in
 * the middle (a lost answer, 5xx, a reset, a stop and a new forwarder), the kiosk marks batches
 * oldest first and each record once, and an answer that settles only part of a batch makes the
 * forwarder send the rest again instead of continuing after it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import type { CheckInStore, WireRecord } from '../../src/store/types.js';
import { enroll } from '../../src/sync/enrollment.js';
import { checkinsBody, startForwarder } from '../../src/sync/forwarder.js';
import type { Forwarder, ForwarderOptions, ForwarderOutbox } from '../../src/sync/forwarder.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import { openKioskStore, seed, waitFor } from '../helpers/sync-fixtures.js';

let tmp: string;
let central: CentralServer;
let store: CheckInStore;
let token: string;
let proxy: FaultProxy;
const forwarders: Forwarder[] = [];

/** The store as the forwarder sees it, remembering every mark and every read after a cursor. */
interface Watched extends ForwarderOutbox {
  marked: string[][];
  readsAfterCursor: number;
}

function watched(inner: CheckInStore): Watched {
  const w: Watched = {
    marked: [],
    readsAfterCursor: 0,
    pendingBatch: (limit) => inner.pendingBatch(limit),
    pendingWire: (limit, after): WireRecord[] => {
      if (after) w.readsAfterCursor++;
      return inner.pendingWire!(limit, after);
    },
    markForwarded: (ids, at) => {
      w.marked.push([...ids]);
      inner.markForwarded(ids, at);
    },
    markRejected: (r, at) => inner.markRejected(r, at),
  };
  return w;
}

function forward(outbox: ForwarderOutbox, over: Partial<ForwarderOptions> = {}): Forwarder {
  const f = startForwarder({
    store: outbox,
    serverUrl: proxy.url,
    token,
    clock: systemClock,
    timers: systemTimers,
    logger: silentLogger,
    batchSize: 50,
    backoff: { baseMs: 20, capMs: 200 },
    requestTimeoutMs: 2_000,
    idlePollMs: 50,
    ...over,
  });
  forwarders.push(f);
  return f;
}

async function serverIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const c of central.storage.exportCheckIns()) ids.push(c.id);
  return ids;
}

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-pipe-'));
  central = await startCentral({ dataDir: path.join(tmp, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['PIPE-CODE'] });
  const kioskDir = path.join(tmp, 'kiosk');
  token = (await enroll({ serverUrl: central.url, code: 'PIPE-CODE', dataDir: kioskDir, device: { name: 't', version: '0', platform: 'linux' } })).token;
  store = openKioskStore(kioskDir);
  proxy = await startFaultProxy({ target: central.url, match: (req) => req.url === '/api/v1/checkins' });
});

afterEach(async () => {
  for (const f of forwarders.splice(0)) await f.stop();
  await proxy.close();
  store.close();
  await central.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

it('reads ahead, survives failures mid-drain, and delivers and marks every check-in once, oldest first', async () => {
  const ids = seed(store, 600);
  proxy.plan([
    { kind: 'pass' },
    { kind: 'pass' },
    { kind: 'lose-response' }, // stored on the server, the answer lost: the batch goes again as duplicates
    { kind: 'pass' },
    { kind: 'status', status: 500 },
    { kind: 'pass' },
    { kind: 'reset-mid-body' },
    { kind: 'slow', delayMs: 200 },
    { kind: 'status', status: 503, headers: { 'retry-after': '0' } },
  ]);
  const outbox = watched(store);
  forward(outbox);
  await waitFor(() => store.queueStats().depth === 0, 'drained through faults', 30_000);
  expect(await central.storage.countCheckIns()).toBe(600);
  expect((await serverIds()).sort()).toEqual([...ids].sort());
  expect(outbox.marked.flat()).toEqual(ids);
  expect(outbox.readsAfterCursor).toBeGreaterThan(0);
  for (const kind of ['lose-response', 'status', 'reset-mid-body', 'slow'] as const) expect(proxy.applied[kind], kind).toBeGreaterThan(0);
});

it('a forwarder stopped mid-drain (a request out, the next batch read ahead) and a new one deliver every check-in once', async () => {
  const ids = seed(store, 400);
  proxy.plan([], { kind: 'slow', delayMs: 100 });
  const outbox = watched(store);
  const first = forward(outbox);
  await waitFor(() => outbox.marked.length >= 2 && proxy.inFlight === 1, 'two batches marked and a third out');
  await first.stop();
  const depthAtStop = store.queueStats().depth;
  expect(depthAtStop).toBeGreaterThan(0);
  expect(depthAtStop).toBeLessThan(400);
  proxy.plan([], { kind: 'pass' });
  forward(outbox);
  await waitFor(() => store.queueStats().depth === 0, 'drained by the second forwarder');
  expect(await central.storage.countCheckIns()).toBe(400);
  expect((await serverIds()).sort()).toEqual([...ids].sort());
  // The batch aborted by stop() may have reached the server (then it comes back as duplicates),
  // but the kiosk marks each record once, in outbox order.
  expect(outbox.marked.flat()).toEqual(ids);
});

it('an answer that settles only part of a batch: the rest is sent again before the forwarder goes on', async () => {
  const ids = seed(store, 150);
  const withheld = ids[10]!;
  // The server stores the whole first batch, but the answer forgets one id.
  proxy.plan([
    {
      kind: 'tamper',
      mutate: (body) => {
        const answer = JSON.parse(body) as { accepted: string[] };
        answer.accepted = answer.accepted.filter((id) => id !== withheld);
        return JSON.stringify(answer);
      },
    },
  ]);
  const outbox = watched(store);
  forward(outbox);
  await waitFor(() => store.queueStats().depth === 0, 'drained');
  expect(await central.storage.countCheckIns()).toBe(150);
  const marks = outbox.marked;
  expect(marks[0]).toEqual(ids.slice(0, 50).filter((id) => id !== withheld));
  // The read-ahead after the first batch (ids 50..99) was dropped: the next request starts from
  // the oldest pending record, the withheld one, which the server answers as a duplicate.
  expect([...marks[1]!].sort()).toEqual([withheld, ...ids.slice(50, 99)].sort());
  expect(marks.flat().sort()).toEqual([...ids].sort());
  expect(proxy.applied.tamper).toBe(1);
});

it('checkinsBody is the UTF-8 of {"checkins":[…]} around the records\' JSON, as JSON.stringify would write it', () => {
  seed(store, 3, { checkpointId: 'Cửa ô "Cầu Giấy" \u2028' });
  const records = store.pendingWire!(10);
  const expected = JSON.stringify({ checkins: store.pendingBatch(10) });
  expect(checkinsBody(records).equals(Buffer.from(expected, 'utf8'))).toBe(true);
  expect(checkinsBody([]).toString('utf8')).toBe('{"checkins":[]}');
});
