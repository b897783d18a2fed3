/**
 * The reference central server (protocol v1): fastify with JSON-schema validation on a
 * `CentralStorage` — SQLite in the data dir by default, or a shared PostgreSQL database.
 * `startCentral` is what the CLI, the tests and the demo call.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Clock, Logger } from '../src/shared/ports.js';
import { kidOfPublicKey } from '../src/credentials/trust/kid.js';
import { publicJwkOf } from '../src/credentials/trust/envelope.js';
import type { CentralContext } from './context.js';
import { DEFAULT_CLOCK_SKEW_SECONDS } from '../src/credentials/time-rules.js';
import { DEFAULT_CODE_TTL_HOURS, addEnrollmentCode } from './enrollment.js';
import { registerErrorHandling, registerGzipBodies } from './http-support.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerDeclarationRoutes } from './routes/declare.js';
import { registerProtocolRoutes } from './routes/protocol.js';
import { registerOverrideRoutes } from './routes/overrides.js';
import { loadOrCreateAdminToken, loadOrCreateEcKey } from './secrets.js';
import { openStorage } from './storage/open.js';
import type { CentralStorage } from './storage/types.js';
import { publishBundle, readBundleJson, withDeclarationIssuer } from './trust-bundle.js';

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
  /** Local time zone of "today" on the dashboard, minutes east of UTC (default 420, Hanoi). */
  utcOffsetMinutes?: number;
  /** Heartbeat older than this → device stale (ms, default 15 min). */
  staleHeartbeatMs?: number;
  /** Oldest pending check-in older than this → queue old (ms, default 1 h). */
  oldQueueMs?: number;
  /** A kiosk whose clock offset (from its heartbeat) exceeds this is flagged (ms, default 5 min). */
  clockToleranceMs?: number;
}

export interface CentralServer {
  url: string;
  /** The root public key devices pin (also returned by enroll). */
  rootJwk: Record<string, unknown>;
  adminToken: string;
  /** The storage the server uses (tests and benchmarks read it). */
  storage: CentralStorage;
  close(): Promise<void>;
}

/** Largest request body any route accepts (the check-in route: 2 MiB decompressed). */
const GLOBAL_BODY_LIMIT = 2 * 1024 * 1024;

export async function startCentral(opts: CentralOptions): Promise<CentralServer> {
  const logger = opts.logger.child('central');
  const storage = opts.storage ?? (await openStorage({ dataDir: opts.dataDir, database: opts.database }));
  let app: FastifyInstance | undefined;
  try {
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
      rootJwk: publicJwkOf(root.publicKey) as CentralContext['rootJwk'],
      bundle,
      declarationSigner: { privateKey: declarationKey.privateKey, kid: kidOfPublicKey(declarationKey.publicKey) },
      issuer: () => url,
      utcOffsetMinutes: opts.utcOffsetMinutes ?? 420,
      staleHeartbeatMs: opts.staleHeartbeatMs ?? 15 * 60_000,
      oldQueueMs: opts.oldQueueMs ?? 60 * 60_000,
      clockToleranceMs: opts.clockToleranceMs ?? DEFAULT_CLOCK_SKEW_SECONDS * 1000,
    };
    app = Fastify({
      logger: false,
      bodyLimit: GLOBAL_BODY_LIMIT,
      // Requests that stall are cut off rather than holding a socket forever (ms).
      requestTimeout: 60_000,
      connectionTimeout: 120_000,
      ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    });
    registerErrorHandling(app, logger);
    registerGzipBodies(app);
    app.addHook('onResponse', async (request, reply) => {
      logger.debug('request', { method: request.method, route: request.routeOptions.url ?? 'none', status: reply.statusCode, ms: Math.round(reply.elapsedTime) });
    });
    registerProtocolRoutes(app, ctx);
    registerOverrideRoutes(app, ctx);
    registerAdminRoutes(app, ctx);
    registerDeclarationRoutes(app, ctx);
    await app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    const host = opts.host ?? '127.0.0.1';
    url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    logger.info('listening', { url, backend: storage.backend, bundleIssuedAt: bundle.issuedAt });
    const server = app;
    let closed = false;
    return {
      url,
      rootJwk: ctx.rootJwk as Record<string, unknown>,
      adminToken: ctx.adminToken,
      storage,
      async close() {
        if (closed) return;
        closed = true;
        await server.close();
        await storage.close();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    await storage.close();
    throw err;
  }
}
