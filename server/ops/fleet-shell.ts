/**
 * The frame of the fleet pages (the fleet page, the revoke confirmation, an issued card): the
 * operations room's header (brand, way back to the room, last update in the server's time zone,
 * language switch, sign-out), its stylesheet and its security headers (./page.ts). No script at
 * all: every action on these pages is a plain form, so they work with scripts off and under the
 * room's CSP (no inline script or style).
 */
import { esc } from '../html.js';
import { LANGS } from '../i18n.js';
import type { Lang } from '../i18n.js';
import type { Formatters } from './format.js';
import { signOutForm } from './page.js';
import type { OpsStrings } from './strings.js';

/** What every fleet page is rendered with. */
export interface FleetPageContext {
  t: OpsStrings;
  lang: Lang;
  /** Times in the server's time zone (`--time-zone`), in `lang`. */
  f: Formatters;
  timeZone: string;
  nowMs: number;
}

/** Local date and time of an ISO string, or `fallback` when it is missing or unparseable. */
export function localTime(c: FleetPageContext, iso: string | null | undefined, fallback = '—'): string {
  const ms = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(ms) ? c.f.dateTime(ms) : fallback;
}

/** Short form of a device id (a UUID: its first 8 characters), for tables; the full id goes in a title. */
export function shortId(deviceId: string): string {
  return deviceId.length > 12 ? `${deviceId.slice(0, 8)}…` : deviceId;
}

/** The device id as the pages show it: the short form, the full id on hover and for copying. */
export function deviceIdHtml(deviceId: string): string {
  return `<code class="mono device-id" title="${esc(deviceId)}">${esc(shortId(deviceId))}</code>`;
}

/**
 * A whole page: `title`, `body` (inside <main>), and language links to `langPath` (a GET page;
 * the confirmation and card pages link to the fleet page, since a POST cannot be re-sent by a link).
 */
export function fleetShell(c: FleetPageContext, title: string, body: string, langPath = '/dashboard/fleet'): string {
  const { t, lang, f } = c;
  const langLinks = LANGS.map((l) => (l === lang ? `<b aria-current="true">${l.toUpperCase()}</b>` : `<a href="${esc(`${langPath}?lang=${l}`)}" hreflang="${l}">${l.toUpperCase()}</a>`)).join('');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/ops.css">
</head><body class="fleet-page">
<header class="top"><div class="brand"><span class="logo" aria-hidden="true">◎</span><div><b>${esc(t.brand)}</b><small>${esc(t.subtitle)}</small></div></div>
<nav><a href="/dashboard" data-link="dashboard">${esc(t.fleetPage.back)}</a><a href="/dashboard/fleet" data-link="fleet">${esc(t.fleetPage.heading)}</a></nav>
<div class="meta"><span>${esc(t.updated)} <b data-generated="${c.nowMs}">${esc(f.dateTime(c.nowMs))}</b></span><span>${esc(t.timeZone)} ${esc(c.timeZone)}</span><span class="langs" aria-label="${esc(t.language)}">${langLinks}</span>${signOutForm(c)}</div></header>
<main class="grid">
${body}
</main>
</body></html>`;
}
