/**
 * FHIR R4 `date` and `dateTime` values as a SMART Health Card carries them (Patient.birthDate,
 * Immunization.occurrenceDateTime, Observation.effectiveDateTime): `YYYY`, `YYYY-MM`, `YYYY-MM-DD`,
 * or a full date and time with seconds and a zone (`2021-01-01T10:00:00+07:00`; FHIR R4
 * datatypes §2.24.0.1: "If hours and minutes are specified, a time zone SHALL be populated").
 * The calendar date must exist: `2021-02-30` is refused, where `Date.parse` would roll it over
 * to 2 March. A leap second (`23:59:60Z`, which FHIR's pattern allows) is the next second, as the
 * EU DCC reader takes it (time-rules.ts `dateTimeMs`): Date.parse cannot read it.
 */
import { isRealDate } from '../text.js';
import { calendarSpan, dateTimeMs, daySpan, digitsAt } from '../time-rules.js';

const DATE_TIME =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d{1,9})?(Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

/** Earliest and latest instants a FHIR date or dateTime can mean, in epoch milliseconds. */
export interface FhirSpan {
  startMs: number;
  endMs: number;
}

/**
 * The span of a FHIR `dateTime` (or `date` when `dateOnly`), or undefined when `text` is not one
 * or names a day that does not exist. A value with a time and zone is one instant; a date, month
 * or year without a zone covers the whole period from its start in the first time zone on Earth
 * (UTC+14) to its end in the last (UTC−12), as time-rules.ts reads a plain date: no card is
 * judged by the issuer's time zone.
 */
export function fhirSpan(text: unknown, dateOnly = false): FhirSpan | undefined {
  if (typeof text !== 'string') return undefined;
  // Most card dates are a plain YYYY-MM-DD: read it digit by digit (runs for every dose of every
  // scan); anything else goes through the full pattern.
  const plain = plainDateUtc(text);
  if (plain !== undefined) return Number.isNaN(plain) ? undefined : daySpan(plain);
  const m = DATE_TIME.exec(text);
  if (m === null) return undefined;
  const year = Number(m[1]);
  if (year === 0) return undefined;
  const month = m[2] === undefined ? undefined : Number(m[2]);
  const day = m[3] === undefined ? undefined : Number(m[3]);
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && !isRealDate(year, month!, day)) return undefined;
  if (m[4] !== undefined) {
    if (dateOnly) return undefined;
    // The pattern above already holds the text to FHIR's shape (seconds and a zone required).
    const ms = dateTimeMs(text);
    return ms !== undefined && Number.isFinite(ms) ? { startMs: ms, endMs: ms } : undefined;
  }
  const { startMs, endMs } = calendarSpan(year, month, day);
  return { startMs, endMs };
}

/**
 * UTC midnight (ms) of text shaped YYYY-MM-DD with a year from 1000, NaN when so shaped but no such
 * day (a date before 1970 is negative), undefined for any other text (left to the full pattern).
 */
function plainDateUtc(text: string): number | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const y = digitsAt(text, 0, 4);
  const m = digitsAt(text, 5, 7);
  const d = digitsAt(text, 8, 10);
  if (y < 1000 || m < 0 || d < 0) return undefined;
  return isRealDate(y, m, d) ? Date.UTC(y, m - 1, d) : NaN;
}
