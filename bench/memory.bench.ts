/**
 * Resident memory after 100,000 scans through the pipeline (README.md): the service must not
 * grow with the number of check-ins it has recorded. Floor: the resident memory of the same
 * process with the service built and 1,000 scans done (warm), so the ratio shows growth.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KioskService } from '../src/app/kiosk.js';
import { silentLogger, systemClock, systemTimers, uuidv7Source } from '../src/core/system.js';
import { openStore } from '../src/store/index.js';
import type { Row } from './lib.js';

const N = Number(process.env.BENCH_MEMORY_N ?? 100_000);
const WARM = 1000;

const cccd = (i: number) => `001090${String(i % 1_000_000).padStart(6, '0')}|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021`;
const rssMiB = () => process.memoryUsage().rss / 2 ** 20;

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-mem-'));
  try {
    const store = openStore({ dir, logger: silentLogger, clock: systemClock });
    const kiosk = new KioskService({ store, scanners: [], config: { deviceId: 'bench', checkpointId: 'bench', direction: 'in' }, clock: systemClock, timers: systemTimers, ids: uuidv7Source(), logger: silentLogger });
    for (let i = 0; i < WARM; i++) await kiosk.submit({ source: 'sim', deviceId: 'bench', text: cccd(i), receivedAt: Date.now() });
    global.gc?.();
    const warm = rssMiB();
    for (let i = WARM; i < N; i++) await kiosk.submit({ source: 'sim', deviceId: 'bench', text: cccd(i), receivedAt: Date.now() });
    global.gc?.();
    const after = rssMiB();
    await kiosk.stop();
    return [{ bench: 'memory', metric: `resident memory after ${N} scans`, value: after, unit: 'MiB', floor: warm, ratio: after / warm, ratioMeaning: `rss after ${N} / after ${WARM} scans` }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
