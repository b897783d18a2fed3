/**
 * `verify` cold start: from process start to its JSON line on stdout, for the built command (what
 * `npm ci` produces and the bin runs), against the floor `node -e 0` (start → exit) on the same
 * machine in the same run. Runs alternate so that load changes hit both alike; medians.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { builtCli, REPO_ROOT } from './built.js';
import { aimed, percentile, type Row } from './lib.js';

const RUNS = Number(process.env.BENCH_COLDSTART_N ?? 21);
const PAYLOAD = '079090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';

/** ms from spawn to the first stdout line (or to exit when `untilExit`). */
function timed(args: string[], untilExit: boolean): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      resolvePromise(performance.now() - t0);
    };
    if (!untilExit) child.stdout.on('data', (d: Buffer) => d.includes(10) && finish());
    child.on('error', reject);
    child.on('exit', (code) => (untilExit || done ? finish() : reject(new Error(`verify exited ${code} without a JSON line`))));
  });
}

export async function run(): Promise<Row[]> {
  const cli = builtCli();
  const verify: number[] = [];
  const bare: number[] = [];
  await timed([cli, 'verify', PAYLOAD], false); // warm the file cache
  for (let i = 0; i < RUNS; i++) {
    bare.push(await timed(['-e', '0'], true));
    verify.push(await timed([cli, 'verify', PAYLOAD], false));
  }
  const med = (xs: number[]) => percentile([...xs].sort((a, b) => a - b), 50);
  const v = med(verify);
  const f = med(bare);
  return [aimed({ bench: 'coldstart', metric: 'verify: process start → JSON line (median)', value: v, unit: 'ms', floor: f, ratio: v / f, ratioMeaning: 'verify / `node -e 0`' }, '≤ 2')];
}
