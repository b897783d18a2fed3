/**
 * `npm run demo` (DESIGN §2): the reference central server, a kiosk in web mode enrolled with a
 * one-time code, and a simulated scanner replaying realistic sample scans, from one command.
 * Prints the URLs to open; Ctrl-C stops everything (kiosk first, so its last check-ins are
 * forwarded, then the central server) and removes the temporary data.
 *
 *   npm run demo [-- --data-dir ./demo-data] [--interval-ms 3000] [--json]
 *
 * --data-dir keeps the data between runs (default: a temp dir removed at exit); --json prints one
 * machine-readable line {"event":"demo",...} instead of the text (tests use it).
 * Children run in their own process group so a terminal's Ctrl-C reaches only this script, which
 * then stops them in order; their logs go to <data-dir>/central.log and kiosk.log.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildDemoScans } from './demo-scans.js';
import { prepareTechnician } from './demo-kiosk-setup.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'checkpoint-kiosk.js');
const DEMO_PIN = '246824';
/** How long a child may take to stop after SIGTERM before it is killed, ms. */
const STOP_TIMEOUT_MS = 10_000;

type Line = Record<string, unknown>;
interface Child {
  name: string;
  proc: ChildProcess;
  lines: Line[];
  exited: Promise<void>;
  waitFor(pred: (l: Line) => boolean, timeoutMs: number): Promise<Line>;
}

function startChild(name: string, args: string[], logFile: string, onLine: (l: Line) => void): Child {
  const proc = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, CHECKPOINT_KIOSK_LOG: process.env.CHECKPOINT_KIOSK_LOG ?? 'info' } });
  const log = createWriteStream(logFile, { flags: 'a' });
  proc.stderr?.pipe(log);
  const lines: Line[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  proc.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buf += chunk;
    // Bounded: a child printing a line without newline forever cannot grow this without limit.
    if (buf.length > 1 << 20) buf = buf.slice(-(1 << 16));
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const text = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let line: Line;
      try {
        line = JSON.parse(text) as Line;
      } catch {
        line = { event: 'text', text: text.slice(0, 500) };
      }
      if (lines.length < 1000) lines.push(line);
      onLine(line);
    }
    waiters.forEach((w) => w());
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => (waiters.forEach((w) => w()), resolve())));
  const waitFor = (pred: (l: Line) => boolean, timeoutMs: number) =>
    new Promise<Line>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${name}: no expected output after ${timeoutMs} ms (see ${logFile})`)), timeoutMs);
      const check = () => {
        const hit = lines.find(pred);
        if (hit) done(undefined, hit);
        else if (proc.exitCode !== null || proc.signalCode !== null) done(new Error(`${name} exited (${proc.exitCode ?? proc.signalCode}); see ${logFile}`));
      };
      const done = (err?: Error, hit?: Line) => {
        clearTimeout(timer);
        waiters.delete(check);
        if (err) reject(err);
        else resolve(hit!);
      };
      waiters.add(check);
      check();
    });
  return { name, proc, lines, exited, waitFor };
}

async function stopChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill('SIGTERM');
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await c.exited;
  clearTimeout(timer);
}

function ensureRenderer(): void {
  if (existsSync(path.join(ROOT, 'renderer', 'dist', 'index.html'))) return;
  process.stderr.write('building the kiosk screens (renderer/dist)...\n');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('renderer build failed: run `npm run build:renderer` and look at its errors');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { 'data-dir': { type: 'string' }, 'interval-ms': { type: 'string' }, json: { type: 'boolean' } },
    strict: true,
  });
  const intervalMs = Number(values['interval-ms'] ?? 3000);
  if (!Number.isInteger(intervalMs) || intervalMs < 100 || intervalMs > 600_000) throw new Error('--interval-ms must be an integer 100..600000');
  const json = values.json === true;
  const keep = values['data-dir'] !== undefined;
  const dir = keep ? path.resolve(values['data-dir']!) : mkdtempSync(path.join(os.tmpdir(), 'checkpoint-demo-'));
  mkdirSync(dir, { recursive: true });
  const say = (text: string) => void (json ? undefined : process.stdout.write(`${text}\n`));
  ensureRenderer();

  const children: Child[] = [];
  let stopping: Promise<number> | undefined;
  const stopAll = (code: number) =>
    (stopping ??= (async () => {
      // Kiosk first: it flushes what it can to the central server while that is still up.
      for (const c of [...children].reverse()) await stopChild(c);
      if (!keep && code === 0) rmSync(dir, { recursive: true, force: true });
      say('demo stopped');
      return code;
    })());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => void stopAll(0));

  try {
    const code = `DEMO-${randomBytes(4).toString('hex').toUpperCase()}`;
    const central = startChild('central', ['central', '--data-dir', path.join(dir, 'central'), '--port', '0', '--enrollment-code', code], path.join(dir, 'central.log'), () => undefined);
    children.push(central);
    const centralUrl = String((await central.waitFor((l) => l.event === 'listening', 20_000)).url);
    const admin = spawnSync(process.execPath, [BIN, 'central', 'admin-token', '--data-dir', path.join(dir, 'central')], { encoding: 'utf8' }).stdout.trim();

    const scansFile = path.join(dir, 'scans.txt');
    const scans = await buildDemoScans({ centralUrl, centralDataDir: path.join(dir, 'central'), now: new Date() });
    writeFileSync(scansFile, scans.map((s) => `# ${s.label}\n${s.text}\n`).join(''));

    const kiosk = startChild(
      'kiosk',
      ['run', '--ui', 'web', '--data-dir', path.join(dir, 'kiosk'), '--scanner', `sim:${scansFile}?intervalMs=${intervalMs}&loop=1`, '--server', centralUrl, '--enroll', code, '--checkpoint', 'DEMO-QL1A'],
      path.join(dir, 'kiosk.log'),
      (l) => {
        if (l.event === 'checkin') say(`  scan → ${String(l.verdict).toUpperCase()} (${String(l.format)}${Array.isArray(l.reasons) && l.reasons.length ? `: ${l.reasons.join(', ')}` : ''})`);
        else if (l.event === 'duplicate') say('  scan → already checked in');
        else if (l.event === 'error') say(`  kiosk problem: ${String(l.reason)} ${String(l.message ?? '')}`);
      },
    );
    children.push(kiosk);
    const kioskUrl = String((await kiosk.waitFor((l) => l.event === 'ui', 30_000)).url);
    const pin = await prepareTechnician(kioskUrl, DEMO_PIN, { checkpointName: 'Demo – QL1A Pháp Vân', serverUrl: centralUrl }, path.join(dir, 'kiosk', 'setup-code'));

    const urls = { kiosk: kioskUrl, dashboard: `${centralUrl}/dashboard?token=${admin}`, declare: `${centralUrl}/declare` };
    if (json) {
      process.stdout.write(`${JSON.stringify({ event: 'demo', ...urls, technicianPin: pin, dataDir: dir, pids: { central: central.proc.pid, kiosk: kiosk.proc.pid }, scans: scans.map((s) => s.label) })}\n`);
    } else {
      say('');
      say('checkpoint-kiosk demo is running');
      say(`  kiosk screen       ${urls.kiosk}`);
      say(`  technician PIN     ${pin ?? '(already set in this data dir)'}`);
      say(`  central dashboard  ${urls.dashboard}`);
      say(`  declaration form   ${urls.declare}`);
      say(`  data and logs      ${dir}${keep ? '' : ' (removed at exit)'}`);
      say(`  simulated scanner  ${scans.length} sample scans, one every ${intervalMs / 1000} s: ${scans.map((s) => s.label).join('; ')}`);
      say('Ctrl-C stops everything.');
      say('');
    }
    // Either child dying on its own ends the demo.
    await Promise.race(children.map((c) => c.exited.then(() => c)));
    if (!stopping) {
      process.stderr.write(`demo: a child process exited unexpectedly; logs in ${dir}\n`);
      return await stopAll(1);
    }
    return await stopping;
  } catch (err) {
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n`);
    await stopAll(1);
    return 1;
  }
}

process.exitCode = await main();
