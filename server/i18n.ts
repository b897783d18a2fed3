/**
 * Language of the server's pages (operations room, declaration form): Vietnamese unless the
 * person chose English. The choice comes from `?lang=vi|en` and is remembered in a cookie, so it
 * survives a form submit and the next visit. Each page keeps its strings in one typed dictionary
 * per language (`Record<Lang, Strings>`): a string missing in one language is a type error.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

export const LANGS = ['vi', 'en'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'vi';
const COOKIE = 'ck_lang';

/** BCP 47 tag for Intl formatting. */
export const LOCALE: Record<Lang, string> = { vi: 'vi-VN', en: 'en-GB' };

function isLang(v: unknown): v is Lang {
  return typeof v === 'string' && (LANGS as readonly string[]).includes(v);
}

/** The language of a request: `?lang=`, else the cookie, else Vietnamese. */
export function langOf(request: FastifyRequest, bodyLang?: unknown): Lang {
  const q = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(bodyLang)) return bodyLang;
  if (isLang(q)) return q;
  const cookie = request.headers.cookie ?? '';
  const m = new RegExp(`(?:^|;\\s*)${COOKIE}=(vi|en)(?:;|$)`).exec(cookie.slice(0, 4096));
  return isLang(m?.[1]) ? m[1] : DEFAULT_LANG;
}

/** Remembers an explicit `?lang=` choice (a year; not a secret, so readable and Lax). */
export function rememberLang(request: FastifyRequest, reply: FastifyReply, lang: Lang): void {
  const q = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLang(q)) reply.header('set-cookie', `${COOKIE}=${lang}; Path=/; Max-Age=31536000; SameSite=Lax`);
}
