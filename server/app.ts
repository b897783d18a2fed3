/**
 * The reference central server (DESIGN §2, §8): fastify with JSON-schema validation on its own
 * SQLite database in the data dir. `startCentral` is what the CLI, the tests and the demo call.
 */
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { Clock, Logger } from '../src/shared/ports.js';
import { kidOfPublicKey } from '../src/credentials/trust/kid.js';
import { publicJwkOf } from '../src/credentials/trust/envelope.js';
import { checkInStatements } from './checkins.js';
import type { CentralContext } from './context.js';
import { openCentralDb } from './db.js';
import type { CentralDb } from './db.js';
import { DEFAULT_CODE_TTL_HOURS, addEnrollmentCode } from './enrollment.js';
import { sqliteFleetStore } from './fleet-store.js';
import { registerErrorHandling, registerGzipBodies } from './http-support.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerDeclarationRoutes } from './routes/declare.js';
import { registerProtocolRoutes } from './routes/protocol.js';
import { DECLARATION_KEY_FILE, ROOT_KEY_FILE, loadOrCreateAdminToken, loadOrCreateEcKey } from './secrets.js';
import { publishBundle, readBundleJson, withDeclarationIssuer } from './trust-bundle.js';

export interface CentralOptions {
  dataDir: string;
  /** 0 = an ephemeral port. */
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Trust bundle JSON (DESIGN §6) whose content the server publishes, signed. */
  trustFile?: string;
  /** Codes registered at start (one-time, valid `enrollmentCodeTtlHours`); a spent code stays spent. */
  enrollmentCodes?: string[];
  enrollmentCodeTtlHours?: number;
  logger: Logger;
  clock: Clock;
  /** Local time zone of "today" on the dashboard, minutes east of UTC (default 420, Hanoi). */
  utcOffsetMinutes?: number;
  /** The URL kiosks reach this server at (behind a proxy); default: the listening URL. Written into provisioning cards. */
  publicUrl?: string;
  /** Heartbeat older than this → device stale (ms, default 15 min). */
  staleHeartbeatMs?: number;
  /** Oldest pending check-in older than this → queue old (ms, default 1 h). */
  oldQueueMs?: number;
}

export interface CentralServer {
  url: string;
  /** The root public key devices pin (also returned by enroll). */
  rootJwk: Record<string, unknown>;
  adminToken: string;
  /** The open database (tests and benchmarks read it; do not write). */
  db: CentralDb;
  close(): Promise<void>;
}

/** Largest request body any route accepts (the check-in route: 2 MiB decompressed). */
const GLOBAL_BODY_LIMIT = 2 * 1024 * 1024;

export async function startCentral(opts: CentralOptions): Promise<CentralServer> {
  const logger = opts.logger.child('central');
  const db = openCentralDb(opts.dataDir);
  let app: FastifyInstance | undefined;
  try {
    const nowMs = opts.clock.now();
    for (const code of opts.enrollmentCodes ?? []) {
      addEnrollmentCode(db, code, nowMs, opts.enrollmentCodeTtlHours ?? DEFAULT_CODE_TTL_HOURS);
    }
    const root = loadOrCreateEcKey(opts.dataDir, ROOT_KEY_FILE);
    const declarationKey = loadOrCreateEcKey(opts.dataDir, DECLARATION_KEY_FILE);
    const base = opts.trustFile ? readBundleJson(opts.trustFile) : undefined;
    const bundle = await publishBundle(opts.dataDir, withDeclarationIssuer(base, declarationKey.publicKey, 'checkpoint-kiosk central'), root.privateKey, nowMs);
    let url = '';
    const ctx: CentralContext = {
      db,
      checkins: checkInStatements(db),
      clock: opts.clock,
      logger,
      adminToken: loadOrCreateAdminToken(opts.dataDir),
      rootJwk: publicJwkOf(root.publicKey) as CentralContext['rootJwk'],
      bundle,
      declarationSigner: { privateKey: declarationKey.privateKey, kid: kidOfPublicKey(declarationKey.publicKey) },
      issuer: () => url,
      utcOffsetMinutes: opts.utcOffsetMinutes ?? 420,
      staleHeartbeatMs: opts.staleHeartbeatMs ?? 15 * 60_000,
      oldQueueMs: opts.oldQueueMs ?? 60 * 60_000,
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
    registerAdminRoutes(app, ctx);
    registerDeclarationRoutes(app, ctx);
    await app.listen({ port: opts.port, host: opts.host ?? '127.0.0.1' });
    const addr = app.server.address();
    const port = typeof addr === 'object' && addr ? addr.port : opts.port;
    const host = opts.host ?? '127.0.0.1';
    url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    // What `central provision-card` writes into cards when no --url is given.
    sqliteFleetStore(db).setPublicUrl(opts.publicUrl ?? url);
    logger.info('listening', { url, bundleIssuedAt: bundle.issuedAt });
    const server = app;
    let closed = false;
    return {
      url,
      rootJwk: ctx.rootJwk as Record<string, unknown>,
      adminToken: ctx.adminToken,
      db,
      async close() {
        if (closed) return;
        closed = true;
        await server.close();
        db.close();
      },
    };
  } catch (err) {
    await app?.close().catch(() => undefined);
    db.close();
    throw err;
  }
}
