/**
 * Aiming help end to end: a kiosk with a camera scanner (a looping video through the real ffmpeg
 * and zxing-wasm) in web mode, the attract screen in Debian's Chromium. The preview, the region it
 * reads and the hint appear; a code shown to the camera becomes a verdict on the same screen.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { chromium, type Browser, type Page } from 'playwright-core';
import { buildKiosk } from '../../src/app/build.js';
import type { KioskService } from '../../src/app/kiosk.js';
import { applyPin } from '../../src/app/access/provision-pin.js';
import { createKioskApi, type KioskApiService } from '../../src/app/api.js';
import { startWebUi, type WebUi } from '../../src/web/server.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import { makeQrVideo } from '../helpers/camera-video.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const CARD = '001090000007|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';

/** The bits of a canvas the page function uses (this file type-checks without the DOM lib). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(kind: '2d'): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } };
}

let tmp: string;
let kiosk: KioskService;
let api: KioskApiService;
let ui: WebUi;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'camera-e2e-'));
  const dist = path.join(tmp, 'renderer');
  await build({ configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'silent', build: { outDir: dist, emptyOutDir: true } });
  // Nothing for 4 s (the screen shows the bare picture and "aim"), then the card for 2 s.
  const v = await makeQrVideo(tmp, [{ blank: 20 }, { text: CARD, frames: 10, size: 300 }], { fps: 5, name: 'preview' });
  kiosk = await buildKiosk({
    dataDir: path.join(tmp, 'data'),
    scanners: [`camera:${v.path}?loop=1&fps=5&width=640&height=360&roi=0.2,0.1,0.6,0.8`],
    clock: systemClock,
    timers: systemTimers,
    logger: silentLogger,
  });
  await kiosk.start();
  api = createKioskApi({ kiosk, clock: systemClock, timers: systemTimers, logger: silentLogger, exportDir: path.join(tmp, 'exports'), pollMs: 200, pin: { scryptN: 1024 } });
  // A technician PIN exists (set by the installer), as on a deployed kiosk.
  await applyPin(kiosk.store, '482613', path.join(tmp, 'data'), new Date().toISOString(), 'test', 1024);
  ui = await startWebUi({ api, port: 0, staticDir: dist, logger: silentLogger });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  api?.close();
  await kiosk?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

describe('camera aiming help on the attract screen', () => {
  it('shows the live preview with its region and a bilingual hint, then the verdict of a code shown', async () => {
    const previews: string[] = [];
    const off = api.on('preview', (p) => previews.push(p.hint));
    await page.goto(`${ui.url}&lang=en&resultMs=1500`);
    const figure = page.locator('[data-testid="camera-preview"]');
    await figure.waitFor({ timeout: 30_000 });
    await expect.poll(() => figure.getAttribute('data-hint'), { timeout: 30_000 }).toBe('aim');
    expect(await figure.locator('figcaption').innerText()).toContain('Show your QR code inside the frame');
    expect(await figure.locator('figcaption').innerText()).toContain('Đưa mã QR vào khung');
    // The canvas holds the camera's picture: a white frame, with the dashed region drawn in blue.
    const pixels = await figure.locator('canvas').evaluate((el) => {
      const c = el as unknown as CanvasLike;
      const ctx = c.getContext('2d');
      const at = (x: number, y: number) => Array.from(ctx.getImageData(x, y, 1, 1).data);
      const x = Math.round(c.width * 0.2);
      let blue = 0;
      for (let y = Math.round(c.height * 0.1); y < Math.round(c.height * 0.9); y++) {
        const [r, , b] = at(x, y);
        if (b! > r! + 60) blue++;
      }
      return { size: [c.width, c.height], corner: at(2, 2), blueOnRoiEdge: blue, blueOutside: at(10, 45)[2]! > at(10, 45)[0]! + 60 };
    });
    expect(pixels.size).toEqual([160, 90]);
    expect(pixels.corner.slice(0, 3)).toEqual([255, 255, 255]);
    expect(pixels.blueOnRoiEdge).toBeGreaterThan(10);
    expect(pixels.blueOutside).toBe(false);
    // The card is read: the verdict screen shows it.
    await page.locator('[data-screen="result"]').waitFor({ timeout: 30_000 });
    // Previews are sampled every 500 ms, so the frame that was read may not have carried one: a
    // 'read' hint comes with one of the card's next frames (it stays in view for 2 s of each loop).
    await expect.poll(() => previews.includes('read'), { timeout: 30_000 }).toBe(true);
    off();
  }, 90_000);
});
