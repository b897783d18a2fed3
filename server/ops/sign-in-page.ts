/**
 * The operations room's sign-in page: the dashboard's header (brand, language switch) and one
 * password field for the admin token, posted to /dashboard/sign-in (never put in a URL). No
 * script; the dashboard's stylesheet and security headers (./page.ts).
 */
import { esc } from '../html.js';
import { LANGS } from '../i18n.js';
import type { Lang } from '../i18n.js';
import type { OpsStrings } from './strings.js';

/** What the page says above the form: nothing, a refused token, an ended session, a sign-out. */
export type SignInNotice = 'empty' | 'wrong' | 'expired' | 'signedOut' | undefined;

export interface SignInView {
  t: OpsStrings;
  lang: Lang;
  /** Where the browser goes once signed in: a cleaned dashboard path (./access.ts `dashboardTarget`). */
  next: string;
  notice: SignInNotice;
  /**
   * Load the same address again at once: the browser came from another site's link, so it left
   * out the SameSite=Strict session cookie; the reload is a same-origin navigation that sends it.
   */
  reload?: boolean;
}

export function renderSignInPage({ t, lang, next, notice, reload }: SignInView): string {
  const s = t.signIn;
  const here = (l: Lang) => `/dashboard/sign-in?${new URLSearchParams({ lang: l, next }).toString()}`;
  const langLinks = LANGS.map((l) => (l === lang ? `<b aria-current="true">${l.toUpperCase()}</b>` : `<a href="${esc(here(l))}" hreflang="${l}">${l.toUpperCase()}</a>`)).join('');
  const message = notice === undefined ? '' : notice === 'signedOut' ? `<p class="muted" role="status" data-notice="signedOut">${esc(s.signedOut)}</p>` : `<p class="error" role="alert" data-notice="${notice}">${esc(s[notice])}</p>`;
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${reload ? '<meta http-equiv="refresh" content="0">' : ''}<title>${esc(s.title)}</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/ops.css">
</head><body>
<header class="top"><div class="brand"><span class="logo" aria-hidden="true">◎</span><div><b>${esc(t.brand)}</b><small>${esc(t.subtitle)}</small></div></div>
<div class="meta"><span class="langs" aria-label="${esc(t.language)}">${langLinks}</span></div></header>
<main class="sign-in"><section class="card" data-section="sign-in">
<h1>${esc(s.heading)}</h1>
<p class="muted">${esc(s.hint)}</p>
${message}<form method="post" action="/dashboard/sign-in">
<input type="hidden" name="lang" value="${esc(lang)}"><input type="hidden" name="next" value="${esc(next)}">
<label>${esc(s.token)}<input name="token" type="password" required maxlength="512" autocomplete="current-password" autofocus></label>
<button type="submit">${esc(s.submit)}</button>
</form></section></main>
</body></html>`;
}
