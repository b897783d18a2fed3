/**
 * The operations room page: a header (title, language switch, time zone, last update), the
 * sections in a grid, and the chart data as a JSON block that the page's own script (served from
 * /assets, never inline, never from a CDN) hands to uPlot.
 */
import { esc } from '../html.js';
import { LANGS } from '../i18n.js';
import type { ChartSpec, DashboardSection, SectionContext } from './section.js';

/** JSON inside <script type="application/json">: `<` escaped so no text can close the element. */
function jsonBlock(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** The sign-out button (a POST: a link or a prefetch must not sign anyone out). */
export function signOutForm({ t, lang }: Pick<SectionContext, 't' | 'lang'>): string {
  return `<form class="sign-out" method="post" action="/dashboard/sign-out"><input type="hidden" name="lang" value="${esc(lang)}"><button type="submit">${esc(t.signIn.signOut)}</button></form>`;
}

export function renderDashboardPage(sections: readonly DashboardSection[], c: SectionContext): string {
  const { t, lang, o, f } = c;
  const charts: ChartSpec[] = sections.flatMap((s) => s.charts?.(c) ?? []);
  const body = sections.map((s) => `<section id="${esc(s.id)}" class="card ${s.width}" data-section="${esc(s.id)}">${s.render(c)}</section>`).join('\n');
  const langLinks = LANGS.map((l) => (l === lang ? `<b aria-current="true">${l.toUpperCase()}</b>` : `<a href="${esc(c.href({ lang: l }))}" hreflang="${l}">${l.toUpperCase()}</a>`)).join('');
  const tracing = c.trace.result || c.trace.error ? ' data-tracing="1"' : '';
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(t.title)}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/uplot.min.css"><link rel="stylesheet" href="/assets/ops.css">
<script src="/assets/uplot.iife.min.js" defer></script><script src="/assets/dashboard.js" defer></script>
</head><body${tracing}>
<header class="top"><div class="brand"><span class="logo" aria-hidden="true">◎</span><div><b>${esc(t.brand)}</b><small>${esc(t.subtitle)}</small></div></div>
<nav><a href="#figures">${esc(t.nav.overview)}</a><a href="#fleet">${esc(t.nav.fleet)}</a><a href="#tracing">${esc(t.nav.tracing)}</a></nav>
<div class="meta"><span>${esc(t.updated)} <b data-generated="${o.nowMs}">${esc(f.dateTime(o.nowMs))}</b></span><span>${esc(t.timeZone)} ${esc(o.timeZone)}</span><span class="langs" aria-label="${esc(t.language)}">${langLinks}</span>${signOutForm(c)}</div></header>
<main class="grid">
${body}
</main>
<script type="application/json" id="ops-charts">${jsonBlock({ lang, charts })}</script>
</body></html>`;
}

/** CSP of the operations room: scripts and styles only from this server (no inline, no CDN). */
export const DASHBOARD_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
} as const;
