/**
 * Health-official JSON views, behind the admin token: GET /api/v1/stats, and tracing as POST
 * /api/v1/trace (JSON body: the ID number stays out of URLs and access logs) or GET /api/v1/trace
 * (query string, kept for older scripts), each trace audited (server/trace-audit.ts);
 * and for operators: POST /api/v1/enrollment-codes (many codes at once) and
 * POST /api/v1/checkins/census (how often given check-ins are stored).
 * The dashboard page itself (GET /dashboard) is the operations room in ../ops/routes.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CentralContext } from '../context.js';
import { DEFAULT_CODE_TTL_HOURS, addEnrollmentCode, newEnrollmentCode } from '../enrollment.js';
import { isAdmin, sendError, tokenInQuery } from '../http-support.js';
import { loadOverview } from '../ops/overview.js';
import type { Overview } from '../ops/overview.js';
import { statsOf } from '../stats.js';
import type { CheckInRef } from '../storage/types.js';
import { TraceTooLargeError, parseTraceQuery } from '../trace.js';
import { auditedTrace } from '../trace-audit.js';

const enrollmentCodesSchema = {
  body: {
    type: 'object',
    required: ['count'],
    additionalProperties: false,
    properties: { count: { type: 'integer', minimum: 1, maximum: 5000 }, ttlHours: { type: 'integer', minimum: 1, maximum: 24 * 90 } },
  },
} as const;

/** POST /api/v1/trace: the GET query's members as JSON (windowMinutes a number or its text). */
const traceBodySchema = {
  body: {
    type: 'object',
    required: ['idNo', 'from', 'to'],
    properties: {
      idNo: { type: 'string', minLength: 1, maxLength: 64 },
      from: { type: 'string', maxLength: 64 },
      to: { type: 'string', maxLength: 64 },
      windowMinutes: { anyOf: [{ type: 'integer' }, { type: 'string', maxLength: 8 }] },
    },
  },
} as const;

const censusSchema = {
  body: {
    type: 'object',
    required: ['checkins'],
    additionalProperties: false,
    properties: {
      checkins: {
        type: 'array',
        maxItems: 1000,
        items: {
          type: 'object',
          required: ['id', 'scannedAt'],
          additionalProperties: false,
          properties: { id: { type: 'string', format: 'uuid' }, scannedAt: { type: 'string', format: 'date-time', maxLength: 40 } },
        },
      },
    },
  },
} as const;

/**
 * onRequest hook: 401 unless the request carries the admin token as `Authorization: Bearer`. A
 * request with `token` in its query string is refused (401 `token-in-url`) whatever it holds, even
 * with a good Bearer beside it: a URL lands in access logs, proxy logs and shell history, so the
 * API never teaches a script to put the token there.
 */
export function adminGuard(ctx: CentralContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (tokenInQuery(request)) {
      ctx.logger.warn('admin token refused: sent in the URL', { route: request.routeOptions.url ?? 'unknown' });
      return sendError(
        reply,
        401,
        'token-in-url',
        'the admin token goes in the header Authorization: Bearer ADMIN_TOKEN, never in the URL (?token=): URLs are kept in access and proxy logs; if this was the real token, replace it with `central admin-token --rotate`',
      );
    }
    if (!(await isAdmin(request, ctx))) {
      return sendError(reply, 401, 'admin-token-required', 'admin token required: send the header Authorization: Bearer ADMIN_TOKEN (print it with `central admin-token`)');
    }
    return undefined;
  };
}

/** The operations room's figures now (one consistent set of reads). */
export function currentOverview(ctx: CentralContext): Promise<Overview> {
  return loadOverview(ctx.ops, {
    nowMs: ctx.clock.now(),
    timeZone: ctx.timeZone,
    publishedTrustIssuedAtMs: Date.parse(ctx.bundle.issuedAt),
    ...ctx.fleet,
  });
}

export function registerAdminRoutes(app: FastifyInstance, ctx: CentralContext): void {
  const requireAdmin = adminGuard(ctx);

  app.get('/api/v1/stats', { onRequest: requireAdmin }, async () => statsOf(await currentOverview(ctx)));

  const traceAnswer = async (params: Record<string, unknown>, reply: FastifyReply) => {
    const q = parseTraceQuery(params, ctx.timeZone);
    if (typeof q === 'string') return sendError(reply, 400, 'invalid-request', q);
    try {
      // Audited before the names leave: no entry, no answer (and a refusal is on record too).
      return await auditedTrace(ctx.storage, { actor: 'api', via: 'api' }, q, (query) => ctx.ops.trace(query), () => ctx.clock.now());
    } catch (err) {
      if (err instanceof TraceTooLargeError) return sendError(reply, 422, err.code, err.message);
      throw err;
    }
  };
  // An ID number in a URL lands in the proxy's access log: scripts should POST it (below).
  app.get('/api/v1/trace', { onRequest: requireAdmin }, async (request, reply) => traceAnswer(request.query as Record<string, unknown>, reply));
  app.post('/api/v1/trace', { onRequest: requireAdmin, schema: traceBodySchema, bodyLimit: 4 * 1024 }, async (request, reply) => traceAnswer(request.body as Record<string, unknown>, reply));

  // Enrollment codes for many kiosks at once (a roll-out, the fleet simulator).
  app.post('/api/v1/enrollment-codes', { onRequest: requireAdmin, schema: enrollmentCodesSchema, bodyLimit: 1024 }, async (request) => {
    const { count, ttlHours } = request.body as { count: number; ttlHours?: number };
    const now = ctx.clock.now();
    const ttl = ttlHours ?? DEFAULT_CODE_TTL_HOURS;
    const codes: string[] = [];
    for (let i = 0; i < count; i++) {
      const code = newEnrollmentCode();
      if (await addEnrollmentCode(ctx.storage, code, now, ttl)) codes.push(code);
    }
    ctx.logger.info('enrollment codes issued', { count: codes.length });
    return { codes, expiresAt: new Date(now + ttl * 3_600_000).toISOString() };
  });

  // How many times each check-in is stored (0, 1 — never more): delivery audits, the fleet simulator.
  app.post('/api/v1/checkins/census', { onRequest: requireAdmin, schema: censusSchema, bodyLimit: 256 * 1024 }, async (request) => {
    const { checkins } = request.body as { checkins: CheckInRef[] };
    return { counts: Object.fromEntries(await ctx.storage.countCheckInsById(checkins)) };
  });
}
