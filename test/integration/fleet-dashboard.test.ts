/**
 * The fleet page of a real central server: issuing a provisioning card from the dashboard form
 * (the card verifies and carries the server's root key), the page listing it, the revoke button
 * cutting a device off, and the admin token guarding all of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';

let dir: string;
let server: CentralServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-fleetpage-'));
  server = await startCentral({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['PAGE-CODE-1'] });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

describe('fleet page', () => {
  it('issues a card from the form, lists it, and revokes a device with the button', async () => {
    const t = `?token=${server.adminToken}`;
    expect((await fetch(`${server.url}/dashboard/cards`, form({ checkpoint: 'G-1' }))).status).toBe(401);
    expect((await fetch(`${server.url}/dashboard/cards${t}`, form({ checkpoint: 'bad id!' }))).status).toBe(400);
    expect((await fetch(`${server.url}/dashboard/cards${t}`, form({ checkpoint: 'G-1', ttlHours: '999' }))).status).toBe(400);

    const res = await fetch(`${server.url}/dashboard/cards${t}`, form({ checkpoint: 'G-1', direction: 'out', ttlHours: '2' }));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('src="data:image/png;base64,');
    const text = /<pre data-card[^>]*>(CKP1:[^<]+)<\/pre>/.exec(html)?.[1];
    const check = verifyProvisioningCard(text ?? '', { now: new Date(), pinnedKey: server.rootJwk });
    expect(check).toMatchObject({ ok: true, card: { url: server.url, checkpoint: 'G-1', direction: 'out' } });

    const enrolled = (await (await fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'PAGE-CODE-1', device: { name: 'k1', version: '1.0.0', platform: 'linux' } }) })).json()) as { deviceId: string; token: string };
    const page = await (await fetch(`${server.url}/dashboard/fleet${t}`)).text();
    expect(page).toMatch(/data-figure="cards-used">0 \/ 1</);
    expect(page).toContain(`/dashboard/devices/${enrolled.deviceId}/revoke`);

    const auth = { headers: { authorization: `Bearer ${enrolled.token}` } };
    expect((await fetch(`${server.url}/api/v1/config`, auth)).status).toBe(200);
    expect((await fetch(`${server.url}/dashboard/devices/${enrolled.deviceId}/revoke`, form({}))).status).toBe(401);
    const revoked = await fetch(`${server.url}/dashboard/devices/${enrolled.deviceId}/revoke${t}`, form({}));
    expect(revoked.status).toBe(303);
    expect((await fetch(`${server.url}/api/v1/config`, auth)).status).toBe(401);
    expect(await (await fetch(`${server.url}/dashboard/fleet${t}`)).text()).toMatch(/data-figure="revoked">1</);
    expect((await fetch(`${server.url}/dashboard/devices/nope/revoke${t}`, form({}))).status).toBe(404);
    // The operations room leads to the fleet page.
    const room = await (await fetch(`${server.url}/dashboard${t}`)).text();
    expect(room).toContain(`href="/dashboard/fleet?token=${encodeURIComponent(server.adminToken)}"`);
  });
});
