/**
 * Whether the calendar date an ISO 8601 text starts with (`YYYY-MM-DD…`) exists. `Date.parse`
 * and `Date.UTC` roll an impossible date over instead of refusing it (2026-02-30 becomes
 * 2026-03-02), so a trace or a validation clock given one would silently cover another period.
 * A text that does not start with such a date is left to its own parser (true).
 */
export function startsWithRealDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return true;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  // Day 0 of the next month is the last day of this one (proleptic Gregorian, as ISO 8601).
  return day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}
