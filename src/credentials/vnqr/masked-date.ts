/**
 * Birth dates of the unified personal QR: YYYY-MM-DD where each component may be masked as a
 * whole with '*' ('****-**-15', '1990-**-**'). Masking inside a component ('19**') is invalid.
 */
import { daysInMonth } from '../text.js';

export interface MaskedDate {
  year?: number;
  month?: number;
  day?: number;
}

/** Nobody alive was born earlier; bounds the year of an unmasked date. */
const MIN_BIRTH_YEAR = 1900;
const SHAPE = /^(\d{4}|\*{4})-(\d{2}|\*{2})-(\d{2}|\*{2})$/;

function component(s: string): number | undefined {
  return s.charCodeAt(0) === 42 /* '*' */ ? undefined : Number(s);
}

/**
 * Parses and validates the unmasked parts against the calendar and today's date (a yyyymmdd
 * key, Vietnam time). Returns the date or a short problem description (no data in it).
 */
export function parseMaskedDate(text: string, todayKey: number): MaskedDate | string {
  const m = SHAPE.exec(text);
  if (m === null) return 'is not YYYY-MM-DD (digits, or * for a masked part)';
  const year = component(m[1] ?? '');
  const month = component(m[2] ?? '');
  const day = component(m[3] ?? '');
  if (month !== undefined && (month < 1 || month > 12)) return 'has a month outside 01-12';
  if (day !== undefined && (day < 1 || day > (month === undefined ? 31 : daysInMonth(month, year)))) {
    return 'is not a real date';
  }
  if (year !== undefined) {
    if (year < MIN_BIRTH_YEAR) return `has a year before ${MIN_BIRTH_YEAR}`;
    // Compare only the known leading parts with today: '2031-**-**' is future, '2026-**-**' is not.
    const todayYear = Math.floor(todayKey / 10000);
    const todayMonth = Math.floor(todayKey / 100) % 100;
    const future =
      year > todayYear ||
      (year === todayYear && month !== undefined &&
        (month > todayMonth || (month === todayMonth && day !== undefined && day > todayKey % 100)));
    if (future) return 'is in the future';
  }
  const date: MaskedDate = {};
  if (year !== undefined) date.year = year;
  if (month !== undefined) date.month = month;
  if (day !== undefined) date.day = day;
  return date;
}

/**
 * The partial ISO date kept in the subject: '1990-05-15', '1990-05', '1990', or undefined when
 * the year is masked (a day or month without a year identifies nobody).
 */
export function partialIsoDate(d: MaskedDate): string | undefined {
  if (d.year === undefined) return undefined;
  if (d.month === undefined) return String(d.year);
  const mm = d.month < 10 ? `0${d.month}` : String(d.month);
  if (d.day === undefined) return `${d.year}-${mm}`;
  return `${d.year}-${mm}-${d.day < 10 ? `0${d.day}` : String(d.day)}`;
}
