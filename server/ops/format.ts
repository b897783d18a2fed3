/** How the operations room writes times, ages and numbers for a language and a time zone. */
import { LOCALE } from '../i18n.js';
import type { Lang } from '../i18n.js';

export interface Formatters {
  /** Local date and time, e.g. "25/11/2026 10:17". */
  dateTime(ms: number): string;
  /** Local time of day, e.g. "10:17:43". */
  time(ms: number): string;
  /** "5 minutes ago" / "5 phút trước" relative to `nowMs`. */
  ago(ms: number): string;
  /** A signed duration such as "+3 min 5 s". */
  offset(ms: number): string;
  num(n: number): string;
}

export function formatters(lang: Lang, timeZone: string, nowMs: number): Formatters {
  const locale = LOCALE[lang];
  const dt = new Intl.DateTimeFormat(locale, { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const tm = new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const rel = new Intl.RelativeTimeFormat(locale, { numeric: 'always', style: 'short' });
  const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  return {
    dateTime: (ms) => dt.format(new Date(ms)),
    time: (ms) => tm.format(new Date(ms)),
    ago(ms) {
      const s = Math.round((ms - nowMs) / 1000);
      const a = Math.abs(s);
      if (a < 60) return rel.format(s, 'second');
      if (a < 3600) return rel.format(Math.round(s / 60), 'minute');
      if (a < 86_400 * 2) return rel.format(Math.round(s / 3600), 'hour');
      return rel.format(Math.round(s / 86_400), 'day');
    },
    offset(ms) {
      const sign = ms < 0 ? '−' : '+';
      let s = Math.round(Math.abs(ms) / 1000);
      const h = Math.floor(s / 3600);
      s -= h * 3600;
      const m = Math.floor(s / 60);
      s -= m * 60;
      return `${sign}${h ? `${h} h ` : ''}${h || m ? `${m} min ` : ''}${s} s`;
    },
    num: (n) => nf.format(n),
  };
}
