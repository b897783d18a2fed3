/**
 * Plants an operations-room scenario in a running central server through the real protocol
 * (enroll, heartbeat, check-ins over HTTP): kiosks in every fleet state, check-ins today at
 * minutes and seconds that are never on the hour, the previous 7 days, and a traced person with
 * contacts. The server's clock is `clock` (moved by the caller as needed).
 */
import { expect } from 'vitest';
import type { CentralServer } from '../../server/app.js';
import { addEnrollmentCode } from '../../server/enrollment.js';
import { uuidv7Source } from '../../src/core/system.js';
import type { CheckIn, VerdictKind } from '../../src/shared/types.js';

/** "Now" of the scenario: 16:41:27.250 in Hanoi (UTC+7) on 25 Nov 2026. */
export const OPS_NOW = Date.parse('2026-11-25T09:41:27.250Z');
/** Local midnight of that day in Hanoi. */
export const OPS_DAY_START = Date.parse('2026-11-24T17:00:00Z');
const HOUR = 3_600_000;
const MIN = 60_000;

/** Local Hanoi wall time today (h:m:s.ms) → UTC ms. */
export function hanoiToday(h: number, m: number, s = 0, ms = 0): number {
  return OPS_DAY_START + h * HOUR + m * MIN + s * 1000 + ms;
}

export interface PlantedCheckIn {
  at: number;
  checkpointId: string;
  verdict: VerdictKind;
  idNo: string;
  name?: string;
}

/** Today's check-ins: counts per local hour 07:2, 09:1, 11:3, 13:1, 16:2 — none on the hour. */
export const TODAY: PlantedCheckIn[] = [
  { at: hanoiToday(0, 0, 0, 0), checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '001090000101' },
  { at: hanoiToday(7, 13, 7, 311), checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '001090000102' },
  { at: hanoiToday(7, 48, 59, 999), checkpointId: 'QL5-CauThanhTri', verdict: 'refer', idNo: '001090000103' },
  { at: hanoiToday(9, 5, 31, 20), checkpointId: 'QL1A-PhapVan', verdict: 'reject', idNo: '001090000104' },
  { at: hanoiToday(11, 0, 0, 1), checkpointId: 'QL32-TramTroi', verdict: 'accept', idNo: '001090000105' },
  { at: hanoiToday(11, 29, 44, 0), checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '001090000001', name: 'Nguyễn Văn An' },
  { at: hanoiToday(11, 59, 59, 999), checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '001090000106' },
  { at: hanoiToday(13, 30, 0, 500), checkpointId: 'QL5-CauThanhTri', verdict: 'accept', idNo: '001090000107' },
  { at: hanoiToday(16, 2, 3, 4), checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '001090000108' },
  { at: hanoiToday(16, 40, 1, 2), checkpointId: 'QL32-TramTroi', verdict: 'refer', idNo: '001090000109' },
];
/** Per local hour of TODAY (00:00:00.000 counts in hour 0). */
export const TODAY_BY_HOUR: Record<number, number> = { 0: 1, 7: 2, 9: 1, 11: 3, 13: 1, 16: 2 };

/**
 * The previous 7 days: every day 3 check-ins in hour 08 (08:20:10) and 1 in hour 17 (17:45:30);
 * plus the last millisecond of yesterday (23:59:59.999) once, and one 8 days ago that must not count.
 */
export const WEEK: PlantedCheckIn[] = [
  ...Array.from({ length: 7 }, (_, d) => [
    ...[0, 1, 2].map((i) => ({ at: hanoiToday(8, 20, 10 + i) - (d + 1) * 24 * HOUR, checkpointId: 'QL1A-PhapVan', verdict: 'accept' as const, idNo: `00109100${d}${i}00` })),
    { at: hanoiToday(17, 45, 30) - (d + 1) * 24 * HOUR, checkpointId: 'QL5-CauThanhTri', verdict: 'accept' as const, idNo: `00109200${d}000` },
  ]).flat(),
  { at: OPS_DAY_START - 1, checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '001093000001' },
  { at: hanoiToday(8, 20, 10) - 8 * 24 * HOUR, checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '001093000002' },
];
/** 7-day average per local hour: hour 8 = 21/7 = 3, hour 17 = 7/7 = 1, hour 23 = 1/7 → 0.1. */
export const WEEK_AVERAGE_BY_HOUR: Record<number, number> = { 8: 3, 17: 1, 23: 0.1 };

/** The traced person (001090000001, 11:29:44 at QL1A-PhapVan) and who was near them (±30 min). */
export const TRACED_ID = '001090000001';
export const CONTACTS: PlantedCheckIn[] = [
  { at: hanoiToday(11, 10, 5), checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '079200001111', name: 'Trần Thị Bình' },
  { at: hanoiToday(11, 52, 40), checkpointId: 'QL1A-PhapVan', verdict: 'refer', idNo: '079200002222', name: 'Lê Văn Cường' },
];
/** Same checkpoint but 31+ minutes away, or within the window at another checkpoint: not contacts. */
export const NOT_CONTACTS: PlantedCheckIn[] = [
  { at: hanoiToday(12, 1, 0), checkpointId: 'QL1A-PhapVan', verdict: 'accept', idNo: '079200003333', name: 'Phạm Thị Dung' },
  { at: hanoiToday(11, 30, 0), checkpointId: 'QL5-CauThanhTri', verdict: 'accept', idNo: '079200004444', name: 'Hoàng Văn Em' },
];

async function post(central: CentralServer, path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(central.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
}

/** Enrolls a kiosk through the protocol; returns its device token. */
export async function enrollKiosk(central: CentralServer, name: string, nowMs: number): Promise<string> {
  const code = `SEED-${name}`;
  await addEnrollmentCode(central.storage, code, nowMs);
  const r = await post(central, '/api/v1/enroll', { code, device: { name, version: '0.1.0', platform: 'linux' } });
  return r.token as string;
}

export function toCheckIn(p: PlantedCheckIn, deviceId: string, ids: { next(): string }): CheckIn {
  return {
    id: ids.next(),
    deviceId,
    checkpointId: p.checkpointId,
    direction: 'in',
    scannedAt: new Date(p.at).toISOString(),
    format: 'cccd',
    verdict: p.verdict,
    reasons: p.verdict === 'accept' ? ['identity-only'] : [],
    subject: { idType: 'cccd', idNo: p.idNo, ...(p.name ? { name: p.name } : {}) },
  } as CheckIn;
}

export async function sendCheckIns(central: CentralServer, token: string, planted: PlantedCheckIn[], deviceId = 'kiosk-seed'): Promise<CheckIn[]> {
  const ids = uuidv7Source({ now: () => OPS_NOW });
  const records = planted.map((p) => toCheckIn(p, deviceId, ids));
  const r = await post(central, '/api/v1/checkins', { checkins: records }, token);
  expect(r.accepted).toHaveLength(records.length);
  return records;
}

export interface FleetScenario {
  tokens: Record<string, string>;
}

/**
 * Five kiosks, one per state: ok, stale heartbeat, old queue, clock offset, old trust bundle;
 * and one that never sent a heartbeat. `setNow` moves the server's clock (heartbeats are stamped
 * with the server's receive time). The server must have started ≥ 2 h before OPS_NOW so that its
 * bundle is old enough for `old-trust` to apply.
 */
export async function plantFleet(central: CentralServer, setNow: (ms: number) => void, bundleIssuedAt: string): Promise<FleetScenario> {
  const tokens: Record<string, string> = {};
  for (const name of ['kiosk-ok', 'kiosk-stale', 'kiosk-queue', 'kiosk-clock', 'kiosk-trust', 'kiosk-silent']) tokens[name] = await enrollKiosk(central, name, OPS_NOW - 3 * HOUR);
  const hb = (over: Record<string, unknown>) => ({ queueDepth: 0, oldestPendingAt: null, lastScanAt: null, scanners: [], trustIssuedAt: bundleIssuedAt, version: '0.1.0', clockOffsetMs: 850, ...over });
  setNow(OPS_NOW - 47 * MIN - 13_000);
  await post(central, '/api/v1/heartbeat', hb({}), tokens['kiosk-stale']);
  setNow(OPS_NOW - 61_500);
  await post(central, '/api/v1/heartbeat', hb({ queueDepth: 4 }), tokens['kiosk-ok']);
  await post(central, '/api/v1/heartbeat', hb({ queueDepth: 312, oldestPendingAt: new Date(OPS_NOW - 2 * HOUR - 7 * MIN).toISOString() }), tokens['kiosk-queue']);
  await post(central, '/api/v1/heartbeat', hb({ clockOffsetMs: -(6 * MIN + 12_345) }), tokens['kiosk-clock']);
  await post(central, '/api/v1/heartbeat', hb({ trustIssuedAt: new Date(Date.parse(bundleIssuedAt) - 5 * 24 * HOUR).toISOString(), version: '0.0.9' }), tokens['kiosk-trust']);
  setNow(OPS_NOW);
  return { tokens };
}
