/**
 * The earliest instant a CKD1 test time `decl.health.test.at` can mean (docs/FORMATS.md), for the
 * future check. The schema (schema.ts ISO_TIME, realDate, realTime) has already refused a shape,
 * day or clock that does not exist. A date, or a date-time without an offset, is the traveller's
 * own calendar or clock in a zone the token does not say: it counts from its start in the first
 * time zone on Earth (UTC+14), as DCC dates do (time-rules.ts dateSpan), so no traveller is
 * turned away for their time zone.
 */

const PARTS = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(?:Z|([+-])(\d{2}):?(\d{2}))?)?$/;
const FIRST_ZONE_MS = 14 * 3_600_000;

/** Epoch ms of the earliest instant `at` can mean; undefined when it is not ISO_TIME-shaped. */
export function earliestTestMs(at: string): number | undefined {
  const m = PARTS.exec(at);
  if (!m) return undefined;
  const t = new Date(0);
  // setUTCFullYear: Date.UTC would read years 0–99 as 1900–1999. Second 60 rolls over by itself.
  t.setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  t.setUTCHours(Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0);
  const ms = t.getTime();
  const zoned = m[4] !== undefined && /(?:Z|[+-]\d{2}:?\d{2})$/.test(at);
  if (!zoned) return ms - FIRST_ZONE_MS;
  if (m[7] === undefined) return ms; // Z
  const offsetMs = (Number(m[8]) * 60 + Number(m[9])) * 60_000;
  return m[7] === '-' ? ms + offsetMs : ms - offsetMs;
}
