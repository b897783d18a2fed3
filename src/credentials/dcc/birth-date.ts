/**
 * The DCC birth date `dob` (eu-dcc-schema DCC.Types `dob`: empty, `YYYY`, `YYYY-MM` or
 * `YYYY-MM-DD`, years 1900–2099). The schema's pattern lets through dates that do not exist
 * (1990-02-30, month 13); the kiosk cannot read those, so they are schema-invalid, never a check
 * skipped (README). A month or day written `00` means "not known", as the EU NL test vectors
 * (schema-valid `1963-00`) and the hcert spec's partial dates have it.
 */
import { daysInMonth } from '../text.js';
import { calendarSpan, type CalendarSpan } from '../time-rules.js';

/** The two ASCII digits at `i` as a number (the caller knows they are digits). */
export function digits(text: string, i: number): number {
  return (text.charCodeAt(i) - 48) * 10 + text.charCodeAt(i + 1) - 48;
}

/** What a readable birth date can mean (time-rules.ts calendarSpan). */
export type DobSpan = CalendarSpan;

/**
 * Earliest and latest instants (epoch ms) a birth date can mean: a year spans the whole year, a
 * month the whole month, a day the whole day in every time zone. `{}` for the empty dob (nothing
 * known); a text naming the problem when the date cannot exist. Call only on text matching the
 * schema's pattern (schema-patterns.ts isDobText).
 */
export function dobSpan(dob: string): DobSpan | { problem: string } | undefined {
  if (dob.length === 0) return undefined;
  // Digits read in place (this runs twice on every DCC scan: no substrings).
  const year = digits(dob, 0) * 100 + digits(dob, 2);
  const month = dob.length >= 7 ? digits(dob, 5) : 0;
  const day = dob.length === 10 ? digits(dob, 8) : 0;
  if (month > 12) return { problem: `month ${dob.slice(5, 7)} does not exist` };
  if (month === 0 && day !== 0) return { problem: 'a day is given without its month' };
  if (day > daysInMonth(month, year)) return { problem: `${dob} is not a day of the calendar` };
  return calendarSpan(year, month === 0 ? undefined : month, day === 0 ? undefined : day);
}
