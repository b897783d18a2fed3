/**
 * Operations room: GET /dashboard (every figure of the page: 8 local days by hour, checkpoints,
 * verdicts, fleet, HTML) over loopback with N check-ins spread over the last 8 days. Floor: the
 * same aggregates as bare SQL on a direct better-sqlite3 connection to the same file, in the same
 * run (no seam, no HTTP, no HTML). Ratio = floor / dashboard (1 = no overhead; higher is better).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCentral } from '../server/app.js';
import { CENTRAL_DB_FILE } from '../server/db.js';
import { localDayRange } from '../server/ops/local-time.js';
import { openSqliteStorage } from '../server/storage/sqlite-storage.js';
import { silentLogger, systemClock, uuidv7Source } from '../src/core/system.js';
import type { CheckIn } from '../src/shared/types.js';
import { latencyStats, timeIt, type Row } from './lib.js';

const N = Number(process.env.BENCH_OPS_N ?? 200_000);
const RUNS = 15;
const ZONE = 'Asia/Ho_Chi_Minh';
const CHECKPOINTS = Array.from({ length: 55 }, (_, i) => `CP-${String(i).padStart(2, '0')}`);

function bareFigures(db: Database.Database, nowMs: number): number {
  const day = localDayRange(ZONE, nowMs);
  let touched = 0;
  const byHour = db.prepare('SELECT (scanned_ms - @from) / 3600000 AS h, count(*) AS n FROM checkins WHERE scanned_ms >= @from AND scanned_ms < @to GROUP BY h');
  for (let d = 0; d <= 7; d++) {
    const r = localDayRange(ZONE, nowMs, d);
    touched += (byHour.all({ from: BigInt(r.fromMs), to: BigInt(r.toMs) }) as unknown[]).length;
  }
  const range = { from: day.fromMs, to: day.toMs };
  db.prepare('SELECT count(*), count(DISTINCT sender_device_id), count(DISTINCT checkpoint_id) FROM checkins WHERE scanned_ms >= @from AND scanned_ms < @to').get(range);
  touched += (db.prepare('SELECT checkpoint_id, count(*) AS n FROM checkins WHERE scanned_ms >= @from AND scanned_ms < @to GROUP BY checkpoint_id ORDER BY n DESC LIMIT 500').all(range) as unknown[]).length;
  touched += (db.prepare('SELECT verdict, count(*) FROM checkins WHERE scanned_ms >= @from AND scanned_ms < @to GROUP BY verdict').all(range) as unknown[]).length;
  db.prepare('SELECT count(*) FROM checkins').get();
  touched += (db.prepare('SELECT d.id FROM devices d LEFT JOIN heartbeats h ON h.device_id = d.id LIMIT 5000').all() as unknown[]).length;
  return touched;
}

function makeCheckIns(nowMs: number): CheckIn[] {
  const start = localDayRange(ZONE, nowMs, 7).fromMs;
  const span = nowMs - start;
  const ids = uuidv7Source();
  return Array.from({ length: N }, (_, j) => ({
    id: ids.next(),
    deviceId: `kiosk-${j % 200}`,
    checkpointId: CHECKPOINTS[j % CHECKPOINTS.length] as string,
    direction: 'in',
    // Spread evenly, never on the hour (an odd step in ms).
    scannedAt: new Date(start + Math.floor((j / N) * span) + (j % 997)).toISOString(),
    format: 'cccd',
    verdict: j % 17 === 0 ? 'reject' : j % 7 === 0 ? 'refer' : 'accept',
    reasons: [],
    subject: { idType: 'cccd', idNo: `0010${String(j).padStart(8, '0')}` },
  }));
}

async function seed(dir: string, checkIns: readonly CheckIn[], nowMs: number): Promise<void> {
  const storage = openSqliteStorage(dir);
  for (let i = 0; i < checkIns.length; i += 1000) await storage.ingestCheckIns(`kiosk-${(i / 1000) % 200}`, checkIns.slice(i, i + 1000), new Date(nowMs).toISOString());
  await storage.close();
}

/** GET /dashboard and the bare SQL floor, RUNS times each, alternating, after a warm-up. */
async function measure(dir: string, nowMs: number): Promise<{ page: number[]; floor: number[] }> {
  const central = await startCentral({ dataDir: dir, port: 0, logger: silentLogger, clock: systemClock });
  const direct = new Database(join(dir, CENTRAL_DB_FILE), { readonly: true });
  try {
    const url = `${central.url}/dashboard`;
    // Bearer, as a script would: a `?token=` link is answered 303 (the sign-in), not the page.
    const admin = { headers: { authorization: `Bearer ${central.adminToken}` } };
    // Warm up both paths (statement caches, page cache, the JIT).
    for (let i = 0; i < 3; i++) {
      await (await fetch(url, admin)).text();
      bareFigures(direct, nowMs);
    }
    const page: number[] = [];
    const floor: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      page.push((await timeIt(async () => (await fetch(url, admin)).text())).ms);
      floor.push((await timeIt(() => bareFigures(direct, nowMs))).ms);
    }
    return { page, floor };
  } finally {
    direct.close();
    await central.close();
  }
}

export async function run(): Promise<Row[]> {
  const week = mkdtempSync(join(tmpdir(), 'ck-ops-'));
  const day = mkdtempSync(join(tmpdir(), 'ck-ops-day-'));
  try {
    const nowMs = systemClock.now();
    const all = makeCheckIns(nowMs);
    // The same today, without the 7 days before: what the dashboard costs with no history.
    const todayFrom = localDayRange(ZONE, nowMs).fromMs;
    const todayOnly = all.filter((c) => Date.parse(c.scannedAt) >= todayFrom);
    await seed(week, all, nowMs);
    await seed(day, todayOnly, nowMs);
    const w = await measure(week, nowMs);
    const d = await measure(day, nowMs);
    const p = latencyStats(w.page);
    const f = latencyStats(w.floor);
    const p1 = latencyStats(d.page);
    return [
      { bench: 'ops', metric: `GET /dashboard p50 (${N} check-ins over 8 days)`, value: p.p50, unit: 'ms', floor: f.p50, ratio: f.p50 / p.p50, ratioMeaning: 'bare SQL of the same figures / dashboard' },
      { bench: 'ops', metric: `GET /dashboard p99 (${N} check-ins over 8 days)`, value: p.p99, unit: 'ms', floor: f.p99, ratio: f.p99 / p.p99, ratioMeaning: 'bare SQL of the same figures / dashboard' },
      {
        bench: 'ops',
        metric: `GET /dashboard p50, today + 7 days (${N}) vs today only (${todayOnly.length})`,
        value: p.p50,
        unit: 'ms',
        floor: p1.p50,
        ratio: p1.p50 / p.p50,
        ratioMeaning: 'dashboard with 1 day of rows / with 8 days (1 = cost independent of history)',
      },
    ];
  } finally {
    rmSync(week, { recursive: true, force: true });
    rmSync(day, { recursive: true, force: true });
  }
}
