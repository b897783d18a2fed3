/**
 * `npm run demo`: the reference central server, a kiosk in web mode enrolled with a one-time
 * code, and a simulated scanner feeding realistic sample scans, from one command. Prints the
 * URLs to open before the first scan; Ctrl-C (or a closed stdout, as in `--json | head -2`) stops
 * everything (kiosk first, so its last check-ins are forwarded, then the central server).
 *
 *   npm run demo [-- --data-dir ./demo-data] [--interval-ms 3000] [--json]
 *
 * --data-dir keeps the data between runs (default: a temp dir removed at exit); a restart on the
 * same data dir reuses the central server's and the kiosk screen's ports (so both addresses stay
 * the same) and the kiosk's enrollment. --json prints one machine-readable line {"event":"demo",...} instead of the banner and one {"event":"verdict",...}
 * per scan (tests use it). The children's logs go to <data-dir>/central.log and kiosk.log.
 */
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PortBusyError, listenRefusal } from '../src/cli/listen-probe.js';
import { readEnrollment } from '../src/sync/enrollment.js';
import { SECRET_FILES } from '../server/secrets.js';
import { CYCLE_LABELS, demoScanSource, type DemoScan } from './demo-scans.js';
import { prepareTechnician } from './demo-kiosk-setup.js';
import { ensureRenderer } from './demo-renderer.js';
import { takeDemoLock } from './demo-lock.js';
import { startChild, stopChild, type Child, type Line } from './demo-child.js';
import { npmKeptFlagsHint, npmSwallowedFlagsHint } from './demo-npm-flags.js';

const DEMO_PIN = '246824';
const USAGE = `usage: npm run demo [-- [--data-dir DIR] [--interval-ms N] [--json] | --help]
  --data-dir DIR     keep the demo's data (central server, kiosk, logs) in DIR; a restart with
                     the same DIR reuses the kiosk's enrollment (default: a temporary folder
                     removed at exit)
  --interval-ms N    time between simulated scans, 100..600000 ms (default 3000)
  --json             machine-readable output: one {"event":"demo",…} line with the URLs, then
                     one {"event":"verdict",…} line per scan
  -h, --help         print this text and exit
`;

class DemoUsage extends Error {}

interface Options {
  help?: false;
  dir: string;
  keep: boolean;
  intervalMs: number;
  json: boolean;
}

function parseOptions(argv: string[]): Options | { help: true } {
  let values: { 'data-dir'?: string; 'interval-ms'?: string; json?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { 'data-dir': { type: 'string' }, 'interval-ms': { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (err) {
    throw new DemoUsage((err as Error).message);
  }
  // The demo takes flags only: a bare value is most often one whose flag npm kept for itself.
  if (positionals.length > 0) {
    throw new DemoUsage(npmSwallowedFlagsHint(positionals, process.env) ?? `Unexpected argument '${positionals[0] ?? ''}': the demo takes only flags`);
  }
  const kept = npmKeptFlagsHint(values, process.env);
  if (kept !== undefined) throw new DemoUsage(kept);
  // Asked for: the usage on stdout, exit 0, nothing created (no temporary folder, no servers).
  if (values.help) return { help: true };
  const raw = values['interval-ms'] ?? '3000';
  const intervalMs = Number(raw);
  if (!/^\d+$/.test(raw) || intervalMs < 100 || intervalMs > 600_000) throw new DemoUsage(`--interval-ms must be a whole number of milliseconds from 100 to 600000, got "${raw}"`);
  const keep = values['data-dir'] !== undefined;
  if (keep && values['data-dir'] === '') throw new DemoUsage('--data-dir needs a folder');
  return { dir: keep ? path.resolve(values['data-dir']!) : mkdtempSync(path.join(os.tmpdir(), 'checkpoint-demo-')), keep, intervalMs, json: values.json === true };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no free port'))));
    });
  });
}


/** What a kept data dir remembers between runs: the central server's and the kiosk screen's ports. */
interface DemoState {
  port?: number;
  kioskPort?: number;
}

const isPort = (p: unknown): p is number => typeof p === 'number' && Number.isInteger(p) && p > 0 && p < 65536;

function readState(dir: string): DemoState {
  try {
    const s = JSON.parse(readFileSync(path.join(dir, 'demo.json'), 'utf8')) as Record<string, unknown>;
    return { ...(isPort(s.port) ? { port: s.port } : {}), ...(isPort(s.kioskPort) ? { kioskPort: s.kioskPort } : {}) };
  } catch {
    return {};
  }
}

/** The port saved last time when it can still be listened on, else a new one (saying why when one was saved). */
async function keptPort(saved: number | undefined, what: string, say: (t: string) => void): Promise<number> {
  if (saved === undefined) return freePort();
  const refusal = await listenRefusal('127.0.0.1', saved);
  if (refusal === undefined) return saved;
  // The shared wording (listen-probe.ts) says what is wrong; the demo's own fix is to move on.
  say(`${refusal instanceof PortBusyError ? refusal.problem : `port ${saved} on 127.0.0.1 cannot be used (${refusal.message})`}; the ${what} takes another one`);
  return freePort();
}

async function runDemo(o: Options): Promise<number> {
  mkdirSync(o.dir, { recursive: true });
  // Before anything in a kept folder is read or changed: one demo per data dir.
  const lock = takeDemoLock(o.dir);
  if (!lock.ok) {
    process.stderr.write(`demo: another demo (pid ${lock.heldBy}) is using ${o.dir}; stop it first (Ctrl-C in its terminal) or give another --data-dir\n`);
    return 1;
  }
  // A reader that goes away (`demo --json | head -2`) closes our stdout: nothing more is written
  // there, and the demo stops the way Ctrl-C stops it (see the 'error' listener below).
  let stdoutOpen = true;
  const write = (text: string) => void (stdoutOpen && process.stdout.write(text));
  const say = (text: string) => void (o.json ? undefined : write(`${text}\n`));
  const emit = (obj: Record<string, unknown>) => void (o.json ? write(`${JSON.stringify(obj)}\n`) : undefined);
  ensureRenderer();
  const centralDir = path.join(o.dir, 'central');
  const kioskDir = path.join(o.dir, 'kiosk');

  const children: Child[] = [];
  let stopping: Promise<number> | undefined;
  let feeder: NodeJS.Timeout | undefined;
  const halt = new AbortController(); // stops the simulated scanner and its requests
  const stopAll = (code: number) =>
    (stopping ??= (async () => {
      clearTimeout(feeder);
      halt.abort();
      // Kiosk first: it flushes what it can to the central server while that is still up.
      for (const c of [...children].reverse()) await stopChild(c);
      lock.release();
      if (!o.keep && code === 0) rmSync(o.dir, { recursive: true, force: true });
      say('demo stopped');
      return code;
    })());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(sig, () => void stopAll(0));
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    stdoutOpen = false;
    // EPIPE: the reader closed the pipe, which is how a pipeline says "enough" — a clean stop.
    // Anything else is a real failure, reported on stderr; either way the children are stopped.
    if (err.code !== 'EPIPE') process.stderr.write(`demo: cannot write to standard output: ${err.message}\n`);
    void stopAll(err.code === 'EPIPE' ? 0 : 1);
  });
  try {
    // A kept data dir: the same ports as last time, so the kiosk's enrollment (bound to the
    // server's URL) stays valid and is reused instead of enrolling a second device, and the
    // kiosk screen's address (its token is kept in the data dir) still opens.
    const saved = readState(o.dir);
    const port = await keptPort(saved.port, 'central server (the kiosk enrolls there anew)', say);
    let kioskPort = await keptPort(saved.kioskPort, 'kiosk screen (open its new address)', say);
    while (kioskPort === port) kioskPort = await freePort(); // two free ports, not one twice
    if (o.keep) writeFileSync(path.join(o.dir, 'demo.json'), `${JSON.stringify({ port, kioskPort } satisfies DemoState)}\n`);
    const centralUrl = `http://127.0.0.1:${port}`;
    const reused = readEnrollment(kioskDir)?.serverUrl === centralUrl;
    const code = `DEMO-${randomBytes(4).toString('hex').toUpperCase()}`;

    const central = startChild('central', ['central', '--data-dir', centralDir, '--port', String(port), ...(reused ? [] : ['--enrollment-code', code])], path.join(o.dir, 'central.log'), () => undefined);
    children.push(central);
    await central.waitFor((l) => l.event === 'listening', 20_000);
    const sent: string[] = []; // labels of scans fed to the kiosk whose verdict has not come yet
    const kiosk = startChild(
      'kiosk',
      ['run', '--ui', 'web', '--port', String(kioskPort), '--data-dir', kioskDir, '--scanner', 'stdin', '--server', centralUrl, ...(reused ? [] : ['--enroll', code]), '--checkpoint', 'DEMO-QL1A'],
      path.join(o.dir, 'kiosk.log'),
      (l) => onKioskLine(l, sent, say, emit),
      true,
    );
    children.push(kiosk);
    const kioskUrl = String((await kiosk.waitFor((l) => l.event === 'ui', 30_000)).url);
    const admin = readFileSync(path.join(centralDir, SECRET_FILES['admin-token']), 'utf8').trim();
    const freshKiosk = !reused && !existsSync(path.join(kioskDir, 'demo-prepared'));

    const urls = { kiosk: kioskUrl, dashboard: `${centralUrl}/dashboard?token=${admin}`, declare: `${centralUrl}/declare` };
    emit({ event: 'demo', ...urls, technicianPin: DEMO_PIN, enrollment: reused ? 'reused' : 'new', dataDir: o.dir, pids: { central: children[0]!.proc.pid, kiosk: kiosk.proc.pid }, scans: CYCLE_LABELS });
    say('');
    say('checkpoint-kiosk demo is running');
    say(`  kiosk screen       ${urls.kiosk}`);
    say(`  technician PIN     ${DEMO_PIN}${freshKiosk ? '' : ' (unless you changed it in an earlier run)'}`);
    say(`  central dashboard  ${urls.dashboard}`);
    say(`  declaration form   ${urls.declare}`);
    say(`  data and logs      ${o.dir}${o.keep ? ` (kept; the kiosk's enrollment was ${reused ? 'reused' : 'made now'})` : ' (removed at exit)'}`);
    say(`  simulated scanner  one scan every ${o.intervalMs / 1000} s, new people each cycle: ${CYCLE_LABELS.join('; ')}`);
    say('Ctrl-C stops everything.');
    say('');

    // A known technician PIN and a checkpoint name, so the screen opens on the attract screen
    // rather than the first-start setup; only then do the scans begin.
    // Ctrl-C meanwhile ends the wait at once (the kiosk it talks to is being stopped).
    const halted = new Promise<'halted'>((resolve) => halt.signal.addEventListener('abort', () => resolve('halted')));
    const prepared = prepareTechnician(kioskUrl, DEMO_PIN, { checkpointName: 'Demo – QL1A Pháp Vân', serverUrl: centralUrl }, path.join(kioskDir, 'setup-code'), halt.signal);
    prepared.catch(() => undefined); // when halted first, its rejection is expected and unread
    if ((await Promise.race([prepared, halted])) === 'halted') return await stopping!;
    writeFileSync(path.join(kioskDir, 'demo-prepared'), '');

    // The simulated scanner: the kiosk reads one scan per line on its standard input.
    const source = demoScanSource({ centralUrl, centralDataDir: centralDir, now: () => new Date(), seed: Math.floor(Date.now() / 1000) % 1_000_000, stop: halt.signal });
    let queue: DemoScan[] = [];
    let cycle = 0;
    const feed = async () => {
      if (stopping) return;
      if (queue.length === 0) queue = await source.cycle(cycle++);
      const scan = queue.shift();
      if (scan && !stopping) {
        sent.push(scan.label);
        kiosk.proc.stdin?.write(`${scan.text}\n`);
      }
      if (!stopping) feeder = setTimeout(() => void feed(), o.intervalMs);
    };
    void feed();

    // Either child dying on its own ends the demo.
    await Promise.race(children.map((c) => c.exited));
    if (!stopping) {
      process.stderr.write(`demo: a child process exited unexpectedly; logs in ${o.dir}\n`);
      return await stopAll(1);
    }
    return await stopping;
  } catch (err) {
    if (stopping) return await stopping; // Ctrl-C during start-up: nothing went wrong
    process.stderr.write(`demo: ${err instanceof Error ? err.message : String(err)}\n(logs in ${o.dir})\n`);
    return await stopAll(1);
  }
}

/** One kiosk output line → one line for the person watching (or one JSON line with --json). */
function onKioskLine(l: Line, sent: string[], say: (t: string) => void, emit: (o: Record<string, unknown>) => void): void {
  if (l.event !== 'checkin' && l.event !== 'duplicate') {
    if (l.event === 'error') say(`  kiosk problem: ${String(l.reason)} ${String(l.message ?? '')}`);
    return;
  }
  const label = sent.shift() ?? 'scan';
  const verdict = l.event === 'duplicate' ? 'duplicate' : String(l.verdict);
  const reasons = Array.isArray(l.reasons) ? (l.reasons as unknown[]).map(String) : [];
  emit({ event: 'verdict', label, verdict, reasons, ...(l.format ? { format: l.format } : {}) });
  const shown = verdict === 'duplicate' ? 'already checked in (recorded once)' : `${verdict.toUpperCase()}${reasons.length ? ` (${reasons.join(', ')})` : ''}`;
  say(`  ${label.padEnd(34)} → ${shown}`);
}

async function main(argv: string[]): Promise<number> {
  let o: Options | { help: true };
  try {
    o = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof DemoUsage)) throw err;
    process.stderr.write(`demo: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  return await runDemo(o);
}

process.exitCode = await main(process.argv.slice(2));
