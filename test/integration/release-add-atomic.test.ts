/**
 * `central release add`:
 *  - `--file` naming a directory (electron-builder's dist/ instead of the AppImage in it) ended as
 *    a raw EISDIR with exit 1; it is now exit 2 naming the path and what is expected;
 *  - two adds at once both passed the checks (each read the published releases before the other
 *    wrote), so both printed release-added: the second overwrote the first's record (same version)
 *    or its AppImage (same file name), and the feed advertised a SHA-512 the served file did not
 *    have. The checks and the write now run under the database's lock (SQLite IMMEDIATE
 *    transaction, PostgreSQL table lock): the second sees the first and is refused (exit 2).
 * Real SQLite data dir and a real throwaway PostgreSQL database, two calls started together.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralMain } from '../../server/cli.js';
import { openStorage } from '../../server/storage/open.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';
import { randomAppImage } from '../helpers/appimage.js';

let cluster: PgCluster;
let dir: string;
beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-release-atomic-'));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await centralMain(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

const sha512 = (file: string) => createHash('sha512').update(fs.readFileSync(file)).digest('base64');

/** An AppImage-sized-enough file (reading it takes a few event-loop turns) at `dir/name`. */
function appImage(sub: string, name: string): string {
  fs.mkdirSync(path.join(dir, sub), { recursive: true });
  const file = path.join(dir, sub, name);
  fs.writeFileSync(file, randomAppImage(4 * 1024 * 1024));
  return file;
}

describe.each(['sqlite', 'postgres'] as const)('central release add on %s', (backend) => {
  let where: string[];
  let releasesDir: string;
  beforeAll(async () => {
    where = backend === 'sqlite' ? ['--data-dir', path.join(dir, backend)] : ['--database', await cluster.createDatabase()];
    releasesDir = path.join(dir, `${backend}-releases`);
    // The database made as a server start makes it.
    const storage = await openStorage(backend === 'sqlite' ? { dataDir: path.join(dir, backend) } : { database: where[1]! });
    await storage.close();
  });
  const add = (file: string, version: string) => cli(['release', 'add', ...where, '--releases-dir', releasesDir, '--file', file, '--version', version]);
  const published = async () => {
    const storage = await openStorage(backend === 'sqlite' ? { dataDir: path.join(dir, backend) } : { database: where[1]! });
    try {
      return await storage.fleet.releases(100);
    } finally {
      await storage.close();
    }
  };

  it('refuses a directory as --file with exit 2, naming it and what is expected', async () => {
    const folder = path.join(dir, `${backend}-dist`);
    fs.mkdirSync(folder);
    const r = await add(folder, '1.0.0');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`--file ${folder}: is a directory; expected the AppImage file to publish (e.g. dist/checkpoint-kiosk-1.4.0.AppImage), not the folder holding it`);
    const missing = await add(path.join(folder, 'nope.AppImage'), '1.0.0');
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`--file ${path.join(folder, 'nope.AppImage')}: no such file`);
    expect(await published()).toEqual([]);
  });

  it('of two adds of one version with other bytes started together, publishes one and refuses the other', async () => {
    const a = appImage(`${backend}-a`, 'checkpoint-kiosk-7.0.0.AppImage');
    const b = appImage(`${backend}-b`, 'checkpoint-kiosk-7.0.0-rebuilt.AppImage');
    const results = await Promise.all([add(a, '7.0.0'), add(b, '7.0.0')]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 2]);
    const refused = results.find((r) => r.code === 2)!;
    expect(refused.out).toBe('');
    expect(refused.err).toMatch(/release 7\.0\.0 is already published .* with other bytes/);
    const winner = results[0]!.code === 0 ? a : b;
    const record = (await published()).filter((r) => r.version === '7.0.0');
    expect(record).toHaveLength(1);
    expect(record[0]!.file).toBe(path.basename(winner));
    // The served file is the one the record describes; the loser left no copy behind.
    expect(sha512(path.join(releasesDir, record[0]!.file))).toBe(record[0]!.sha512);
    expect(fs.readdirSync(releasesDir).sort()).toEqual([path.basename(winner)]);
  }, 60_000);

  it('of two adds of one file name with other bytes started together, publishes one and keeps its file', async () => {
    const a = appImage(`${backend}-c`, 'checkpoint-kiosk.AppImage');
    const b = appImage(`${backend}-d`, 'checkpoint-kiosk.AppImage');
    const results = await Promise.all([add(a, '8.0.0'), add(b, '8.0.1')]);
    expect(results.map((r) => r.code).sort()).toEqual([0, 2]);
    expect(results.find((r) => r.code === 2)!.err).toMatch(/checkpoint-kiosk\.AppImage already holds the AppImage of release 8\.0\.[01], with other content/);
    const records = (await published()).filter((r) => r.file === 'checkpoint-kiosk.AppImage');
    expect(records).toHaveLength(1);
    expect(sha512(path.join(releasesDir, 'checkpoint-kiosk.AppImage'))).toBe(records[0]!.sha512);
    expect(fs.readdirSync(releasesDir).filter((f) => f.endsWith('.part'))).toEqual([]);
  }, 60_000);
});
