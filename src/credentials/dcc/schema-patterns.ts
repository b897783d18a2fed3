/**
 * The string patterns of eu-dcc-schema 1.3.3 (DCC.Core.Types, DCC.Types, DCC.ValueSets) as plain
 * character checks. Each function answers exactly what its pattern's `RegExp.test` answers (the
 * patterns are exported beside them, and a property test holds each check to its pattern): these
 * run for every field of every scan, and a regular expression call cost about ten times a loop
 * over a few characters.
 */
import { isRealDate } from '../text.js';

/** DCC.Core.Types `schema_version`: `^\d+.\d+.\d+$` (each `.` any character but a line terminator). */
export const VERSION_PATTERN = /^\d+.\d+.\d+$/;
/** DCC.Types `dob`: `^((19|20)\d\d(-\d\d){0,2}){0,1}$` (empty, YYYY, YYYY-MM or YYYY-MM-DD). */
export const DOB_PATTERN = /^((19|20)\d\d(-\d\d){0,2}){0,1}$/;
/** DCC.Core.Types standardised names (`fnt`, `gnt`): `^[A-Z<]*$`. */
export const ICAO_NAME_PATTERN = /^[A-Z<]*$/;
/** DCC.ValueSets `country_vt`, unanchored exactly as the schema states it: `[A-Z]{1,10}`. */
export const COUNTRY_PATTERN = /[A-Z]{1,10}/;
/** RFC 3339 full-date shape (the calendar is checked separately): `^(\d{4})-(\d{2})-(\d{2})$`. */
export const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The code of an ASCII digit at `i` as its value, or -1 (also past the end: NaN compares false). */
function digit(v: string, i: number): number {
  const c = v.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
}

/** End of the run of ASCII digits starting at `i` (i itself when there is none). */
function digitsEnd(v: string, i: number): number {
  while (digit(v, i) >= 0) i++;
  return i;
}

/**
 * VERSION_PATTERN. The usual "1.3.0" (digits and literal dots) is read directly; anything else
 * (the pattern's `.` also takes a digit or a letter, which needs backtracking) asks the pattern.
 */
export function isSchemaVersion(v: string): boolean {
  const a = digitsEnd(v, 0);
  if (a > 0 && v.charCodeAt(a) === 46) {
    const b = digitsEnd(v, a + 1);
    if (b > a + 1 && v.charCodeAt(b) === 46) {
      const c = digitsEnd(v, b + 1);
      if (c > b + 1 && c === v.length) return true;
    }
  }
  return VERSION_PATTERN.test(v);
}

/** DOB_PATTERN: empty, or 19xx/20xx, optionally followed by one or two `-dd` groups. */
export function isDobText(v: string): boolean {
  const n = v.length;
  if (n === 0) return true;
  if (n !== 4 && n !== 7 && n !== 10) return false;
  const century = v.charCodeAt(0) === 49 && v.charCodeAt(1) === 57; // "19"
  if (!century && !(v.charCodeAt(0) === 50 && v.charCodeAt(1) === 48)) return false; // "20"
  if (digit(v, 2) < 0 || digit(v, 3) < 0) return false;
  for (let i = 4; i < n; i += 3) {
    if (v.charCodeAt(i) !== 45 || digit(v, i + 1) < 0 || digit(v, i + 2) < 0) return false;
  }
  return true;
}

/** ICAO_NAME_PATTERN: only A–Z and `<` (the empty string included). */
export function isIcaoName(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if ((c < 65 || c > 90) && c !== 60) return false;
  }
  return true;
}

/** COUNTRY_PATTERN: unanchored, so any text holding at least one A–Z letter. */
export function hasCountryLetters(v: string): boolean {
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 65 && c <= 90) return true;
  }
  return false;
}

/**
 * RFC 3339 full-date: DATE_PATTERN's shape (`YYYY-MM-DD`, read directly, no match array) and a
 * real calendar day of the proleptic Gregorian calendar (month 01–12, day 01 to the month's last).
 */
export function isCalendarDate(v: string): boolean {
  if (v.length !== 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return false;
  const y0 = digit(v, 0);
  const y1 = digit(v, 1);
  const y2 = digit(v, 2);
  const y3 = digit(v, 3);
  const m0 = digit(v, 5);
  const m1 = digit(v, 6);
  const d0 = digit(v, 8);
  const d1 = digit(v, 9);
  if ((y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) < 0) return false;
  const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
  const mo = m0 * 10 + m1;
  const d = d0 * 10 + d1;
  return isRealDate(y, mo, d);
}
