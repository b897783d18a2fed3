/**
 * Check-ins per local hour: today, and the average of the same hour over the 7 days before.
 * The backend counts 15-minute buckets (every real time-zone offset is a multiple of 15 minutes,
 * so a bucket never straddles a local hour); this module maps buckets to local hours.
 */
import { localDayRange, localHour } from './local-time.js';
import type { OpsQueries, TimeRange } from './queries.js';

/** Width of the counting buckets (ms). */
export const BUCKET_MS = 15 * 60_000;

export interface HourlyFigures {
  /** Local day [fromMs, toMs) that "today" means. */
  day: TimeRange;
  /** Check-ins today per local hour 0..23 (a repeated DST hour is summed into its wall hour). */
  today: number[];
  /** Mean check-ins per local hour over the 7 local days before today (one decimal). */
  weekAverage: number[];
  /** Check-ins in those 7 days. */
  weekTotal: number;
}

/** Sums sparse buckets of `range` into 24 local hours. Throws on a non-integer bucket (a backend bug). */
export function bucketsToHours(timeZone: string, range: TimeRange, buckets: { bucket: number; count: number }[]): number[] {
  const hours = new Array<number>(24).fill(0);
  for (const b of buckets) {
    if (!Number.isInteger(b.bucket) || b.bucket < 0) throw new Error(`bucket index ${b.bucket} is not a non-negative integer: the query must divide in integers`);
    const startMs = range.fromMs + b.bucket * BUCKET_MS;
    if (startMs >= range.toMs) throw new Error(`bucket ${b.bucket} lies outside the queried range`);
    const h = localHour(timeZone, startMs);
    hours[h] = (hours[h] ?? 0) + Number(b.count);
  }
  return hours;
}

export async function hourlyFigures(q: OpsQueries, timeZone: string, nowMs: number): Promise<HourlyFigures> {
  const day = localDayRange(timeZone, nowMs);
  const week: TimeRange = { fromMs: localDayRange(timeZone, nowMs, 7).fromMs, toMs: day.fromMs };
  const [todayBuckets, weekBuckets] = await Promise.all([q.countByBucket(day, BUCKET_MS), q.countByBucket(week, BUCKET_MS)]);
  const weekHours = bucketsToHours(timeZone, week, weekBuckets);
  return {
    day,
    today: bucketsToHours(timeZone, day, todayBuckets),
    weekAverage: weekHours.map((n) => Math.round((n / 7) * 10) / 10),
    weekTotal: weekHours.reduce((a, b) => a + b, 0),
  };
}
