/**
 * `npm run demo` as a user runs it (the script itself, as a child process, from its sources): it
 * prints the URLs before the first verdict, they answer, every cycle of the simulated queue shows
 * every kind of verdict with new people, the scans reach the central server through the enrolled
 * kiosk, SIGINT (Ctrl-C) stops the script and both of its children, a restart on the same
 * --data-dir reuses the enrollment, and a mistyped flag gets the usage text.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { REPO_ROOT } from '../helpers/cli.js';
import { waitFor } from '../helpers/pty.js';

interface DemoLine {
  event: 'demo';
  kiosk: string;
  dashboard: string;
  declare: string;
  technicianPin: string;
  enrollment: 'new' | 'reused';
  dataDir: string;
  pids: { central: number; kiosk: number };
  scans: string[];
}
interface VerdictLine {
  event: 'verdict';
  label: string;
  verdict: string;
  reasons: string[];
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const started: { demo: ChildProcess; info?: DemoLine }[] = [];
const keptDir = mkdtempSync(path.join(os.tmpdir(), 'ck-demo-kept-'));

afterAll(() => {
  // Only if a test failed half-way: never leave the children behind.
  for (const s of started) {
    for (const pid of [s.info?.pids.kiosk, s.info?.pids.central]) if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    if (s.demo.exitCode === null) s.demo.kill('SIGKILL');
  }
  rmSync(keptDir, { recursive: true, force: true });
});

function startDemo(args: string[]) {
  const demo = spawn(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--json', '--interval-ms', '300', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });
  const entry: { demo: ChildProcess; info?: DemoLine } = { demo };
  started.push(entry);
  let out = '';
  let err = '';
  demo.stdout!.setEncoding('utf8').on('data', (s: string) => (out += s));
  demo.stderr!.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-5000)));
  const exited = new Promise<number | null>((resolve) => demo.once('exit', (code) => resolve(code)));
  const lines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as DemoLine | VerdictLine);
  const ready = async () => {
    const info = (await waitFor(() => lines().find((l): l is DemoLine => l.event === 'demo'), { timeoutMs: 60_000, intervalMs: 50, what: `the demo URLs (stderr: ${err})` })) as DemoLine;
    entry.info = info;
    return info;
  };
  return { demo, exited, lines, ready, stderr: () => err };
}

describe('npm run demo', () => {
  it('starts central server, enrolled kiosk and simulated scanner, prints working URLs first, shows every verdict each cycle, and Ctrl-C stops all of it', async () => {
    const run = startDemo([]);
    const info = await run.ready();
    // The URLs come before any verdict.
    expect(run.lines()[0]?.event).toBe('demo');
    expect(info.scans).toEqual(['CCCD chip ID card', 'the same card read twice', 'unified personal QR', 'entry declaration (healthy)', 'entry declaration (fever, cough)', 'entry declaration (expired)', 'ID card with inconsistent digits', 'not a credential']);
    expect(info.technicianPin).toBe('246824');
    expect(info.enrollment).toBe('new');

    const kioskPage = await fetch(info.kiosk);
    expect(kioskPage.status).toBe(200);
    expect(await kioskPage.text()).toContain('<div id="app">');
    const form = await fetch(info.declare);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('Khai báo y tế'); // the form is Vietnamese unless ?lang=en
    // The printed URL signs the browser in: 303 to the dashboard without the token, with the
    // session cookie that then opens it.
    const opened = await fetch(info.dashboard, { redirect: 'manual' });
    expect(opened.status).toBe(303);
    expect(opened.headers.get('location')).toBe('/dashboard');
    const cookie = opened.headers.getSetCookie().find((c) => c.startsWith('ck_ops_session='))?.split(';')[0];
    expect(cookie).toBeDefined();
    const dashboard = await fetch(new URL('/dashboard', info.dashboard), { headers: { cookie: cookie as string }, redirect: 'manual' });
    expect(dashboard.status).toBe(200);
    // Without the admin token the dashboard is closed: the printed URL carries the right one.
    expect((await fetch(info.dashboard.replace(/token=[^&]+/, 'token=wrong'))).status).toBe(401);

    // Two full cycles: each one shows accept, refer, reject and "already checked in" — the
    // second cycle brings new people, so it is not all duplicates.
    const perCycle = info.scans.length;
    const verdicts = await waitFor(
      () => {
        const v = run.lines().filter((l): l is VerdictLine => l.event === 'verdict');
        return v.length >= 2 * perCycle ? v : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 100, what: 'two cycles of verdicts' },
    );
    for (const cycle of [verdicts.slice(0, perCycle), verdicts.slice(perCycle, 2 * perCycle)]) {
      expect(cycle.map((v) => v.label)).toEqual(info.scans);
      expect(new Set(cycle.map((v) => v.verdict))).toEqual(new Set(['accept', 'duplicate', 'refer', 'reject']));
      expect(cycle.filter((v) => v.verdict === 'duplicate').map((v) => v.label)).toEqual(['the same card read twice']);
    }
    expect(verdicts.find((v) => v.label === 'entry declaration (fever, cough)')?.reasons).toContain('symptoms');
    expect(verdicts.find((v) => v.label === 'ID card with inconsistent digits')?.reasons).toEqual(['inconsistent-id']);

    // The kiosk enrolled with the one-time code and forwards the simulated scans.
    const token = new URL(info.dashboard).searchParams.get('token')!;
    const statsUrl = new URL('/api/v1/stats', info.dashboard).toString();
    await waitFor(
      async () => {
        const stats = (await (await fetch(statsUrl, { headers: { authorization: `Bearer ${token}` } })).json()) as { checkinsToday: number };
        return stats.checkinsToday >= 8;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'check-ins from the demo kiosk at the central server' },
    );

    run.demo.kill('SIGINT');
    expect(await run.exited).toBe(0);
    expect(alive(info.pids.kiosk)).toBe(false);
    expect(alive(info.pids.central)).toBe(false);
    expect(existsSync(info.dataDir)).toBe(false);
  }, 150_000);

  it('restarted on the same --data-dir, reuses the kiosk enrollment and the same addresses', async () => {
    const seen: DemoLine[] = [];
    for (const expected of ['new', 'reused'] as const) {
      const run = startDemo(['--data-dir', keptDir]);
      const info = await run.ready();
      seen.push(info);
      expect(info.enrollment).toBe(expected);
      expect(info.dataDir).toBe(keptDir);
      if (expected === 'new') {
        // A second demo on the folder in use is refused before it changes anything (ports,
        // demo.json, enrollment): the restart below still finds everything as the first left it.
        const state = readFileSync(path.join(keptDir, 'demo.json'), 'utf8');
        const second = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--json', '--data-dir', keptDir], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
        expect({ status: second.status, stdout: second.stdout }).toEqual({ status: 1, stdout: '' });
        expect(second.stderr).toContain(`demo: another demo (pid ${run.demo.pid}) is using ${keptDir}`);
        expect(readFileSync(path.join(keptDir, 'demo.json'), 'utf8')).toBe(state);
      }
      await waitFor(() => run.lines().some((l) => l.event === 'verdict' && l.verdict === 'accept'), { timeoutMs: 30_000, intervalMs: 100, what: 'a verdict' });
      run.demo.kill('SIGINT');
      expect(await run.exited).toBe(0);
    }
    // A bookmarked kiosk screen or dashboard still opens after the restart.
    expect(seen[1]!.kiosk).toBe(seen[0]!.kiosk);
    expect(seen[1]!.dashboard).toBe(seen[0]!.dashboard);
    const db = new Database(path.join(keptDir, 'central', 'central.sqlite'), { readonly: true });
    try {
      expect((db.prepare('SELECT count(*) AS n FROM devices').get() as { n: number }).n).toBe(1);
    } finally {
      db.close();
    }
  }, 150_000);

  it('piped into `head -2`, stops like Ctrl-C when the reader closes: exit 0, no child left, temp folder removed', async () => {
    // A real pipeline: head prints two lines and exits, closing the demo's stdout (EPIPE on its
    // next write). PIPESTATUS gives the demo's own exit status, after head's two lines.
    const demoCmd = [process.execPath, '--import', 'tsx', 'scripts/demo.ts', '--json', '--interval-ms', '200'].map((a) => `'${a}'`).join(' ');
    const sh = spawn('bash', ['-c', `${demoCmd} | head -2; echo "demo-status=\${PIPESTATUS[0]}"`], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });
    const entry: { demo: ChildProcess; info?: DemoLine } = { demo: sh };
    started.push(entry);
    let out = '';
    let err = '';
    sh.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    sh.stderr.setEncoding('utf8').on('data', (s: string) => (err = (err + s).slice(-5000)));
    const info = await waitFor(() => out.split('\n').map((l) => (l.startsWith('{"event":"demo"') ? (JSON.parse(l) as DemoLine) : undefined)).find(Boolean), { timeoutMs: 60_000, intervalMs: 50, what: `the demo line (stderr: ${err})` });
    entry.info = info;
    await new Promise<void>((resolve) => (sh.exitCode !== null ? resolve() : sh.once('exit', () => resolve())));
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(3); // head's two lines, then the status
    expect(JSON.parse(lines[1]!)).toMatchObject({ event: 'verdict' });
    expect(lines[2]).toBe('demo-status=0');
    expect(err).not.toContain('EPIPE');
    expect(alive(info.pids.kiosk)).toBe(false);
    expect(alive(info.pids.central)).toBe(false);
    expect(existsSync(info.dataDir)).toBe(false);
  }, 120_000);

  it.each([['--help'], ['-h']])('prints the usage on stdout and exits 0 for %s, starting nothing', (flag) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', flag], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/^usage: npm run demo /);
    expect(r.stdout).toContain('--interval-ms N');
    expect(r.stdout).not.toContain('http://');
  });

  it('`npm run demo:dev --data-dir X` (no --): says npm kept the flag and gives the command meant, starting nothing', () => {
    const kept = path.join(os.tmpdir(), `demo-npm-${process.pid}`);
    for (const args of [['--data-dir', kept], [`--data-dir=${kept}`]]) {
      const r = spawnSync('npm', ['run', 'demo:dev', ...args], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/npm (keeps flags before `--`|kept --data-dir) for itself: run `npm run demo:dev -- --data-dir /);
      expect(r.stderr).toContain(`\`npm run demo:dev -- --data-dir ${kept}\``);
      expect(r.stdout).not.toContain('http://');
      expect(existsSync(kept)).toBe(false);
    }
  });

  it('a bare argument outside npm is simply unexpected', () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', 'foo'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000, env });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("demo: Unexpected argument 'foo': the demo takes only flags");
    expect(r.stderr).not.toContain('npm keeps');
  });

  it('answers a mistyped flag with the usage text, not a stack trace', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/demo.ts', '--data-dri', '/tmp/x'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 30_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("Unknown option '--data-dri'");
    expect(r.stderr).toContain('usage: npm run demo');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
