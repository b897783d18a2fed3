/**
 * The declaration form in Debian's Chromium against a real central server: a person fills it in
 * Vietnamese, ticks symptoms, forgets the test date; the refused page still has every field and
 * tick, with the problem next to the date; after fixing only the date the QR is issued. No
 * console errors (CSP: no scripts, styles from the server). Screenshots go to docs/screens/ with UPDATE_SCREENSHOTS=1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { silentLogger } from '../../src/core/system.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The pictures in docs/screens are refreshed only on request (UPDATE_SCREENSHOTS=1), so a test run
// leaves the checkout clean; otherwise they go to a temporary folder.
const screens = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(repoRoot, 'docs', 'screens') : fs.mkdtempSync(path.join(os.tmpdir(), 'ck-screens-'));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];

let dir: string;
let central: CentralServer;
let browser: Browser;
const problems: string[] = [];

async function open(url: string, locale: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 820, height: 1000 }, locale });
  const page = await context.newPage();
  page.on('console', (m) => {
    // A refused form is answered 400 on purpose; Chromium logs that status. Anything else counts.
    if ((m.type() === 'error' || m.type() === 'warning') && !/status of 400/.test(m.text())) problems.push(m.text());
  });
  await page.goto(url);
  return page;
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'declare-e2e-'));
  fs.mkdirSync(screens, { recursive: true });
  central = await startCentral({ dataDir: dir, port: 0, logger: silentLogger, clock: { now: () => Date.parse('2026-11-25T03:17:42Z') } });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
});

afterAll(async () => {
  if (process.env.UPDATE_SCREENSHOTS !== '1') fs.rmSync(screens, { recursive: true, force: true });
  await browser?.close();
  await central?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('declaration form in Chromium', () => {
  it('keeps every field and tick of a refused submit, shows the problem at the field, then issues the QR', async () => {
    const page = await open(`${central.url}/declare`, 'vi-VN');
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    await page.selectOption('select[name="idType"]', 'cccd');
    await page.fill('input[name="idNo"]', '001090000001');
    await page.fill('input[name="name"]', 'Nguyễn Thị Hoa');
    await page.fill('input[name="dob"]', '1992-03-14');
    await page.fill('input[name="from"]', 'Bắc Ninh');
    await page.fill('input[name="to"]', 'Hà Nội');
    await page.check('input[name="symptoms"][value="fever"]');
    await page.check('input[name="symptoms"][value="cough"]');
    await page.selectOption('select[name="testResult"]', 'negative');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);

    expect(await page.textContent('#err-testAt')).toBe('Vui lòng nhập ngày xét nghiệm.');
    expect(await page.isChecked('input[name="symptoms"][value="fever"]')).toBe(true);
    expect(await page.isChecked('input[name="symptoms"][value="cough"]')).toBe(true);
    expect(await page.isChecked('input[name="symptoms"][value="fatigue"]')).toBe(false);
    expect(await page.inputValue('input[name="name"]')).toBe('Nguyễn Thị Hoa');
    expect(await page.inputValue('input[name="dob"]')).toBe('1992-03-14');
    expect(await page.inputValue('select[name="testResult"]')).toBe('negative');
    await page.screenshot({ path: path.join(screens, 'declare-vi.png'), fullPage: true });

    await page.fill('input[name="testAt"]', '2026-11-24');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(await page.textContent('h1')).toBe('Khai báo của bạn');
    expect(await page.textContent('pre')).toMatch(/^CKD1:/);
    await page.screenshot({ path: path.join(screens, 'declare-issued-vi.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('is English after the switch, with English problems', async () => {
    const page = await open(`${central.url}/declare`, 'en-GB');
    await Promise.all([page.waitForNavigation(), page.click('.langs a[hreflang="en"]')]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.fill('input[name="idNo"]', '12345');
    await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
    expect(await page.textContent('#err-idNo')).toBe('A CCCD number has exactly 12 digits.');
    expect(await page.inputValue('input[name="idNo"]')).toBe('12345');
    expect(await page.textContent('#err-name')).toBe('Please fill in this field.');
    await page.screenshot({ path: path.join(screens, 'declare-en.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
