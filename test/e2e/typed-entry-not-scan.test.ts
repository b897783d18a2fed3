/**
 * Keys typed fast into the PIN pad or the officer sign-in fields (a password manager, autotype, a
 * macro keypad: a few ms a key, as fast as a keyboard-wedge scanner) go to the field, never to the
 * scan detector: before, the burst was taken as a scan, recorded as `reject unknown-format` and
 * forwarded, the field was cleared and the unlock never happened.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { holdCorner, startUiKiosk, typeLikeScanner, type UiKiosk } from '../helpers/ui-kiosk.js';

const PIN = '482913';
let k: UiKiosk;
const rows = () => [...k.kiosk.store.all()].length;

beforeAll(async () => {
  k = await startUiKiosk({ profile: 'booth' });
  const set = await k.api.techSetup(k.setupCode(), PIN);
  if (!set.ok || !set.session) throw new Error('setup failed');
  await k.api.techLock(set.session);
}, 120_000);
afterAll(async () => {
  await k?.close();
});

it('a PIN typed at 5 ms a key unlocks the technician panel and records no scan', async () => {
  const page = k.page;
  await page.goto(k.ui.url);
  await page.waitForSelector('[data-screen="attract"]');
  await holdCorner(page);
  await page.waitForSelector('[data-screen="tech-pin"]');
  await page.focus('input[name="pin"]');
  await typeLikeScanner(page, PIN, 5);
  await page.waitForSelector('[data-screen="tech"]', { timeout: 10_000 });
  await page.waitForTimeout(300);
  expect(rows()).toBe(0);
}, 60_000);

it('an officer id and code typed at 5 ms a key sign the officer in and record no scan', async () => {
  const page = k.page;
  const unlocked = await k.api.techUnlock(PIN);
  if (!unlocked.ok || !unlocked.session) throw new Error('unlock failed');
  const { code } = await k.api.techIssueOfficerCode(unlocked.session, 'CB-0417');
  await k.api.techLock(unlocked.session);
  await page.goto(k.ui.url);
  await page.click('[data-testid="officer-sign-in"]');
  await page.waitForSelector('[data-screen="officer-sign-in"]');
  await page.focus('input[name="officerId"]');
  await typeLikeScanner(page, 'CB-0417', 5);
  await page.focus('input[name="code"]');
  await typeLikeScanner(page, code, 5);
  await page.waitForSelector('[data-screen="booth"]', { timeout: 10_000 });
  await page.waitForTimeout(300);
  expect(rows()).toBe(0);
}, 60_000);
