/**
 * The fleet page of a real central server: issuing a provisioning card from the dashboard form
 * (the card verifies and carries the server's root key), the page listing it, the revoke button
 * cutting a device off once confirmed, and the sign-in guarding all of it (the browser's session cookie; the
 * token itself in no link or form action).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';

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

const form = (fields: Record<string, string>, cookie?: string) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
  body: new URLSearchParams(fields).toString(),
  redirect: 'manual' as const,
});

describe('fleet page', () => {
  it('issues a card from the form, lists it, and revokes a device with the button', async () => {
    const c = await signIn(server.url, server.adminToken);
    expect((await fetch(`${server.url}/dashboard/cards`, form({ checkpoint: 'G-1' }))).status).toBe(401);
    expect((await fetch(`${server.url}/dashboard/cards`, form({ checkpoint: 'bad id!' }, c))).status).toBe(400);
    expect((await fetch(`${server.url}/dashboard/cards`, form({ checkpoint: 'G-1', ttlHours: '999' }, c))).status).toBe(400);

    const res = await fetch(`${server.url}/dashboard/cards`, form({ checkpoint: 'G-1', direction: 'out', ttlHours: '2' }, c));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toContain('src="data:image/png;base64,');
    const text = /<pre data-card[^>]*>(CKP1:[^<]+)<\/pre>/.exec(html)?.[1];
    const check = verifyProvisioningCard(text ?? '', { now: new Date(), pinnedKey: server.rootJwk });
    expect(check).toMatchObject({ ok: true, card: { url: server.url, checkpoint: 'G-1', direction: 'out' } });

    const enrolled = (await (await fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'PAGE-CODE-1', device: { name: 'k1', version: '1.0.0', platform: 'linux' } }) })).json()) as { deviceId: string; token: string };
    const fleetPage = await getSignedIn(`${server.url}/dashboard/fleet`, c);
    expect(fleetPage.status).toBe(200);
    const page = await fleetPage.text();
    expect(page).toMatch(/data-figure="cards-used">0 \/ 1</);
    expect(page).toContain(`<form method="post" action="/dashboard/devices/${enrolled.deviceId}/revoke">`);
    expect(page).not.toContain(server.adminToken);

    const auth = { headers: { authorization: `Bearer ${enrolled.token}` } };
    expect((await fetch(`${server.url}/api/v1/config`, auth)).status).toBe(200);
    expect((await fetch(`${server.url}/dashboard/devices/${enrolled.deviceId}/revoke`, form({}))).status).toBe(401);
    // The button's POST only asks for confirmation (a page naming the device); nothing changes yet.
    const asked = await fetch(`${server.url}/dashboard/devices/${enrolled.deviceId}/revoke`, { ...form({}, c), headers: { ...form({}, c).headers, accept: 'text/html' } });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('<input type="hidden" name="confirm" value="yes">');
    expect((await fetch(`${server.url}/api/v1/config`, auth)).status).toBe(200);
    const revoked = await fetch(`${server.url}/dashboard/devices/${enrolled.deviceId}/revoke`, form({ confirm: 'yes' }, c));
    expect(revoked.status).toBe(303);
    expect(revoked.headers.get('location')).toBe(`/dashboard/fleet?revoked=${enrolled.deviceId}`);
    expect((await fetch(`${server.url}/api/v1/config`, auth)).status).toBe(401);
    expect(await (await getSignedIn(`${server.url}/dashboard/fleet`, c)).text()).toMatch(/data-figure="revoked">1</);
    expect((await fetch(`${server.url}/dashboard/devices/nope/revoke`, form({}, c))).status).toBe(404);
    // Scripts keep `?token=` on the forms (nothing the pages print carries it any more).
    expect((await fetch(`${server.url}/dashboard/devices/nope/revoke?token=${server.adminToken}`, form({}))).status).toBe(404);
    // The operations room leads to the fleet page, without the token.
    const room = await (await getSignedIn(`${server.url}/dashboard`, c)).text();
    expect(room).toContain('href="/dashboard/fleet" data-link="fleet-admin"');
    expect(room).not.toMatch(/token=/);
  });
});
