/**
 * Health-official JSON views, behind the admin token: GET /api/v1/stats and GET /api/v1/trace.
 * The dashboard page itself (GET /dashboard) is the operations room in ../ops/routes.ts.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CentralContext } from '../context.js';
import { isAdmin, sendError } from '../http-support.js';
import { loadOverview } from '../ops/overview.js';
import type { Overview } from '../ops/overview.js';
import { statsOf } from '../stats.js';
import { parseTraceQuery } from '../trace.js';

/** onRequest hook: 401 unless the request carries the admin token (Bearer or `?token=`). */
export function adminGuard(ctx: CentralContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isAdmin(request, ctx.adminToken)) {
      return sendError(reply, 401, 'admin-token-required', 'admin token required (Authorization: Bearer or ?token=); see `central admin-token`');
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

  app.get('/api/v1/trace', { onRequest: requireAdmin }, async (request, reply) => {
    const q = parseTraceQuery(request.query as Record<string, unknown>);
    if (typeof q === 'string') return sendError(reply, 400, 'invalid-request', q);
    return ctx.ops.trace(q);
  });
}
