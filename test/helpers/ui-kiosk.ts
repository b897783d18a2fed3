/**
 * Test and screenshot harness: the real kiosk service (buildKiosk: SQLite store in a temp dir, a
 * serial scanner on a socat pty) served in web mode, and Debian's Chromium driven through
 * playwright-core. Used by the e2e tests and by `npm run screenshots`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildKiosk } from '../../src/app/build.js';
import type { KioskService } from '../../src/app/kiosk.js';
import { createKioskApi, type DeliverySnapshot, type KioskApiService } from '../../src/app/api.js';
import { startWebUi, type WebUi } from '../../src/web/server.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import type { Profile } from '../../src/shared/api.js';
import { startPtyPair, type PtyPair } from './pty.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

export interface UiKiosk {
  tmp: string;
  dataDir: string;
  pty: PtyPair;
  kiosk: KioskService;
  api: KioskApiService;
  ui: WebUi;
  browser: Browser;
  page: Page;
  /** What the status bar reports about delivery; change it to simulate the network. */
  delivery: { current: DeliverySnapshot };
  /** Writes one scan into the serial scanner. */
  scan(text: string): Promise<void>;
  /** The first-start setup code the kiosk wrote into its data dir. */
  setupCode(): string;
  close(): Promise<void>;
}

export interface UiKioskOptions {
  profile?: Profile;
  checkpoint?: string;
  /** Status-list entries of the trust bundle (id → status). */
  statusList?: { id: string; status: string }[];
  viewport?: { width: number; height: number };
}

/** Builds the renderer into `tmp` (Vite JS API), so tests work on a clean checkout. */
export async function buildRenderer(tmp: string): Promise<string> {
  const dist = path.join(tmp, 'renderer');
  await build({ configFile: path.join(REPO_ROOT, 'renderer', 'vite.config.ts'), logLevel: 'silent', build: { outDir: dist, emptyOutDir: true } });
  return dist;
}

export async function startUiKiosk(opts: UiKioskOptions = {}): Promise<UiKiosk> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kiosk-ui-'));
  const dist = await buildRenderer(tmp);
  const trustFile = path.join(tmp, 'trust.json');
  writeFileSync(trustFile, JSON.stringify({ version: 1, issuedAt: '2026-11-24T00:00:00Z', status: { entries: opts.statusList ?? [{ id: '048162004321', status: 'f1' }] } }));
  const dataDir = path.join(tmp, 'data');
  const pty = await startPtyPair();
  const kiosk = await buildKiosk({
    dataDir,
    scanners: [`serial:${pty.devicePath}?baud=9600`],
    trustFile,
    checkpoint: opts.checkpoint ?? 'QL1A-PhapVan',
    direction: 'in',
    ...(opts.profile ? { profile: opts.profile } : {}),
    clock: systemClock,
    timers: systemTimers,
    logger: silentLogger,
  });
  await kiosk.start();
  const delivery = { current: { state: 'online', lastSyncAt: '2026-11-25T01:59:00Z' } as DeliverySnapshot };
  const setupCodeFile = path.join(dataDir, 'setup-code');
  const api = createKioskApi({
    kiosk,
    clock: systemClock,
    timers: systemTimers,
    logger: silentLogger,
    exportDir: path.join(tmp, 'exports'),
    delivery: () => delivery.current,
    pollMs: 200,
    pin: { scryptN: 1024, setupCodeFile },
  });
  const ui = await startWebUi({ api, port: 0, staticDir: dist, logger: silentLogger });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage({ viewport: opts.viewport ?? { width: 1280, height: 800 } });
  return {
    tmp,
    dataDir,
    pty,
    kiosk,
    api,
    ui,
    browser,
    page,
    delivery,
    scan: (text) => pty.write(`${text}\r\n`),
    setupCode: () => readFileSync(setupCodeFile, 'utf8').trim(),
    async close() {
      await browser.close();
      await ui.close();
      api.close();
      await kiosk.stop();
      await pty.close();
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Presses and holds the technician corner (top-left) for `ms` milliseconds with the mouse. */
export async function holdCorner(page: Page, ms = 2300): Promise<void> {
  await page.mouse.move(20, 20);
  await page.mouse.down();
  await page.waitForTimeout(ms);
  await page.mouse.up();
}

/**
 * A keyboard-wedge scanner's burst, dispatched inside the page: real KeyboardEvents (code, key,
 * Shift) into the page's own listeners, back to back like a scanner's ~5 ms per key. Pressing keys
 * through the DevTools protocol one round trip at a time can leave gaps over the detector's
 * 60 ms on a loaded machine, which would test the machine, not the kiosk.
 */
export async function scannerBurst(page: Page, text: string): Promise<void> {
  // A string, not a function: this file is type-checked without the DOM library.
  await page.evaluate(`(() => {
    const chars = ${JSON.stringify(text)};
    const shifted = { '|': 'Backslash', '*': 'Digit8' };
    const plain = { '-': 'Minus', ' ': 'Space' };
    const target = document.activeElement ?? document.body;
    const send = (key, code, shiftKey) => target.dispatchEvent(new KeyboardEvent('keydown', { key, code, shiftKey, bubbles: true, cancelable: true }));
    for (const ch of chars) {
      const code = /[a-z]/i.test(ch) ? 'Key' + ch.toUpperCase() : /\\d/.test(ch) ? 'Digit' + ch : (shifted[ch] ?? plain[ch]);
      send(ch, code, /[A-Z]/.test(ch) || ch in shifted);
    }
    send('Enter', 'Enter', false);
  })()`);
}
/** Types like a keyboard-wedge scanner (US layout, Shift held for shifted characters). */
export async function typeLikeScanner(page: Page, text: string, msPerKey: number): Promise<void> {
  const shifted: Record<string, string> = { '|': 'Backslash', '*': 'Digit8' };
  const plain: Record<string, string> = { '-': 'Minus', ' ': 'Space' };
  for (const ch of text) {
    const upper = /[A-Z]/.test(ch);
    const code = /[a-z]/i.test(ch) ? `Key${ch.toUpperCase()}` : /\d/.test(ch) ? `Digit${ch}` : (shifted[ch] ?? plain[ch]!);
    const shift = upper || ch in shifted;
    if (shift) await page.keyboard.down('Shift');
    await page.keyboard.press(code);
    if (shift) await page.keyboard.up('Shift');
    await new Promise((r) => setTimeout(r, msPerKey));
  }
  await page.keyboard.press('Enter');
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}

const MORE_NAMES = ['Phạm Văn Dũng', 'Hoàng Minh Tuấn', 'Đặng Quốc Bảo', 'Bùi Đức Thắng', 'Vũ Hải Nam', 'Đỗ Trọng Hiếu', 'Ngô Thành Công', 'Dương Văn Lực'];

/** The n-th of a supply of further valid CCCD QR texts (Hà Nội, male, born 1990), distinct people. */
export function morePerson(n: number): { text: string; name: string; idNo: string } {
  const name = MORE_NAMES[n % MORE_NAMES.length]!;
  const idNo = `001090${String(200000 + n).padStart(6, '0')}`;
  return { text: `${idNo}||${name}|0${(n % 9) + 1}0${(n % 9) + 1}1990|Nam|Số ${n + 1} Phố Huế, Hai Bà Trưng, Hà Nội|01012022`, name, idNo };
}
