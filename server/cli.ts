/**
 * `checkpoint-kiosk central ...` (contract). `argv` is what follows `central`.
 *
 *   central (--data-dir DIR | --database postgres://USER@HOST:PORT/DB [--data-dir DIR])
 *           [--port N] [--host H] [--trust FILE] [--enrollment-code CODE ...] [--time-zone ZONE]
 *           [--retention-days N]
 *   central export      (--data-dir DIR | --database URL)
 *   central export      (--data-dir DIR | --database URL) --from ISO --to ISO [--checkpoint ID]
 *                       --requested-by WHO --reason WHY --out FILE
 *   central audit       (--data-dir DIR | --database URL) [--verify]
 *   central enroll-code (--data-dir DIR | --database URL) [--ttl-hours N]
 *   central admin-token (--data-dir DIR | --database URL) [--rotate]
 *   central trace       (--data-dir DIR | --database URL) --id ID --from ISO --to ISO [--window-minutes N]
 *   central trust-bundle (--data-dir DIR | --database URL) [--out FILE]
 *
 * Without --database the data dir holds a SQLite database and the keys (the embedded default).
 * With --database everything, keys included, lives in PostgreSQL, shared by every node.
 * Subcommands never create a central database: they say there is none.
 *   central provision-card | revoke-device | config | group | release   (see cli-fleet.ts)
 *
 * Exit codes (src/cli/exit-codes.ts, one table for every command): 0 ok, 1 runtime failure, 2 usage
 * or configuration error — a bad flag, or a data dir / database that holds no central database.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { jsonLogger, systemClock } from '../src/core/system.js';
import { PortBusyError, startCentral } from './app.js';
import type { CentralServer } from './app.js';
import { readBundleJson } from './trust-bundle.js';
import { asExported } from './overrides.js';
import { FLEET_SUBCOMMANDS, fleetCommand } from './cli-fleet.js';
import { suggestion } from '../src/shared/known-keys.js';
import { centralHelp } from './cli-help.js';
import { VERSION } from '../src/app/version.js';
import { EXIT } from '../src/cli/exit-codes.js';
import { onParentGone } from '../src/cli/parent-watch.js';
import { DEFAULT_CODE_TTL_HOURS, addEnrollmentCode, enrollmentCodeProblem, newEnrollmentCode } from './enrollment.js';
import { DEFAULT_TIME_ZONE, canonicalTimeZone, timeZoneProblem, toLocalIso } from './ops/local-time.js';
import { loadOrCreateAdminToken, loadOrCreateEcKey } from './secrets.js';
import { ADMIN_TOKEN_REFRESH_MS, preciseNow, rotateAdminToken } from './admin-token.js';
import { DEFAULT_RETENTION_DAYS, RETENTION_DAYS_MAX, RETENTION_DAYS_MIN, parseRetentionDays } from './retention.js';
import { parseLawfulRequest, unknownCheckpointWarning, writeLawfulExport } from './lawful-export.js';
import { verifyAuditRows } from '../src/store/audit-chain.js';
import { DataKeyRefusedError, DatabaseSettingError, NoCentralDatabaseError } from './storage/errors.js';
import { openStorage } from './storage/open.js';
import type { StorageChoice } from './storage/open.js';
import { checkDatabaseUrl } from './storage/postgres-storage.js';
import type { CentralStorage } from './storage/types.js';
import { TraceTooLargeError, parseTraceQuery, trace } from './trace.js';
import { auditedTrace } from './trace-audit.js';
import { currentTrustBundle, NoBundleError } from './trust-bundle-export.js';
import { dataDirProblem } from '../src/app/data-dir.js';

export interface CentralIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Resolves once what `stdout` was given has been taken by the reader (a pipe to a slow `gzip`
   * or `ssh` holds it back). Long outputs wait on it so that memory stays flat; absent = at once.
   */
  stdoutDrained?: () => Promise<void>;
  /** Resolves when the serve mode should stop (default: SIGTERM or SIGINT). */
  stopSignal?: Promise<unknown>;
  /**
   * When the command was launched (epoch ms, fractional): the process's start for the CLI, so an
   * `admin-token --rotate` knows a rotation stamped after it was started ran while it was under
   * way. Absent: when the subcommand begins.
   */
  launchedAtMs?: number;
}

class Usage extends Error {}

const defaultIo = (): CentralIo => ({
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  stdoutDrained: () => whenDrained(process.stdout),
  launchedAtMs: performance.timeOrigin,
});

/** Resolves when `stream` needs no drain, or once it drains, errs (EPIPE: the reader left) or closes. */
function whenDrained(stream: NodeJS.WriteStream): Promise<void> {
  if (!stream.writableNeedDrain) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done).off('error', done).off('close', done);
      resolve();
    };
    stream.on('drain', done).on('error', done).on('close', done);
  });
}

type Options = NonNullable<ParseArgsConfig['options']>;

function parse(sub: string, argv: string[], options: Options): Record<string, string | string[] | boolean | undefined> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values as Record<string, string | string[] | boolean | undefined>;
  } catch (err) {
    throw new Usage(`central${sub ? ` ${sub}` : ''}: ${(err as Error).message}`);
  }
}

const STORAGE_FLAGS: Options = { 'data-dir': { type: 'string' }, database: { type: 'string' } };

/** The storage the flags name; `--database` wins, `--data-dir` is required without it. */
function storageOf(sub: string, v: Record<string, unknown>): StorageChoice {
  const name = `central${sub ? ` ${sub}` : ''}`;
  const dir = v['data-dir'];
  const database = v.database;
  if (typeof database === 'string') {
    const problem = checkDatabaseUrl(database);
    if (problem) throw new Usage(`${name}: --database: ${problem}`);
    return { database, ...(typeof dir === 'string' && dir ? { dataDir: dir } : {}) };
  }
  if (typeof dir !== 'string' || dir === '') throw new Usage(`${name}: --data-dir DIR (SQLite) or --database postgres://USER@HOST:PORT/DB is required`);
  return { dataDir: dir };
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
    ...STORAGE_FLAGS,
    port: { type: 'string' },
    host: { type: 'string' },
    trust: { type: 'string' },
    'enrollment-code': { type: 'string', multiple: true },
    'time-zone': { type: 'string' },
    'retention-days': { type: 'string' },
  });
  const where = storageOf('', v);
  const timeZone = v['time-zone'] as string | undefined;
  const zoneProblem = timeZone === undefined ? undefined : timeZoneProblem(timeZone);
  if (zoneProblem) throw new Usage(`central: --time-zone: ${zoneProblem}`);
  // Absent: the value recorded in the database for every node (retention.ts fleetRetentionDays).
  const retentionDays = v['retention-days'] === undefined ? undefined : intFlag('', 'retention-days', v['retention-days'], RETENTION_DAYS_MIN, RETENTION_DAYS_MAX, DEFAULT_RETENTION_DAYS);
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
  for (const c of codes) {
    const problem = enrollmentCodeProblem(c);
    if (problem) throw new Usage(`central: --enrollment-code: ${problem}`);
  }
  const logger = jsonLogger({ namespace: '' });
  let server: CentralServer;
  try {
    server = await startCentral({
      ...where,
      port,
      host: (v.host as string | undefined) ?? '127.0.0.1',
      ...(trustFile ? { trustFile } : {}),
      enrollmentCodes: codes,
      ...(retentionDays === undefined ? {} : { retentionDays }),
      ...(timeZone ? { timeZone } : {}),
      logger,
      clock: systemClock,
    });
  } catch (err) {
    // A missing or different data key is the operator's to fix (a flag), not a runtime failure.
    if (err instanceof DataKeyRefusedError || err instanceof DatabaseSettingError) throw new Usage(`central: ${err.message}`);
    if (err instanceof PortBusyError && err.usage) throw new Usage(`central: ${err.message}`);
    // A --data-dir that cannot be a folder (a file, under a file, not writable) is the operator's to fix.
    const dirProblem = where.dataDir !== undefined && (err as NodeJS.ErrnoException).path === where.dataDir ? dataDirProblem(err, where.dataDir, "the central server's data") : undefined;
    if (dirProblem) throw new Usage(`central: --data-dir ${dirProblem.message}`);
    throw err;
  }
  // Signal handlers first, then the line: the write to a pipe is synchronous, so a supervisor that
  // sends SIGTERM the moment it reads "listening" could otherwise hit the default action (killed).
  const stop =
    io.stopSignal ??
    new Promise<string>((resolve) => {
      process.once('SIGTERM', () => resolve('SIGTERM'));
      process.once('SIGINT', () => resolve('SIGINT'));
      // Started by a parent with an IPC channel (the demo): stop when that parent is gone.
      onParentGone(() => resolve('parent-exited'));
    });
  io.stdout(`${JSON.stringify({ event: 'listening', url: server.url })}\n`);
  const why = await stop;
  // One line, with the first reason (a promise settles once: later signals add nothing).
  logger.info('stopping', { signal: typeof why === 'string' ? why : 'requested' });
  await server.close();
  io.stdout(`${JSON.stringify({ event: 'stopped' })}\n`);
  return EXIT.ok;
}

/**
 * Opens an existing central storage, runs `fn`, closes it. `identities`: the command reads names
 * and ID numbers (export, trace), so a sealed database without its data key is refused up front.
 */
async function withStorage<T>(sub: string, where: StorageChoice, fn: (storage: CentralStorage) => Promise<T>, identities = false): Promise<T> {
  let storage: CentralStorage;
  try {
    storage = await openStorage({ ...where, mustExist: true, identities, logger: jsonLogger({ namespace: 'central' }) });
  } catch (err) {
    if (err instanceof NoCentralDatabaseError || err instanceof DataKeyRefusedError || err instanceof DatabaseSettingError) throw new Usage(`central ${sub}: ${err.message}`);
    throw err;
  }
  try {
    return await fn(storage);
  } finally {
    await storage.close();
  }
}

const LAWFUL_FLAGS = ['from', 'to', 'checkpoint', 'requested-by', 'reason', 'out'] as const;

async function exportAll(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('export', argv, { ...STORAGE_FLAGS, ...Object.fromEntries(LAWFUL_FLAGS.map((f) => [f, { type: 'string' as const }])), 'time-zone': { type: 'string' } });
  const where = storageOf('export', v);
  if (LAWFUL_FLAGS.some((f) => v[f] !== undefined)) return lawful(where, v, io);
  if (v['time-zone'] !== undefined) throw new Usage('central export: --time-zone is only used with --from and --to (a signed export of a time range)');
  await withStorage('export', where, async (storage) => {
    // Names and ID numbers are about to leave the server: the audit log says when and how many
    // (never whose) BEFORE the first line, so an export cut short (`| head`, a reader that dies,
    // kill -9) is on record too; `count` is the check-ins stored when it began, what it hands out
    // when it runs to the end.
    await storage.appendAudit({ at: new Date(systemClock.now()).toISOString(), actor: 'cli', action: 'export', detail: { via: 'cli', count: await storage.countCheckIns() } });
    // Each check-in with its current verdict, originalVerdict and overrides (server/overrides.ts).
    let count = 0;
    for await (const c of storage.exportCheckIns()) {
      io.stdout(`${JSON.stringify(asExported(c))}\n`);
      count++;
      // A pipe's reader sets the pace: without this a slow one made the whole table pile up here.
      if (count % 256 === 0) await io.stdoutDrained?.();
    }
  }, true);
  return EXIT.ok;
}

/** The authorised export: signed file, audit entry naming who asked and why. */
async function lawful(where: StorageChoice, v: Record<string, unknown>, io: CentralIo): Promise<number> {
  const zoneFlag = zoneFlagOf('export', v);
  const request = (timeZone: string) => {
    const req = parseLawfulRequest({ from: v.from, to: v.to, checkpoint: v.checkpoint, requestedBy: v['requested-by'], reason: v.reason }, timeZone);
    if (typeof req === 'string') throw new Usage(`central export: ${req}`);
    return req;
  };
  checkTimesEarly('export', () => request(zoneFlag ?? DEFAULT_TIME_ZONE), zoneFlag);
  const out = v.out;
  if (typeof out !== 'string' || out === '') throw new Usage('central export: --out FILE: required, where the signed export is written');
  if (out === '-') throw new Usage('central export: --out -: a signed export is written to a file (mode 0600), never to standard output; give a file name');
  if (fs.existsSync(out)) throw new Usage(`central export: --out ${out} exists already; choose a new file name`);
  const folder = path.dirname(path.resolve(out));
  if (!fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) throw new Usage(`central export: --out ${out}: the folder ${folder} does not exist; create it first or choose another place`);
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new Usage(`central export: --out ${out}: the folder ${folder} is not writable by this user; choose another place`);
  }
  await withStorage('export', where, async (storage) => {
    const timeZone = await serverTimeZone(storage, zoneFlag);
    const req = request(timeZone);
    const root = await loadOrCreateEcKey(storage, 'root-key');
    // Exclusive create, readable by the operator only: it holds personal data. Written in one pass
    // (memory stays flat for any range) and put in place only once complete.
    const warning = req.checkpoint === undefined ? undefined : await unknownCheckpointWarning(storage, req.checkpoint);
    const result = await writeLawfulExport(storage, req, root, systemClock.now(), out);
    // A checkpoint nothing ever named is most likely a typo: said on stderr and in the answer, not
    // refused (a retired checkpoint has no data either, and the empty export is a true answer).
    if (warning) io.stderr(`central export: warning: ${warning}\n`);
    // The range as it was understood, with its offset: a time typed without a zone was read in timeZone.
    io.stdout(`${JSON.stringify({ out, count: result.count, sha256: result.sha256, timeZone, fromLocal: toLocalIso(timeZone, req.fromMs), toLocal: toLocalIso(timeZone, req.toMs), ...(warning ? { warning } : {}) })}\n`);
  }, true);
  return EXIT.ok;
}

/** The checked `--time-zone` of `sub`, if given (a usage error naming the problem otherwise). */
function zoneFlagOf(sub: string, v: Record<string, unknown>): string | undefined {
  const zone = v['time-zone'] as string | undefined;
  const problem = zone === undefined ? undefined : timeZoneProblem(zone);
  if (problem) throw new Usage(`central ${sub}: --time-zone: ${problem}`);
  return zone === undefined ? undefined : canonicalTimeZone(zone);
}

/**
 * Runs `check` (which throws Usage for a bad flag) before the database is opened. A bad --from or
 * --to without --time-zone is let through: it is reported once the server's zone is read from the
 * database, so the example names that zone.
 */
function checkTimesEarly(sub: string, check: () => unknown, zoneFlag: string | undefined): void {
  try {
    check();
  } catch (err) {
    if (!(err instanceof Usage) || zoneFlag !== undefined || !new RegExp(`^central ${sub}: --(from|to): `).test(err.message)) throw err;
  }
}

/** The zone times without one are read in: --time-zone, else the server's (as the operations room reads them). */
async function serverTimeZone(storage: CentralStorage, zoneFlag: string | undefined): Promise<string> {
  if (zoneFlag !== undefined) return zoneFlag;
  const stored = await storage.fleet.serverSetting('time-zone');
  return stored !== undefined && timeZoneProblem(stored) === undefined ? canonicalTimeZone(stored) : DEFAULT_TIME_ZONE;
}

async function auditCmd(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('audit', argv, { ...STORAGE_FLAGS, verify: { type: 'boolean' } });
  return withStorage('audit', storageOf('audit', v), async (storage) => {
    if (v.verify) {
      const verdict = await verifyAuditRows(storage.auditRows());
      io.stdout(`${JSON.stringify(verdict)}\n`);
      return verdict.ok ? EXIT.ok : EXIT.failure;
    }
    for await (const r of storage.auditRows()) {
      io.stdout(`${JSON.stringify({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, ...(r.detail === null ? {} : { detail: JSON.parse(r.detail) as unknown }), hash: r.hash })}\n`);
    }
    return EXIT.ok;
  });
}

async function enrollCode(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('enroll-code', argv, { ...STORAGE_FLAGS, 'ttl-hours': { type: 'string' } });
  const where = storageOf('enroll-code', v);
  const ttl = intFlag('enroll-code', 'ttl-hours', v['ttl-hours'], 1, 24 * 90, DEFAULT_CODE_TTL_HOURS);
  await withStorage('enroll-code', where, async (storage) => {
    const code = newEnrollmentCode();
    const now = systemClock.now();
    await addEnrollmentCode(storage, code, now, ttl);
    io.stdout(`${JSON.stringify({ code, expiresAt: new Date(now + ttl * 3_600_000).toISOString() })}\n`);
  });
  return EXIT.ok;
}

async function adminToken(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('admin-token', argv, { ...STORAGE_FLAGS, rotate: { type: 'boolean' } });
  const where = storageOf('admin-token', v);
  const launchedAtMs = io.launchedAtMs ?? preciseNow();
  return withStorage('admin-token', where, async (storage): Promise<number> => {
    if (v.rotate === true) {
      const rotated = await rotateAdminToken(storage, launchedAtMs);
      if ('lost' in rotated) {
        // Another rotation ran while this one was under way: its token is in force; printing ours
        // would hand out a token that no node accepts.
        io.stderr(
          'central admin-token: another rotation replaced the token at the same moment and won; this one changed nothing and prints no token. ' +
            'The token in force is the one the other rotation printed (`central admin-token` without --rotate prints it).\n',
        );
        return EXIT.failure;
      }
      await storage.appendAudit({ at: new Date(systemClock.now()).toISOString(), actor: 'cli', action: 'admin-token-rotated', detail: { via: 'cli' } });
      io.stdout(`${rotated.token}\n`);
      const retiredBy = new Date(systemClock.now() + ADMIN_TOKEN_REFRESH_MS).toISOString().replace(/\.\d{3}Z$/, 'Z');
      io.stderr(
        `central admin-token: replaced. The new token works on every running node now. Running nodes stop accepting the old token, and every dashboard sign-in made with it, ` +
          `by ${retiredBy} (within ${ADMIN_TOKEN_REFRESH_MS / 1000} s; a node does so at once when the new token is used there)\n`,
      );
      return EXIT.ok;
    }
    // A database made before the token existed gets one now (the server would make it at start).
    io.stdout(`${(await storage.readSecret('admin-token'))?.trim() ?? (await loadOrCreateAdminToken(storage))}\n`);
    return EXIT.ok;
  });
}

async function traceCmd(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('trace', argv, {
    ...STORAGE_FLAGS,
    id: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    'window-minutes': { type: 'string' },
    'time-zone': { type: 'string' },
  });
  const where = storageOf('trace', v);
  const zoneFlag = zoneFlagOf('trace', v);
  const query = (timeZone: string) => {
    const q = parseTraceQuery({ idNo: v.id, from: v.from, to: v.to, windowMinutes: v['window-minutes'] }, timeZone);
    if (typeof q === 'string') {
      const flag = q.split(':')[0]?.replace('idNo', 'id').replace('windowMinutes', 'window-minutes');
      throw new Usage(`central trace: --${flag}: ${q.slice(q.indexOf(':') + 1).trim()}`);
    }
    return q;
  };
  checkTimesEarly('trace', () => query(zoneFlag ?? DEFAULT_TIME_ZONE), zoneFlag);
  await withStorage('trace', where, async (storage) => {
    // A time without a zone is read as the operations room reads it: in the server's --time-zone.
    const timeZone = await serverTimeZone(storage, zoneFlag);
    // A trace prints names and ID numbers: audited with the window and counts (or the refusal),
    // never the ID asked for, before anything is printed.
    let result;
    try {
      result = await auditedTrace(storage, { actor: 'cli', via: 'cli' }, query(timeZone), (q) => trace(storage, q), () => systemClock.now());
    } catch (err) {
      if (err instanceof TraceTooLargeError) throw new Usage(`central trace: ${err.message.replace('from/to', '--from/--to').replace('smaller windowMinutes', 'smaller --window-minutes')}`);
      throw err;
    }
    io.stdout(`${JSON.stringify(result)}\n`);
  }, true);
  return EXIT.ok;
}

async function trustBundleCmd(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('trust-bundle', argv, { ...STORAGE_FLAGS, out: { type: 'string' } });
  const where = storageOf('trust-bundle', v);
  const out = v.out as string | undefined;
  if (out === '') throw new Usage('central trust-bundle: --out needs a file name');
  const bundle = await withStorage('trust-bundle', where, async (storage) => {
    try {
      return await currentTrustBundle(storage);
    } catch (err) {
      if (err instanceof NoBundleError) throw new Usage(`central trust-bundle: ${err.message}`);
      throw err;
    }
  });
  const text = `${JSON.stringify(bundle, null, 2)}\n`;
  if (out === undefined) io.stdout(text);
  else {
    // Written whole or not at all: a half-written trust file would be refused by `verify`.
    fs.writeFileSync(`${out}.tmp`, text);
    fs.renameSync(`${out}.tmp`, out);
  }
  return EXIT.ok;
}

/**
 * `central retention-days (--data-dir DIR | --database URL) [--set N]`: prints the retention every
 * node purges by, or records a new one (audited); running nodes take it at their next purge.
 */
async function retentionDaysCmd(argv: string[], io: CentralIo): Promise<number> {
  const v = parse('retention-days', argv, { ...STORAGE_FLAGS, set: { type: 'string' } });
  const where = storageOf('retention-days', v);
  const days = v.set === undefined ? undefined : intFlag('retention-days', 'set', v.set, RETENTION_DAYS_MIN, RETENTION_DAYS_MAX, DEFAULT_RETENTION_DAYS);
  return withStorage('retention-days', where, async (storage): Promise<number> => {
    const recorded = parseRetentionDays(await storage.fleet.serverSetting('retention-days'));
    if (days === undefined) {
      io.stdout(`${JSON.stringify({ retentionDays: recorded ?? DEFAULT_RETENTION_DAYS, recorded: recorded !== undefined })}\n`);
      return EXIT.ok;
    }
    await storage.fleet.setServerSetting('retention-days', String(days));
    await storage.appendAudit({ at: new Date(systemClock.now()).toISOString(), actor: 'cli', action: 'retention-days-set', detail: { via: 'cli', from: recorded ?? null, to: days } });
    io.stdout(`${JSON.stringify({ retentionDays: days, previous: recorded ?? null })}\n`);
    io.stderr(
      `central retention-days: every node now keeps check-ins ${days} days: running nodes take it at their next purge (hourly), and nodes started from now on use it ` +
        `(start them without --retention-days, or with --retention-days ${days})\n`,
    );
    return EXIT.ok;
  });
}

const SUBCOMMANDS: readonly string[] = ['export', 'enroll-code', 'admin-token', 'retention-days', 'trace', 'trust-bundle', 'audit', ...FLEET_SUBCOMMANDS];

/** One line naming the mistake and the nearest subcommand when it looks like a typo, then where help is. */
function unknownSubcommand(sub: string): string {
  const near = suggestion(sub, SUBCOMMANDS);
  const shown = sub.length > 40 ? `${sub.slice(0, 40)}…` : sub;
  const hint = near === undefined ? ` (one of ${SUBCOMMANDS.join(', ')})` : ` (did you mean "${near}"?)`;
  return `central: unknown subcommand "${shown}"${hint}\nsee checkpoint-kiosk central --help\n`;
}

export async function centralMain(argv: string[], io: CentralIo = defaultIo()): Promise<number> {
  const args = argv[0] === 'central' ? argv.slice(1) : argv;
  const [sub, ...rest] = args;
  // Only as the first word: `central release add --version V` is a release's version.
  if (sub === '--version' && rest.length === 0) {
    io.stdout(`${VERSION}\n`);
    return EXIT.ok;
  }
  if (args.includes('--help') || args.includes('-h')) {
    // `central --help`, `central trace --help`, `central config set --help`: that command's usage.
    const words = args.slice(0, 2).filter((w) => !w.startsWith('-'));
    const text = centralHelp(words) ?? centralHelp(words.slice(0, 1));
    if (text === undefined) {
      io.stderr(unknownSubcommand(sub ?? ''));
      return EXIT.usage;
    }
    io.stdout(text);
    return EXIT.ok;
  }
  try {
    switch (sub) {
      case 'export':
        return await exportAll(rest, io);
      case 'enroll-code':
        return await enrollCode(rest, io);
      case 'admin-token':
        return await adminToken(rest, io);
      case 'retention-days':
        return await retentionDaysCmd(rest, io);
      case 'trace':
        return await traceCmd(rest, io);
      case 'audit':
        return await auditCmd(rest, io);
      case 'trust-bundle':
        return await trustBundleCmd(rest, io);
      case 'provision-card':
      case 'revoke-device':
      case 'config':
      case 'group':
      case 'release':
        return await fleetCommand(sub, rest, io);
      default:
        if (sub !== undefined && !sub.startsWith('-')) {
          io.stderr(unknownSubcommand(sub));
          return EXIT.usage;
        }
        return await serve(args, io);
    }
  } catch (err) {
    if (err instanceof Usage) {
      io.stderr(`${err.message}\n`);
      return EXIT.usage;
    }
    io.stderr(`checkpoint-kiosk central: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failure;
  }
}
