/**
 * The fleet page of a real central server (SQLite data dir, 127.0.0.1, time zone Europe/Berlin so
 * that local time is not the default zone) as the duty officer meets it: in Vietnamese by default
 * and in English on request (remembered), under the room's CSP and stylesheet, times local; two
 * kiosks with the same hostname told apart by checkpoint and device id; and revoking in two steps —
 * the first POST changes nothing and names the device on a confirmation page, Cancel changes
 * nothing, a cross-site confirmed POST is refused 403, the confirmed POST revokes (audited once),
 * and a script with the admin token as Bearer revokes in one POST that carries `confirm=yes`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { DASHBOARD_SECURITY_HEADERS } from '../../server/ops/page.js';
import { silentLogger } from '../../src/core/system.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';

/** The server's clock: the heartbeat at 16:03:50 UTC = 17:03 in Berlin; the pages read 5 minutes later. */
const HEARTBEAT_AT = Date.parse('2026-12-06T16:03:50.478Z');
let now = HEARTBEAT_AT - 3_600_000;
let dir: string;
let server: CentralServer;
let cookie: string;
let bareCodeKiosk = '';
const kiosks: Record<'gate' | 'exit', { deviceId: string; token: string }> = {} as never;

const HTML = 'text/html,application/xhtml+xml';

/** A form POST as the signed-in browser sends it from the room itself (same-origin). */
const browserPost = (route: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: HTML, cookie, 'sec-fetch-site': 'same-origin', ...headers },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });

/** Issues a card from the page's form and enrolls a kiosk named `name` with its code. */
async function enrollWithCard(checkpoint: string, direction: 'in' | 'out', name: string): Promise<{ deviceId: string; token: string }> {
  const res = await browserPost('/dashboard/cards', { checkpoint, direction, ttlHours: '2' });
  expect(res.status).toBe(200);
  const text = /<pre data-card[^>]*>(CKP1:[^<]+)<\/pre>/.exec(await res.text())?.[1] ?? '';
  const check = verifyProvisioningCard(text, { now: new Date(now), pinnedKey: server.rootJwk });
  if (!check.ok) throw new Error(`card refused: ${JSON.stringify(check)}`);
  const enrolled = await fetch(`${server.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: check.card.code, device: { name, version: '1.4.2', platform: 'linux' } }),
  });
  expect(enrolled.status).toBe(200);
  return (await enrolled.json()) as { deviceId: string; token: string };
}

/** Whether the device's token still opens the device API (a revoked device gets 401). */
const deviceStatus = async (token: string) => (await fetch(`${server.url}/api/v1/config`, { headers: { authorization: `Bearer ${token}` } })).status;

const fleetPage = async (query = '', headers: Record<string, string> = {}) => {
  const res = await fetch(`${server.url}/dashboard/fleet${query}`, { headers: { cookie, accept: HTML, ...headers }, redirect: 'manual' });
  expect(res.status).toBe(200);
  return { res, html: await res.text() };
};

/** The table row of a device on the fleet page. */
const rowOf = (html: string, deviceId: string) => new RegExp(`<tr data-device="${deviceId}"[\\s\\S]*?</tr>`).exec(html)?.[0] ?? '';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-fleet-revoke-'));
  server = await startCentral({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: { now: () => now }, timeZone: 'Europe/Berlin', enrollmentCodes: ['FLEET-CODE-3'] });
  cookie = await signIn(server.url, server.adminToken);
  kiosks.gate = await enrollWithCard('QL1A-PhapVan', 'in', 'vm');
  kiosks.exit = await enrollWithCard('QL5-CauThanhTri', 'out', 'vm');
  now = HEARTBEAT_AT;
  const beat = await fetch(`${server.url}/api/v1/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${kiosks.gate.token}` },
    body: JSON.stringify({ queueDepth: 0, version: '1.4.2', trustIssuedAt: new Date(HEARTBEAT_AT - 30 * 60_000).toISOString() }),
  });
  expect(beat.status).toBe(200);
  now = HEARTBEAT_AT + 5 * 60_000;
});
afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('fleet page', () => {
  it('is in Vietnamese by default, with the room stylesheet and CSP and local times', async () => {
    const { res, html } = await fleetPage();
    for (const [k, v] of Object.entries(DASHBOARD_SECURITY_HEADERS)) expect(res.headers.get(k), k).toBe(v);
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('<link rel="stylesheet" href="/assets/ops.css">');
    expect(html).not.toMatch(/<style|style="|<script/);
    expect(html).toContain('<h2>Thiết bị <small');
    expect(html).toContain('<th>Chốt</th>');
    expect(html).toContain('Múi giờ Europe/Berlin');
    // Local time of Berlin (UTC+1 in December), never the UTC instant.
    expect(html).toContain('>17:08 06/12/2026</b>');
    expect(html).not.toContain('2026-12-06T16:');
    const gate = rowOf(html, kiosks.gate.deviceId);
    expect(gate).toContain('5 phút trước<small>17:03 06/12/2026</small>');
    expect(gate).toContain('35 phút trước<small>16:33 06/12/2026</small>'); // trust bundle age
    expect(gate).toContain('data-state="ok"');
  });

  it('sends a reloaded confirmation address (a GET) back to the fleet page, revoking nothing', async () => {
    const res = await fetch(`${server.url}/dashboard/devices/any-device/revoke`, { headers: { cookie, accept: HTML }, redirect: 'manual' });
    expect({ status: res.status, location: res.headers.get('location') }).toEqual({ status: 303, location: '/dashboard/fleet' });
  });

  it('switches to English with ?lang=en and remembers it', async () => {
    const { res, html } = await fleetPage('?lang=en');
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<th>Checkpoint</th>');
    expect(rowOf(html, kiosks.gate.deviceId)).toContain('5 min ago<small>06/12/2026, 17:03</small>');
    const langCookie = res.headers.getSetCookie().find((c) => c.startsWith('ck_lang=en'));
    expect(langCookie).toBeDefined();
    const again = await fleetPage('', { cookie: `${cookie}; ck_lang=en` });
    expect(again.html).toContain('<html lang="en">');
    expect(again.html).toContain('Time zone Europe/Berlin');
  });

  it('tells two kiosks with the same hostname apart by checkpoint, direction and device id, problems first', async () => {
    const { html } = await fleetPage('?lang=vi');
    const gate = rowOf(html, kiosks.gate.deviceId);
    const exit = rowOf(html, kiosks.exit.deviceId);
    for (const [row, k, checkpoint, dir] of [
      [gate, kiosks.gate, 'QL1A-PhapVan', 'Vào'],
      [exit, kiosks.exit, 'QL5-CauThanhTri', 'Ra'],
    ] as const) {
      expect(row).toContain('<span data-hostname>vm</span>');
      expect(row).toContain(`data-checkpoint="${checkpoint}"`);
      expect(row).toContain('theo thẻ cấp phép');
      expect(row).toContain(`<td>${dir}</td>`);
      expect(row).toContain(`title="${k.deviceId}">${k.deviceId.slice(0, 8)}…</code>`);
      expect(row).toContain(`aria-label="Thu hồi… vm (${checkpoint}, ${k.deviceId.slice(0, 8)}…)"`);
    }
    expect(kiosks.gate.deviceId.slice(0, 8)).not.toBe(kiosks.exit.deviceId.slice(0, 8));
    // The kiosk that never sent a heartbeat is the problem: it comes first.
    expect(exit).toContain('Chưa từng gửi nhịp');
    expect(html.indexOf(`data-device="${kiosks.exit.deviceId}"`)).toBeLessThan(html.indexOf(`data-device="${kiosks.gate.deviceId}"`));
  });
});

describe('the card form', () => {
  it('shows a refused form again to a browser, with its values and the reason in its language (400); a script gets JSON', async () => {
    const vi = await browserPost('/dashboard/cards', { checkpoint: 'Chốt 1', direction: 'out', ttlHours: '5', lang: 'vi' });
    expect(vi.status).toBe(400);
    const html = await vi.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('data-notice="card-checkpoint">Mã chốt gồm 1–64 chữ cái không dấu');
    expect(html).toContain('value="Chốt 1"');
    expect(html).toContain('<option value="out" selected>');
    expect(html).toContain('name="ttlHours" type="number" min="1" max="168" value="5"');
    const en = await (await browserPost('/dashboard/cards', { checkpoint: 'G-1', ttlHours: '999', lang: 'en' })).text();
    expect(en).toContain('data-notice="card-ttlHours">Valid hours must be a whole number from 1 to 168.');
    const script = await fetch(`${server.url}/dashboard/cards`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'checkpoint=G-1&direction=up' });
    expect(script.status).toBe(400);
    expect(await script.json()).toMatchObject({ error: 'invalid-request', message: 'direction: in or out' });
  });
});

describe('a kiosk enrolled with a bare code', () => {
  it('has no known checkpoint until its configuration profile sets one; its group and pending profile show under it', async () => {
    const res = await fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'FLEET-CODE-3', device: { name: 'vm', version: '1.4.2', platform: 'linux' } }) });
    const { deviceId } = (await res.json()) as { deviceId: string };
    bareCodeKiosk = deviceId;
    expect(rowOf((await fleetPage('?lang=vi')).html, deviceId)).toContain('<td><span class="muted">chưa rõ</span></td>');
    await server.storage.fleet.setDeviceGroup(deviceId, 'ha-noi');
    const version = await server.storage.fleet.setConfigProfile('device', deviceId, { checkpoint: 'CT-DaiLo', profile: 'booth' }, now);
    const row = rowOf((await fleetPage()).html, deviceId);
    expect(row).toContain('<b data-checkpoint="CT-DaiLo">CT-DaiLo</b><small>theo hồ sơ cấu hình</small>');
    expect(row).toContain('<td>Bàn kiểm soát</td>');
    expect(row).toContain('<small>Nhóm: ha-noi</small>');
    expect(row).toContain(`<small class="error" data-config>cấu hình 0 / ${version}</small>`);
    // Out of the way of the revoke tests below.
    await server.storage.fleet.revokeDevice(deviceId, now);
  });
});

describe('revoking from the fleet page', () => {
  it('asks first: the first POST changes nothing and names the device, its checkpoint and last heartbeat', async () => {
    const res = await browserPost(`/dashboard/devices/${kiosks.gate.deviceId}/revoke`, { lang: 'vi' });
    expect(res.status).toBe(200);
    for (const [k, v] of Object.entries(DASHBOARD_SECURITY_HEADERS)) expect(res.headers.get(k), k).toBe(v);
    const html = await res.text();
    expect(html).toContain('<h1>Thu hồi thiết bị này?</h1>');
    expect(html).toContain(`<code class="mono">${kiosks.gate.deviceId}</code>`);
    expect(html).toContain('<b>vm</b>');
    expect(html).toContain('data-checkpoint="QL1A-PhapVan"');
    expect(html).toContain('5 phút trước<small>17:03 06/12/2026</small>');
    expect(html).toContain('thẻ cấp phép mới hoặc mã đăng ký mới');
    expect(html).toContain('<input type="hidden" name="confirm" value="yes">');
    expect(html).toContain('href="/dashboard/fleet" data-action="cancel">Hủy</a>');
    expect(html).not.toContain(server.adminToken);
    expect(await deviceStatus(kiosks.gate.token)).toBe(200);
    // Any other value of the field is no confirmation either.
    expect((await browserPost(`/dashboard/devices/${kiosks.gate.deviceId}/revoke`, { confirm: 'no' })).status).toBe(200);
    expect(await deviceStatus(kiosks.gate.token)).toBe(200);
  });

  it('shows the confirmation in English when the page was English', async () => {
    const html = await (await browserPost(`/dashboard/devices/${kiosks.exit.deviceId}/revoke`, { lang: 'en' })).text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain('<h1>Revoke this device?</h1>');
    expect(html).toContain('it needs a new provisioning card or enrollment code');
    expect(html).toContain('data-checkpoint="QL5-CauThanhTri"');
    expect(html).toContain('Never sent a heartbeat');
  });

  it('Cancel leads back to the page and revokes nothing', async () => {
    const confirmPage = await (await browserPost(`/dashboard/devices/${kiosks.gate.deviceId}/revoke`, {})).text();
    const cancel = /<a class="button secondary" href="([^"]+)" data-action="cancel">/.exec(confirmPage)?.[1];
    expect(cancel).toBe('/dashboard/fleet');
    const { html } = await fleetPage();
    expect(rowOf(html, kiosks.gate.deviceId)).toContain(`<form method="post" action="/dashboard/devices/${kiosks.gate.deviceId}/revoke">`);
    expect(await deviceStatus(kiosks.gate.token)).toBe(200);
  });

  it('refuses a confirmed POST that the browser marks as cross-site (403), and one without a sign-in (401)', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await browserPost(`/dashboard/devices/${kiosks.gate.deviceId}/revoke`, { confirm: 'yes' }, { 'sec-fetch-site': site });
      expect(res.status, site).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe('cross-site-form');
    }
    expect((await browserPost(`/dashboard/devices/${kiosks.gate.deviceId}/revoke`, { confirm: 'yes' }, { cookie: '' })).status).toBe(401);
    expect(await deviceStatus(kiosks.gate.token)).toBe(200);
  });

  it('tells a script without the confirmation field that nothing was revoked (400)', async () => {
    const res = await fetch(`${server.url}/dashboard/devices/${kiosks.exit.deviceId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: '',
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'confirmation-required', message: expect.stringContaining('confirm=yes') });
    expect(await deviceStatus(kiosks.exit.token)).toBe(200);
  });

  it('revokes with the confirmed POST: the kiosk is cut off, the other "vm" is not, and the page says so', async () => {
    const res = await browserPost(`/dashboard/devices/${kiosks.gate.deviceId}/revoke`, { confirm: 'yes', lang: 'vi' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/dashboard/fleet?revoked=${kiosks.gate.deviceId}`);
    expect(await deviceStatus(kiosks.gate.token)).toBe(401);
    expect(await deviceStatus(kiosks.exit.token)).toBe(200);
    // The other kiosk reports in: it is fine now, and fine devices come after problems — but before revoked ones.
    const beat = await fetch(`${server.url}/api/v1/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${kiosks.exit.token}` },
      body: JSON.stringify({ queueDepth: 0, version: '1.4.2', trustIssuedAt: new Date(now).toISOString() }),
    });
    expect(beat.status).toBe(200);
    const { html } = await fleetPage(`?revoked=${kiosks.gate.deviceId}`);
    expect(html).toMatch(new RegExp(`data-notice="revoked">Đã thu hồi thiết bị vm \\(QL1A-PhapVan, ${kiosks.gate.deviceId}\\) lúc 17:08 06/12/2026`));
    const row = rowOf(html, kiosks.gate.deviceId);
    expect(row).toContain('data-state="revoked"');
    expect(row).not.toContain('<form');
    expect(html).toMatch(/data-figure="revoked">2</);
    // Revoked devices sink below the live ones, even one with a problem (it never sent a heartbeat).
    const at = (id: string) => html.indexOf(`<tr data-device="${id}"`);
    expect(rowOf(html, kiosks.exit.deviceId)).toContain('data-state="ok"');
    expect(at(bareCodeKiosk)).toBeGreaterThan(at(kiosks.exit.deviceId));
    expect(at(kiosks.gate.deviceId)).toBeGreaterThan(at(kiosks.exit.deviceId));
    // Confirming again (a double click, a resent form) changes nothing and is not audited twice.
    expect((await browserPost(`/dashboard/devices/${kiosks.gate.deviceId}/revoke`, { confirm: 'yes' })).status).toBe(303);
    const again = await (await browserPost(`/dashboard/devices/${kiosks.gate.deviceId}/revoke`, {})).text();
    expect(again).toContain('data-notice="already-revoked"');
    expect(again).not.toContain('name="confirm"');
  });

  it('lets a script with the admin token as Bearer revoke in one POST carrying confirm=yes, audited like the page', async () => {
    const res = await fetch(`${server.url}/dashboard/devices/${kiosks.exit.deviceId}/revoke`, {
      method: 'POST',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'confirm=yes',
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(await deviceStatus(kiosks.exit.token)).toBe(401);
    const revocations = [];
    for await (const row of server.storage.auditRows()) if (row.action === 'device-revoked') revocations.push({ actor: row.actor, detail: JSON.parse(row.detail ?? 'null') as unknown });
    expect(revocations).toEqual([
      { actor: 'dashboard', detail: { deviceId: kiosks.gate.deviceId, via: 'session' } },
      { actor: 'dashboard', detail: { deviceId: kiosks.exit.deviceId, via: 'admin-token' } },
    ]);
    expect((await fetch(`${server.url}/dashboard/devices/nope/revoke`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'confirm=yes' })).status).toBe(404);
  });
});

describe('signed-in pages', () => {
  it('keeps the sign-in in front of the page', async () => {
    expect((await getSignedIn(`${server.url}/dashboard/fleet`, 'ck_ops_session=nope')).status).toBe(401);
  });
});
