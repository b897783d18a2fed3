/**
 * `central admin-token --rotate` on two nodes sharing one throwaway PostgreSQL: the new token works
 * at once on both (a token that does not match makes a node re-read the stored one), while a node
 * where it has not been used yet keeps accepting the old one until its periodic re-read; the CLI
 * says by when. A flood of wrong tokens re-reads the stored token at most once a second (a
 * SQLite node whose storage counts the reads, with a clock the test moves).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { openStorage } from '../../server/storage/open.js';
import { overlayStorage } from '../../server/storage/sealed-storage.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { signIn } from '../helpers/ops-session.js';
import { startPgCluster } from '../helpers/postgres.js';
import type { PgCluster } from '../helpers/postgres.js';

let cluster: PgCluster;
let database: string;
let a: CentralServer;
let b: CentralServer;
let dir: string;
// Far beyond the test's length: only a token that does not match makes a node re-read here.
const REFRESH_MS = 600_000;

beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off', synchronous_commit: 'off' });
  database = await cluster.createDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-rotate-'));
  a = await startCentral({ database, dataDir: path.join(dir, 'a'), port: 0, logger: silentLogger, clock: systemClock, adminTokenRefreshMs: REFRESH_MS });
  fs.cpSync(path.join(dir, 'a'), path.join(dir, 'b'), { recursive: true });
  b = await startCentral({ database, dataDir: path.join(dir, 'b'), port: 0, logger: silentLogger, clock: systemClock, adminTokenRefreshMs: REFRESH_MS });
}, 120_000);

afterAll(async () => {
  await a?.close();
  await b?.close();
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const stats = async (node: CentralServer, token: string) => (await fetch(`${node.url}/api/v1/stats`, { headers: { authorization: `Bearer ${token}` } })).status;

it('a rotated token works at once on every node; the old one lasts on a node until it re-reads, as the CLI says', async () => {
  const old = a.adminToken;
  expect(b.adminToken).toBe(old);
  let stdout = '';
  let stderr = '';
  const before = Date.now();
  expect(await centralMain(['admin-token', '--rotate', '--database', database], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) })).toBe(0);
  const rotated = stdout.trim();
  const by = /stop accepting the old token, and every dashboard sign-in made with it, by (\S+Z) \(within 30 s; a node does so at once when the new token is used there\)/.exec(stderr);
  expect(by).not.toBeNull();
  expect(Date.parse(by![1]!) - before).toBeGreaterThanOrEqual(29_000);
  expect(stderr).toContain('The new token works on every running node now.');

  // Node B has not seen the new token: the old one still works there.
  expect(await stats(b, old)).toBe(200);
  // The new one works at once on A (no 30 s wait), and from then on A refuses the old one.
  expect(await stats(a, rotated)).toBe(200);
  expect(await stats(a, old)).toBe(401);
  expect(await stats(b, old)).toBe(200);
  // A sign-in with the new token at B (the form path) works at once too, and the session holds on A.
  const cookie = await signIn(b.url, rotated);
  expect(await stats(b, old)).toBe(401);
  const page = await fetch(`${a.url}/dashboard`, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
  expect(page.status).toBe(200);
  expect([a.adminToken, b.adminToken]).toEqual([rotated, rotated]);
});

it('re-reads the stored token at most once a second, however many wrong tokens arrive', async () => {
  const sqliteDir = path.join(dir, 'flood');
  let now = Date.parse('2026-12-06T08:00:00.000Z');
  const clock = { now: () => now };
  const inner = await openStorage({ dataDir: sqliteDir });
  let reads = 0;
  const counted = overlayStorage(inner, {
    readSecret: (name) => {
      if (name === 'admin-token') reads++;
      return inner.readSecret(name);
    },
  });
  const node = await startCentral({ storage: counted, dataDir: sqliteDir, port: 0, logger: silentLogger, clock, adminTokenRefreshMs: REFRESH_MS });
  try {
    const wrong = await Promise.all(Array.from({ length: 40 }, (_, i) => stats(node, `wrong-token-${i}`)));
    expect(wrong.every((s) => s === 401)).toBe(true);
    expect(reads).toBe(1);
    for (let i = 0; i < 10; i++) expect(await stats(node, `still-wrong-${i}`)).toBe(401);
    expect(reads).toBe(1);
    now += 1_000;
    expect(await stats(node, 'wrong-again')).toBe(401);
    expect(reads).toBe(2);
    // A rotation is still found at once once the second has passed.
    const before = node.adminToken;
    let out = '';
    expect(await centralMain(['admin-token', '--rotate', '--data-dir', sqliteDir], { stdout: (t) => (out += t), stderr: () => undefined })).toBe(0);
    now += 1_000;
    expect(await stats(node, out.trim())).toBe(200);
    expect(await stats(node, before)).toBe(401);
  } finally {
    await node.close();
  }
});
