/**
 * Resident memory of a headless kiosk — the built `checkpoint-kiosk run --ui none --scanner
 * stdin`, a real process — after 1,000 and after 100,000 scans fed on its standard input (distinct
 * CCCD cards, so each one is a committed check-in). Floor: a bare Node process that opens the
 * same SQLite file with better-sqlite3 and reads from it, measured in the same run. Aims: ≤ 120 MiB
 * after 100,000 scans and ≤ 10 % growth from 1,000 to 100,000 (the kiosk must not grow with the
 * number of check-ins it has recorded).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli, REPO_ROOT } from './built.js';
import type { Row } from './lib.js';

const N = Number(process.env.BENCH_MEMORY_N ?? 100_000);
const WARM = 1000;
const CHUNK = 1000;
const SETTLE_MS = 1500;

const cccd = (i: number) => `001090${String(i % 1_000_000).padStart(6, '0')}|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resident set size of a live process, MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

function stopped(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
}

async function kioskRss(dataDir: string): Promise<{ warm: number; after: number }> {
  const child = spawn(process.execPath, [builtCli(), 'run', '--ui', 'none', '--data-dir', dataDir, '--scanner', 'stdin'], {
    cwd: REPO_ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' },
  });
  let committed = 0;
  let ready = false;
  let err = '';
  let buf = '';
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-2000)));
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    buf += s;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.startsWith('{"event":"checkin"')) committed++;
      else if (line.startsWith('{"event":"ready"')) ready = true;
    }
  });
  const until = async (cond: () => boolean, what: string) => {
    const deadline = Date.now() + 600_000;
    while (!cond()) {
      if (child.exitCode !== null) throw new Error(`kiosk exited (${child.exitCode}) while waiting for ${what}: ${err}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  };
  try {
    await until(() => ready, 'ready');
    let warm = NaN;
    for (let sent = 0; sent < N; ) {
      const n = Math.min(CHUNK, N - sent);
      let text = '';
      for (let i = sent; i < sent + n; i++) text += `${cccd(i)}\n`;
      child.stdin!.write(text);
      sent += n;
      await until(() => committed >= sent, `${sent} check-ins`);
      if (sent === WARM) {
        await sleep(SETTLE_MS);
        warm = rssMiB(child.pid!);
      }
    }
    await sleep(SETTLE_MS);
    return { warm, after: rssMiB(child.pid!) };
  } finally {
    child.stdin!.end();
    child.kill('SIGTERM');
    await stopped(child);
  }
}

/** The floor: bare Node + better-sqlite3 with the kiosk's database open and read once. */
async function bareRss(dbFile: string): Promise<number> {
  const script = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(dbFile)}); db.pragma('journal_mode = WAL'); db.prepare('SELECT count(*) FROM sqlite_master').get(); process.stdout.write('open\\n'); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', script], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`bare process exited ${code}`)));
    });
    await sleep(SETTLE_MS);
    return rssMiB(child.pid!);
  } finally {
    child.kill('SIGKILL');
    await stopped(child);
  }
}

export async function run(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ck-mem-'));
  try {
    const { warm, after } = await kioskRss(dir);
    const floor = await bareRss(join(dir, 'kiosk.db'));
    const growth = (after / warm - 1) * 100;
    return [
      { bench: 'memory', metric: `headless kiosk RSS after ${N} scans`, value: after, unit: 'MiB', floor, ratio: after / floor, ratioMeaning: 'kiosk / bare Node with the same SQLite file open', aim: '≤ 120 MiB', met: after <= 120 },
      { bench: 'memory', metric: `headless kiosk RSS after ${WARM} scans`, value: warm, unit: 'MiB', floor, ratio: warm / floor, ratioMeaning: 'kiosk / bare Node with the same SQLite file open' },
      { bench: 'memory', metric: `growth ${WARM} → ${N} scans`, value: growth, unit: '%', aim: '≤ 10 %', met: growth <= 10 },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
