/** Shared fixtures of the sync tests: a real kiosk store, check-ins, central child processes. */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openStore } from '../../src/store/index.js';
import type { CheckInStore } from '../../src/store/types.js';
import { silentLogger, systemClock, uuidv7Source } from '../../src/core/system.js';
import type { Timers } from '../../src/shared/ports.js';
import type { CheckIn } from '../../src/shared/types.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export function openKioskStore(dir: string): CheckInStore {
  return openStore({ dir, logger: silentLogger, clock: systemClock });
}

let seeded = 0;

/** Records `n` check-ins (oldest first) and returns their ids. */
export function seed(store: CheckInStore, n: number, over: Partial<CheckIn> = {}): string[] {
  const ids = uuidv7Source();
  // Successive calls continue in time, so "oldest first" is the order of the calls.
  const base = Date.parse('2026-11-25T01:00:00Z') + seeded * 1000;
  seeded += n;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const c: CheckIn = {
      id: ids.next(),
      deviceId: 'kiosk-test',
      checkpointId: `cp-${i % 5}`,
      direction: i % 2 ? 'out' : 'in',
      scannedAt: new Date(base + i * 1000).toISOString(),
      format: 'cccd',
      verdict: 'accept',
      reasons: ['identity-only'],
      subject: { idType: 'cccd', idNo: `00109${String(i).padStart(7, '0')}` },
      ...over,
    };
    store.record(c);
    out.push(c.id);
  }
  return out;
}

export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Real timers that remember every delay asked for, but never wait longer than `maxMs` — except
 * delays listed in `exact` (e.g. a request timeout, which must not fire early).
 */
export function recordingTimers(maxMs = 50, exact: readonly number[] = []): Timers & { delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    setTimeout: (fn, ms) => {
      delays.push(ms);
      return setTimeout(fn, exact.includes(ms) ? ms : Math.min(ms, maxMs));
    },
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** `central` as a child process (the stand-alone entry); resolves once it printed its URL. */
export async function spawnCentral(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/main.ts'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`central did not start: ${stderr}`)), 60_000);
    lines.on('line', (line) => {
      const ev = JSON.parse(line) as { event: string; url?: string };
      if (ev.event === 'listening' && ev.url) {
        clearTimeout(timer);
        resolve(ev.url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`central exited with ${code}: ${stderr}`));
    });
  });
  return { child, url };
}

export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill(signal);
  return exited;
}
