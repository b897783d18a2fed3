/**
 * Every query of the operations room against a real storage (SQLite file in a temp dir), with
 * timestamps that are never on the hour: hourly counts (today and the 7-day average) in Hanoi,
 * in a zone offset by 45 minutes and on both DST days of a European zone, per checkpoint, the
 * verdict mix, activity, devices with their latest heartbeat, tracing; then the same figures
 * through GET /api/v1/stats and the tracing CSV through HTTP (a POSTed form). The queries run on both storage
 * backends: SQLite in a temp dir and a throwaway PostgreSQL cluster started here.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { hourlyFigures } from '../../server/ops/hourly.js';
import { loadOverview } from '../../server/ops/overview.js';
import { DEFAULT_FLEET_THRESHOLDS } from '../../server/ops/fleet.js';
import { storageOpsQueries } from '../../server/ops/storage-queries.js';
import type { OpsQueries } from '../../server/ops/queries.js';
import { openStorage } from '../../server/storage/open.js';
import { openSqliteStorage } from '../../server/storage/sqlite-storage.js';
import type { CentralStorage } from '../../server/storage/types.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import type { Stats } from '../../server/stats.js';
import { CONTACTS, NOT_CONTACTS, OPS_DAY_START, OPS_NOW, TODAY, TODAY_BY_HOUR, TRACED_ID, WEEK, WEEK_AVERAGE_BY_HOUR, plantFleet, sendCheckIns, toCheckIn } from '../helpers/ops-seed.js';
import type { PlantedCheckIn } from '../helpers/ops-seed.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';
import { pgBackend } from '../helpers/postgres.js';

const HOUR = 3_600_000;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

function hours(byHour: Record<number, number>): number[] {
  return Array.from({ length: 24 }, (_, h) => byHour[h] ?? 0);
}

describe.each(['sqlite', 'postgres'] as const)('operations room queries on %s', (backend) => {
  const pg = pgBackend(backend);
  let dir: string;
  let storage: CentralStorage;
  let ops: OpsQueries;
  const ids = uuidv7Source({ now: () => OPS_NOW });
  const put = (planted: PlantedCheckIn[], sender = 'dev-a') => storage.ingestCheckIns(sender, planted.map((p) => toCheckIn(p, sender, ids)), new Date(OPS_NOW).toISOString());


  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-q-'));
    const database = await pg.database();
    storage = database ? await openStorage({ database }) : openSqliteStorage(dir);
    ops = storageOpsQueries(storage);
  });

  afterEach(async () => {
    await storage.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts whole hours from a local midnight, including both edges, never a fraction', async () => {
    await put([
      { at: OPS_DAY_START, checkpointId: 'a', verdict: 'accept', idNo: '1' },
      { at: OPS_DAY_START + 37 * 60_000 + 12_345, checkpointId: 'a', verdict: 'accept', idNo: '2' },
      { at: OPS_DAY_START + 5 * HOUR + 59 * 60_000 + 59_999, checkpointId: 'a', verdict: 'accept', idNo: '3' },
      { at: OPS_DAY_START + 24 * HOUR - 1, checkpointId: 'a', verdict: 'accept', idNo: '4' },
      { at: OPS_DAY_START + 24 * HOUR, checkpointId: 'a', verdict: 'accept', idNo: '5' },
      { at: OPS_DAY_START - 1, checkpointId: 'a', verdict: 'accept', idNo: '6' },
    ]);
    const counts = await ops.countByHour(OPS_DAY_START, 24);
    expect(counts).toEqual(hours({ 0: 2, 5: 1, 23: 1 }));
    await expect(ops.countByHour(OPS_DAY_START + 0.5, 24)).rejects.toThrow(/integer/);
    await expect(ops.countByHour(OPS_DAY_START, 10_000)).rejects.toThrow(/hours must be/);
  });

  it('gives today per local hour and the 7-day average per hour (Hanoi)', async () => {
    await put([...TODAY, ...WEEK]);
    const f = await hourlyFigures(ops, 'Asia/Ho_Chi_Minh', OPS_NOW);
    expect(f.day).toEqual({ fromMs: OPS_DAY_START, toMs: OPS_DAY_START + 24 * HOUR });
    expect(f.today).toEqual(hours(TODAY_BY_HOUR));
    expect(f.weekAverage).toEqual(hours(WEEK_AVERAGE_BY_HOUR));
    expect(f.weekTotal).toBe(7 * 4 + 1);
  });

  it('maps hours right in a zone offset by 45 minutes (Asia/Kathmandu)', async () => {
    // 25 Nov 2026 in Kathmandu (UTC+5:45) starts at 24 Nov 18:15Z.
    const midnight = Date.parse('2026-11-24T18:15:00Z');
    await put([
      { at: midnight + 5 * 60_000 + 1, checkpointId: 'a', verdict: 'accept', idNo: '1' }, // 00:05 local
      { at: midnight + 10 * HOUR + 50 * 60_000, checkpointId: 'a', verdict: 'accept', idNo: '2' }, // 10:50 local
      { at: midnight + 10 * HOUR + 59 * 60_000 + 59_999, checkpointId: 'a', verdict: 'accept', idNo: '3' }, // 10:59:59.999
      { at: midnight - 60_000, checkpointId: 'a', verdict: 'accept', idNo: '4' }, // yesterday 23:59
    ]);
    const f = await hourlyFigures(ops, 'Asia/Kathmandu', Date.parse('2026-11-25T09:00:00Z'));
    expect(f.today).toEqual(hours({ 0: 1, 10: 2 }));
    expect(f.weekAverage[23]).toBe(0.1);
  });

  it('handles the days clocks change (Europe/Berlin: a 23-hour and a 25-hour day)', async () => {
    // 29 Mar 2026: 02:00 CET jumps to 03:00 CEST. 03:30 CEST = 01:30Z; 01:59 CET = 00:59Z.
    await put([
      { at: Date.parse('2026-03-29T00:59:30Z'), checkpointId: 'a', verdict: 'accept', idNo: '1' },
      { at: Date.parse('2026-03-29T01:30:00Z'), checkpointId: 'a', verdict: 'accept', idNo: '2' },
      { at: Date.parse('2026-03-29T21:45:10Z'), checkpointId: 'a', verdict: 'accept', idNo: '3' }, // 23:45 CEST
    ]);
    const spring = await hourlyFigures(ops, 'Europe/Berlin', Date.parse('2026-03-29T12:00:00Z'));
    expect(spring.day.toMs - spring.day.fromMs).toBe(23 * HOUR);
    expect(spring.today).toEqual(hours({ 1: 1, 3: 1, 23: 1 }));
    // 25 Oct 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice (00:30Z and 01:30Z).
    await put([
      { at: Date.parse('2026-10-25T00:30:00Z'), checkpointId: 'a', verdict: 'accept', idNo: '4' },
      { at: Date.parse('2026-10-25T01:30:00Z'), checkpointId: 'a', verdict: 'accept', idNo: '5' },
      { at: Date.parse('2026-10-25T22:59:59Z'), checkpointId: 'a', verdict: 'accept', idNo: '6' }, // 23:59:59 CET
    ]);
    const autumn = await hourlyFigures(ops, 'Europe/Berlin', Date.parse('2026-10-25T12:00:00Z'));
    expect(autumn.day.toMs - autumn.day.fromMs).toBe(25 * HOUR);
    expect(autumn.today).toEqual(hours({ 2: 2, 23: 1 }));
  });

  it('counts activity, checkpoints (busiest first, ties by id, limited) and verdicts in a range', async () => {
    await put(TODAY, 'dev-a');
    await put(CONTACTS, 'dev-b');
    const day = { fromMs: OPS_DAY_START, toMs: OPS_DAY_START + 24 * HOUR };
    expect(await ops.activity(day)).toEqual({ checkins: 12, devices: 2, checkpoints: 3 });
    expect(await ops.countByCheckpoint(day, 10)).toEqual([
      { checkpointId: 'QL1A-PhapVan', count: 8 },
      { checkpointId: 'QL32-TramTroi', count: 2 },
      { checkpointId: 'QL5-CauThanhTri', count: 2 },
    ]);
    expect(await ops.countByCheckpoint(day, 1)).toHaveLength(1);
    expect(await ops.countByVerdict(day)).toEqual([
      { verdict: 'accept', count: 8 },
      { verdict: 'refer', count: 3 },
      { verdict: 'reject', count: 1 },
    ]);
    const morning = { fromMs: OPS_DAY_START + 7 * HOUR + 13 * 60_000, toMs: OPS_DAY_START + 9 * HOUR + 5 * 60_000 + 31_020 };
    expect(await ops.activity(morning)).toEqual({ checkins: 2, devices: 1, checkpoints: 2 }); // to is exclusive
    expect(await ops.totalCheckIns()).toBe(12);
  });

  it('lists devices with their latest heartbeat, clock offset included; a silent one with nulls', async () => {
    for (const [name, code] of [
      ['kiosk-1', 'C1'],
      ['kiosk-2', 'C2'],
    ] as const) {
      await storage.addEnrollmentCode({ codeHash: sha(code), createdAtMs: OPS_NOW - HOUR, expiresAtMs: OPS_NOW + HOUR });
      expect(await storage.enrollDevice(sha(code), { id: `id-${name}`, name, version: '0.1.0', platform: 'linux', tokenHash: sha(`t-${name}`) }, OPS_NOW - HOUR)).toBe('enrolled');
    }
    await storage.recordHeartbeat(
      'id-kiosk-1',
      {
        queueDepth: 12,
        oldestPendingAt: '2026-11-25T08:11:09.000Z',
        lastScanAt: null,
        trustIssuedAt: '2026-11-24T01:02:03.000Z',
        version: '0.2.0',
        clockOffsetMs: -123_456,
        appliedConfigVersion: null,
        updateState: null,
        oldestIdentityAt: null,
        body: '{}',
      },
      OPS_NOW - 61_500,
    );
    const rows = await ops.devices(10);
    expect(rows).toEqual([
      {
        deviceId: 'id-kiosk-1',
        name: 'kiosk-1',
        enrolledAt: expect.any(String),
        lastHeartbeatMs: OPS_NOW - 61_500,
        queueDepth: 12,
        oldestPendingAt: '2026-11-25T08:11:09.000Z',
        clockOffsetMs: -123_456,
        trustIssuedAt: '2026-11-24T01:02:03.000Z',
        version: '0.2.0',
        oldestIdentityAt: null,
        reportedCheckpointId: null,
        reportedDirection: null,
        unreadableTimes: [],
      },
      { deviceId: 'id-kiosk-2', name: 'kiosk-2', enrolledAt: expect.any(String), lastHeartbeatMs: null, queueDepth: null, oldestPendingAt: null, clockOffsetMs: null, trustIssuedAt: null, version: null, oldestIdentityAt: null, reportedCheckpointId: null, reportedDirection: null, unreadableTimes: [] },
    ]);
    const o = await loadOverview(ops, { nowMs: OPS_NOW, timeZone: 'Asia/Ho_Chi_Minh', publishedTrustIssuedAtMs: Date.parse('2026-11-24T01:02:03.000Z'), ...DEFAULT_FLEET_THRESHOLDS });
    expect(o.fleet.map((d) => d.problems)).toEqual([['old-queue', 'clock-offset'], ['never-seen']]);
    expect(o.states).toEqual({ ok: 0, 'never-seen': 1, 'stale-heartbeat': 0, 'old-queue': 1, 'queue-age-unreadable': 0, 'clock-offset': 0, 'old-trust': 0, 'past-retention': 0 });
    expect(o.verdicts).toEqual({ accept: 0, refer: 0, reject: 0 });
  });

  it('traces a person: their check-ins and who was at the same checkpoint within ± minutes', async () => {
    await put([...TODAY, ...CONTACTS, ...NOT_CONTACTS]);
    const r = await ops.trace({ idNo: TRACED_ID, fromMs: OPS_DAY_START, toMs: OPS_NOW, windowMinutes: 30 });
    expect(r.landmarks).toHaveLength(1);
    // Not 11:00:00.001 (another checkpoint) nor 11:59:59.999 (30 min 16 s after, same checkpoint).
    expect(r.landmarks[0]?.nearby.map((c) => c.subject.idNo)).toEqual(CONTACTS.map((c) => c.idNo));
  });
});

describe('operations room over HTTP', () => {
  let now = OPS_NOW - 3 * HOUR;
  let dir: string;
  let central: CentralServer;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-http-'));
    central = await startCentral({ dataDir: dir, port: 0, logger: silentLogger, clock: { now: () => now } });
    const fleet = await plantFleet(central, (ms) => (now = ms), new Date(now).toISOString());
    const evil = { at: OPS_DAY_START + 11 * HOUR + 40 * 60_000 + 7, checkpointId: 'QL1A-PhapVan', verdict: 'accept' as const, idNo: '079200009999', name: '=HYPERLINK("http://x","a, b")' };
    await sendCheckIns(central, fleet.tokens['kiosk-ok'] as string, [...TODAY, ...WEEK, ...CONTACTS, ...NOT_CONTACTS, evil]);
  });

  afterAll(async () => {
    await central.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const admin = () => ({ authorization: `Bearer ${central.adminToken}` });
  const postForm = (route: string, body: URLSearchParams, headers: Record<string, string> = {}) =>
    fetch(`${central.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: body.toString() });

  it('serves the figures as JSON with hours that match the planted times', async () => {
    const s = (await (await fetch(`${central.url}/api/v1/stats`, { headers: admin() })).json()) as Stats;
    expect(s.timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(s.dayStart).toBe(new Date(OPS_DAY_START).toISOString());
    expect(s.byHour).toEqual(hours({ ...TODAY_BY_HOUR, 11: 3 + 2 + 1 + 1, 12: 1 }));
    expect(s.byHourSevenDayAverage).toEqual(hours(WEEK_AVERAGE_BY_HOUR));
    expect(s.checkinsToday).toBe(TODAY.length + CONTACTS.length + NOT_CONTACTS.length + 1);
    expect(s.sevenDayAverage).toBe(Math.round(((7 * 4 + 1) / 7) * 10) / 10);
    expect(s.verdicts).toEqual({ accept: 11, refer: 3, reject: 1 });
    expect(s.devicesByState).toEqual({ ok: 1, 'never-seen': 1, 'stale-heartbeat': 1, 'old-queue': 1, 'queue-age-unreadable': 0, 'clock-offset': 1, 'old-trust': 1, 'past-retention': 0 });
    expect(s.attention.map((d) => d.name).sort()).toEqual(['kiosk-clock', 'kiosk-queue', 'kiosk-silent', 'kiosk-stale', 'kiosk-trust']);
  });

  it('downloads the tracing answer as CSV: contacts only, local times, formulas defused', async () => {
    const q = new URLSearchParams({ idNo: TRACED_ID, from: '2026-11-25T00:00', to: '2026-11-25T16:41', windowMinutes: '30', lang: 'en' });
    expect((await postForm('/dashboard/trace.csv', q)).status).toBe(401);
    const res = await postForm('/dashboard/trace.csv', q, admin());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="trace-2026-11-25.csv"');
    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await res.arrayBuffer());
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('Landmark: Time,Checkpoint,Landmark: Direction,Contacts: Time,Minutes apart,ID type,ID number (CCCD/CMND/passport),Name,Verdict,Direction,check-in id,Scans without identity nearby,Near landmarks: count,Near landmarks: first (check-in id),Near landmarks: last (check-in id)');
    const contactIds = lines.slice(1).map((l) => l.split(',')[6]);
    expect(contactIds).toEqual(['079200001111', '079200009999', '079200002222']);
    const trann = lines.find((l) => l.includes('079200001111')) as string;
    expect(trann.startsWith('2026-11-25T11:29:44+07:00,QL1A-PhapVan,in,2026-11-25T11:10:05+07:00,-20,cccd,079200001111,Trần Thị Bình,Accepted,in,')).toBe(true);
    expect(csv).toContain(`"'=HYPERLINK(""http://x"",""a, b"")"`);
    for (const c of NOT_CONTACTS) expect(csv).not.toContain(c.idNo);
    const bad = await postForm('/dashboard/trace.csv', new URLSearchParams({ idNo: 'x', from: 'yesterday', to: 'now', token: central.adminToken }));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^from:/);
  });

  it('shows the empty tracing form, explains a refused query in the page language, and 404s an unknown asset', async () => {
    const page = await (await getSignedIn(`${central.url}/dashboard`, await signIn(central.url, central.adminToken))).text();
    expect(page).toContain('name="idNo" required');
    expect(page).not.toContain('data-trace-answer');
    const reversed = new URLSearchParams({ token: central.adminToken, idNo: TRACED_ID, from: '2026-11-25T10:00', to: '2026-11-25T09:00', windowMinutes: '30' });
    const refused = await (await postForm('/dashboard', reversed)).text();
    expect(refused).toContain('data-trace-answer="error">Không thể truy vết: &quot;Đến&quot; phải sau &quot;Từ&quot;.');
    expect(refused).toContain('value="2026-11-25T10:00"'); // what the officer typed stays in the form
    expect((await fetch(`${central.url}/assets/..%2Fapp.ts`)).status).toBe(404);
    expect((await fetch(`${central.url}/assets/uplot.iife.min.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('refuses an unknown time zone before creating anything', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-tz-'));
    await expect(startCentral({ dataDir: empty, port: 0, logger: silentLogger, clock: { now: () => now }, timeZone: 'Asia/Hanoi' })).rejects.toThrow(/unknown time zone "Asia\/Hanoi"/);
    expect(fs.readdirSync(empty)).toEqual([]);
    fs.rmSync(empty, { recursive: true, force: true });
  });
});
