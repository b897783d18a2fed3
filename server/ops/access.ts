/**
 * Who may enter the operations room's browser routes (the dashboard pages, the tracing forms and
 * their CSV, the fleet page and its forms), and what a browser is told when it may not.
 *
 * Accepted: `Authorization: Bearer <admin token>` (scripts), the sign-in session cookie
 * (./session.ts), and for compatibility `?token=` and the form field `token`. A GET page opened
 * with a valid `?token=` is answered 303 to the same page without it, with the session cookie
 * set: the token leaves the address bar at once. The session cookie opens these routes only —
 * never the JSON API under /api/v1 (../routes/admin.ts reads no cookie).
 *
 * Refusals are 401: the sign-in page for a browser (`Accept: text/html`), the usual JSON error
 * for anything else.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CentralContext } from '../context.js';
import { adminTokenMatches, bearerToken, formBody, sendError } from '../http-support.js';
import { langOf } from '../i18n.js';
import { DASHBOARD_SECURITY_HEADERS } from './page.js';
import { cameOverHttps, checkSession, clearedSessionCookie, issueSession, sessionCookie, sessionOf } from './session.js';
import { renderSignInPage } from './sign-in-page.js';
import type { SignInNotice } from './sign-in-page.js';
import { OPS_STRINGS } from './strings.js';

/** Query parameters a dashboard address keeps (everything else, the token first, is dropped). */
const KEPT_PARAMS = ['lang', 'sort'] as const;

/**
 * The dashboard address `raw` (a request URL or a posted `next`) reduced to what may follow a
 * sign-in: /dashboard/fleet for the fleet page and its forms, else /dashboard, with only `lang`
 * and `sort`. Anything else (another host, another path, a token) never survives.
 */
export function dashboardTarget(raw: unknown): string {
  let url: URL;
  try {
    url = new URL(typeof raw === 'string' && raw.startsWith('/') && !raw.startsWith('//') ? raw.slice(0, 512) : '/dashboard', 'http://local');
  } catch {
    return '/dashboard';
  }
  const fleet = /^\/dashboard\/(fleet|cards|devices\/)/.test(url.pathname);
  const kept = new URLSearchParams();
  for (const k of KEPT_PARAMS) {
    const v = url.searchParams.get(k);
    if (v !== null && /^[a-z-]{1,16}$/.test(v)) kept.set(k, v);
  }
  const query = fleet ? '' : kept.toString();
  return `${fleet ? '/dashboard/fleet' : '/dashboard'}${query ? `?${query}` : ''}`;
}

/** 303 to `location` with the dashboard's headers (no-referrer, no-store, CSP): every sign-in redirect. */
export function seeOther(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).headers(DASHBOARD_SECURITY_HEADERS).header('location', location).send();
}

/**
 * The sign-in page with status `status`. A 401 says which scheme would do (RFC 9110 §11.6.1):
 * browsers show no dialog for Bearer, they show this page.
 */
export function sendSignInPage(request: FastifyRequest, reply: FastifyReply, status: number, notice: SignInNotice, next: string, bodyLang?: unknown, reload = false): FastifyReply {
  const lang = langOf(request, bodyLang);
  if (status === 401) void reply.header('www-authenticate', 'Bearer realm="operations room"');
  return reply
    .code(status)
    .headers(DASHBOARD_SECURITY_HEADERS)
    .type('text/html; charset=utf-8')
    .send(renderSignInPage({ t: OPS_STRINGS[lang], lang, next, notice, reload }));
}

function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/**
 * A top-level GET navigation that another site started (a link in mail or chat): the browser
 * leaves out SameSite=Strict cookies there (RFC 6265bis §5.5.7.1), so a signed-in officer would
 * be asked to sign in. The page it gets reloads itself; the reload is same-origin and carries the
 * cookie. Only for the GET pages, which change nothing.
 */
function crossSiteNavigation(request: FastifyRequest): boolean {
  return request.method === 'GET' && request.headers['sec-fetch-site'] === 'cross-site' && request.headers['sec-fetch-mode'] === 'navigate';
}

/** 401: the sign-in page for a browser, the JSON error for a script. */
function refuse(request: FastifyRequest, reply: FastifyReply, notice: SignInNotice, bodyLang?: unknown): FastifyReply {
  if (wantsHtml(request)) {
    const next = dashboardTarget(request.method === 'GET' ? request.url : request.url.split('?')[0]);
    return sendSignInPage(request, reply, 401, notice, next, bodyLang, notice === undefined && crossSiteNavigation(request));
  }
  return sendError(reply, 401, 'admin-token-required', 'admin token required: sign in at /dashboard/sign-in, or send Authorization: Bearer; see `central admin-token`');
}

/** Sets a new session cookie on `reply` (after the admin token was shown). */
export function startSession(ctx: CentralContext, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.header('set-cookie', sessionCookie(issueSession(ctx.adminToken, ctx.clock.now()), cameOverHttps(request)));
}

/**
 * The request's session cookie: absent, valid now, or refused (malformed, expired, made under
 * another admin token). One made under another token makes the server re-read the stored token
 * first (bounded): a sign-in made with a token just rotated at another node holds here too.
 */
export async function sessionState(ctx: CentralContext, request: FastifyRequest): Promise<'none' | 'ok' | 'refused'> {
  const value = sessionOf(request);
  if (value === undefined || value === '') return 'none';
  const first = checkSession(value, ctx.adminToken, ctx.clock.now());
  if (first !== 'bad-mac') return first === 'ok' ? 'ok' : 'refused';
  await ctx.recheckAdminToken();
  return checkSession(value, ctx.adminToken, ctx.clock.now()) === 'ok' ? 'ok' : 'refused';
}

function bearerValid(ctx: CentralContext, request: FastifyRequest): Promise<boolean> {
  const b = bearerToken(request);
  return adminTokenMatches(ctx, b === undefined ? [] : [b]);
}

/**
 * onRequest hook of the GET pages (/dashboard, /dashboard/fleet): Bearer, or a valid `?token=`
 * (answered 303 + cookie to the page without it; a wrong one is refused), or the session.
 */
export function pageGuard(ctx: CentralContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (await bearerValid(ctx, request)) return undefined;
    const q = (request.query as Record<string, unknown> | undefined)?.token;
    if (q !== undefined) {
      if (typeof q === 'string' && (await adminTokenMatches(ctx, [q]))) {
        return seeOther(startSession(ctx, request, reply), dashboardTarget(request.url));
      }
      ctx.logger.warn('dashboard token refused', { via: 'query' });
      return refuse(request, reply, 'wrong');
    }
    const session = await sessionState(ctx, request);
    if (session === 'ok') return undefined;
    if (session === 'refused') void reply.header('set-cookie', clearedSessionCookie(cameOverHttps(request)));
    return refuse(request, reply, session === 'refused' ? 'expired' : undefined);
  };
}

/**
 * preHandler of the POST forms (tracing, CSV, fleet cards and revoke; the body is parsed): the
 * admin token as Bearer, `?token=` or form field `token` (scripts, older pages), or the session.
 * A session-only POST that a browser marks as coming from another site or origin
 * (`Sec-Fetch-Site`, W3C Fetch Metadata) is refused 403, on top of SameSite=Strict.
 */
export function formGuard(ctx: CentralContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const form = formBody(request);
    const q = (request.query as Record<string, unknown> | undefined)?.token;
    const given = [q, form.token].filter((v): v is string => typeof v === 'string');
    if ((await bearerValid(ctx, request)) || (await adminTokenMatches(ctx, given))) return undefined;
    const session = await sessionState(ctx, request);
    if (session === 'ok') {
      const site = request.headers['sec-fetch-site'];
      if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') {
        ctx.logger.warn('dashboard form from another site refused', { site: site.slice(0, 16) });
        return sendError(reply, 403, 'cross-site-form', 'this form must be sent from the operations room itself');
      }
      return undefined;
    }
    if (session === 'refused') void reply.header('set-cookie', clearedSessionCookie(cameOverHttps(request)));
    if (given.length) ctx.logger.warn('dashboard token refused', { via: 'form' });
    return refuse(request, reply, given.length ? 'wrong' : session === 'refused' ? 'expired' : undefined, form.lang);
  };
}
