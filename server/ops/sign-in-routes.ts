/**
 * Signing in to and out of the operations room:
 *   GET  /dashboard/sign-in    the sign-in page (?lang=, ?next=); already signed in: 303 to next
 *   POST /dashboard/sign-in    form fields token, lang, next: the right token sets the session
 *                              cookie (./session.ts) and answers 303 to next; a wrong one answers
 *                              401 with the page and a message, an empty one 400 asking for it
 *   POST /dashboard/sign-out   clears the cookie, 303 to the sign-in page (GET answers 405: a
 *                              link or a prefetch must not sign anyone out)
 * Wrong tokens are not throttled: the admin token is 256 random bits (../secrets.ts), so guessing
 * it online is hopeless at any rate, and the API's Bearer check has no throttle either. Each
 * refusal is logged (no token, no address).
 */
import type { FastifyInstance } from 'fastify';
import type { CentralContext } from '../context.js';
import { adminTokenMatches, formBody, sendError } from '../http-support.js';
import { langOf, rememberLang } from '../i18n.js';
import { dashboardTarget, seeOther, sendSignInPage, sessionState, startSession } from './access.js';
import { cameOverHttps, clearedSessionCookie } from './session.js';

/** Largest sign-in form body (a token of 43 characters, a language, a short path). */
const SIGN_IN_FORM_LIMIT = 2048;

export function registerSignInRoutes(app: FastifyInstance, ctx: CentralContext): void {
  app.get('/dashboard/sign-in', async (request, reply) => {
    const query = (request.query ?? {}) as Record<string, unknown>;
    const next = dashboardTarget(query.next);
    rememberLang(request, reply, langOf(request));
    if ((await sessionState(ctx, request)) === 'ok') return seeOther(reply, next);
    return sendSignInPage(request, reply, 200, query.out === '1' ? 'signedOut' : undefined, next);
  });

  app.post('/dashboard/sign-in', { bodyLimit: SIGN_IN_FORM_LIMIT }, async (request, reply) => {
    const form = formBody(request);
    const next = dashboardTarget(form.next);
    if (typeof form.token === 'string' && form.token.trim() !== '' && (await adminTokenMatches(ctx, [form.token.trim()]))) {
      ctx.logger.info('dashboard sign-in');
      return seeOther(startSession(ctx, request, reply), next);
    }
    // An empty field is a slip (the browser's `required` was bypassed), not a wrong token.
    if (typeof form.token !== 'string' || form.token.trim() === '') return sendSignInPage(request, reply, 400, 'empty', next, form.lang);
    ctx.logger.warn('dashboard token refused', { via: 'sign-in' });
    return sendSignInPage(request, reply, 401, 'wrong', next, form.lang);
  });

  app.post('/dashboard/sign-out', { bodyLimit: SIGN_IN_FORM_LIMIT }, async (request, reply) => {
    const form = formBody(request);
    const lang = langOf(request, form.lang);
    return seeOther(reply.header('set-cookie', clearedSessionCookie(cameOverHttps(request))), `/dashboard/sign-in?${new URLSearchParams({ lang, out: '1' }).toString()}`);
  });

  app.get('/dashboard/sign-out', async (_request, reply) => sendError(reply.header('allow', 'POST'), 405, 'method-not-allowed', 'sign out with the button of the dashboard (a POST)'));
}
