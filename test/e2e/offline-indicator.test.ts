/**
 * The offline indicator with real processes: the reference central server and the kiosk
 * (`run --ui web --server URL --enroll CODE`, a serial scanner on a socat pty) run as children,
 * Chromium shows the printed URL. The central server is SIGKILLed, a scan makes the forwarder
 * find it gone, and the status bar says so; the server is restarted on the same port and data
 * dir, the forwarder's next retry gets through and the indicator clears. Screenshots go to
 * test-output/screenshots/.
 *
 * The heartbeat interval is not configurable from the command line (60 s), so scans through the
 * pty are what makes the kiosk contact the server here; the test stays well inside one heartbeat
 * period, so the indicator reflects the forwarder alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';
import { defaultRendererDir } from '../../src/web/server.js';
import { REPO_ROOT, runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { startPtyPair, type PtyPair } from '../helpers/pty.js';

const shots = path.join(REPO_ROOT, 'test-output', 'screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const CODE = 'E2E-OFFLINE-0001';
// Synthetic CCCD chip-card QRs (made-up numbers following the CCCD structure).
const CARDS = [
  '001190023456||Tran Thi Mai|12041990|Nữ|Hai Ba Trung, Ha Noi|01062021',
  '031095004567||Le Hoang Nam|21081995|Nam|Le Chan, Hai Phong|02062021',
  '036187001234||Do Thi Huong|03021987|Nữ|TP. Nam Dinh|03062021',
];

let tmp: string;
let pty: PtyPair;
let central: CliProcess;
let kiosk: CliProcess;
let browser: Browser;
let page: Page;
let centralUrl: string;

async function stop(p: CliProcess | undefined): Promise<void> {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill('SIGTERM');
  await p.exited;
}

function startCentral(port: string): CliProcess {
  return startCli(['central', '--data-dir', path.join(tmp, 'central'), '--port', port, '--enrollment-code', CODE]);
}

async function scan(text: string): Promise<void> {
  const from = kiosk.lines.length;
  await pty.write(`${text}\r\n`);
  await kiosk.waitFor((l) => l.event === 'checkin' || l.event === 'duplicate', 15_000, from);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kiosk-offline-'));
  // `run --ui web` serves renderer/dist (built by `npm ci` through `prepare`); build it if absent.
  if (!defaultRendererDir()) await build({ configFile: path.join(REPO_ROOT, 'renderer', 'vite.config.ts'), logLevel: 'silent' });
  mkdirSync(shots, { recursive: true });
  pty = await startPtyPair();
  central = startCentral('0');
  centralUrl = String((await central.waitFor((l) => l.event === 'listening', 20_000)).url);
  kiosk = startCli(['run', '--ui', 'web', '--data-dir', path.join(tmp, 'kiosk'), '--scanner', `serial:${pty.devicePath}?baud=9600`, '--server', centralUrl, '--enroll', CODE, '--checkpoint', 'E2E-OFFLINE']);
  const ui = String((await kiosk.waitFor((l) => l.event === 'ui', 30_000)).url);
  await kiosk.waitFor((l) => l.event === 'scanner' && l.state === 'connected', 15_000);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${ui}&lang=en`);
  // First start shows the public attract screen (the technician setup is behind the corner gesture).
  await page.waitForSelector('[data-screen="attract"]');
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await stop(kiosk);
  await stop(central);
  await pty?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('offline indicator with a real central server', () => {
  it('is online once enrolled and forwarding, offline after the server is killed, online again after its restart', async () => {
    await scan(CARDS[0]!);
    const online = await page.waitForSelector('[data-testid="net"][data-state="online"]', { timeout: 30_000 });
    expect(await online.textContent()).not.toContain('✕');
    await page.screenshot({ path: path.join(shots, 'live-central-online.png') });

    // The server dies without a goodbye; the next scan is recorded locally and cannot be sent.
    const port = new URL(centralUrl).port;
    central.child.kill('SIGKILL');
    await central.exited;
    await scan(CARDS[1]!);
    const offline = await page.waitForSelector('[data-testid="net"][data-state="offline"]', { timeout: 30_000 });
    expect(await offline.textContent()).toContain('✕');
    expect(await page.textContent('[data-testid="queue"]')).toMatch(/: 1\b/);
    await page.screenshot({ path: path.join(shots, 'live-central-offline.png') });

    // Same port, same data dir: the forwarder's next retry succeeds and the queue drains.
    central = startCentral(port);
    expect(String((await central.waitFor((l) => l.event === 'listening', 20_000)).url)).toBe(centralUrl);
    await page.waitForSelector('[data-testid="net"][data-state="online"]', { timeout: 45_000 });
    await page.waitForFunction(`/: 0\\b/.test(document.querySelector('[data-testid="queue"]')?.textContent ?? '')`, undefined, { timeout: 15_000 });
    await page.screenshot({ path: path.join(shots, 'live-central-back-online.png') });

    // Both check-ins arrived exactly once, the one scanned while the server was dead included.
    await stop(central);
    const exported = runCli(['central', 'export', '--data-dir', path.join(tmp, 'central')]);
    expect(exported.code).toBe(0);
    expect(exported.lines.map((l) => (l.subject as { idNo?: string } | undefined)?.idNo).sort()).toEqual(['001190023456', '031095004567']);
  }, 150_000);
});
