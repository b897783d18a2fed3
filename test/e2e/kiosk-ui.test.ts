/**
 * End to end: the real kiosk service (buildKiosk: SQLite store in a temp dir, a serial scanner
 * on a socat pty) served in web mode, driven by Debian's Chromium through playwright-core.
 * The renderer is built once here (Vite JS API) so `npm test` works on a clean checkout.
 * Screenshots of every screen go to test-output/screenshots/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
import { startPtyPair, type PtyPair } from '../helpers/pty.js';
import { CCCD_VALID } from '../fixtures/identity/samples.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const shots = path.join(repoRoot, 'test-output', 'screenshots');
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

const ACCEPT_CARD = CCCD_VALID[0]!.text; // Hà Nội, male 1985
const REFER_CARD = CCCD_VALID[2]!.text; // on the status list below as F1
const WEDGE_QR = '096205111222|LY MINH KHANG|2005-06-**|1|Q96205K|'; // unified QR, ASCII: typeable

let tmp: string;
let pty: PtyPair;
let kiosk: KioskService;
let api: KioskApiService;
let ui: WebUi;
let browser: Browser;
let page: Page;
let delivery: DeliverySnapshot = { state: 'online', lastSyncAt: '2026-11-25T01:59:00Z' };

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
}

async function rows(): Promise<number> {
  return [...kiosk.store.all()].length;
}

/** Types like a keyboard-wedge scanner (US layout, Shift held for shifted characters). */
async function typeLikeScanner(text: string, msPerKey: number): Promise<void> {
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

async function scanSerial(text: string): Promise<void> {
  await pty.write(`${text}\r\n`);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kiosk-e2e-'));
  mkdirSync(shots, { recursive: true });
  const dist = path.join(tmp, 'renderer');
  await build({ configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'), logLevel: 'silent', build: { outDir: dist, emptyOutDir: true } });

  const trustFile = path.join(tmp, 'trust.json');
  writeFileSync(trustFile, JSON.stringify({ version: 1, issuedAt: '2026-11-24T00:00:00Z', status: { entries: [{ id: '048162004321', status: 'f1' }] } }));
  pty = await startPtyPair();
  kiosk = await buildKiosk({
    dataDir: path.join(tmp, 'data'),
    scanners: [`serial:${pty.devicePath}?baud=9600`],
    trustFile,
    checkpoint: 'QL1A-PhapVan',
    direction: 'in',
    clock: systemClock,
    timers: systemTimers,
    logger: silentLogger,
  });
  await kiosk.start();
  api = createKioskApi({ kiosk, clock: systemClock, timers: systemTimers, logger: silentLogger, exportDir: path.join(tmp, 'exports'), delivery: () => delivery, pollMs: 200, pin: { scryptN: 1024 } });
  ui = await startWebUi({ api, port: 0, staticDir: dist, logger: silentLogger });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await ui?.close();
  api?.close();
  await kiosk?.stop();
  await pty?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('kiosk screens in web mode', () => {
  it('opens the technician setup on first start, and the PIN unlocks the technician panel', async () => {
    await page.goto(`${ui.url}&resultMs=2500`);
    await page.waitForSelector('[data-screen="tech-setup"]');
    await shot('tech-setup');
    await page.fill('input[name="pin"]', '2468');
    await page.fill('input[name="pin2"]', '2468');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-screen="tech"] [data-testid="tech-scanners"] [data-state="connected"]');
    expect(await page.textContent('[data-testid="tech-scanners"]')).toContain(pty.devicePath);
    await shot('tech-panel');
    // Self-test: the next scan shows which scanner it came from and is not recorded.
    const before = [...kiosk.store.all()].length;
    await page.click('[data-testid="self-test"]');
    await page.waitForSelector('[data-testid="self-test-result"]');
    await new Promise((r) => setTimeout(r, 100));
    await pty.write('HC1:SELFTEST\r\n');
    await page.waitForSelector('[data-testid="self-test-result"]:has-text("/device")');
    expect(await page.textContent('[data-testid="self-test-result"]')).toContain(pty.devicePath);
    expect([...kiosk.store.all()].length).toBe(before);
    await shot('tech-self-test');
    await page.click('[data-nav="kiosk"]');
    await page.waitForSelector('[data-screen="attract"]');
    expect(await page.textContent('[data-screen="attract"]')).toContain('Quét mã QR');
    expect(await page.textContent('[data-screen="attract"]')).toContain('Please scan your QR code');
    expect(await page.textContent('[data-screen="attract"]')).toContain('QL1A-PhapVan');
    await shot('attract-vi');
  });

  it('shows a serial scan as accepted in Vietnamese, then returns to the attract screen', async () => {
    await scanSerial(ACCEPT_CARD);
    const result = await page.waitForSelector('[data-screen="result"][data-verdict="accept"]');
    expect(await result.textContent()).toContain('HỢP LỆ');
    expect(await result.textContent()).toContain('N****n V*n A*');
    expect(await result.textContent()).not.toContain('Nguyễn');
    expect(await page.textContent('[data-testid="live"]')).toContain('HỢP LỆ');
    await shot('result-accept-vi');
    await page.waitForSelector('[data-screen="attract"]');
  });

  it('switches to English at a touch and shows refer, reject and already-checked-in with reasons', async () => {
    await page.click('[data-testid="lang"]');
    await page.waitForSelector('text=Please scan your QR code');
    await shot('attract-en');

    await scanSerial(REFER_CARD);
    const refer = await page.waitForSelector('[data-screen="result"][data-verdict="refer"]');
    expect(await refer.textContent()).toContain('CHECK NEEDED');
    expect(await refer.textContent()).toContain('On the watch list: F1 (close contact)');
    await shot('result-refer-en');
    await page.waitForSelector('[data-screen="attract"]');

    await scanSerial('HELLO-NOT-A-CREDENTIAL');
    const reject = await page.waitForSelector('[data-screen="result"][data-verdict="reject"]');
    expect(await reject.textContent()).toContain('REJECTED');
    expect(await reject.textContent()).toContain('This kind of code is not accepted');
    await shot('result-reject-en');
    await page.waitForSelector('[data-screen="attract"]');

    await scanSerial(ACCEPT_CARD);
    const dup = await page.waitForSelector('[data-screen="result"][data-verdict="duplicate"]');
    expect(await dup.textContent()).toContain('ALREADY CHECKED IN');
    await shot('result-duplicate-en');
    await page.waitForSelector('[data-screen="attract"]');

    // Back to Vietnamese: the same verdict words in the other language.
    await page.click('[data-testid="lang"]');
    await scanSerial(REFER_CARD);
    const referVi = await page.waitForSelector('[data-screen="result"][data-verdict="duplicate"], [data-screen="result"][data-verdict="refer"]');
    expect(await referVi.textContent()).toMatch(/ĐÃ CHECK-IN|CẦN KIỂM TRA/);
    await page.waitForSelector('[data-screen="attract"]');
  });

  it('takes keyboard-wedge typing at 5 ms per key as a scan, and human-speed typing as nothing', async () => {
    const before = await rows();
    await typeLikeScanner('HELLO12345', 150);
    // Give a wrongly detected scan every chance to arrive before the fast one is typed.
    await page.waitForTimeout(500);
    expect(await page.$('[data-screen="result"]')).toBeNull();
    expect(await rows()).toBe(before);

    await typeLikeScanner(WEDGE_QR, 5);
    const result = await page.waitForSelector('[data-screen="result"][data-verdict="accept"]');
    expect(await result.textContent()).toContain('L* M**H K***G');
    const all = [...kiosk.store.all()];
    expect(all).toHaveLength(before + 1);
    expect(all.at(-1)).toMatchObject({ format: 'vnqr', verdict: 'accept' });
    await page.waitForSelector('[data-screen="attract"]');
  });

  it('records a booth override with its reason in the audit log', async () => {
    await page.click('[data-nav="booth"]');
    await page.waitForSelector('[data-screen="booth"] [data-testid="recent"] button');
    const rejected = [...kiosk.store.all()].find((c) => c.verdict === 'reject')!;
    await page.click(`[data-id="${rejected.id}"]`);
    await page.waitForSelector('[data-testid="details"]');
    await page.selectOption('form.override select[name="verdict"]', 'accept');
    await page.fill('form.override input[name="reason"]', 'giấy khai báo bản giấy đã kiểm tra');
    await page.fill('form.override input[name="by"]', 'CB-0417');
    await page.click('form.override button[type="submit"]');
    await page.waitForSelector('[data-testid="override-shown"]');
    expect(kiosk.store.get(rejected.id)?.override).toMatchObject({ verdict: 'accept', by: 'CB-0417' });
    const entry = kiosk.store.auditLog(20).find((a) => a.action === 'override');
    expect(entry).toMatchObject({ actor: 'CB-0417', detail: { checkInId: rejected.id, from: 'reject', to: 'accept', reason: 'giấy khai báo bản giấy đã kiểm tra' } });
    expect(await page.textContent('[data-count="overridden"]')).toBe('1');
    await shot('booth');
  });

  it('shows the offline indicator while delivery is down and clears it when it returns', async () => {
    await page.waitForSelector('[data-testid="net"][data-state="online"]');
    delivery = { state: 'offline', lastError: 'connect ECONNREFUSED' };
    const net = await page.waitForSelector('[data-testid="net"][data-state="offline"]');
    expect(await net.textContent()).toContain('Mất kết nối máy chủ');
    await shot('status-offline');
    delivery = { state: 'online', lastSyncAt: new Date().toISOString() };
    await page.waitForSelector('[data-testid="net"][data-state="online"]');
  });

  it('locks the technician screen after 5 wrong PINs, refusing even the right one', async () => {
    await page.reload();
    await page.click('[data-nav="tech"]');
    await page.waitForSelector('[data-screen="tech-pin"]');
    for (let i = 0; i < 4; i++) {
      await page.fill('input[name="pin"]', '0000');
      await page.click('button[type="submit"]');
      await page.waitForSelector(`[data-testid="pin-message"]:has-text("${4 - i}")`);
    }
    await shot('tech-pin-wrong');
    await page.fill('input[name="pin"]', '0000');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-screen="tech-pin"][data-locked="true"] [data-testid="locked"]');
    expect(await page.isDisabled('input[name="pin"]')).toBe(true);
    expect(await api.techUnlock('2468')).toMatchObject({ ok: false, reason: 'locked' });
    await shot('tech-locked');
  });

  it('fits small, large and portrait screens', async () => {
    for (const [i, [w, h]] of ([[1024, 600], [1920, 1080], [600, 1024], [1080, 1920]] as const).entries()) {
      await page.setViewportSize({ width: w, height: h });
      await page.click('[data-nav="kiosk"]');
      await page.waitForSelector('[data-screen="attract"]');
      await shot(`attract-${w}x${h}`);
      await scanSerial(CCCD_VALID[3 + i]!.text);
      const result = await page.waitForSelector('[data-screen="result"]');
      const box = await result.boundingBox();
      expect(box!.width).toBeLessThanOrEqual(w);
      // Nothing overflows sideways: the page does not scroll horizontally.
      expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
      await shot(`result-${w}x${h}`);
      await page.waitForSelector('[data-screen="attract"]');
    }
  });
});
