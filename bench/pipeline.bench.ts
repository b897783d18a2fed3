/**
 * Durable check-ins per second through the whole pipeline (CCCD input: detect, parse, policy,
 * duplicate check, check-in + outbox in one synchronous=FULL transaction) against the floor:
 * bare better-sqlite3 inserts of the same rows with the same pragmas, one transaction each.
 * Also p50/p99 from line received (ScanEvent handed over) to commit.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { KioskService } from '../src/app/kiosk.js';
import { silentLogger, systemClock, systemTimers, uuidv7Source } from '../src/core/system.js';
import { openStore } from '../src/store/index.js';
import { aimed, latencyStats, type Row } from './lib.js';

const N = Number(process.env.BENCH_PIPELINE_N ?? 3000);

/** Distinct, valid CCCD payloads (province 001, 1900s, male, born 1990) so nothing is a duplicate. */
function cccd(i: number): string {
  const serial = String(100000 + i).slice(-6);
  return `001090${serial}|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021`;
}

function bareInserts(dir: string, n: number): number {
  const db = new Database(join(dir, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE checkins (id TEXT PRIMARY KEY, scanned_at TEXT, body TEXT); CREATE TABLE outbox (id TEXT PRIMARY KEY)');
  const ins = db.prepare('INSERT INTO checkins VALUES (?, ?, ?)');
  const out = db.prepare('INSERT INTO outbox VALUES (?)');
  const tx = db.transaction((id: string, body: string) => {
    ins.run(id, new Date().toISOString(), body);
    out.run(id);
  });
  const ids = uuidv7Source();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) tx(ids.next(), JSON.stringify({ format: 'cccd', subject: { idNo: cccd(i).slice(0, 12) } }));
  const ms = performance.now() - t0;
  db.close();
  return (n / ms) * 1000;
}

async function pipeline(dir: string, n: number): Promise<{ rate: number; latencies: number[] }> {
  const store = openStore({ dir: join(dir, 'kiosk'), logger: silentLogger, clock: systemClock });
  const kiosk = new KioskService({
    store,
    scanners: [],
    config: { deviceId: 'bench', checkpointId: 'bench', direction: 'in' },
    clock: systemClock,
    timers: systemTimers,
    ids: uuidv7Source(),
    logger: silentLogger,
  });
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const received = performance.now();
    const outcome = await kiosk.submit({ source: 'sim', deviceId: 'bench', text: cccd(i), receivedAt: Date.now() });
    latencies.push(performance.now() - received);
    if (outcome?.kind !== 'checkin') throw new Error(`scan ${i} was not recorded: ${JSON.stringify(outcome)}`);
  }
  const ms = performance.now() - t0;
  await kiosk.stop();
  return { rate: (n / ms) * 1000, latencies };
}

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-bench-'));
  try {
    // Warm both paths once so JIT and file creation are not measured.
    bareInserts(mkdtempSync(join(dir, 'w')), 200);
    await pipeline(mkdtempSync(join(dir, 'w')), 200);
    const floor = bareInserts(dir, N);
    const { rate, latencies } = await pipeline(dir, N);
    const lat = latencyStats(latencies);
    return [
      aimed({ bench: 'pipeline', metric: 'durable check-ins/s (CCCD)', value: rate, unit: '1/s', floor, ratio: rate / floor, ratioMeaning: 'pipeline / bare insert, same pragmas' }, '≥ 0.8'),
      { bench: 'pipeline', metric: 'scan → commit p50', value: lat.p50, unit: 'ms' },
      { bench: 'pipeline', metric: 'scan → commit p99', value: lat.p99, unit: 'ms' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
