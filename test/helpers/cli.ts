/**
 * Runs the real `checkpoint-kiosk` command as a child process and reads its JSON-lines stdout.
 * Used by the crash-safety and CLI tests. It runs the TypeScript sources (src/cli/entry.ts
 * through tsx), never the built dist/, so a test can never pass on a stale build; the build
 * itself is tested by test/integration/build.test.ts, which builds a fresh copy.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** argv (after the node binary) that starts the command from its sources. */
export const CLI = ['--import', 'tsx', resolve(REPO_ROOT, 'src/cli/entry.ts')];

export type JsonLine = Record<string, unknown>;

export interface CliProcess {
  child: ChildProcess;
  /** Every JSON line printed so far, in order. */
  lines: JsonLine[];
  /** Everything printed on stderr (logs), for failure messages. */
  stderr: () => string;
  /** Resolves with the first line (at or after index `from`) matching `pred`, or rejects after `timeoutMs`. */
  waitFor(pred: (l: JsonLine) => boolean, timeoutMs?: number, from?: number): Promise<JsonLine>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startCli(args: string[], env: NodeJS.ProcessEnv = {}): CliProcess {
  const child = spawn(process.execPath, [...CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: JsonLine[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      try {
        lines.push(JSON.parse(text) as JsonLine);
      } catch {
        lines.push({ event: 'non-json', text });
      }
    }
    for (const w of waiters) w();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err = (err + chunk).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => {
    child.on('exit', (code, signal) => {
      for (const w of waiters) w();
      res({ code, signal });
    });
  });
  const waitFor = (pred: (l: JsonLine) => boolean, timeoutMs = 15_000, from = 0) =>
    new Promise<JsonLine>((res, rej) => {
      const check = () => {
        const hit = lines.slice(from).find(pred);
        if (hit) {
          cleanup();
          res(hit);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          cleanup();
          rej(new Error(`process exited (${child.exitCode ?? child.signalCode}) before the expected line; stderr: ${err.slice(-2000)}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        rej(new Error(`timed out after ${timeoutMs} ms waiting for a line; got ${JSON.stringify(lines.slice(-5))}; stderr: ${err.slice(-2000)}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  return { child, lines, stderr: () => err, waitFor, exited };
}

/** Runs the command to completion and returns exit code, stdout lines and stderr. */
export function runCli(args: string[], input?: string | Buffer, env: NodeJS.ProcessEnv = {}): { code: number | null; stdout: string; stderr: string; lines: JsonLine[] } {
  const r = spawnSync(process.execPath, [...CLI, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn', ...env },
    input: input ?? '',
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 60_000,
  });
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l) as JsonLine;
      } catch {
        return { event: 'non-json', text: l };
      }
    });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, lines };
}
