/**
 * The sync HTTP client with several servers (nodes of one central server): a node that refuses
 * connections or answers 5xx is skipped for the same request, the next request starts at the node
 * that answered last, a 4xx is an answer (no failover), and with one server nothing changes.
 * axios is loaded at the first request; a transport error is still described by its code.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { createHttpClient, describeError, serverList } from '../../src/sync/http.js';
import { freePort } from '../helpers/sync-fixtures.js';

const servers: http.Server[] = [];

async function node(status: () => number): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const srv = http.createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(status(), { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  servers.push(srv);
  return { url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`, hits: () => hits };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

it('skips a dead node and a 503 node within one request and sticks to the node that answered', async () => {
  const dead = `http://127.0.0.1:${await freePort()}`;
  let bStatus = 503;
  const b = await node(() => bStatus);
  const c = await node(() => 200);
  const client = createHttpClient({ serverUrl: [dead, b.url, c.url], timeoutMs: 5000 });
  try {
    const first = await client.client.post('/api/v1/checkins', { checkins: [] });
    expect(first.status).toBe(200);
    expect([b.hits(), c.hits()]).toEqual([1, 1]);
    expect(client.currentServer()).toBe(c.url);
    await client.client.post('/api/v1/checkins', { checkins: [] });
    expect([b.hits(), c.hits()]).toEqual([1, 2]); // sticky: straight to c
    bStatus = 200;
    await new Promise((r) => servers[1]?.close(r)); // c goes away
    const third = await client.client.get('/api/v1/trust-bundle');
    expect(third.status).toBe(200); // c is gone → dead is skipped → b answers
    expect(client.currentServer()).toBe(b.url);
  } finally {
    client.close();
  }
});

it('treats a 4xx as the answer, returns the last 5xx when every node fails, and throws when none answers', async () => {
  const a = await node(() => 401);
  const b = await node(() => 200);
  const client = createHttpClient({ serverUrl: [a.url, b.url], timeoutMs: 5000 });
  expect((await client.client.post('/x', {})).status).toBe(401);
  expect(b.hits()).toBe(0);
  client.close();
  const busy = await node(() => 503);
  const dead = `http://127.0.0.1:${await freePort()}`;
  const allBad = createHttpClient({ serverUrl: [busy.url, dead], timeoutMs: 5000 });
  expect((await allBad.client.post('/x', {})).status).toBe(503);
  allBad.close();
  const none = createHttpClient({ serverUrl: [dead], timeoutMs: 5000 });
  const refused = await none.client.post('/x', {}).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(String(refused)).toMatch(/ECONNREFUSED/);
  // describeError knows an axios error without importing axios: its code leads the text.
  expect(describeError(refused)).toMatch(/^ECONNREFUSED: /);
  expect(describeError(new Error('plain'))).toBe('plain');
  expect(describeError({ isAxiosError: 'yes', message: 'not one' })).toBe('[object Object]');
  none.close();
});

it('normalises and checks server URLs', () => {
  expect(serverList('http://127.0.0.1:8080/')).toEqual(['http://127.0.0.1:8080']);
  expect(serverList(['https://a.example/base/', 'http://b:1'])).toEqual(['https://a.example/base', 'http://b:1']);
  expect(() => serverList([])).toThrow(/no server URL/);
  expect(() => serverList('ftp://x')).toThrow(/http\(s\)/);
});
