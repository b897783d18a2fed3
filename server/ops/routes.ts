/**
 * The operations room over HTTP:
 *   GET /dashboard              the page (admin token: Bearer or ?token=), ?lang=vi|en, ?sort=…,
 *                               tracing form fields ?idNo&from&to&windowMinutes (local times)
 *   GET /dashboard/trace.csv    the tracing answer as CSV (same fields, admin token)
 *   GET /assets/NAME            uPlot JS/CSS, stylesheets, page script (public: no data in them)
 */
import type { FastifyInstance } from 'fastify';
import type { CentralContext } from '../context.js';
import { sendError } from '../http-support.js';
import { langOf, rememberLang } from '../i18n.js';
import { adminGuard, currentOverview } from '../routes/admin.js';
import { loadAsset } from './assets.js';
import { FLEET_SORTS } from './fleet.js';
import type { FleetSort } from './fleet.js';
import { formatters } from './format.js';
import { localDate } from './local-time.js';
import { DASHBOARD_SECURITY_HEADERS, renderDashboardPage } from './page.js';
import { DASHBOARD_SECTIONS } from './sections/index.js';
import { OPS_STRINGS } from './strings.js';
import { traceCsv } from './trace-csv.js';
import { readTraceForm } from './trace-view.js';

type Query = Record<string, unknown>;

export function registerOpsRoutes(app: FastifyInstance, ctx: CentralContext): void {
  const requireAdmin = adminGuard(ctx);

  app.get('/dashboard', { onRequest: requireAdmin }, async (request, reply) => {
    const query = (request.query ?? {}) as Query;
    const lang = langOf(request);
    rememberLang(request, reply, lang);
    const o = await currentOverview(ctx);
    const trace = readTraceForm(query, ctx.timeZone, o.nowMs);
    if (trace.query) trace.result = await ctx.ops.trace(trace.query);
    const sort: FleetSort = (FLEET_SORTS as readonly string[]).includes(String(query.sort)) ? (query.sort as FleetSort) : 'problem';
    const token = typeof query.token === 'string' ? query.token : '';
    const keep: Record<string, string> = { ...(token ? { token } : {}), lang };
    if (sort !== 'problem') keep.sort = sort;
    if (trace.input.idNo) Object.assign(keep, { idNo: trace.input.idNo, from: trace.input.from, to: trace.input.to, windowMinutes: trace.input.windowMinutes });
    const html = renderDashboardPage(DASHBOARD_SECTIONS, {
      o,
      t: OPS_STRINGS[lang],
      lang,
      f: formatters(lang, ctx.timeZone, o.nowMs),
      href: (params, fragment) => `/dashboard?${new URLSearchParams({ ...keep, ...params }).toString()}${fragment ? `#${fragment}` : ''}`,
      sort,
      trace,
      token,
    });
    if (trace.query) ctx.logger.info('trace from dashboard', { landmarks: trace.result?.landmarks.length ?? 0 });
    return reply.headers(DASHBOARD_SECURITY_HEADERS).type('text/html; charset=utf-8').send(html);
  });

  app.get('/dashboard/trace.csv', { onRequest: requireAdmin }, async (request, reply) => {
    const lang = langOf(request);
    const nowMs = ctx.clock.now();
    const trace = readTraceForm((request.query ?? {}) as Query, ctx.timeZone, nowMs);
    if (!trace.query) return sendError(reply, 400, 'invalid-request', trace.error ?? 'idNo: required');
    const result = await ctx.ops.trace(trace.query);
    ctx.logger.info('trace exported', { landmarks: result.landmarks.length });
    return reply
      .headers({ 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'content-disposition': `attachment; filename="trace-${localDate(ctx.timeZone, nowMs)}.csv"` })
      .type('text/csv; charset=utf-8')
      .send(traceCsv(result, OPS_STRINGS[lang], ctx.timeZone));
  });

  app.get('/assets/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const asset = await loadAsset(name);
    if (!asset) return sendError(reply, 404, 'not-found', `no asset ${name.slice(0, 64)}`);
    return reply.headers({ 'cache-control': 'public, max-age=300', 'x-content-type-options': 'nosniff' }).type(asset.type).send(asset.body);
  });
}
