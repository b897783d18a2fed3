/**
 * End to end, booth profile: without an officer sign-in the screen is attract/result only; with
 * the technician-issued code an officer signs in, and an override carries that officer's id into
 * the check-in record the forwarder sends and into the audit log. Also the polish of the officer
 * screen at 1280×800: the "New shift" button in view, 48 px touch targets, a visible focus ring,
 * local times and Vietnamese words only. Real kiosk service, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { ensureDir, morePerson, REPO_ROOT, startUiKiosk, type UiKiosk } from '../helpers/ui-kiosk.js';
import { CCCD_VALID } from '../fixtures/identity/samples.js';

const shots = ensureDir(path.join(REPO_ROOT, 'test-output', 'screenshots'));
let k: UiKiosk;
let code = '';
const page = () => k.page;
const shot = (name: string) => k.page.screenshot({ path: path.join(shots, `${name}.png`) });

beforeAll(async () => {
  k = await startUiKiosk({ profile: 'booth', checkpoint: 'QL1A-PhapVan' });
  const tech = await k.api.techSetup(k.setupCode(), '246813');
  if (!tech.ok) throw new Error('setup failed');
  await k.api.techConfigure(tech.session, { officerIdleMinutes: 2 });
  code = (await k.api.techIssueOfficerCode(tech.session, 'CB-0417')).code;
  await k.api.techLock(tech.session);
  await page().clock.install();
  await page().goto(`${k.ui.url}&resultMs=1500`);
}, 120_000);

afterAll(async () => {
  await k?.close();
});

describe('booth kiosk in web mode', { timeout: 150_000 }, () => {
  it('shows only attract and result while no officer is signed in, whatever the URL says', async () => {
    await page().waitForSelector('[data-screen="attract"]');
    for (const text of [CCCD_VALID[0]!.text, 'HELLO-NOT-A-CREDENTIAL', morePerson(0).text]) {
      await k.scan(text);
      await page().waitForSelector('[data-screen="result"]');
      await page().waitForSelector('[data-screen="attract"]');
    }
    expect(await page().$('[data-screen="booth"], [data-testid="recent"], form.override')).toBeNull();
    expect(await page().isVisible('[data-testid="officer-sign-in"]')).toBe(true);
    for (const suffix of ['#booth', '&screen=booth']) {
      await page().goto(`${k.ui.url}${suffix}`);
      await page().waitForSelector('[data-screen="attract"]');
      expect(await page().$('[data-screen="booth"]')).toBeNull();
      expect(await page().content()).not.toContain('Nguyễn Văn An');
    }
    await shot('booth-signed-out');
  });

  it('refuses a wrong code and signs the officer in with the issued one', async () => {
    await page().click('[data-testid="officer-sign-in"]');
    await page().waitForSelector('[data-screen="officer-sign-in"]');
    await page().fill('input[name="officerId"]', 'CB-0417');
    await page().fill('input[name="code"]', code === '00000000' ? '11111111' : '00000000');
    await page().click('button[type="submit"]');
    await page().waitForSelector('[data-testid="sign-in-message"]');
    expect(await page().$('[data-screen="booth"]')).toBeNull();
    await page().fill('input[name="officerId"]', 'CB-0417');
    await page().fill('input[name="code"]', code);
    await page().click('button[type="submit"]');
    await page().waitForSelector('[data-screen="booth"] [data-testid="recent"] button');
    expect(await page().textContent('[data-testid="signed-in"]')).toContain('CB-0417');
  });

  it('keeps the officer screen usable at 1280×800: New shift in view, 48 px targets, a visible focus ring, local times, Vietnamese words', async () => {
    const bar = (await page().locator('[data-testid="status-bar"]').boundingBox())!;
    const shift = (await page().locator('[data-testid="new-shift"]').boundingBox())!;
    expect(shift.y + shift.height).toBeLessThanOrEqual(bar.y);
    expect(shift.y).toBeGreaterThanOrEqual(0);
    const small = await page().$$eval('button, input, select', (els) =>
      els
        .map((e) => ({ what: e.getAttribute('data-testid') ?? e.getAttribute('name') ?? e.textContent, box: e.getBoundingClientRect() }))
        .filter(({ box }) => box.width > 0 && (box.height < 48 || box.width < 48))
        .map(({ what, box }) => `${what}: ${Math.round(box.width)}x${Math.round(box.height)}`),
    );
    expect(small).toEqual([]);
    await page().keyboard.press('Tab');
    await page().keyboard.press('Tab');
    const ring = (await page().evaluate('(() => { const s = getComputedStyle(document.activeElement); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; })()')) as { style: string; width: number };
    expect(ring.style).toBe('solid');
    expect(ring.width).toBeGreaterThanOrEqual(3);
    const rejected = [...k.kiosk.store.all()].find((c) => c.verdict === 'reject')!;
    await page().click(`[data-id="${rejected.id}"]`);
    await page().waitForSelector('[data-testid="details"]');
    const text = (await page().textContent('main'))!;
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T\d{2}:/);
    for (const word of ['Format', 'Entry declaration', 'unknown', 'Unknown']) expect(text).not.toContain(word);
    expect(text).toContain('Loại giấy tờ');
    await shot('booth-signed-in');
  });

  it('records an override with the signed-in officer id in the forwarded record and the audit log', async () => {
    const rejected = [...k.kiosk.store.all()].find((c) => c.verdict === 'reject')!;
    await page().selectOption('form.override select[name="verdict"]', 'accept');
    expect(await page().$('form.override input[name="by"]')).toBeNull();
    await page().fill('form.override input[name="reason"]', 'giấy khai báo bản giấy đã kiểm tra');
    await page().click('form.override button[type="submit"]');
    await page().waitForSelector('[data-testid="override-shown"]');
    expect(await page().textContent('[data-testid="override-shown"]')).toContain('CB-0417');
    // What the forwarder sends is the stored record: it carries the officer, never "nobody".
    const queued = k.kiosk.store.pendingBatch(100).find((c) => c.id === rejected.id);
    expect(queued?.override).toMatchObject({ verdict: 'accept', by: 'CB-0417', reason: 'giấy khai báo bản giấy đã kiểm tra' });
    const entry = k.kiosk.store.auditLog(50).find((a) => a.action === 'override');
    expect(entry).toMatchObject({ actor: 'CB-0417', detail: { checkInId: rejected.id, from: 'reject', to: 'accept' } });
    expect(await page().textContent('[data-count="overridden"]')).toBe('1');
  });

  it('shows a scan that arrives while signed in as an overlay, and signs the officer out after the idle time', async () => {
    await k.scan(CCCD_VALID[1]!.text);
    await page().waitForSelector('[data-testid="verdict-overlay"] [data-screen="result"][data-verdict="accept"]');
    await shot('booth-overlay');
    await page().clock.fastForward(3000);
    await page().waitForSelector('[data-testid="verdict-overlay"]', { state: 'detached' });
    await page().clock.fastForward(2 * 60_000 + 1000);
    await page().waitForSelector('[data-screen="attract"]');
    expect(await page().$('[data-testid="signed-in"]')).toBeNull();
    expect(k.kiosk.store.auditLog(50).some((a) => a.action === 'officer-sign-out' && a.actor === 'CB-0417')).toBe(true);
  });
});
