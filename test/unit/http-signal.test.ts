/**
 * Every request the sync client makes carries the client's closing signal joined with the caller's
 * own (the forwarder gives each batch one). The join must not leave a listener behind on the
 * closing signal, which lives as long as the kiosk runs: one per forwarded batch piled up for days
 * (Node warned "MaxListenersExceededWarning … 11 abort listeners" after eleven batches).
 */
import http from 'node:http';
import { getEventListeners } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createHttpClient, eitherSignal } from '../../src/sync/http.js';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

it('joins two signals: either aborts the join, and release takes its listeners off both', () => {
  const a = new AbortController();
  const b = new AbortController();
  const joined = eitherSignal(a.signal, b.signal);
  expect(getEventListeners(b.signal, 'abort')).toHaveLength(1);
  joined.release();
  expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
  expect(getEventListeners(b.signal, 'abort')).toHaveLength(0);
  expect(joined.signal.aborted).toBe(false);

  const again = eitherSignal(a.signal, b.signal);
  b.abort();
  expect(again.signal.aborted).toBe(true);
  expect(getEventListeners(a.signal, 'abort')).toHaveLength(0);
});

it('leaves no listener behind after many requests that each carry their own signal', async () => {
  const srv = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  servers.push(srv);
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.name);
  process.on('warning', onWarning);
  const client = createHttpClient({ serverUrl: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, timeoutMs: 5000 });
  try {
    for (let i = 0; i < 25; i++) {
      const own = new AbortController();
      const res = await client.client.post('/api/v1/checkins', { checkins: [] }, { signal: own.signal });
      expect(res.status).toBe(200);
      expect(getEventListeners(own.signal, 'abort')).toHaveLength(0);
    }
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((n) => n === 'MaxListenersExceededWarning')).toEqual([]);
  } finally {
    process.off('warning', onWarning);
    client.close();
  }
});
