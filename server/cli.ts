/**
 * `checkpoint-kiosk central ...` (contract). `argv` is what follows `central`.
 *
 *   central --data-dir DIR [--port N] [--host H] [--trust FILE] [--enrollment-code CODE ...]
 *   central export --data-dir DIR
 *   central enroll-code --data-dir DIR [--ttl-hours N]
 *   central admin-token --data-dir DIR
 *   central trace --data-dir DIR --id ID --from ISO --to ISO [--window-minutes N]
 *
 * Exit codes: 0 success, 1 runtime failure, 2 usage error (message names the bad flag).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { jsonLogger, systemClock } from '../src/core/system.js';
import { startCentral } from './app.js';
import { readBundleJson } from './trust-bundle.js';
import { asExported } from './overrides.js';
import { CENTRAL_DB_FILE } from './db.js';
import { DEFAULT_CODE_TTL_HOURS, addEnrollmentCode, newEnrollmentCode } from './enrollment.js';
import { loadOrCreateAdminToken } from './secrets.js';
import { openStorage } from './storage/open.js';
import type { CentralStorage } from './storage/types.js';
import { parseTraceQuery, trace } from './trace.js';

export interface CentralIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the serve mode should stop (default: SIGTERM or SIGINT). */
  stopSignal?: Promise<unknown>;
}

class Usage extends Error {}

const defaultIo = (): CentralIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
});

type Options = NonNullable<ParseArgsConfig['options']>;

function parse(sub: string, argv: string[], options: Options): Record<string, string | string[] | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | string[] | boolean | undefined>;
  } catch (err) {
    throw new Usage(`central${sub ? ` ${sub}` : ''}: ${(err as Error).message}`);
  }
}

function dataDirOf(sub: string, v: Record<string, unknown>, mustExist: boolean): string {
  const dir = v['data-dir'];
  if (typeof dir !== 'string' || dir === '') throw new Usage(`central${sub ? ` ${sub}` : ''}: --data-dir DIR is required`);
  if (mustExist && !fs.existsSync(path.join(dir, CENTRAL_DB_FILE))) {
    throw new Usage(`central${sub ? ` ${sub}` : ''}: --data-dir ${dir} holds no central database (start the server there first)`);
  }
  return dir;
}

function intFlag(sub: string, name: string, value: unknown, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+$/.test(value) || n < min || n > max) {
    throw new Usage(`central${sub ? ` ${sub}` : ''}: --${name} must be an integer ${min}..${max} (got ${JSON.stringify(value)})`);
  }
  return n;
}

async function serve(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('', argv, {
    'data-dir': { type: 'string' },
    port: { type: 'string' },
    host: { type: 'string' },
    trust: { type: 'string' },
    'enrollment-code': { type: 'string', multiple: true },
  });
  const dataDir = dataDirOf('', v, false);
  const port = intFlag('', 'port', v.port, 0, 65535, 8080);
  const trustFile = v.trust as string | undefined;
  if (trustFile !== undefined && !fs.existsSync(trustFile)) throw new Usage(`central: --trust ${trustFile}: file not found`);
  if (trustFile !== undefined) {
    // An invalid bundle (an unknown key, a bad certificate) is the operator's to fix: exit 2.
    try {
      readBundleJson(trustFile);
    } catch (err) {
      throw new Usage(`central: --trust ${(err as Error).message}`);
    }
  }
  const codes = (v['enrollment-code'] as string[] | undefined) ?? [];
  for (const c of codes) if (c.length < 4 || c.length > 128) throw new Usage('central: --enrollment-code must be 4..128 characters');
  const server = await startCentral({
    dataDir,
    port,
    host: (v.host as string | undefined) ?? '127.0.0.1',
    ...(trustFile ? { trustFile } : {}),
    enrollmentCodes: codes,
    logger: jsonLogger({ namespace: '' }),
    clock: systemClock,
  });
  io.stdout(`${JSON.stringify({ event: 'listening', url: server.url })}\n`);
  const stop =
    io.stopSignal ??
    new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
  await stop;
  await server.close();
  io.stdout(`${JSON.stringify({ event: 'stopped' })}\n`);
  return 0;
}

/** Opens the data dir's storage, runs `fn`, closes it. */
async function withStorage<T>(dataDir: string, fn: (storage: CentralStorage) => Promise<T>): Promise<T> {
  const storage = await openStorage({ dataDir });
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

async function exportAll(argv: string[], io: CentralIo): Promise<number> {
  const dataDir = dataDirOf('export', parse('export', argv, { 'data-dir': { type: 'string' } }), true);
  await withStorage(dataDir, async (storage) => {
    // Each check-in with its current verdict, originalVerdict and overrides (server/overrides.ts).
    for await (const c of storage.exportCheckIns()) io.stdout(`${JSON.stringify(asExported(c))}\n`);
  });
  return 0;
}

async function enrollCode(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('enroll-code', argv, { 'data-dir': { type: 'string' }, 'ttl-hours': { type: 'string' } });
  const dataDir = dataDirOf('enroll-code', v, false);
  const ttl = intFlag('enroll-code', 'ttl-hours', v['ttl-hours'], 1, 24 * 90, DEFAULT_CODE_TTL_HOURS);
  await withStorage(dataDir, async (storage) => {
    const code = newEnrollmentCode();
    const now = systemClock.now();
    await addEnrollmentCode(storage, code, now, ttl);
    io.stdout(`${JSON.stringify({ code, expiresAt: new Date(now + ttl * 3_600_000).toISOString() })}\n`);
  });
  return 0;
}

async function adminToken(argv: string[], io: CentralIo): Promise<number> {
  const dataDir = dataDirOf('admin-token', parse('admin-token', argv, { 'data-dir': { type: 'string' } }), false);
  await withStorage(dataDir, async (storage) => {
    io.stdout(`${(await storage.readSecret('admin-token'))?.trim() ?? (await loadOrCreateAdminToken(storage))}\n`);
  });
  return 0;
}

async function traceCmd(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('trace', argv, {
    'data-dir': { type: 'string' },
    id: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'window-minutes': { type: 'string' },
  });
  const dataDir = dataDirOf('trace', v, true);
  const q = parseTraceQuery({ idNo: v.id, from: v.from, to: v.to, windowMinutes: v['window-minutes'] });
  if (typeof q === 'string') {
    const flag = q.split(':')[0]?.replace('idNo', 'id').replace('windowMinutes', 'window-minutes');
    throw new Usage(`central trace: --${flag}: ${q.slice(q.indexOf(':') + 1).trim()}`);
  }
  await withStorage(dataDir, async (storage) => io.stdout(`${JSON.stringify(await trace(storage, q))}\n`));
  return 0;
}

export async function centralMain(argv: string[], io: CentralIo = defaultIo()): Promise<number> {
  const args = argv[0] === 'central' ? argv.slice(1) : argv;
  const [sub, ...rest] = args;
  try {
    switch (sub) {
      case 'export':
        return await exportAll(rest, io);
      case 'enroll-code':
        return await enrollCode(rest, io);
      case 'admin-token':
        return await adminToken(rest, io);
      case 'trace':
        return await traceCmd(rest, io);
      default:
        if (sub !== undefined && !sub.startsWith('-')) throw new Usage(`central: unknown subcommand "${sub}" (export, enroll-code, admin-token, trace)`);
        return await serve(args, io);
    }
  } catch (err) {
    if (err instanceof Usage) {
      io.stderr(`${err.message}\n`);
      return 2;
    }
    io.stderr(`checkpoint-kiosk central: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
