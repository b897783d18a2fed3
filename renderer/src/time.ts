/**
 * Times on screen in the kiosk's local time zone (KioskStatus.timeZone, Asia/Ho_Chi_Minh by
 * default), never raw UTC ISO strings. A zone the browser does not know falls back to its own.
 */
import type { Lang } from './i18n.js';

const locale = (lang: Lang) => (lang === 'vi' ? 'vi-VN' : 'en-GB');

function format(iso: string | number | Date, lang: Lang, timeZone: string | undefined, options: Intl.DateTimeFormatOptions): string {
  const date = iso instanceof Date ? iso : new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  try {
    return date.toLocaleString(locale(lang), { ...options, ...(timeZone ? { timeZone } : {}) });
  } catch {
    return date.toLocaleString(locale(lang), options);
  }
}

/** 14:05:09 */
export function timeOf(iso: string | number | Date, lang: Lang, timeZone?: string): string {
  return format(iso, lang, timeZone, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

/** 14:05 */
export function clockOf(iso: string | number | Date, lang: Lang, timeZone?: string): string {
  return format(iso, lang, timeZone, { hour: '2-digit', minute: '2-digit', hour12: false });
}

/** 25/11/2026 */
export function dateOf(iso: string | number | Date, lang: Lang, timeZone?: string): string {
  return format(iso, lang, timeZone, { day: '2-digit', month: '2-digit', year: 'numeric' });
}

/** 25/11/2026 14:05:09 */
export function dateTimeOf(iso: string | undefined, lang: Lang, timeZone?: string): string {
  if (!iso) return '—';
  return format(iso, lang, timeZone, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}
