/**
 * What an officer's browser gets while the database is out of reach (503 storage-unavailable):
 * a small page in the room's language that says so and reloads itself, instead of the raw JSON
 * error scripts and kiosks read. No script (a meta refresh), the dashboard's stylesheet and
 * security headers. The detection and the 503 answer are shared with the declaration form
 * (../unavailable-page.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { esc } from '../html.js';
import { formBody } from '../http-support.js';
import { langOf } from '../i18n.js';
import { UNAVAILABLE_RETRY_SECONDS, isBrowserPageRequest, sendUnavailableHtml, type OutagePage } from '../unavailable-page.js';
import { dashboardTarget } from './access.js';
import { DASHBOARD_SECURITY_HEADERS } from './page.js';
import { OPS_STRINGS } from './strings.js';

/** Whether a refused request came from a browser opening one of the room's pages (Accept: text/html). */
export function isRoomPageRequest(request: FastifyRequest): boolean {
  return isBrowserPageRequest(request, (path) => path === '/dashboard' || path.startsWith('/dashboard/'));
}

/**
 * The page, in `request`'s language (a posted `lang`, `?lang=`, else the cookie). It reloads a GET page as it was;
 * after a POST (a form) it goes to the page the form belongs to, never re-posting the form.
 */
export function renderUnavailablePage(request: FastifyRequest): string {
  const lang = langOf(request, formBody(request).lang);
  const t = OPS_STRINGS[lang];
  const u = t.unavailable;
  const again = request.method === 'GET' ? dashboardTarget(request.url) : dashboardTarget(request.url.split('?')[0]);
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="refresh" content="${UNAVAILABLE_RETRY_SECONDS}; url=${esc(again)}"><title>${esc(u.title)}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/ops.css">
</head><body>
<header class="top"><div class="brand"><span class="logo" aria-hidden="true">◎</span><div><b>${esc(t.brand)}</b><small>${esc(t.subtitle)}</small></div></div></header>
<main class="sign-in"><section class="card" data-section="storage-unavailable">
<h1>${esc(u.heading)}</h1>
<p class="error" role="alert">${esc(u.body)}</p>
<p class="muted">${esc(u.retry(UNAVAILABLE_RETRY_SECONDS))} <a href="${esc(again)}">${esc(u.retryNow)}</a></p>
</section></main>
</body></html>`;
}

/** Sends the page with status 503 and Retry-After (the same header a script gets with the JSON error). */
export function sendUnavailablePage(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendUnavailableHtml(reply, DASHBOARD_SECURITY_HEADERS, renderUnavailablePage(request));
}

/** The room's pages as an outage page family (app.ts). */
export const ROOM_OUTAGE_PAGE: OutagePage = { matches: isRoomPageRequest, send: sendUnavailablePage };
