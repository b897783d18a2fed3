/**
 * The reference central server (protocol v1): fastify with JSON-schema validation on a
 * `CentralStorage` — SQLite in the data dir by default, or a shared PostgreSQL database.
 * `startCentral` is what the CLI, the tests and the demo call.
 */
import path from 'node:path';
import Fastify from 'fastify';
import fs from 'node:fs';
import { listenProblem, probeListen } from '../src/cli/listen-probe.js';
import type { FastifyInstance } from 'fastify';
import type { Clock, Logger } from '../src/shared/ports.js';
import { lockDataDir } from '../src/app/data-dir-lock.js';
import type { DataDirLock } from '../src/app/data-dir-lock.js';
import { kidOfPublicKey } from '../src/credentials/trust/kid.js';
import { publicJwkOf } from '../src/credentials/trust/envelope.js';
import type { CentralContext } from './context.js';
import { DEFAULT_CODE_TTL_HOURS, addEnrollmentCode, enrollmentCodeProblem } from './enrollment.js';
import type { EnrollThrottleLimits } from './enroll-throttle.js';
import { registerErrorHandling, registerFavicon, registerGzipBodies, registerJsonOnlyApi } from './http-support.js';
import { ROOM_OUTAGE_PAGE } from './ops/unavailable-page.js';
import { DECLARE_OUTAGE_PAGE } from './declare/unavailable.js';
import { outagePages } from './unavailable-page.js';
import { watchAdminToken, type AdminTokenWatch } from './admin-token.js';
import { DEFAULT_FLEET_THRESHOLDS } from './ops/fleet.js';
import type { FleetThresholds } from './ops/fleet.js';
import { DEFAULT_TIME_ZONE, canonicalTimeZone, timeZoneProblem } from './ops/local-time.js';
import { registerOpsRoutes } from './ops/routes.js';
import { storageOpsQueries } from './ops/storage-queries.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerFleetRoutes } from './routes/fleet.js';
import { registerDeclarationRoutes } from './routes/declare.js';
import { registerProtocolRoutes } from './routes/protocol.js';
import { registerOverrideRoutes } from './routes/overrides.js';
import { loadOrCreateAdminToken, loadOrCreateEcKey } from './secrets.js';
import { openStorage } from './storage/open.js';
import type { CentralStorage } from './storage/types.js';
import { publishBundle, readBundleJson, withDeclarationIssuer } from './trust-bundle.js';
import { fleetRetentionDays, startRetention, type Retention } from './retention.js';

export interface CentralOptions {
  /** SQLite data dir (the embedded default). Required unless `database` or `storage` is given. */
  dataDir?: string;
  /** `postgres://USER@HOST:PORT/DB`: keep everything in that PostgreSQL database instead. */
  database?: string;
  /** An already open storage (tests, benchmarks); the server closes it on close(). */
  storage?: CentralStorage;
  /** 0 = an ephemeral port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Trust bundle JSON (format v1) whose content the server publishes, signed. */
  trustFile?: string;
  /** Codes registered at start (one-time, valid `enrollmentCodeTtlHours`); a spent code stays spent. */
  enrollmentCodes?: string[];
  enrollmentCodeTtlHours?: number;
  logger: Logger;
  clock: Clock;
  /** IANA time zone of "today" and of the times the dashboard shows (default Asia/Ho_Chi_Minh). */
  timeZone?: string;
  /** Fleet table thresholds (ms); defaults: heartbeat 15 min, queue 1 h, clock 2 min, trust 1 h. */
  fleet?: Partial<FleetThresholds>;
  /** The URL kiosks reach this server at (behind a proxy); default: the listening URL. Written into provisioning cards. */
  publicUrl?: string;
  /** Release files of the update feed (default `<dataDir>/releases`). */
  releasesDir?: string;
  /**
   * Check-ins scanned more than this many days ago are purged, with receipts. One value per
   * database (retention.ts fleetRetentionDays): absent, the recorded one (else 21); on PostgreSQL
   * another value than the recorded one refuses the start (DatabaseSettingError).
   */
  retentionDays?: number;
  /** Limits of the failed-enrollment throttle (enroll-throttle.ts; default 10 per address and 200 in all per 10 min). */
  enrollThrottle?: EnrollThrottleLimits;
  /** How often the retention purge runs (ms, default 1 h). */
  retentionIntervalMs?: number;
  /**
   * How often a replaced admin token (`central admin-token --rotate`) is looked for (ms, default
   * 30 s): when the old one stops working at the latest. A presented token that does not match is
   * looked for at once (at most once a second).
   */
  adminTokenRefreshMs?: number;
}

export interface CentralServer {
  url: string;
  /** The root public key devices pin (also returned by enroll). */
  rootJwk: Record<string, unknown>;
  /** The admin token in force now (it follows `central admin-token --rotate`). */
  readonly adminToken: string;
  /** The storage the server uses (tests and benchmarks read it). */
  storage: CentralStorage;
  close(): Promise<void>;
}

/** Largest request body any route accepts (the check-in route: 2 MiB decompressed). */
const GLOBAL_BODY_LIMIT = 2 * 1024 * 1024;

/** Lock file of a central server in a SQLite data dir (one server per SQLite database). */
export const CENTRAL_LOCK_FILE = 'central.lock';

export async function startCentral(opts: CentralOptions): Promise<CentralServer> {
  const logger = opts.logger.child('central');
  // Checked before the storage is opened: a typo in the zone must not create a database.
  const zoneProblem = timeZoneProblem(opts.timeZone ?? DEFAULT_TIME_ZONE);
  if (zoneProblem) throw new Error(zoneProblem);
  // Stored and shown as IANA spells it, however it was typed ("asia/ho_chi_minh").
  const timeZone = canonicalTimeZone(opts.timeZone ?? DEFAULT_TIME_ZONE);
  // Also before the storage: a code anyone could guess is no code (the CLI says so as exit 2).
  for (const code of opts.enrollmentCodes ?? []) {
    const problem = enrollmentCodeProblem(code);
    if (problem) throw new Error(problem);
  }
  const host = opts.host ?? '127.0.0.1';
  // A busy port or an address not on this machine is refused before anything is created: no
  // keys, no database, no lock.
  // Before anything is created: a busy port, a privileged one or an address this machine does not
  // have is refused with no key, database or lock left behind.
  await probeListen(host, opts.port);
  let lock: DataDirLock | undefined;
  if (!opts.storage && opts.database === undefined && opts.dataDir) {
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    lock = lockDataDir(opts.dataDir, process.pid, {
      file: CENTRAL_LOCK_FILE,
      busyMessage: (pid, dir) =>
        `another central server${pid === undefined ? '' : ` (pid ${pid})`} is using the data dir ${dir}; stop it first (several nodes need a shared PostgreSQL: --database postgres://…)`,
    });
  }
  let storage: CentralStorage;
  try {
    storage = opts.storage ?? (await openStorage({ dataDir: opts.dataDir, database: opts.database, logger }));
  } catch (err) {
    lock?.release();
    throw err;
  }
  if (!opts.storage && opts.database !== undefined && !opts.dataDir) {
    // Reached only on a database no key has sealed (a sealed one refused this node): loud, once.
    logger.warn('identity fields stored unsealed: names and ID numbers go into the database in clear; start every node with --data-dir holding one shared data-key.json to seal them', {
      backend: 'postgres',
      sealed: false,
    });
  }
  let app: FastifyInstance | undefined;
  let retention: Retention | undefined;
  let tokenWatch: AdminTokenWatch | undefined;
  try {
    // First: a node whose --retention-days the database refuses changes nothing there.
    const retentionDays = await fleetRetentionDays(storage, opts.retentionDays);
    const nowMs = opts.clock.now();
    for (const code of opts.enrollmentCodes ?? []) {
      await addEnrollmentCode(storage, code, nowMs, opts.enrollmentCodeTtlHours ?? DEFAULT_CODE_TTL_HOURS);
    }
    const root = await loadOrCreateEcKey(storage, 'root-key');
    const declarationKey = await loadOrCreateEcKey(storage, 'declaration-key');
    const base = opts.trustFile ? readBundleJson(opts.trustFile) : undefined;
    const bundle = await publishBundle(storage, withDeclarationIssuer(base, declarationKey.publicKey, 'checkpoint-kiosk central'), root.privateKey, nowMs);
    let url = '';
    const ctx: CentralContext = {
      storage,
      clock: opts.clock,
      logger,
      adminToken: await loadOrCreateAdminToken(storage),
      recheckAdminToken: () => tokenWatch?.recheck() ?? Promise.resolve(),
      rootJwk: publicJwkOf(root.publicKey) as CentralContext['rootJwk'],
      bundle,
      rootPrivateKey: root.privateKey,
      releasesDir: opts.releasesDir ?? path.join(opts.dataDir ?? '.', 'releases'),
      declarationSigner: { privateKey: declarationKey.privateKey, kid: kidOfPublicKey(declarationKey.publicKey) },
      issuer: () => url,
      ops: storageOpsQueries(storage),
      timeZone,
      fleet: { ...DEFAULT_FLEET_THRESHOLDS, ...opts.fleet },
      retentionDays,
      ...(opts.enrollThrottle ? { enrollThrottle: opts.enrollThrottle } : {}),
    };
    tokenWatch = watchAdminToken({
      storage,
      logger,
      clock: opts.clock,
      current: () => ctx.adminToken,
      apply: (token) => {
        ctx.adminToken = token;
      },
      ...(opts.adminTokenRefreshMs ? { refreshMs: opts.adminTokenRefreshMs } : {}),
    });
    app = Fastify({
      logger: false,
      bodyLimit: GLOBAL_BODY_LIMIT,
      // Requests that stall are cut off rather than holding a socket forever (ms).
      requestTimeout: 60_000,
      connectionTimeout: 120_000,
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
      // A body is valid JSON even with a "__proto__" or "constructor.prototype" member. Refusing it
      // (fastify's default) cost a kiosk its whole batch as "not valid JSON"; dropping the member
      // keeps prototypes safe and treats it as what it is to us: an unknown field, ignored.
      onProtoPoisoning: 'remove',
      onConstructorPoisoning: 'remove',
    });
    // Browser pages get a page in their language, not the JSON error: the room and the declaration form.
    registerErrorHandling(app, logger, outagePages([ROOM_OUTAGE_PAGE, DECLARE_OUTAGE_PAGE]));
    // Bodies are JSON (the API) or urlencoded forms (the pages): a text/plain body is refused 415
    // with that said, instead of reaching a route's schema as a string ("body must be object").
    app.removeContentTypeParser('text/plain');
    registerGzipBodies(app);
    registerJsonOnlyApi(app);
    app.addHook('onResponse', async (request, reply) => {
      logger.debug('request', { method: request.method, route: request.routeOptions.url ?? 'none', status: reply.statusCode, ms: Math.round(reply.elapsedTime) });
    });
    registerProtocolRoutes(app, ctx);
    registerOverrideRoutes(app, ctx);
    registerAdminRoutes(app, ctx);
    registerOpsRoutes(app, ctx);
    registerDeclarationRoutes(app, ctx);
    registerFleetRoutes(app, ctx);
    registerFavicon(app);
    try {
      await app.listen({ port: opts.port, host });
    } catch (err) {
      // Taken between the probe and now: the same plain words.
      throw listenProblem(err as NodeJS.ErrnoException, host, opts.port) ?? err;
    }
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    // What `central provision-card` writes into cards when no --url is given.
    await storage.fleet.setServerSetting('public-url', opts.publicUrl ?? url);
    // How `central trace` reads a time given without a zone: as the operations room does.
    await storage.fleet.setServerSetting('time-zone', timeZone);
    logger.info('listening', { url, backend: storage.backend, bundleIssuedAt: bundle.issuedAt });
    retention = startRetention({
      storage,
      clock: opts.clock,
      logger,
      retentionDays: ctx.retentionDays,
      onChange: (days) => {
        ctx.retentionDays = days;
      },
      ...(opts.retentionIntervalMs ? { intervalMs: opts.retentionIntervalMs } : {}),
    });
    const purging = retention;
    const watching = tokenWatch;
    const server = app;
    let closed = false;
    return {
      url,
      rootJwk: ctx.rootJwk as Record<string, unknown>,
      get adminToken() {
        return ctx.adminToken;
      },
      storage,
      async close() {
        if (closed) return;
        closed = true;
        await purging.stop();
        await watching.stop();
        await server.close();
        await storage.close();
        lock?.release();
      },
    };
  } catch (err) {
    await retention?.stop();
    await tokenWatch?.stop();
    await app?.close().catch(() => undefined);
    await storage.close();
    lock?.release();
    throw err;
  }
}

/** The bind refusal and its mapping are shared with `run` and the demo (src/cli/listen-probe.ts). */
export { PortBusyError, listenProblem as bindProblem } from '../src/cli/listen-probe.js';
