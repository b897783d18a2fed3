/**
 * Local wall-clock time in an IANA time zone (default Asia/Ho_Chi_Minh) with nothing but Intl:
 * where a local day starts and ends in UTC, which local hour an instant falls in, and how to
 * show an instant to a duty officer. Zones with daylight saving time work too: a local day is then
 * 23 or 25 hours long, and `localDayRange` returns its real bounds.
 */
import fs from 'node:fs';
import { startsWithRealDate } from '../../src/credentials/text.js';

/** The zone used when none is configured: the operations room is in Vietnam. */
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

const partsFormatters = new Map<string, Intl.DateTimeFormat>();

function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

/**
 * Checks an IANA zone name (e.g. `Asia/Ho_Chi_Minh`, `Europe/Berlin`, `UTC`).
 * Returns an error text naming the problem, or undefined when the zone is known.
 */
export function timeZoneProblem(timeZone: string): string | undefined {
  if (typeof timeZone !== 'string' || timeZone.length === 0 || timeZone.length > 64) return 'time zone: 1..64 characters, an IANA name such as Asia/Ho_Chi_Minh';
  try {
    partsFormatter(timeZone);
    return undefined;
  } catch {
    return `unknown time zone "${timeZone}" (use an IANA name such as Asia/Ho_Chi_Minh or UTC)`;
  }
}

/** Where Linux keeps the IANA database's names in one file (zic's compact form). */
const TZDATA_ZI = '/usr/share/zoneinfo/tzdata.zi';
let zoneSpellings: Map<string, string> | undefined;

/** Lower-cased zone name → its spelling in the IANA database (or in ICU's list). */
function spellings(): Map<string, string> {
  if (zoneSpellings) return zoneSpellings;
  const map = new Map<string, string>();
  const add = (name: string) => {
    if (!map.has(name.toLowerCase())) map.set(name.toLowerCase(), name);
  };
  // The IANA names first: ICU lists some zones by an older alias (Asia/Saigon for Asia/Ho_Chi_Minh).
  add(DEFAULT_TIME_ZONE);
  try {
    for (const line of fs.readFileSync(TZDATA_ZI, 'utf8').split('\n')) {
      const f = line.split(' ');
      if (f[0] === 'Z' && f[1]) add(f[1]);
      if (f[0] === 'L' && f[1] && f[2]) {
        add(f[1]);
        add(f[2]);
      }
    }
  } catch {
    // No system tz database (a slim container): ICU's names below still fix most spellings.
  }
  for (const name of Intl.supportedValuesOf('timeZone')) add(name);
  zoneSpellings = map;
  return map;
}

/**
 * The IANA spelling of a zone name Intl accepts in any case: "asia/ho_chi_minh" →
 * "Asia/Ho_Chi_Minh", "utc" → "UTC", so what is stored and shown (the room's header, a trace's
 * `timeZone`) is the name an operator would look up. A known alias keeps its own name in its
 * right case ("asia/saigon" → "Asia/Saigon"); a name found in no list is returned as given.
 * Call only with a zone timeZoneProblem accepts.
 */
export function canonicalTimeZone(timeZone: string): string {
  const known = spellings().get(timeZone.toLowerCase());
  if (known) return known;
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  return resolved.toLowerCase() === timeZone.toLowerCase() ? resolved : timeZone;
}

/** Local calendar fields of an instant (month 1..12, hour 0..23). */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function localFields(timeZone: string, atMs: number): LocalFields {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(new Date(atMs))) {
    if (p.type !== 'literal') out[p.type] = Number(p.value);
  }
  return { year: out.year ?? 1970, month: out.month ?? 1, day: out.day ?? 1, hour: out.hour ?? 0, minute: out.minute ?? 0, second: out.second ?? 0 };
}

/**
 * Date.UTC for any year: Date.UTC reads years 0–99 as 1900–1999, so a wall time typed in year 1
 * would silently become 1901.
 */
function wallUtc(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  if (year >= 100) return Date.UTC(year, monthIndex, day, hour, minute, second);
  const d = new Date(Date.UTC(2000, monthIndex, day, hour, minute, second));
  d.setUTCFullYear(year + (d.getUTCFullYear() - 2000));
  return d.getTime();
}

/** Offset of local time from UTC at an instant, in ms (Hanoi: +25,200,000). */
export function zoneOffsetMs(timeZone: string, atMs: number): number {
  const f = localFields(timeZone, atMs);
  const asUtc = wallUtc(f.year, f.month - 1, f.day, f.hour, f.minute, f.second);
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

/**
 * The UTC instant of a local wall-clock time. Two passes settle the offset across a DST change;
 * a wall time that does not exist (spring forward) is moved forward by the gap (Berlin 02:30 →
 * 03:30; Santiago's skipped midnight → 01:00 the same day, never 23:00 the day before).
 */
export function localToUtcMs(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0): number {
  const wall = wallUtc(year, month - 1, day, hour, minute);
  let guess = wall - zoneOffsetMs(timeZone, wall);
  guess = wall - zoneOffsetMs(timeZone, guess);
  const f = localFields(timeZone, guess);
  if (wallUtc(f.year, f.month - 1, f.day, f.hour, f.minute) === wall) return guess;
  // Skipped: the two offsets around the gap give two candidates; the later lies after the gap.
  return Math.max(guess, wall - zoneOffsetMs(timeZone, guess));
}

/** `YYYY-MM-DD` of the local day an instant falls in. */
export function localDate(timeZone: string, atMs: number): string {
  const f = localFields(timeZone, atMs);
  return `${String(f.year).padStart(4, '0')}-${String(f.month).padStart(2, '0')}-${String(f.day).padStart(2, '0')}`;
}

/** Half-open UTC range [fromMs, toMs) of the local day `daysBack` days before the one holding `atMs`. */
export function localDayRange(timeZone: string, atMs: number, daysBack = 0): { fromMs: number; toMs: number } {
  const f = localFields(timeZone, atMs);
  // Calendar arithmetic on a UTC date (never on instants): 'minus n days' is always a calendar day.
  const day = new Date(wallUtc(f.year, f.month - 1, f.day - daysBack));
  const next = new Date(wallUtc(f.year, f.month - 1, f.day - daysBack + 1));
  return {
    fromMs: localToUtcMs(timeZone, day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()),
    toMs: localToUtcMs(timeZone, next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate()),
  };
}

/** Local hour 0..23 of an instant. */
export function localHour(timeZone: string, atMs: number): number {
  return localFields(timeZone, atMs).hour;
}

/**
 * Parses what an `<input type="datetime-local">` sends (`YYYY-MM-DDTHH:MM`, seconds optional) as a
 * wall time in `timeZone`; a full ISO time with `Z` or an offset is taken as it is.
 * Returns NaN when the text is neither, or names a date that does not exist (2026-02-30), or a
 * wall time the zone skips (02:30 on the night its clocks go forward: no instant shows it; moving
 * it silently to 03:30 would search another hour than the one asked for). `allowSkipped` keeps
 * the forward shift for callers that mean "the start of that day" (a date alone).
 * A wall time the zone shows twice (02:30 on the night its clocks go back) is the first of the two
 * instants with `occurrence: 'first'` (the start of a range: the range then covers both) and the
 * second with `'last'` (its end); without it, whichever the offset search lands on.
 */
export function parseLocalDateTime(timeZone: string, text: string, opts: { allowSkipped?: boolean; occurrence?: 'first' | 'last' } = {}): number {
  if (!startsWithRealDate(text)) return NaN; // 30 February is refused, not rolled into March
  if (/(?:Z|[+-]\d{2}:?\d{2})$/i.test(text)) return Date.parse(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN;
  const ms = localToUtcMs(timeZone, year, month, day, hour, minute);
  const shown = text.slice(0, 16).replace(' ', 'T');
  if (!opts.allowSkipped && toLocalInput(timeZone, ms) !== shown) return NaN;
  if (!opts.occurrence || toLocalInput(timeZone, ms) !== shown) return ms + second * 1000;
  // Every instant showing this wall time: the offsets in force a day either side and at it (no
  // zone changes its offset twice within two days).
  const wall = wallUtc(year, month - 1, day, hour, minute);
  const offsets = new Set([-DAY_MS, 0, DAY_MS].map((d) => zoneOffsetMs(timeZone, wall + d)));
  const instants = [...offsets].map((o) => wall - o).filter((t) => toLocalInput(timeZone, t) === shown);
  return (opts.occurrence === 'first' ? Math.min(...instants) : Math.max(...instants)) + second * 1000;
}

/**
 * Whether `text` (`YYYY-MM-DDTHH:MM[:SS]`, no zone) is a real date and time of day that
 * `timeZone` skips (a daylight-saving change): what makes parseLocalDateTime refuse an otherwise
 * well-formed time, so the message can say so.
 */
export function isSkippedWallTime(timeZone: string, text: string): boolean {
  return Number.isNaN(parseLocalDateTime(timeZone, text)) && Number.isFinite(parseLocalDateTime(timeZone, text, { allowSkipped: true }));
}

/** `YYYY-MM-DDTHH:MM` in local time: the value an `<input type="datetime-local">` shows. */
export function toLocalInput(timeZone: string, atMs: number): string {
  const f = localFields(timeZone, atMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${localDate(timeZone, atMs)}T${p(f.hour)}:${p(f.minute)}`;
}

export const TIME = { MINUTE_MS, HOUR_MS, DAY_MS } as const;

/** ISO 8601 with the zone's offset, e.g. `2026-11-25T10:17:43+07:00` (what CSV exports carry). */
export function toLocalIso(timeZone: string, atMs: number): string {
  const f = localFields(timeZone, atMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${localDate(timeZone, atMs)}T${p(f.hour)}:${p(f.minute)}:${p(f.second)}${offsetText(timeZone, atMs)}`;
}

/** `+02:00` / `-03:30`: the zone's UTC offset at an instant (what toLocalIso ends with). */
export function offsetText(timeZone: string, atMs: number): string {
  const off = Math.round(zoneOffsetMs(timeZone, atMs) / 60_000);
  const a = Math.abs(off);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${off < 0 ? '-' : '+'}${p(Math.floor(a / 60))}:${p(a % 60)}`;
}

/**
 * Whether the local wall time of `atMs` (to the minute) is shown at another instant too: the hour
 * repeated the night the clocks go back (Berlin 2026-10-25: 02:30 is 00:30Z and 01:30Z). Such a
 * time must carry its offset on screen, or 02:30 after 02:40 reads as unsorted and two different
 * check-ins read as simultaneous. The other instant is atMs shifted by the difference between the
 * offsets in force a day either side (no zone changes its offset twice within two days).
 */
export function isRepeatedWallTime(timeZone: string, atMs: number): boolean {
  const here = zoneOffsetMs(timeZone, atMs);
  const wall = toLocalInput(timeZone, atMs);
  for (const d of [-DAY_MS, DAY_MS]) {
    const other = zoneOffsetMs(timeZone, atMs + d);
    if (other === here) continue;
    const twin = atMs + here - other;
    if (zoneOffsetMs(timeZone, twin) === other && toLocalInput(timeZone, twin) === wall) return true;
  }
  return false;
}
