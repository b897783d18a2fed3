/**
 * Check-ins per local hour: today, and the average of the same hour over the 7 days before.
 * Each local day is asked for separately, in whole hours from its own local midnight: so every
 * hour bucket is a local hour even in zones offset by 30 or 45 minutes, and a day with a DST
 * change simply has 23 or 25 buckets, each mapped to the wall hour it starts in.
 */
import { TIME, localDayRange, localHour } from './local-time.js';
import type { OpsQueries, TimeRange } from './queries.js';

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

/** Whole hours in a local day (23, 24 or 25; a 30-minute DST shift rounds up). */
function hoursIn(day: TimeRange): number {
  return Math.ceil((day.toMs - day.fromMs) / TIME.HOUR_MS);
}

/** Check-ins of one local day per local hour 0..23. */
export async function localDayByHour(q: OpsQueries, timeZone: string, day: TimeRange): Promise<number[]> {
  const counts = await q.countByHour(day.fromMs, hoursIn(day));
  const hours = new Array<number>(24).fill(0);
  counts.forEach((n, i) => {
    const h = localHour(timeZone, day.fromMs + i * TIME.HOUR_MS);
    hours[h] = (hours[h] ?? 0) + n;
  });
  return hours;
}

export async function hourlyFigures(q: OpsQueries, timeZone: string, nowMs: number): Promise<HourlyFigures> {
  const day = localDayRange(timeZone, nowMs);
  const previous = Array.from({ length: 7 }, (_, i) => localDayRange(timeZone, nowMs, i + 1));
  const [today, ...week] = await Promise.all([day, ...previous].map((d) => localDayByHour(q, timeZone, d)));
  const sum = new Array<number>(24).fill(0);
  for (const d of week) d.forEach((n, h) => (sum[h] = (sum[h] ?? 0) + n));
  return {
    day,
    today: today as number[],
    weekAverage: sum.map((n) => Math.round((n / 7) * 10) / 10),
    weekTotal: sum.reduce((a, b) => a + b, 0),
  };
}
