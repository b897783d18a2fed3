/**
 * The cost of sealing identity fields at rest on the scan → commit latency: two kiosks in the same
 * process, fed alternately with the same kind of CCCD scans — one with the real store (subject
 * sealed with AES-256-GCM, duplicate hash peppered), one whose seal is swapped for a pass-through
 * that writes the subject as clear JSON (what the store did before sealing). Same disk, same
 * pragmas, same run; the floor is the pass-through kiosk. Aim: p50 and p99 ≤ 1.10 × the floor.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Subject } from '../src/shared/types.js';
import { KioskService } from '../src/app/kiosk.js';
import { silentLogger, systemClock, systemTimers, uuidv7Source } from '../src/core/system.js';
import { openStore } from '../src/store/index.js';
import { aimed, latencyStats, type Row } from './lib.js';

const N = Number(process.env.BENCH_PRIVACY_N ?? 2000);

function cccd(i: number): string {
  return `001090${String(100000 + i).slice(-6)}|123456789|Nguyễn Văn An ${i}|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021`;
}

/**
 * What the store wrote before sealing: the subject as JSON text. (The duplicate hash is the store's
 * own in both kiosks: one HMAC since schema v6, its key bound when the store opened; `pepper` is
 * only reached for rows from before v6.)
 */
const passThrough = {
  seal: (subject: Subject) => JSON.stringify(subject),
  open: (value: Buffer | string) => JSON.parse(String(value)) as Subject,
  pepper: (hash: Buffer) => hash,
};

function kiosk(dir: string, clear: boolean): KioskService {
  const store = openStore({ dir, logger: silentLogger, clock: systemClock });
  // Bench only: the store keeps its seal in a private field; nothing in the product can do this.
  // (The store binds whatever seal() returns as the subject column: text here, as before sealing.)
  if (clear) (store as unknown as { seal: unknown }).seal = passThrough;
  return new KioskService({
    store,
    scanners: [],
    config: { deviceId: 'bench', checkpointId: 'bench', direction: 'in' },
    clock: systemClock,
    timers: systemTimers,
    ids: uuidv7Source(),
    logger: silentLogger,
  });
}

async function scan(k: KioskService, i: number, into: number[]): Promise<void> {
  const t0 = performance.now();
  const outcome = await k.submit({ source: 'sim', deviceId: 'bench', text: cccd(i), receivedAt: Date.now() });
  into.push(performance.now() - t0);
  if (outcome?.kind !== 'checkin') throw new Error(`scan ${i} was not recorded`);
}

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-bench-privacy-'));
  try {
    const sealed = kiosk(join(dir, 'sealed'), false);
    const clear = kiosk(join(dir, 'clear'), true);
    const withSeal: number[] = [];
    const without: number[] = [];
    // Warm-up, then alternate so both see the same disk and machine load.
    for (let i = 0; i < 100; i++) {
      await scan(sealed, i, []);
      await scan(clear, i, []);
    }
    for (let i = 100; i < N + 100; i++) {
      if (i % 2) {
        await scan(sealed, i, withSeal);
        await scan(clear, i, without);
      } else {
        await scan(clear, i, without);
        await scan(sealed, i, withSeal);
      }
    }
    await sealed.stop();
    await clear.stop();
    const a = latencyStats(withSeal);
    const b = latencyStats(without);
    return [
      aimed({ bench: 'privacy', metric: 'scan → commit p50, sealed', value: a.p50, unit: 'ms', floor: b.p50, ratio: a.p50 / b.p50, ratioMeaning: 'sealed / clear, same run' }, '≤ 1.10'),
      aimed({ bench: 'privacy', metric: 'scan → commit p99, sealed', value: a.p99, unit: 'ms', floor: b.p99, ratio: a.p99 / b.p99, ratioMeaning: 'sealed / clear, same run' }, '≤ 1.10'),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
