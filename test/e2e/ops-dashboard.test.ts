/**
 * The operations room in Debian's Chromium (playwright-core) against a real central server on
 * 127.0.0.1 whose data was planted through the protocol: the officer signs in through the sign-in
 * page (an HttpOnly session cookie; no token in any URL or link afterwards), the hourly chart carries the hours the
 * check-ins were put in (read from the chart's data, never from timing), the tracing form (a POST:
 * no ID number or token in the URL) finds the planted contacts and its CSV download has them, the fleet table sorts by problem, and the
 * page runs under its CSP without errors; on the fleet page a card issued with the form enrolls a
 * kiosk, two kiosks of the same hostname show their checkpoints, and Revoke… leads to a
 * confirmation that Cancel leaves and Revoke completes, under the same CSP; the `?token=` link the demo prints lands on the page
 * without the token; signing out closes the room again. Screenshots in Vietnamese and English go to
 * docs/screens/ (linked from server/README.md) when run with UPDATE_SCREENSHOTS=1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { silentLogger } from '../../src/core/system.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { CONTACTS, NOT_CONTACTS, OPS_DAY_START, OPS_NOW, TODAY, TRACED_ID, WEEK, plantFleet, sendCheckIns } from '../helpers/ops-seed.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
// The pictures in docs/screens are refreshed only on request (UPDATE_SCREENSHOTS=1), so a test run
// leaves the checkout clean; otherwise they go to a temporary folder.
const screens = process.env.UPDATE_SCREENSHOTS === '1' ? path.join(repoRoot, 'docs', 'screens') : fs.mkdtempSync(path.join(os.tmpdir(), 'ck-screens-'));
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'];
const HOUR = 3_600_000;

let now = OPS_NOW - 3 * HOUR;
let dir: string;
let central: CentralServer;
let browser: Browser;
let context: BrowserContext;
let problems: string[] = [];

async function newPage(): Promise<Page> {
  const page = await context.newPage();
  page.on('console', (m) => {
    // The sign-in page is answered 401 on purpose: Chromium logs that status as a console error.
    if ((m.type() === 'error' && !/status of 401/.test(m.text())) || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  return page;
}

/** Types the admin token into the sign-in page shown in `page` and waits for the dashboard. */
async function signInWithForm(page: Page): Promise<void> {
  await page.fill('form[action="/dashboard/sign-in"] input[name="token"]', central.adminToken);
  await Promise.all([page.waitForNavigation(), page.click('form[action="/dashboard/sign-in"] button[type="submit"]')]);
}

/** Opens a dashboard URL as the signed-in officer (signing in through the page when the room asks). */
async function openPage(url: string): Promise<Page> {
  const page = await newPage();
  await page.goto(url);
  if (await page.$('form[action="/dashboard/sign-in"]')) await signInWithForm(page);
  await page.waitForSelector('body[data-charts-ready="true"]');
  return page;
}

interface DrawnChart {
  labels: string[];
  data: (number | null)[][];
  seriesLabels: string[];
}

const chart = (page: Page, id: string) => page.evaluate((chartId) => (globalThis as unknown as { opsCharts: Record<string, DrawnChart> }).opsCharts[chartId], id);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-e2e-'));
  fs.mkdirSync(screens, { recursive: true });
  central = await startCentral({ dataDir: dir, port: 0, logger: silentLogger, clock: { now: () => now } });
  const bundleIssuedAt = new Date(now).toISOString();
  const fleet = await plantFleet(central, (ms) => (now = ms), bundleIssuedAt);
  const token = fleet.tokens['kiosk-ok'] as string;
  await sendCheckIns(central, token, [...TODAY, ...WEEK, ...CONTACTS, ...NOT_CONTACTS]);
  // More volume so the screenshots look like a working day (never on the hour either).
  const busy = Array.from({ length: 140 }, (_, i) => ({
    at: OPS_DAY_START + (6 + ((i * 7) % 11)) * HOUR + ((i * 17) % 60) * 60_000 + 1234,
    checkpointId: ['QL5-CauThanhTri', 'QL32-TramTroi', 'QL6-BaLa', 'QL3-PhuLo', 'CT-DaiLo-ThangLong', 'QL21B-ThanhOai'][i % 6] as string,
    verdict: (i % 13 === 0 ? 'reject' : i % 5 === 0 ? 'refer' : 'accept') as 'accept' | 'refer' | 'reject',
    idNo: `0011${String(i).padStart(8, '0')}`,
  }));
  // A realistic previous week for the average line, in hours the assertions below do not read.
  const week = Array.from({ length: 7 * 84 }, (_, i) => ({
    at: OPS_DAY_START - (1 + (i % 7)) * 24 * HOUR + [6, 7, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19][i % 12]! * HOUR + ((i * 11) % 60) * 60_000 + 4321,
    checkpointId: 'QL6-BaLa',
    verdict: 'accept' as const,
    idNo: `0012${String(i).padStart(8, '0')}`,
  }));
  await sendCheckIns(central, fleet.tokens['kiosk-clock'] as string, [...busy, ...week], 'kiosk-clock');
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  // The browser asks for English: the page must still be Vietnamese until someone switches.
  context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, acceptDownloads: true, locale: 'en-GB' });
});

afterAll(async () => {
  if (process.env.UPDATE_SCREENSHOTS !== '1') fs.rmSync(screens, { recursive: true, force: true });
  await context?.close();
  await browser?.close();
  await central?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('operations room in Chromium', () => {
  it('asks for the admin token, then opens the room with an HttpOnly session cookie and no token in any URL', async () => {
    problems = [];
    const page = await newPage();
    const first = await page.goto(`${central.url}/dashboard`);
    expect(first?.status()).toBe(401);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.textContent('h1')).toBe('Đăng nhập phòng điều hành');
    expect(await page.getAttribute('input[name="token"]', 'type')).toBe('password');
    await page.fill('input[name="token"]', 'not-the-token');
    await Promise.all([page.waitForNavigation(), page.click('form[action="/dashboard/sign-in"] button[type="submit"]')]);
    expect(await page.textContent('[data-notice="wrong"]')).toContain('Mã quản trị không đúng');
    await page.screenshot({ path: path.join(screens, 'central-sign-in-vi.png'), fullPage: false });
    await signInWithForm(page);
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(page.url()).toBe(`${central.url}/dashboard`);
    expect(await page.getAttribute('html', 'lang')).toBe('vi'); // no language chosen yet: Vietnamese
    const session = (await context.cookies()).find((c) => c.name === 'ck_ops_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/', secure: false });
    expect(session?.value).not.toContain(central.adminToken);
    expect(await page.evaluate(() => (globalThis as unknown as { document: { cookie: string } }).document.cookie)).not.toContain('ck_ops_session'); // no script reads it
    const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(8);
    expect(hrefs.filter((h) => h.includes('token='))).toEqual([]);
    expect(await page.$$('input[name="token"]')).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it("opens the room from another site's link while signed in (the Strict cookie comes with the reload)", async () => {
    problems = [];
    const page = await newPage();
    // localhost and 127.0.0.1 are different sites: a link from one to the other is cross-site.
    const elsewhere = central.url.replace('127.0.0.1', 'localhost');
    await page.goto(`${elsewhere}/declare`);
    await Promise.all([page.waitForURL(`${central.url}/dashboard`), page.evaluate((u) => ((globalThis as unknown as { location: { href: string } }).location.href = u), `${central.url}/dashboard`)]);
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(await page.$('form[action="/dashboard/sign-in"]')).toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });

  it('takes a ?token= link (what the demo prints) to the page without the token', async () => {
    problems = [];
    await context.clearCookies();
    const page = await newPage();
    await page.goto(`${central.url}/dashboard?token=${central.adminToken}&sort=clock`);
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(page.url()).toBe(`${central.url}/dashboard?sort=clock`);
    expect((await context.cookies()).some((c) => c.name === 'ck_ops_session')).toBe(true);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('draws the hours the check-ins were put in, against the 7-day average, in Vietnamese by default', async () => {
    problems = [];
    const page = await openPage(`${central.url}/dashboard`);
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    expect(await page.textContent('#figures')).toContain('Lượt check-in hôm nay');
    const hourly = await chart(page, 'hourly');
    // Expected from the planted times by plain arithmetic (Hanoi has no DST): local hour = (t − local midnight) / 1 h.
    const expected = new Array<number>(24).fill(0);
    const planted = [...TODAY, ...CONTACTS, ...NOT_CONTACTS].map((p) => p.at);
    for (let i = 0; i < 140; i++) planted.push(OPS_DAY_START + (6 + ((i * 7) % 11)) * HOUR + ((i * 17) % 60) * 60_000 + 1234);
    for (const at of planted) expected[Math.floor((at - OPS_DAY_START) / HOUR)]! += 1;
    expect(hourly?.data[1]).toEqual(expected);
    expect(hourly?.data[1]?.[7]).toBeGreaterThanOrEqual(2);
    expect(hourly?.data[1]?.[0]).toBe(1); // 00:00:00.000 local belongs to today, hour 0
    expect(hourly?.data[2]?.[8]).toBe(3);
    expect(hourly?.data[2]?.[17]).toBe(1);
    expect(hourly?.data[2]?.[23]).toBe(0.1);
    expect(hourly?.seriesLabels).toEqual(['Hôm nay', 'Trung bình 7 ngày']);
    // The chart really painted: uPlot's canvas exists with non-zero size.
    const canvas = await page.$eval('[data-chart="hourly"] canvas', (c) => [(c as unknown as { width: number }).width, (c as unknown as { height: number }).height]);
    expect(canvas[0]).toBeGreaterThan(200);
    const verdicts = await chart(page, 'verdicts');
    expect(verdicts?.data[1]?.reduce((a, b) => (a ?? 0) + (b ?? 0), 0)).toBe(planted.length);
    const states = await chart(page, 'device-states');
    // ok, never-seen, stale-heartbeat, old-queue, queue-age-unreadable, past-retention, clock-offset,
    // old-trust: no planted device has an unreadable queue age or holds data past retention.
    expect(states?.data[1]).toEqual([1, 1, 1, 1, 0, 0, 1, 1]);
    await page.screenshot({ path: path.join(screens, 'central-dashboard-vi.png'), fullPage: true });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('switches to English and stays English on the next visit', async () => {
    problems = [];
    const page = await openPage(`${central.url}/dashboard`);
    await Promise.all([page.waitForNavigation(), page.click('.langs a[hreflang="en"]')]);
    await page.waitForSelector('body[data-charts-ready="true"]');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('#figures')).toContain('Check-ins today');
    expect((await chart(page, 'hourly'))?.seriesLabels).toEqual(['Today', '7-day average']);
    await page.screenshot({ path: path.join(screens, 'central-dashboard-en.png'), fullPage: true });
    const again = await openPage(`${central.url}/dashboard`);
    expect(await again.getAttribute('html', 'lang')).toBe('en');
    await Promise.all([again.waitForNavigation(), again.click('.langs a[hreflang="vi"]')]);
    expect(await again.getAttribute('html', 'lang')).toBe('vi');
    expect(problems).toEqual([]);
    await page.close();
    await again.close();
  });

  it('sorts the fleet table by problem', async () => {
    const page = await openPage(`${central.url}/dashboard?lang=vi`);
    const names = () => page.$$eval('table.fleet tbody tr', (rows) => rows.map((r) => r.querySelector('td b')?.textContent));
    expect((await names()).at(-1)).toBe('kiosk-ok');
    for (const [sort, first] of [
      ['clock', 'kiosk-clock'],
      ['queue', 'kiosk-queue'],
      ['heartbeat', 'kiosk-silent'],
      ['trust', 'kiosk-silent'],
    ] as const) {
      await Promise.all([page.waitForNavigation(), page.click(`table.fleet th a[href*="sort=${sort}"]`)]);
      expect((await names())[0], sort).toBe(first);
    }
    const states = await page.$$eval('table.fleet tbody tr', (rows) => Object.fromEntries(rows.map((r) => [r.querySelector('td b')?.textContent, r.getAttribute('data-state')])));
    expect(states).toEqual({
      'kiosk-ok': 'ok',
      'kiosk-stale': 'stale-heartbeat',
      'kiosk-queue': 'old-queue',
      'kiosk-clock': 'clock-offset',
      'kiosk-trust': 'old-trust',
      'kiosk-silent': 'never-seen',
    });
    await page.close();
  });

  it('finds the planted contacts with the tracing form, and the CSV download has them', async () => {
    problems = [];
    const page = await openPage(`${central.url}/dashboard?lang=vi`);
    await page.fill('form.trace input[name="idNo"]', TRACED_ID);
    await page.fill('form.trace input[name="windowMinutes"]', '30');
    const [answerResponse] = await Promise.all([page.waitForNavigation(), page.click('form.trace button[type="submit"]')]);
    await page.waitForSelector('[data-trace-answer="found"]');
    // The form POSTs: neither the ID traced nor the admin token is in the URL (history, proxy logs).
    expect(answerResponse?.request().method()).toBe('POST');
    const answerUrl = new URL(page.url());
    expect(answerUrl.pathname).toBe('/dashboard');
    expect(answerUrl.search).toBe('');
    expect(page.url()).not.toContain(TRACED_ID);
    expect(page.url()).not.toContain(central.adminToken);
    const found = await page.$$eval('[data-contact]', (rows) => rows.map((r) => r.getAttribute('data-contact')));
    expect(found).toEqual(CONTACTS.map((c) => c.idNo));
    expect(await page.textContent('.answer')).toContain('Trần Thị Bình');
    await page.locator('#tracing').scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(screens, 'central-tracing-vi.png'), fullPage: false });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('.answer form.csv button[type="submit"]')]);
    expect(download.url()).toBe(`${central.url}/dashboard/trace.csv`);
    const csv = fs.readFileSync((await download.path()) as string, 'utf8');
    for (const c of CONTACTS) expect(csv).toContain(c.idNo);
    for (const c of NOT_CONTACTS) expect(csv).not.toContain(c.idNo);
    expect(csv).toContain('Lê Văn Cường');
    expect(csv.split('\r\n').filter(Boolean)).toHaveLength(1 + CONTACTS.length);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs the fleet page under its CSP: a card from the form, two "vm" kiosks told apart, Revoke → confirm, Cancel', async () => {
    problems = [];
    const page = await newPage();
    await page.goto(`${central.url}/dashboard/fleet?lang=vi`);
    if (await page.$('form[action="/dashboard/sign-in"]')) await signInWithForm(page);
    expect(new URL(page.url()).pathname).toBe('/dashboard/fleet');
    expect(await page.getAttribute('html', 'lang')).toBe('vi');
    // Two kiosks called "vm", each enrolled with a card issued through the page's form.
    const vms: string[] = [];
    for (const [checkpoint, direction] of [['QL1A-PhapVan', 'in'], ['QL5-CauThanhTri', 'out']] as const) {
      await page.goto(`${central.url}/dashboard/fleet`);
      await page.fill('form[action="/dashboard/cards"] input[name="checkpoint"]', checkpoint);
      await page.selectOption('form[action="/dashboard/cards"] select[name="direction"]', direction);
      await Promise.all([page.waitForNavigation(), page.click('form[action="/dashboard/cards"] button[type="submit"]')]);
      const card = (await page.textContent('pre[data-card]')) ?? '';
      expect(await page.$eval('img.card-qr', (img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
      if (direction === 'in') await page.screenshot({ path: path.join(screens, 'central-fleet-card-vi.png'), fullPage: false });
      const check = verifyProvisioningCard(card, { now: new Date(now), pinnedKey: central.rootJwk });
      if (!check.ok) throw new Error(`card refused: ${JSON.stringify(check)}`);
      const res = await fetch(`${central.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: check.card.code, device: { name: 'vm', version: '0.1.0', platform: 'linux' } }) });
      vms.push(((await res.json()) as { deviceId: string }).deviceId);
    }
    await page.goto(`${central.url}/dashboard/fleet`);
    const rows = await page.$$eval('table.devices tbody tr', (trs) => trs.map((r) => ({ id: r.getAttribute('data-device'), host: r.querySelector('[data-hostname]')?.textContent, checkpoint: r.querySelector('[data-checkpoint]')?.textContent ?? null })));
    expect(rows.filter((r) => r.host === 'vm')).toEqual(expect.arrayContaining([
      { id: vms[0], host: 'vm', checkpoint: 'QL1A-PhapVan' },
      { id: vms[1], host: 'vm', checkpoint: 'QL5-CauThanhTri' },
    ]));
    await page.screenshot({ path: path.join(screens, 'central-fleet-vi.png'), fullPage: true });
    // Revoke… asks first; the confirmation names the device; Cancel goes back and changes nothing.
    const revokeButton = (id: string) => `tr[data-device="${id}"] button[data-action="revoke"]`;
    await Promise.all([page.waitForNavigation(), page.click(revokeButton(vms[1] as string))]);
    expect(await page.getAttribute('[data-section="revoke-confirm"]', 'data-device')).toBe(vms[1]);
    await Promise.all([page.waitForNavigation(), page.click('a[data-action="cancel"]')]);
    expect(new URL(page.url()).pathname).toBe('/dashboard/fleet');
    expect(await page.$(revokeButton(vms[1] as string))).not.toBeNull();
    await Promise.all([page.waitForNavigation(), page.click(revokeButton(vms[0] as string))]);
    expect(await page.textContent('h1')).toBe('Thu hồi thiết bị này?');
    expect(await page.textContent('[data-section="revoke-confirm"]')).toContain('QL1A-PhapVan');
    expect(await page.textContent('[data-consequence]')).toContain('thẻ cấp phép mới hoặc mã đăng ký mới');
    await page.screenshot({ path: path.join(screens, 'central-fleet-revoke-vi.png'), fullPage: false });
    const [confirmed] = await Promise.all([page.waitForNavigation(), page.click('button[data-action="confirm-revoke"]')]);
    expect(confirmed?.request().method()).toBe('GET'); // the 303 after the confirmed POST
    expect(page.url()).toBe(`${central.url}/dashboard/fleet?revoked=${vms[0]}`);
    expect(await page.textContent('[data-notice="revoked"]')).toContain(vms[0]);
    expect(await page.getAttribute(`tr[data-device="${vms[0]}"]`, 'data-state')).toBe('revoked');
    expect(await page.$(revokeButton(vms[0] as string))).toBeNull();
    expect(await page.$(revokeButton(vms[1] as string))).not.toBeNull();
    await Promise.all([page.waitForNavigation(), page.click('.langs a[hreflang="en"]')]);
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.textContent('table.devices thead')).toContain('Checkpoint');
    await page.screenshot({ path: path.join(screens, 'central-fleet-en.png'), fullPage: true });
    await page.goto(`${central.url}/dashboard?lang=vi`);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('signs out with the button: the cookie is gone and the room asks for the token again', async () => {
    problems = [];
    const page = await openPage(`${central.url}/dashboard?lang=en`);
    await Promise.all([page.waitForNavigation(), page.click('form.sign-out button[type="submit"]')]);
    expect(new URL(page.url()).pathname).toBe('/dashboard/sign-in');
    expect(await page.textContent('[data-notice="signedOut"]')).toBe('You are signed out.');
    expect((await context.cookies()).some((c) => c.name === 'ck_ops_session')).toBe(false);
    const again = await page.goto(`${central.url}/dashboard`);
    expect(again?.status()).toBe(401);
    expect(await page.$('form[action="/dashboard/sign-in"]')).not.toBeNull();
    expect(problems).toEqual([]);
    await page.close();
  });
});
