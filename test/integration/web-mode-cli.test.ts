/**
 * Web mode as an installer runs it (the real `checkpoint-kiosk run --ui web` process): the URL
 * survives a restart on the same data dir (token kept in a 0600 file), the profile is remembered,
 * a taken --port ends the run with exit code 1 at once, the data dir and database files are owner
 * only (also when an older install left them 0644/0755), and the PIN is set by the installer
 * (--set-pin on stdin, or CHECKPOINT_KIOSK_PIN_FILE), never by the first passer-by.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import WebSocket from 'ws';
import { chromium, type Browser } from 'playwright-core';
import { defaultRendererDir } from '../../src/web/server.js';
import { REPO_ROOT, runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { CHROMIUM_ARGS } from '../helpers/ui-kiosk.js';

let tmp: string;
let browser: Browser;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, (res) => (res.resume(), resolve(res.statusCode ?? 0))).on('error', reject).end();
  });
}

async function getStatus(url: string): Promise<Record<string, unknown>> {
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${u.searchParams.get('token')}`, { origin: u.origin });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  try {
    return await new Promise((resolve) => {
      ws.once('message', (d) => resolve((JSON.parse(d.toString()) as { value: Record<string, unknown> }).value));
      ws.send(JSON.stringify({ t: 'call', id: 1, method: 'getStatus', args: [] }));
    });
  } finally {
    ws.close();
  }
}

async function stop(p: CliProcess): Promise<void> {
  p.child.kill('SIGTERM');
  expect((await p.exited).code).toBe(0);
}

const mode = (f: string) => statSync(f).mode & 0o777;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'ck-webcli-'));
  if (!defaultRendererDir()) await build({ configFile: path.join(REPO_ROOT, 'renderer', 'vite.config.ts'), logLevel: 'silent' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('run --ui web', { timeout: 120_000 }, () => {
  it('keeps its URL across a restart, remembers the profile, and keeps the data dir owner-only (also tightening an old install)', async () => {
    const dataDir = path.join(tmp, 'kiosk');
    const port = String(await freePort());
    const args = ['run', '--ui', 'web', '--data-dir', dataDir, '--port', port];
    const first = startCli([...args, '--profile', 'booth']);
    const url = String((await first.waitFor((l) => l.event === 'ui', 30_000)).url);
    expect(url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[0-9a-f]{64}$`));
    expect(first.stderr()).toContain('no technician PIN yet');
    expect(first.stderr()).not.toMatch(/\d{8}/.exec(readFileSync(path.join(dataDir, 'setup-code'), 'utf8'))![0]);
    expect(mode(dataDir)).toBe(0o700);
    for (const f of ['kiosk.db', 'kiosk.db-wal', 'kiosk.db-shm', 'web-token', 'setup-code', 'kiosk.lock', 'kiosk.lock.db']) expect(mode(path.join(dataDir, f)), f).toBe(0o600);
    expect(readFileSync(path.join(dataDir, 'web-token'), 'utf8').trim()).toBe(new URL(url).searchParams.get('token'));
    await stop(first);

    // An install from before: world-readable files and folder.
    chmodSync(dataDir, 0o755);
    for (const f of readdirSync(dataDir)) chmodSync(path.join(dataDir, f), 0o644);
    const second = startCli(args);
    const again = String((await second.waitFor((l) => l.event === 'ui', 30_000)).url);
    try {
      expect(again).toBe(url);
      expect(mode(dataDir)).toBe(0o700);
      for (const f of ['kiosk.db', 'kiosk.db-wal', 'kiosk.db-shm', 'web-token', 'setup-code']) expect(mode(path.join(dataDir, f)), f).toBe(0o600);
      expect(await getStatus(again)).toMatchObject({ profile: 'booth' });
      const page = await browser.newPage();
      await page.goto(again);
      await page.waitForSelector('[data-screen="attract"]');
      // Without the token, or with another one, the page says so in full screen.
      await page.goto(`http://127.0.0.1:${port}/`);
      await page.waitForSelector('body[data-screen="token-missing"]');
      await page.goto(`http://127.0.0.1:${port}/?token=${'0'.repeat(64)}`);
      await page.waitForSelector('body[data-screen="token-wrong"]');
      await page.close();
    } finally {
      await stop(second);
    }

    const rotated = startCli([...args, '--rotate-web-token']);
    try {
      const next = String((await rotated.waitFor((l) => l.event === 'ui', 30_000)).url);
      expect(next).not.toBe(url);
      expect(await httpStatus(url)).toBe(403);
      expect(await httpStatus(next)).toBe(200);
    } finally {
      await stop(rotated);
    }
  });

  it('ends with exit code 1 and a clear message when --port is taken, releasing the data dir', async () => {
    const holder: Server = createServer();
    await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
    const port = String((holder.address() as { port: number }).port);
    const dataDir = path.join(tmp, 'busy');
    try {
      const busy = startCli(['run', '--ui', 'web', '--data-dir', dataDir, '--port', port], { CHECKPOINT_KIOSK_LOG: 'info' });
      // The clock starts at the kiosk's first log line (its code is loaded; loading TypeScript on a
      // busy test machine is not the kiosk's time). Not out within 5 s: killed, and the test fails.
      await new Promise<void>((resolve) => busy.child.stderr!.once('data', () => resolve()));
      let killed = false;
      const killer = setTimeout(() => ((killed = true), busy.child.kill('SIGKILL')), 5000);
      const { code } = await busy.exited;
      clearTimeout(killer);
      expect(killed).toBe(false);
      expect(code).toBe(1);
      expect(busy.stderr()).toContain(`port ${port} on 127.0.0.1 is already in use (another server or kiosk?); stop it or choose another --port`);
      expect(existsSync(path.join(dataDir, 'kiosk.lock'))).toBe(false);
      // Found before anything was written: no data dir, keys or setup code left behind.
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      holder.close();
    }
  });

  it('sets the PIN from stdin with --set-pin and from a 0600 PIN file, and refuses bad PINs and open files', () => {
    const dataDir = path.join(tmp, 'pin');
    expect(runCli(['run', '--data-dir', dataDir, '--set-pin'], '12345\n')).toMatchObject({ code: 2, stderr: expect.stringContaining('6-12 digits') });
    expect(runCli(['run', '--data-dir', dataDir, '--set-pin', '--ui', 'web'], '123456\n')).toMatchObject({ code: 2 });
    const ok = runCli(['run', '--data-dir', dataDir, '--set-pin'], '135792\n');
    expect(ok.code).toBe(0);
    expect(ok.lines).toEqual([{ event: 'pin-set' }]);
    expect(mode(dataDir)).toBe(0o700);
    expect(mode(path.join(dataDir, 'kiosk.db'))).toBe(0o600);

    const pinFile = path.join(tmp, 'pin.txt');
    writeFileSync(pinFile, '975310\n', { mode: 0o644 });
    chmodSync(pinFile, 0o644);
    const open = runCli(['run', '--data-dir', dataDir, '--scanner', 'stdin'], '', { CHECKPOINT_KIOSK_PIN_FILE: pinFile });
    expect(open.code).toBe(2);
    expect(open.stderr).toContain('chmod 600');
  });
});
