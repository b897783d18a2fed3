/** How the operations room writes times, ages and numbers for a language and a time zone. */
import { LOCALE } from '../i18n.js';
import type { Lang } from '../i18n.js';
import { isRepeatedWallTime, offsetText } from './local-time.js';

export interface Formatters {
  /**
   * Local date and time, e.g. "25/11/2026 10:17"; a wall time the zone shows twice (the hour
   * repeated when the clocks go back) carries its UTC offset after the time: "25/10/2026, 02:30 +02:00"
   * (English), "02:30 +02:00 25/10/2026" (Vietnamese).
   */
  dateTime(ms: number): string;
  /** Local time of day, e.g. "10:17:43"; "02:30:00 +01:00" for a wall time shown twice. */
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
  // The offset is numeric in both languages (zone abbreviations such as CEST exist in English only).
  // It follows the time of day, wherever the language puts it (Vietnamese writes the time first).
  const show = (format: Intl.DateTimeFormat, ms: number): string => {
    if (!isRepeatedWallTime(timeZone, ms)) return format.format(new Date(ms));
    const parts = format.formatToParts(new Date(ms));
    const last = parts.findLastIndex((p) => p.type === 'minute' || p.type === 'second');
    return parts.map((p, i) => (i === last ? `${p.value} ${offsetText(timeZone, ms)}` : p.value)).join('');
  };
  return {
    dateTime: (ms) => show(dt, ms),
    time: (ms) => show(tm, ms),
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
