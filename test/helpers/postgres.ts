/**
 * A real, throwaway PostgreSQL cluster for tests and benchmarks: `initdb` into a temp dir (as the
 * `postgres` user through `runuser` when we are root — PostgreSQL refuses to run as root),
 * `pg_ctl start` on a free port with its socket inside the temp dir, `pg_ctl -m immediate stop`
 * at the end. Never a mock.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

const run = promisify(execFile);
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PgCluster {
  port: number;
  /** URL of a database (created by `createDatabase`). */
  urlOf(db: string): string;
  /** Creates an empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** Immediate stop (like a crash for the clients) and removal of the data dir. */
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** Runs a PostgreSQL binary as an unprivileged user. */
function asPostgres(bin: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const exe = path.join(PG_BIN, bin);
  return process.getuid?.() === 0 ? run('runuser', ['-u', 'postgres', '--', exe, ...args]) : run(exe, args);
}

let counter = 0;

/**
 * Starts a cluster. `settings` are extra server settings (`-c name=value`), e.g. fsync=off for
 * tests that do not measure durability.
 */
export async function startPgCluster(settings: Record<string, string> = {}): Promise<PgCluster> {
  if (!fs.existsSync(path.join(PG_BIN, 'initdb'))) throw new Error(`PostgreSQL not found in ${PG_BIN} (apt-get install postgresql, or set PG_BIN)`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pgtest-'));
  if (process.getuid?.() === 0) fs.chownSync(dir, ...postgresIds());
  const data = path.join(dir, 'data');
  await asPostgres('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const opts = [`-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1', '-c max_connections=200', ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)];
  await asPostgres('pg_ctl', ['-D', data, '-o', opts.join(' '), '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  const urlOf = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  let stopped = false;
  return {
    port,
    urlOf,
    async createDatabase(name = `t${process.pid}_${++counter}`) {
      const client = new pg.Client({ connectionString: urlOf('postgres') });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return urlOf(name);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await asPostgres('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresIds(): [number, number] {
  const line = fs
    .readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const parts = line?.split(':');
  if (!parts) throw new Error('no postgres user on this machine (install the postgresql package)');
  return [Number(parts[2]), Number(parts[3])];
}

/**
 * For a suite run once per storage backend (`describe.each(['sqlite', 'postgres'])`): with
 * 'postgres', starts a throwaway cluster (fsync off: these suites do not measure durability)
 * before the suite and stops it after. `database()` is a fresh database URL on it, or undefined
 * for SQLite.
 */
export function pgBackend(backend: 'sqlite' | 'postgres'): { database(): Promise<string | undefined> } {
  let cluster: PgCluster | undefined;
  beforeAll(async () => {
    if (backend === 'postgres') cluster = await startPgCluster({ fsync: 'off', synchronous_commit: 'off' });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  return { database: async () => (cluster ? await cluster.createDatabase() : undefined) };
}
