/**
 * Everything the operations room shows at one instant, gathered through OpsQueries: today's
 * activity, check-ins per local hour against the 7-day average, per checkpoint, the verdict mix
 * and the fleet. The dashboard sections and GET /api/v1/stats both render this one model.
 */
import type { VerdictKind } from '../../src/shared/types.js';
import { countByState, judgeDevice } from './fleet.js';
import type { DeviceState, FleetDevice, FleetThresholds } from './fleet.js';
import { hourlyFigures } from './hourly.js';
import type { HourlyFigures } from './hourly.js';
import { localDate } from './local-time.js';
import type { ActivitySummary, CheckpointCount, OpsQueries } from './queries.js';

export const OVERVIEW_LIMITS = { checkpoints: 500, devices: 5000 } as const;
export const VERDICTS: readonly VerdictKind[] = ['accept', 'refer', 'reject'];

export interface OverviewOptions extends FleetThresholds {
  nowMs: number;
  /** IANA zone of "today" and of every time shown. */
  timeZone: string;
  /** `issuedAt` (ms) of the trust bundle the server publishes. */
  publishedTrustIssuedAtMs: number;
}

export interface Overview {
  nowMs: number;
  timeZone: string;
  /** Local date of today, YYYY-MM-DD. */
  date: string;
  today: ActivitySummary;
  /** Mean check-ins per day over the 7 local days before today (one decimal). */
  weekDailyAverage: number;
  hourly: HourlyFigures;
  byCheckpoint: CheckpointCount[];
  /** Today's check-ins per verdict, every verdict present (0 when none). */
  verdicts: Record<VerdictKind, number>;
  fleet: FleetDevice[];
  states: Record<DeviceState, number>;
  totalCheckins: number;
}

export async function loadOverview(q: OpsQueries, o: OverviewOptions): Promise<Overview> {
  const hourly = await hourlyFigures(q, o.timeZone, o.nowMs);
  const [today, byCheckpoint, verdictRows, devices, totalCheckins] = await Promise.all([
    q.activity(hourly.day),
    q.countByCheckpoint(hourly.day, OVERVIEW_LIMITS.checkpoints),
    q.countByVerdict(hourly.day),
    q.devices(OVERVIEW_LIMITS.devices),
    q.totalCheckIns(),
  ]);
  const verdicts = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<VerdictKind, number>;
  for (const r of verdictRows) if (r.verdict in verdicts) verdicts[r.verdict] += Number(r.count);
  const fleet = devices.map((d) => judgeDevice(d, o.nowMs, o.publishedTrustIssuedAtMs, o));
  return {
    nowMs: o.nowMs,
    timeZone: o.timeZone,
    date: localDate(o.timeZone, o.nowMs),
    today,
    weekDailyAverage: Math.round((hourly.weekTotal / 7) * 10) / 10,
    hourly,
    byCheckpoint,
    verdicts,
    fleet,
    states: countByState(fleet),
    totalCheckins,
  };
}
