/**
 * Child processes of `npm run demo`: the central server and the kiosk, each the real
 * `checkpoint-kiosk` command, with their JSON-lines stdout parsed and their logs in a file.
 * The command is the built one (dist/cli/entry.js) when the demo itself runs built, and the
 * TypeScript sources through tsx when the demo runs from sources (tests, development), so a
 * demo never mixes fresh and stale code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout (or installed package) root: the nearest folder up from here with package.json. */
export const ROOT = (() => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5 && !existsSync(path.join(dir, 'package.json')); i++) dir = path.dirname(dir);
  return dir;
})();

/** argv prefix (after the node binary) that runs the `checkpoint-kiosk` command. */
export const COMMAND: string[] = import.meta.url.endsWith('.ts') ? ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'entry.ts')] : [path.join(ROOT, 'dist', 'cli', 'entry.js')];

/** How long a child may take to stop after SIGTERM before it is killed, ms. */
const STOP_TIMEOUT_MS = 10_000;

export type Line = Record<string, unknown>;

export interface Child {
  name: string;
  proc: ChildProcess;
  exited: Promise<void>;
  /** Resolves with the first stdout line matching `pred`; rejects on timeout or exit. */
  waitFor(pred: (l: Line) => boolean, timeoutMs: number): Promise<Line>;
}

/**
 * Starts `checkpoint-kiosk ARGS` in its own process group (a terminal's Ctrl-C reaches only the
 * demo, which stops the children in order). stdin is a pipe when `stdin` is true (the kiosk's
 * scanner), else ignored; stderr (JSON logs) goes to `logFile`. An IPC channel ties the child to
 * the demo: when the demo dies, even by SIGKILL, the channel closes and the child stops itself
 * (src/cli/parent-watch.ts) instead of holding its port and data dir.
 */
export function startChild(name: string, args: string[], logFile: string, onLine: (l: Line) => void, stdin = false): Child {
  const proc = spawn(process.execPath, [...COMMAND, ...args], {
    cwd: ROOT,
    stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
    env: { ...process.env, CHECKPOINT_KIOSK_LOG: process.env.CHECKPOINT_KIOSK_LOG ?? 'info' },
  });
  proc.stdin?.on('error', () => undefined); // a kiosk that died: its exit is reported, not EPIPE
  proc.stderr?.pipe(createWriteStream(logFile, { flags: 'a' }));
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
      if (lines.length < 100) lines.push(line);
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
  return { name, proc, exited, waitFor };
}

/** SIGTERM, then SIGKILL after STOP_TIMEOUT_MS; resolves once the child has exited. */
export async function stopChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill('SIGTERM');
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await c.exited;
  clearTimeout(timer);
}
