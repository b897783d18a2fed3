/**
 * Two `central admin-token --rotate` at the same moment: only one wins, and only the winner prints
 * a token; the loser says the other rotation won, prints nothing on stdout and exits 1. The token
 * in force is the winner's and a running server accepts it. Real storage on both backends (two
 * connections to one SQLite data dir, two to one throwaway PostgreSQL), and on PostgreSQL two
 * real processes held at the same point by a row lock the test takes, then let go together, and
 * two started together without any lock, which reach the database one after the other: the
 * rotations are serialised in the database and the later one sees it was launched before the
 * earlier one's rotation, so it loses at once (there used to be a 2 s pause before printing).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateAdminToken } from '../../server/admin-token.js';
import { startCentral } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { loadOrCreateAdminToken } from '../../server/secrets.js';
import { overlayStorage } from '../../server/storage/sealed-storage.js';
import { openStorage } from '../../server/storage/open.js';
import type { CentralStorage } from '../../server/storage/types.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { CLI, REPO_ROOT } from '../helpers/cli.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';
import { waitFor } from '../helpers/pty.js';

let cluster: PgCluster;
let dir: string;

beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-rotate-race-'));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Both storages' readSecret resolve only once both have read: the two rotations surely overlap. */
function bothReadFirst(a: CentralStorage, b: CentralStorage): [CentralStorage, CentralStorage] {
  let waiting = 0;
  let release!: () => void;
  const together = new Promise<void>((resolve) => (release = resolve));
  const gate = (s: CentralStorage) =>
    overlayStorage(s, {
      readSecret: async (name) => {
        const value = await s.readSecret(name);
        if (++waiting === 2) release();
        await together;
        return value;
      },
    });
  return [gate(a), gate(b)];
}

describe.each(['sqlite', 'postgres'] as const)('two rotations at once on %s', (backend) => {
  it('one wins and returns its token, which is the one stored; the other changes nothing', async () => {
    const where = backend === 'sqlite' ? { dataDir: path.join(dir, 'fn-sqlite') } : { database: await cluster.createDatabase() };
    const first = await openStorage({ ...where, identities: false });
    const second = await openStorage({ ...where, identities: false });
    try {
      const before = await loadOrCreateAdminToken(first);
      for (let round = 0; round < 3; round++) {
        const [a, b] = bothReadFirst(first, second);
        const results = await Promise.all([rotateAdminToken(a), rotateAdminToken(b)]);
        const won = results.filter((r): r is { token: string } => 'token' in r);
        expect(won).toHaveLength(1);
        expect(results.filter((r) => 'lost' in r)).toHaveLength(1);
        expect((await first.readSecret('admin-token'))?.trim()).toBe(won[0]!.token);
        expect(won[0]!.token).not.toBe(before);
      }
      // Rotations one after the other still both succeed: each reads the token the other wrote.
      const one = await rotateAdminToken(first);
      const two = await rotateAdminToken(second);
      expect('token' in one && 'token' in two).toBe(true);
      expect((await second.readSecret('admin-token'))?.trim()).toBe((two as { token: string }).token);
    } finally {
      await first.close();
      await second.close();
    }
  }, 60_000);
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function rotateProcess(database: string): { pid: number; done: Promise<Ran> } {
  const child = spawn(process.execPath, [...CLI, 'central', 'admin-token', '--rotate', '--database', database], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
  child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  return { pid: child.pid as number, done: new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr }))) };
}

describe('two `central admin-token --rotate` processes at once on PostgreSQL', () => {
  it('only the winner prints a token, the loser says the other won and exits 1; a server accepts the winner', async () => {
    const database = await cluster.createDatabase();
    const server = await startCentral({ database, dataDir: path.join(dir, 'node'), port: 0, logger: silentLogger, clock: systemClock });
    const sql = new pg.Pool({ connectionString: database, max: 3 });
    const hold = await sql.connect();
    try {
      const old = server.adminToken;
      // Both processes read the old token, then queue behind this lock on the token's row.
      await hold.query('BEGIN');
      await hold.query("SELECT value FROM central_secrets WHERE name = 'admin-token' FOR UPDATE");
      const runs = [rotateProcess(database), rotateProcess(database)];
      await waitFor(
        async () => Number((await sql.query<{ n: string }>("SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%central_secrets%'")).rows[0]?.n) === 2,
        { timeoutMs: 60_000, intervalMs: 100, what: 'both rotations waiting on the lock' },
      );
      await hold.query('COMMIT');
      const results = await Promise.all(runs.map((r) => r.done));

      const winners = results.filter((r) => r.code === 0);
      const losers = results.filter((r) => r.code !== 0);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      expect(losers[0]).toMatchObject({ code: 1, stdout: '' });
      expect(losers[0]!.stderr).toContain('central admin-token: another rotation replaced the token at the same moment and won; this one changed nothing and prints no token.');
      const token = winners[0]!.stdout.trim();
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((await sql.query<{ value: string }>("SELECT value FROM central_secrets WHERE name = 'admin-token'")).rows[0]?.value.trim()).toBe(token);
      const stats = async (t: string) => (await fetch(`${server.url}/api/v1/stats`, { headers: { authorization: `Bearer ${t}` } })).status;
      expect(await stats(token)).toBe(200);
      expect(await stats(old)).toBe(401);
    } finally {
      hold.release();
      await sql.end();
      await server.close();
    }
  }, 120_000);
});

describe('two `central admin-token --rotate` started together, without any lock held', () => {
  it('only the one whose token is in force prints it, at once (they rarely meet at the database: one runs after the other)', async () => {
    const database = await cluster.createDatabase();
    const setup = await openStorage({ database, identities: false });
    await loadOrCreateAdminToken(setup);
    await setup.close();
    const sql = new pg.Pool({ connectionString: database, max: 1 });
    try {
      for (let round = 0; round < 3; round++) {
        const started = Date.now();
        const results = await Promise.all([rotateProcess(database).done, rotateProcess(database).done]);
        // No pause after the swap: each answers as soon as it has been to the database.
        expect(Date.now() - started).toBeLessThan(15_000);
        const winners = results.filter((r) => r.code === 0);
        expect(winners).toHaveLength(1);
        const loser = results.find((r) => r.code !== 0)!;
        expect(loser).toMatchObject({ code: 1, stdout: '' });
        expect(loser.stderr).toContain('another rotation replaced the token at the same moment and won; this one changed nothing and prints no token.');
        const stored = (await sql.query<{ value: string }>("SELECT value FROM central_secrets WHERE name = 'admin-token'")).rows[0]?.value.trim();
        expect(winners[0]!.stdout.trim()).toBe(stored);
      }
    } finally {
      await sql.end();
    }
  }, 120_000);
});

describe('two `central admin-token --rotate` launched together that reach the database one after the other', () => {
  it.each(['sqlite', 'postgres'] as const)('on %s the first answers at once with the token in force, the later one changes nothing', async (backend) => {
    const where = backend === 'sqlite' ? ['--data-dir', path.join(dir, 'launched-sqlite')] : ['--database', await cluster.createDatabase()];
    const setup = await openStorage({ ...(backend === 'sqlite' ? { dataDir: where[1]! } : { database: where[1]! }), identities: false });
    await loadOrCreateAdminToken(setup);
    await setup.close();
    const rotate = async (launchedAtMs: number) => {
      let stdout = '';
      let stderr = '';
      const began = performance.now();
      const code = await centralMain(['admin-token', '--rotate', ...where], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), launchedAtMs });
      return { code, stdout: stdout.trim(), stderr, ms: performance.now() - began };
    };
    const launched = performance.timeOrigin + performance.now();
    const first = await rotate(launched);
    // Immediate: no pause to see whether another rotation follows (it used to wait 2 s).
    expect(first.code).toBe(0);
    expect(first.ms).toBeLessThan(1_500);
    // Launched at the same moment, it reaches the database after the first has finished.
    const second = await rotate(launched);
    expect([second.code, second.stdout]).toEqual([1, '']);
    expect(second.stderr).toContain('another rotation replaced the token at the same moment and won; this one changed nothing and prints no token.');
    let inForce = '';
    await centralMain(['admin-token', ...where], { stdout: (t) => (inForce += t), stderr: () => undefined });
    expect(inForce.trim()).toBe(first.stdout);
    // Launched after it, a rotation replaces it as usual.
    const third = await rotate(performance.timeOrigin + performance.now());
    expect(third.code).toBe(0);
    expect(third.stdout).not.toBe(first.stdout);
  }, 60_000);
});
