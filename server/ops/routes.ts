/**
 * The operations room over HTTP (who may enter: ./access.ts; signing in: ./sign-in-routes.ts):
 *   GET /dashboard              the page (Bearer or the sign-in session; a `?token=` link is
 *                               answered 303 to the page without it, signed in), ?lang=vi|en,
 *                               ?sort=…; the tracing form empty (trace fields in a URL are ignored)
 *   POST /dashboard             the page with the tracing answer: form body lang, idNo, from, to,
 *                               windowMinutes (local times)
 *   POST /dashboard/trace.csv   the tracing answer as CSV (same form body); GET answers 405
 * Tracing is POST only so that the ID number never lands in a URL (browser history, proxy logs);
 * each answer is audited (../trace-audit.ts).
 *   GET /assets/NAME            uPlot JS/CSS, stylesheets, page script (public: no data in them)
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CentralContext } from '../context.js';
import { formBody, sendError } from '../http-support.js';
import { auditedTrace } from '../trace-audit.js';
import { TraceTooLargeError } from '../trace.js';
import { langOf, rememberLang } from '../i18n.js';
import { currentOverview } from '../routes/admin.js';
import { formGuard, pageGuard } from './access.js';
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
import { registerSignInRoutes } from './sign-in-routes.js';

type Query = Record<string, unknown>;

/** Largest tracing form body (a few short fields). */
const TRACE_FORM_LIMIT = 4096;

export function registerOpsRoutes(app: FastifyInstance, ctx: CentralContext): void {
  const requirePage = pageGuard(ctx);
  const requireForm = formGuard(ctx);
  registerSignInRoutes(app, ctx);

  /** The page, with the tracing answer when `form` asks one (POST); GET shows the empty form. */
  const page = async (request: FastifyRequest, reply: FastifyReply, form: Query | undefined) => {
    const query = (request.query ?? {}) as Query;
    const lang = langOf(request, form?.lang);
    rememberLang(request, reply, lang);
    const o = await currentOverview(ctx);
    const trace = readTraceForm(form ?? {}, ctx.timeZone, o.nowMs);
    if (trace.query) {
      try {
        // Audited before the names leave: no entry, no answer (and a refusal is on record too).
        trace.result = await auditedTrace(ctx.storage, { actor: 'dashboard', via: 'dashboard' }, trace.query, (q) => ctx.ops.trace(q), () => ctx.clock.now());
      } catch (err) {
        if (!(err instanceof TraceTooLargeError)) throw err;
        trace.error = err.message;
      }
    }
    const sortAsked = query.sort ?? form?.sort;
    const sort: FleetSort = (FLEET_SORTS as readonly string[]).includes(String(sortAsked)) ? (sortAsked as FleetSort) : 'problem';
    // Links (language, sort) keep the language and the order, never the traced ID (nor a token:
    // the browser is signed in by its session cookie).
    const keep: Record<string, string> = { lang };
    if (sort !== 'problem') keep.sort = sort;
    const html = renderDashboardPage(DASHBOARD_SECTIONS, {
      o,
      t: OPS_STRINGS[lang],
      lang,
      f: formatters(lang, ctx.timeZone, o.nowMs),
      href: (params, fragment) => `/dashboard?${new URLSearchParams({ ...keep, ...params }).toString()}${fragment ? `#${fragment}` : ''}`,
      sort,
      trace,
    });
    if (trace.query) ctx.logger.info('trace from dashboard', { landmarks: trace.result?.landmarks.length ?? 0 });
    return reply.headers(DASHBOARD_SECURITY_HEADERS).type('text/html; charset=utf-8').send(html);
  };

  app.get('/dashboard', { onRequest: requirePage }, (request, reply) => page(request, reply, undefined));
  app.post('/dashboard', { preHandler: requireForm, bodyLimit: TRACE_FORM_LIMIT }, (request, reply) => page(request, reply, formBody(request)));

  // The ID number must not travel in a URL (history, proxy logs): the CSV is a POST of the form.
  app.get('/dashboard/trace.csv', async (_request, reply) =>
    sendError(reply.header('allow', 'POST'), 405, 'method-not-allowed', 'POST the tracing form (idNo, from, to, windowMinutes as an application/x-www-form-urlencoded body) so the ID number stays out of URLs'),
  );

  app.post('/dashboard/trace.csv', { preHandler: requireForm, bodyLimit: TRACE_FORM_LIMIT }, async (request, reply) => {
    const form = formBody(request);
    const lang = langOf(request, form.lang);
    const nowMs = ctx.clock.now();
    const trace = readTraceForm(form, ctx.timeZone, nowMs);
    if (!trace.query) return sendError(reply, 400, 'invalid-request', trace.error ?? 'idNo: required');
    let result;
    try {
      result = await auditedTrace(ctx.storage, { actor: 'dashboard', via: 'dashboard-csv' }, trace.query, (q) => ctx.ops.trace(q), () => nowMs);
    } catch (err) {
      if (err instanceof TraceTooLargeError) return sendError(reply, 422, err.code, err.message);
      throw err;
    }
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
