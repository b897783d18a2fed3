/**
 * `npm run demo` killed with SIGKILL (no handler runs, nothing is stopped in order): its central
 * server and kiosk notice their IPC channel to the demo closing and stop by themselves, releasing
 * the central server's port, instead of running on as orphans. The real demo script from its
 * sources, its real children, a real SIGKILL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.js';
import { waitFor } from '../helpers/pty.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Whether 127.0.0.1:port can be listened on now. */
const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-demo-killed-'));
const pids: number[] = [];

afterAll(() => {
  // Only if the test failed: never leave children behind.
  for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run demo killed with SIGKILL', () => {
  it('takes its central server and kiosk with it, and the central port is free again', async () => {
    const demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--json', '--interval-ms', '500', '--data-dir', path.join(dir, 'data')], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' },
    });
    pids.push(demo.pid as number);
    let out = '';
    let err = '';
    demo.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    demo.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-5000)));
    const info = await waitFor(
      () =>
        out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { event: string; dashboard?: string; pids?: { central: number; kiosk: number } })
          .find((l) => l.event === 'demo'),
      { timeoutMs: 60_000, intervalMs: 50, what: `the demo line (stderr: ${err})` },
    );
    const { central, kiosk } = info.pids as { central: number; kiosk: number };
    pids.push(central, kiosk);
    const port = Number(new URL(info.dashboard as string).port);
    expect(alive(central) && alive(kiosk)).toBe(true);
    expect(await portFree(port)).toBe(false);

    const exited = new Promise((resolve) => demo.once('exit', (_code, signal) => resolve(signal)));
    demo.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    await waitFor(() => !alive(central) && !alive(kiosk), { timeoutMs: 30_000, intervalMs: 100, what: 'the orphaned children to stop' });
    expect(await portFree(port)).toBe(true);
  }, 120_000);
});
