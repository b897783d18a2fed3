/**
 * `npm run demo` as a user runs it (the script itself, as a child process): it prints the URLs,
 * they answer, the simulated scans reach the central server through the enrolled kiosk, and
 * SIGINT (Ctrl-C) stops the script and both of its children and removes the temp data dir.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { REPO_ROOT } from '../helpers/cli.js';
import { waitFor } from '../helpers/pty.js';

interface DemoLine {
  event: 'demo';
  kiosk: string;
  dashboard: string;
  declare: string;
  technicianPin: string;
  dataDir: string;
  pids: { central: number; kiosk: number };
  scans: string[];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

let demo: ChildProcess | undefined;
let info: DemoLine | undefined;

afterAll(() => {
  // Only if the test failed half-way: never leave the children behind.
  for (const pid of [info?.pids.kiosk, info?.pids.central]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
  if (demo && demo.exitCode === null) demo.kill('SIGKILL');
});

describe('npm run demo', () => {
  it('starts central server, enrolled kiosk and simulated scanner, prints working URLs, and Ctrl-C stops all of it', async () => {
    demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--json', '--interval-ms', '300'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });
    let out = '';
    let err = '';
    demo.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
    demo.stderr!.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-5000)));
    const exited = new Promise<number | null>((resolve) => demo!.once('exit', (code) => resolve(code)));

    const line = await waitFor(() => out.split('\n').find((l) => l.startsWith('{"event":"demo"')), { timeoutMs: 60_000, intervalMs: 50, what: `the demo URLs (stderr: ${err})` });
    info = JSON.parse(line) as DemoLine;
    expect(info.scans).toEqual(['CCCD chip ID card', 'unified personal QR', 'entry declaration (healthy)', 'entry declaration (fever, cough)', 'entry declaration (expired)', 'not a credential']);
    expect(info.technicianPin).toMatch(/^\d{4,12}$/);

    const kioskPage = await fetch(info.kiosk);
    expect(kioskPage.status).toBe(200);
    expect(await kioskPage.text()).toContain('<div id="app">');
    const form = await fetch(info.declare);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Khai báo y tế'); // the form is Vietnamese unless ?lang=en
    const dashboard = await fetch(info.dashboard);
    expect(dashboard.status).toBe(200);
    // Without the admin token the dashboard is closed: the printed URL carries the right one.
    expect((await fetch(info.dashboard.replace(/token=[^&]+/, 'token=wrong'))).status).toBe(401);

    // The kiosk enrolled with the one-time code and forwards the simulated scans.
    const token = new URL(info.dashboard).searchParams.get('token')!;
    const statsUrl = new URL('/api/v1/stats', info.dashboard).toString();
    await waitFor(
      async () => {
        const stats = (await (await fetch(statsUrl, { headers: { authorization: `Bearer ${token}` } })).json()) as { checkinsToday: number };
        return stats.checkinsToday >= 4;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'check-ins from the demo kiosk at the central server' },
    );

    demo.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(alive(info.pids.kiosk)).toBe(false);
    expect(alive(info.pids.central)).toBe(false);
    expect(existsSync(info.dataDir)).toBe(false);
  }, 120_000);
});
