/**
 * The forwarder against the real central server and the real kiosk store, over real HTTP on
 * 127.0.0.1, through a fault-injecting proxy. When the faults stop, every check-in is on the
 * server exactly once and the kiosk queue is empty.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import type { CheckInStore } from '../../src/store/types.js';
import { enroll } from '../../src/sync/enrollment.js';
import { startForwarder } from '../../src/sync/forwarder.js';
import type { Forwarder, ForwarderOptions } from '../../src/sync/forwarder.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import { openKioskStore, recordingTimers, seed, sleep, waitFor } from '../helpers/sync-fixtures.js';

let tmp: string;
let central: CentralServer;
let store: CheckInStore;
let token: string;
let proxy: FaultProxy | undefined;
let forwarder: Forwarder | undefined;

const FAST = { backoff: { baseMs: 20, capMs: 200 }, requestTimeoutMs: 1_000, idlePollMs: 50 } as const;

function forward(over: Partial<ForwarderOptions> = {}): Forwarder {
  forwarder = startForwarder({ store, serverUrl: central.url, token, clock: systemClock, timers: systemTimers, logger: silentLogger, ...FAST, ...over });
  return forwarder;
}

async function serverIds(): Promise<string[]> {
  const ids: string[] = [];
  for await (const c of central.storage.exportCheckIns()) ids.push(c.id);
  return ids;
}

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-fwd-'));
  central = await startCentral({ dataDir: path.join(tmp, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['FWD-CODE'] });
  const kioskDir = path.join(tmp, 'kiosk');
  token = (await enroll({ serverUrl: central.url, code: 'FWD-CODE', dataDir: kioskDir, device: { name: 't', version: '0', platform: 'linux' } })).token;
  store = openKioskStore(kioskDir);
});

afterEach(async () => {
  await forwarder?.stop();
  forwarder = undefined;
  await proxy?.close();
  proxy = undefined;
  store.close();
  await central.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('forwarder', () => {
  it('delivers 1,000 check-ins: the server holds exactly those ids and the queue is empty', async () => {
    const ids = seed(store, 1000);
    forward();
    await waitFor(() => store.queueStats().depth === 0, 'queue drained');
    expect((await serverIds()).sort()).toEqual([...ids].sort());
    expect(await central.storage.countCheckIns()).toBe(1000);
    expect(forwarder?.state()).toMatchObject({ status: 'idle', forwarded: 1000, failures: 0 });
  });

  it('sends oldest first and picks up new check-ins when kicked', async () => {
    const first = seed(store, 10);
    forward({ batchSize: 3, idlePollMs: 60_000 });
    await waitFor(() => store.queueStats().depth === 0, 'first drain');
    expect(await serverIds()).toEqual(first);
    const more = seed(store, 5);
    forwarder?.kick();
    await waitFor(() => store.queueStats().depth === 0, 'second drain');
    expect(await serverIds()).toEqual([...first, ...more]);
  });

  it('survives 500s, 429, timeouts, resets mid-body, lost responses and slow answers: exactly once', async () => {
    proxy = await startFaultProxy({ target: central.url });
    const ids = seed(store, 1200);
    proxy.plan([
      { kind: 'status', status: 500 },
      { kind: 'lose-response' },
      { kind: 'retry-after', seconds: 0 },
      { kind: 'hang' },
      { kind: 'reset-mid-body' },
      { kind: 'pass' },
      { kind: 'lose-response' },
      { kind: 'slow', delayMs: 300 },
      { kind: 'status', status: 503, headers: { 'retry-after': '0' } },
      { kind: 'lose-response' },
      { kind: 'status', status: 502 },
      { kind: 'slow', delayMs: 1_500 }, // longer than the request timeout: committed, then retried
    ]);
    forward({ serverUrl: proxy.url, batchSize: 100 });
    await waitFor(() => store.queueStats().depth === 0, 'queue drained through faults', 30_000);
    expect(await central.storage.countCheckIns()).toBe(1200);
    expect((await serverIds()).sort()).toEqual([...ids].sort());
    expect(store.queueStats()).toMatchObject({ depth: 0, rejected: 0 });
    for (const kind of ['status', 'retry-after', 'hang', 'reset-mid-body', 'lose-response', 'slow'] as const) {
      expect(proxy.applied[kind], kind).toBeGreaterThan(0);
    }
  });

  it('waits as long as Retry-After says, and backs off exponentially with full jitter otherwise', async () => {
    proxy = await startFaultProxy({ target: central.url });
    seed(store, 5);
    proxy.plan([{ kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'status', status: 500 }, { kind: 'retry-after', seconds: 7 }, { kind: 'status', status: 500 }]);
    const timers = recordingTimers(20, [5_000]);
    forward({ serverUrl: proxy.url, timers, random: () => 0.5, backoff: { baseMs: 1_000, capMs: 3_000 }, requestTimeoutMs: 5_000 });
    await waitFor(() => store.queueStats().depth === 0, 'drained');
    const waits = timers.delays.filter((d) => d !== 5_000 && d !== FAST.idlePollMs);
    // failures 1..3: 0.5·1000, 0.5·2000, 0.5·min(3000, 4000); then Retry-After 7 s; then failure 5: 0.5·3000
    expect(waits).toEqual([500, 1000, 1500, 7000, 1500]);
  });

  it('keeps a record the server rejects, marked with the reason; the rest are delivered', async () => {
    const good = seed(store, 3);
    const [bad] = seed(store, 1, { format: 'not a format!' as never });
    forward();
    await waitFor(() => store.queueStats().depth === 0, 'drained');
    expect((await serverIds()).sort()).toEqual([...good].sort());
    const kept = store.get(bad as string);
    expect(kept?.delivery).toBe('rejected');
    expect(kept?.rejectReason).toMatch(/^format:/);
    expect(store.queueStats().rejected).toBe(1);
  });

  it('stops on 401 with state reenroll-needed and no busy loop, and resumes with a new token', async () => {
    proxy = await startFaultProxy({ target: central.url });
    seed(store, 20);
    const states: string[] = [];
    forward({ serverUrl: proxy.url, token: 'revoked-token', onState: (s) => states.push(s.status) });
    await waitFor(() => forwarder?.state().status === 'reenroll-needed', 'reenroll-needed');
    for (let i = 0; i < 20; i++) forwarder?.kick();
    await sleep(500);
    expect(proxy.requests).toBe(1);
    expect(states.at(-1)).toBe('reenroll-needed');
    expect(store.queueStats().depth).toBe(20);
    forwarder?.setToken(token);
    await waitFor(() => store.queueStats().depth === 0, 'drained after re-enrollment');
    expect(await central.storage.countCheckIns()).toBe(20);
  });

  it('stop() aborts an in-flight request; the batch stays pending and is delivered once later', async () => {
    proxy = await startFaultProxy({ target: central.url });
    const ids = seed(store, 50);
    proxy.plan([{ kind: 'hang' }]);
    const f = forward({ serverUrl: proxy.url, requestTimeoutMs: 60_000 });
    await waitFor(() => proxy!.inFlight === 1, 'request in flight');
    await f.stop();
    expect(f.state().status).toBe('stopped');
    expect(store.queueStats().depth).toBe(50);
    forward();
    await waitFor(() => store.queueStats().depth === 0, 'drained');
    expect(await serverIds()).toEqual(ids);
  });
});
