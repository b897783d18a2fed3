/**
 * The fleet page's "by group and version" table counts active devices only; with every device
 * revoked it says so (and links to the revoked rows) instead of "no devices enrolled yet". A real
 * central server on 127.0.0.1 with a SQLite data dir.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';

let dir: string;
let server: CentralServer;
let cookie: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-allrevoked-'));
  server = await startCentral({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['REV-CODE-1', 'REV-CODE-2'] });
  cookie = await signIn(server.url, server.adminToken);
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The text of the "by group and version" table's body. */
async function versionsTable(lang: string): Promise<string> {
  const html = await (await getSignedIn(`${server.url}/dashboard/fleet?lang=${lang}`, cookie)).text();
  const start = html.indexOf('<table data-section="fleet-versions">');
  expect(start).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</table>', start));
}

async function enroll(code: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, device: { name: 'vm', version: '1.0.0', platform: 'linux' } }) });
  return ((await res.json()) as { deviceId: string }).deviceId;
}

describe('the fleet page with every device revoked', () => {
  it('says no device is enrolled only while none is, then that all of them are revoked, with a way to see them', async () => {
    expect(await versionsTable('en')).toContain('No devices enrolled yet.</td>');
    const ids = [await enroll('REV-CODE-1')];
    expect(await versionsTable('en')).toContain('<td class="mono">(no heartbeat)</td><td class="num">1</td>');

    // One device, revoked: said of one device, in both languages.
    await server.storage.fleet.revokeDevice(ids[0]!, Date.now());
    expect(await versionsTable('en')).toContain('data-empty="all-revoked">The only device is revoked. <a href="#devices" data-link="revoked-devices">See it in the device list</a>');
    expect(await versionsTable('vi')).toContain('data-empty="all-revoked">Thiết bị duy nhất đã bị thu hồi. <a href="#devices" data-link="revoked-devices">Xem trong danh sách thiết bị</a>');

    ids.push(await enroll('REV-CODE-2'));
    expect(await versionsTable('en')).toContain('<td class="mono">(no heartbeat)</td><td class="num">1</td>');
    await server.storage.fleet.revokeDevice(ids[1]!, Date.now());

    const en = await versionsTable('en');
    expect(en).not.toContain('No devices enrolled yet.');
    expect(en).toContain('data-empty="all-revoked">All 2 devices are revoked. <a href="#devices" data-link="revoked-devices">See them in the device list</a>');
    expect(await versionsTable('vi')).toContain('Cả 2 thiết bị đều đã bị thu hồi. <a href="#devices" data-link="revoked-devices">Xem trong danh sách thiết bị</a>');
    // The link leads to rows that are there: both devices, marked revoked.
    const page = await (await getSignedIn(`${server.url}/dashboard/fleet?lang=en`, cookie)).text();
    expect(page).toContain('<section class="card full" id="devices">');
    for (const id of ids) expect(page).toContain(`<tr data-device="${id}" data-state="revoked">`);
  });
});
