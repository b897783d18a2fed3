/**
 * ISO 8601 text of an instant, as Date.prototype.toISOString writes it (ECMA-262 §21.4.4.36:
 * `YYYY-MM-DDTHH:mm:ss.sssZ`), without a Date object: verification details carry one or two of
 * these per scan (`valid until …`), and toISOString cost about 0.45 µs each against 0.15 µs here.
 */

/** Epoch ms of 10000-01-01T00:00:00Z: from there on toISOString writes an expanded year. */
const YEAR_10000_MS = 253_402_300_800_000;
const DAY_MS = 86_400_000;

/** Character code of the digit 0: ZERO + d is the code of the digit d (0–9). */
const ZERO = 48;

/**
 * `new Date(ms).toISOString()` for any number: written directly for 1970-01-01 up to year 9999
 * (fractions of a millisecond dropped, as the Date time value drops them), through Date
 * otherwise. Throws RangeError, as toISOString does, for NaN, ±Infinity and instants outside the
 * Date range.
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < YEAR_10000_MS)) return new Date(ms).toISOString();
  const t = Math.trunc(ms);
  const days = Math.floor(t / DAY_MS);
  let rest = t - days * DAY_MS;
  // Civil date from days since 1970-01-01 (proleptic Gregorian; H. Hinnant's days_from_civil
  // inverse, in 400-year eras starting on March 1st so the leap day ends each year).
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  // One string made from its 24 character codes: a template of padded parts made about ten
  // intermediate strings (some 500 bytes of garbage per call).
  return String.fromCharCode(
    ZERO + Math.floor(year / 1000),
    ZERO + (Math.floor(year / 100) % 10),
    ZERO + (Math.floor(year / 10) % 10),
    ZERO + (year % 10),
    45, // -
    ZERO + Math.floor(month / 10),
    ZERO + (month % 10),
    45,
    ZERO + Math.floor(day / 10),
    ZERO + (day % 10),
    84, // T
    ZERO + Math.floor(hours / 10),
    ZERO + (hours % 10),
    58, // :
    ZERO + Math.floor(minutes / 10),
    ZERO + (minutes % 10),
    58,
    ZERO + Math.floor(seconds / 10),
    ZERO + (seconds % 10),
    46, // .
    ZERO + Math.floor(millis / 100),
    ZERO + (Math.floor(millis / 10) % 10),
    ZERO + (millis % 10),
    90, // Z
  );
}

/** Largest |time value| a Date holds (ECMA-262 §21.4.1.31 TimeClip): beyond it the Date is invalid. */
const MAX_TIME_MS = 8.64e15;

/** Whether `new Date(ms)` is a valid date (so isoTime(ms) does not throw), without making one. */
export function isValidTime(ms: number): boolean {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS;
}
