/**
 * One set of time rules for every signed thing the kiosk checks: EU DCC (CWT `iat`/`exp` and the
 * signer certificate's validity), SMART Health Cards (JWT `nbf`/`exp`), CKD1 declarations (CWT
 * `iat`/`exp`), the dates inside a DCC (vaccination, test, recovery) and the signed trust bundle's
 * `issuedAt`. Every check allows the same clock-skew tolerance, so a kiosk whose clock is a little
 * off (or an issuer whose clock is) gets the same answer whatever the format.
 *
 * Semantics (RFC 7519 §4.1.4–4.1.6, applied to CWT claims by RFC 8392 §3.1):
 * - `exp`: valid while now < exp + tolerance; from then on → `expired`.
 * - `nbf`: valid once now + tolerance ≥ nbf; before that → `not-yet-valid`.
 * - `iat`: informational in the RFCs, but a token issued after now + tolerance cannot be genuine
 *   for this clock (a forged date or a kiosk clock far behind) → `not-yet-valid`.
 * - A certificate validity (X.509 notBefore/notAfter) is an nbf/exp pair, both inclusive.
 * All times are milliseconds since the epoch unless a name says seconds.
 */
import type { ReasonCode } from '../shared/reasons.js';
import { isValidTime, isoTime } from './iso-time.js';
import { isRealDate } from './text.js';

/** Default clock-skew tolerance (seconds): policy key `clockSkewSeconds`. */
export const DEFAULT_CLOCK_SKEW_SECONDS = 300;
/** Largest tolerance a policy may set (seconds): beyond a day it no longer checks anything. */
export const MAX_CLOCK_SKEW_SECONDS = 86_400;

/** The time-rule settings a verifier gets from the policy. */
export interface TimeRules {
  /** Clock-skew tolerance in milliseconds (≥ 0). */
  skewMs: number;
}

export const DEFAULT_TIME_RULES: TimeRules = { skewMs: DEFAULT_CLOCK_SKEW_SECONDS * 1000 };

export type TimeCheck = { ok: true; detail: string } | { ok: false; reason: Extract<ReasonCode, 'expired' | 'not-yet-valid'>; detail: string };

/** Token claims in SECONDS since the epoch (as CWT and JWT carry them); any may be absent. */
export interface TokenTimes {
  iat?: number;
  nbf?: number;
  exp?: number;
}

function iso(ms: number): string {
  return isValidTime(ms) ? isoTime(ms) : `${Math.round(ms / 1000)} s`;
}

/**
 * Checks a token's iat/nbf/exp (seconds) at `nowMs` with the tolerance. The first problem found is
 * returned, in the order exp, nbf, iat (an expired token is reported as expired even if its iat is
 * also odd).
 */
export function checkTokenTimes(t: TokenTimes, nowMs: number, rules: TimeRules = DEFAULT_TIME_RULES): TimeCheck {
  const skew = rules.skewMs;
  if (t.exp !== undefined && nowMs >= t.exp * 1000 + skew) return { ok: false, reason: 'expired', detail: `expired at ${iso(t.exp * 1000)}` };
  if (t.nbf !== undefined && nowMs + skew < t.nbf * 1000) return { ok: false, reason: 'not-yet-valid', detail: `not valid before ${iso(t.nbf * 1000)}` };
  if (t.iat !== undefined && nowMs + skew < t.iat * 1000) {
    return { ok: false, reason: 'not-yet-valid', detail: `issued in the future (${iso(t.iat * 1000)}): check the kiosk clock` };
  }
  return { ok: true, detail: t.exp !== undefined ? `valid until ${iso(t.exp * 1000)}` : 'no expiry' };
}

/**
 * Why `nowMs` lies outside a validity window [notBeforeMs, notAfterMs] (both inclusive, e.g. an
 * X.509 certificate), or undefined when it is inside. For callers that only need the failure:
 * no text is built for the usual, valid case.
 */
export function windowFailure(
  notBeforeMs: number,
  notAfterMs: number,
  nowMs: number,
  what: string,
  rules: TimeRules = DEFAULT_TIME_RULES,
): Extract<TimeCheck, { ok: false }> | undefined {
  if (nowMs + rules.skewMs < notBeforeMs) return { ok: false, reason: 'not-yet-valid', detail: `${what} not valid before ${iso(notBeforeMs)}` };
  if (nowMs > notAfterMs + rules.skewMs) return { ok: false, reason: 'expired', detail: `${what} expired at ${iso(notAfterMs)}` };
  return undefined;
}

/** A validity window [notBeforeMs, notAfterMs] (both inclusive, e.g. an X.509 certificate). */
export function checkWindow(notBeforeMs: number, notAfterMs: number, nowMs: number, what: string, rules: TimeRules = DEFAULT_TIME_RULES): TimeCheck {
  return windowFailure(notBeforeMs, notAfterMs, nowMs, what, rules) ?? { ok: true, detail: `${what} valid until ${iso(notAfterMs)}` };
}

/** True when an instant lies in the future beyond the tolerance (an event that cannot have happened yet). */
export function isFuture(ms: number, nowMs: number, rules: TimeRules = DEFAULT_TIME_RULES): boolean {
  return ms > nowMs + rules.skewMs;
}

/** Value of the ASCII digits text[from, to), or -1 when any of them is not one (no sign, no space). */
export function digitsAt(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * Date.UTC of text shaped `^(\d{4})-(\d{2})-(\d{2})$` (numbers as written: Date.UTC rolls an
 * out-of-range month or day over), or undefined for any other text. Read directly: the match
 * array of a regular expression cost more per scan than the date arithmetic.
 */
function plainDateUtc(text: string): number | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const y = digitsAt(text, 0, 4);
  const m = digitsAt(text, 5, 7);
  const d = digitsAt(text, 8, 10);
  if (y < 0 || m < 0 || d < 0) return undefined;
  return Date.UTC(y, m - 1, d);
}

/** Hours of the first (UTC+14) and last (UTC−12) time zones on Earth. */
const FIRST_ZONE_MS = 14 * 3_600_000;
const LAST_ZONE_MS = 12 * 3_600_000;
const DAY_MS = 86_400_000;

/** calendarSpan of one day given by its UTC midnight (ms), without Date objects: it runs for every date of every scan. */
export function daySpan(utcMidnight: number): { startMs: number; endMs: number } {
  return { startMs: utcMidnight - FIRST_ZONE_MS, endMs: utcMidnight + DAY_MS + LAST_ZONE_MS - 1 };
}

/** What a calendar year, month or day without a zone can mean. */
export interface CalendarSpan {
  /** Earliest instant (epoch ms): its first day starting in the first time zone (UTC+14). */
  startMs: number;
  /** Latest instant (epoch ms): its last day ending in the last time zone (UTC−12). */
  endMs: number;
  /** UTC midnight (epoch ms) of its first day: compared with other dates of the same calendar. */
  firstDayUtc: number;
}

/**
 * The span of a year (`month` and `day` undefined), a month (`day` undefined) or a day, read in
 * every time zone, for any year (Date.UTC reads years 0–99 as 1900–1999: the year is set after).
 * The caller has checked that the date exists.
 */
export function calendarSpan(year: number, month?: number, day?: number): CalendarSpan {
  const start = new Date(Date.UTC(2000, month === undefined ? 0 : month - 1, day ?? 1));
  start.setUTCFullYear(year);
  const end = new Date(start.getTime());
  if (day !== undefined) end.setUTCDate(end.getUTCDate() + 1);
  else if (month !== undefined) end.setUTCMonth(end.getUTCMonth() + 1);
  else end.setUTCFullYear(year + 1);
  const firstDayUtc = start.getTime();
  return { startMs: firstDayUtc - FIRST_ZONE_MS, endMs: end.getTime() + LAST_ZONE_MS - 1, firstDayUtc };
}

/**
 * Earliest and latest instants of a calendar date or date-time string. A date-time is one instant;
 * a plain date (YYYY-MM-DD, no zone: DCC dates are the issuing country's calendar) spans from its
 * start in the first time zone on Earth (UTC+14) to its end in the last (UTC−12), so that no
 * traveller is turned away for the issuer's time zone. Undefined when unparseable.
 */
export function dateSpan(text: string): { startMs: number; endMs: number } | undefined {
  const utcMidnight = plainDateUtc(text);
  if (utcMidnight !== undefined) {
    if (!Number.isFinite(utcMidnight)) return undefined;
    return daySpan(utcMidnight);
  }
  const ms = dateTimeMs(text) ?? Date.parse(text);
  return Number.isFinite(ms) ? { startMs: ms, endMs: ms } : undefined;
}

/**
 * A DCC date-time, as the EU's CertLogic reads one (certlogic-js `dateFromString`; the forms
 * eu-dcc-business-rules took on in 2021 for certificates already issued): `YYYY-MM-DDThh:mm:ss`,
 * an optional fraction, and an optional offset `Z`, `±h`, `±hh`, `±hhmm`, `±h:mm` or `±hh:mm`.
 * RFC 3339's lower-case `t`/`z` and its leap second (second 60) are taken too.
 */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{1,2})(?::?(\d{2}))?)?$/;

/**
 * Milliseconds since the epoch of a DCC date-time (DATE_TIME), or undefined when the text is not
 * one or names a day or time that does not exist (2021-02-30, 25:00, an offset beyond 23:59). A
 * date-time without an offset is UTC, as CertLogic assumes — never the kiosk's own time zone,
 * which Date.parse would take. A leap second (23:59:60) is the second after :59.
 */
export function dateTimeMs(text: string): number | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = Number(m[6]);
  const offsetHours = m[9] === undefined ? 0 : Number(m[9]);
  const offsetMinutes = m[10] === undefined ? 0 : Number(m[10]);
  if (!isRealDate(year, month, day) || hour > 23 || minute > 59 || second > 60 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  // setUTCFullYear: Date.UTC would read years 0–99 as 1900–1999; second 60 rolls over by itself.
  const t = new Date(0);
  t.setUTCFullYear(year, month - 1, day);
  t.setUTCHours(hour, minute, second, m[7] === undefined ? 0 : Math.floor(Number(`0${m[7]}`) * 1000));
  const offsetMs = (offsetHours * 60 + offsetMinutes) * 60_000;
  return t.getTime() - (m[8] === '-' ? -offsetMs : offsetMs);
}

/** Policy seconds → rules (clamped to 0..MAX_CLOCK_SKEW_SECONDS). */
export function timeRulesFromSeconds(skewSeconds: number | undefined): TimeRules {
  if (skewSeconds === undefined || !Number.isFinite(skewSeconds)) return DEFAULT_TIME_RULES;
  return { skewMs: Math.min(Math.max(skewSeconds, 0), MAX_CLOCK_SKEW_SECONDS) * 1000 };
}
