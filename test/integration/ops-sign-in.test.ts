/**
 * Signing in to the operations room of a real central server (SQLite data dir, 127.0.0.1): the
 * sign-in page in both languages with the dashboard's security headers, the session cookie's
 * attributes and shape, `?token=` links answered 303 without the token, pages with no token in
 * any link or field, the cookie opening the browser routes (dashboard, tracing, CSV, fleet page
 * and forms) but never the JSON API, signing out, the cookie ending after 12 h, and a cookie made
 * before the admin token changed (`central admin-token --rotate` on the running server, or a new
 * token at a restart) refused after it.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { ADMIN_TOKEN_FILE } from '../../server/secrets.js';
import { silentLogger } from '../../src/core/system.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';

const T0 = Date.parse('2026-11-25T03:00:00Z');
const HTML = { accept: 'text/html,application/xhtml+xml' };
let now = T0;
let dir: string;
let central: CentralServer;

const start = () => startCentral({ dataDir: dir, port: 0, logger: silentLogger, clock: { now: () => now }, adminTokenRefreshMs: 50 });

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-signin-'));
  central = await start();
});
afterAll(async () => {
  await central?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const postForm = (route: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  fetch(`${central.url}${route}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });

/** The attributes of a Set-Cookie value, lower-cased names → values ('' for flags). */
function attributes(setCookie: string): Map<string, string> {
  return new Map(
    setCookie
      .split(';')
      .slice(1)
      .map((a) => {
        const [k, v] = a.trim().split('=');
        return [(k as string).toLowerCase(), v ?? ''];
      }),
  );
}

/** GET with exactly these headers (node:http adds none of the Sec-Fetch-* ones). */
function rawGet(route: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${central.url}${route}`, { headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const sessionSetCookie = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith('ck_ops_session='));

function expectDashboardHeaders(res: Response): void {
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
  expect(res.headers.get('content-security-policy')).toContain("form-action 'self'");
}

describe('the sign-in page', () => {
  it('answers a browser without credentials 401 with the sign-in form, in Vietnamese unless asked', async () => {
    const res = await fetch(`${central.url}/dashboard`, { headers: HTML });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expectDashboardHeaders(res);
    const html = await res.text();
    expect(html).toContain('<html lang="vi">');
    expect(html).toContain('Đăng nhập phòng điều hành');
    expect(html).toContain('<form method="post" action="/dashboard/sign-in">');
    expect(html).toMatch(/<input name="token" type="password" required/);
    expect(html).toContain('<link rel="stylesheet" href="/assets/ops.css">');
    expect(html).not.toContain('data-notice');
    expect(html).not.toContain('<script');

    const en = await (await fetch(`${central.url}/dashboard/sign-in?lang=en`, { headers: HTML })).text();
    expect(en).toContain('<html lang="en">');
    expect(en).toContain('Sign in to the operations room');
    expect(en).toContain('href="/dashboard/sign-in?lang=vi&amp;next=%2Fdashboard"');
  });

  it("reloads itself once when another site's link left the SameSite=Strict cookie out", async () => {
    // node:http, not fetch: fetch sets Sec-Fetch-Mode itself (cors), as a browser's fetch() would.
    const navigate = { ...HTML, 'sec-fetch-mode': 'navigate' };
    const crossSite = await rawGet('/dashboard', { ...navigate, 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(401);
    expect(crossSite.body).toContain('<meta http-equiv="refresh" content="0">');
    for (const site of ['same-origin', 'none']) expect((await rawGet('/dashboard', { ...navigate, 'sec-fetch-site': site })).body, site).not.toContain('http-equiv="refresh"');
    expect((await rawGet('/dashboard', { ...navigate, 'sec-fetch-mode': 'no-cors', 'sec-fetch-site': 'cross-site' })).body).not.toContain('http-equiv="refresh"');
    // A wrong ?token= is said so, never reloaded.
    const wrong = await rawGet('/dashboard?token=x', { ...navigate, 'sec-fetch-site': 'cross-site' });
    expect(wrong.body).toContain('data-notice="wrong"');
    expect(wrong.body).not.toContain('http-equiv="refresh"');
  });

  it('answers a script without credentials with the JSON error, as before', async () => {
    const res = await fetch(`${central.url}/dashboard`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: string; message: string }).message).toMatch(/sign in at \/dashboard\/sign-in/);
  });

  it('keeps where the browser was going, and only dashboard addresses', async () => {
    const fleet = await (await fetch(`${central.url}/dashboard/fleet`, { headers: HTML })).text();
    expect(fleet).toContain('name="next" value="/dashboard/fleet"');
    const sorted = await (await fetch(`${central.url}/dashboard?sort=clock&lang=en`, { headers: HTML })).text();
    expect(sorted).toContain('name="next" value="/dashboard?lang=en&amp;sort=clock"');
    for (const next of ['//evil.example/x', '/\\evil.example/dashboard', 'https://evil.example/dashboard', '/api/v1/stats', '/dashboard?token=abc', '\\\\evil.example']) {
      const res = await postForm('/dashboard/sign-in', { token: central.adminToken, next });
      expect(res.status, next).toBe(303);
      expect(res.headers.get('location'), next).toBe('/dashboard');
    }
    const back = await postForm('/dashboard/sign-in', { token: central.adminToken, next: '/dashboard/fleet' });
    expect(back.headers.get('location')).toBe('/dashboard/fleet');
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie for 12 h that is not the token, and redirects 303', async () => {
    const res = await postForm('/dashboard/sign-in', { token: central.adminToken, lang: 'en' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard');
    expectDashboardHeaders(res);
    const set = sessionSetCookie(res) as string;
    const a = attributes(set);
    expect(a.get('path')).toBe('/');
    expect(a.get('max-age')).toBe(String(12 * 3600));
    expect(a.get('samesite')).toBe('Strict');
    expect(a.has('httponly')).toBe(true);
    expect(a.has('secure')).toBe(false); // plain HTTP on 127.0.0.1: a Secure cookie would never come back
    const value = set.split(';')[0]?.split('=')[1] as string;
    expect(value).not.toContain(central.adminToken);
    expect(value).toMatch(/^v1\.\d+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(Number(value.split('.')[1])).toBe(T0 / 1000 + 12 * 3600);
    // Two sign-ins, two different cookies.
    expect(await signIn(central.url, central.adminToken)).not.toBe(`ck_ops_session=${value}`);
  });

  it('marks the cookie Secure when the browser came over HTTPS (through a TLS-terminating proxy)', async () => {
    for (const headers of [{ 'x-forwarded-proto': 'https' }, { forwarded: 'for=192.0.2.1;proto=https' }] as Record<string, string>[]) {
      const res = await postForm('/dashboard/sign-in', { token: central.adminToken }, headers);
      expect(attributes(sessionSetCookie(res) as string).has('secure')).toBe(true);
    }
  });

  it('refuses a wrong token with the page again, 401 and a clear message, and sets nothing', async () => {
    const res = await postForm('/dashboard/sign-in', { token: 'not-the-token', lang: 'en' });
    expect(res.status).toBe(401);
    expectDashboardHeaders(res);
    expect(sessionSetCookie(res)).toBeUndefined();
    const html = await res.text();
    expect(html).toContain('<p class="error" role="alert" data-notice="wrong">That admin token is not valid. Check it and try again.</p>');
    expect(html).not.toContain('not-the-token'); // what was typed is not echoed back
    const vi = await (await postForm('/dashboard/sign-in', { token: 'sai', lang: 'vi' })).text();
    expect(vi).toContain('Mã quản trị không đúng');
  });

  it('asks for the token when the field came empty (400), instead of calling it wrong', async () => {
    for (const [fields, lang, text] of [
      [{ token: '', lang: 'en' }, 'en', 'Enter the admin token.'],
      [{ token: '   ', lang: 'en' }, 'en', 'Enter the admin token.'],
      [{ lang: 'vi' }, 'vi', 'Hãy nhập mã quản trị.'],
    ] as const) {
      const res = await postForm('/dashboard/sign-in', fields);
      expect({ lang, status: res.status, cookie: sessionSetCookie(res) }).toEqual({ lang, status: 400, cookie: undefined });
      const html = await res.text();
      expect(html).toContain(`data-notice="empty">${text}</p>`);
      expect(html).not.toContain('data-notice="wrong"');
    }
  });

  it('answers a valid ?token= link 303 to the same page without it, signed in; a wrong one 401', async () => {
    const res = await fetch(`${central.url}/dashboard?token=${central.adminToken}&lang=en&sort=clock`, { headers: HTML, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard?lang=en&sort=clock');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = (sessionSetCookie(res) as string).split(';')[0] as string;
    const page = await getSignedIn(`${central.url}/dashboard?lang=en&sort=clock`, cookie);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Operations room');

    const fleet = await fetch(`${central.url}/dashboard/fleet?token=${central.adminToken}`, { redirect: 'manual' });
    expect([fleet.status, fleet.headers.get('location')]).toEqual([303, '/dashboard/fleet']);
    expect(sessionSetCookie(fleet)).toBeDefined();

    const wrong = await fetch(`${central.url}/dashboard?token=wrong&lang=en`, { headers: HTML, redirect: 'manual' });
    expect(wrong.status).toBe(401);
    expect(sessionSetCookie(wrong)).toBeUndefined();
    expect(await wrong.text()).toContain('data-notice="wrong"');
  });

  it('sends a browser already signed in from the sign-in page to where it was going', async () => {
    const cookie = await signIn(central.url, central.adminToken);
    const res = await getSignedIn(`${central.url}/dashboard/sign-in?next=%2Fdashboard%2Ffleet`, cookie);
    expect([res.status, res.headers.get('location')]).toEqual([303, '/dashboard/fleet']);
  });
});

describe('signed in', () => {
  let cookie: string;
  beforeAll(async () => {
    cookie = await signIn(central.url, central.adminToken);
  });

  it('opens the dashboard, whose links, forms and fields carry no token', async () => {
    for (const lang of ['vi', 'en']) {
      const res = await getSignedIn(`${central.url}/dashboard?lang=${lang}&sort=queue`, cookie);
      expect(res.status).toBe(200);
      expectDashboardHeaders(res);
      const html = await res.text();
      const hrefs = html.match(/href="[^"]*"/g) ?? [];
      expect(hrefs.length).toBeGreaterThan(8);
      for (const href of hrefs) expect(href).not.toMatch(/token=/);
      expect(html).not.toContain(central.adminToken);
      expect(html).not.toContain('name="token"');
      expect(html).toContain('href="/dashboard/fleet"');
      expect(html).toMatch(/<form class="sign-out" method="post" action="\/dashboard\/sign-out">/);
      expect(html).toContain(`href="/dashboard?lang=${lang === 'vi' ? 'en' : 'vi'}&amp;sort=queue"`);
    }
  });

  it('answers the tracing form and its CSV from the session alone', async () => {
    const form = { idNo: '001090000001', from: '2026-11-25T00:00', to: '2026-11-25T10:00', windowMinutes: '30', lang: 'en' };
    const page = await postForm('/dashboard', form, { cookie, 'sec-fetch-site': 'same-origin' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('data-trace-answer="empty"');
    expect(html).not.toContain('name="token"');
    const csv = await postForm('/dashboard/trace.csv', form, { cookie });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    // Scripts keep the body field and Bearer.
    expect((await postForm('/dashboard/trace.csv', { ...form, token: central.adminToken })).status).toBe(200);
    expect((await postForm('/dashboard/trace.csv', form, { authorization: `Bearer ${central.adminToken}` })).status).toBe(200);
    expect((await postForm('/dashboard/trace.csv', form)).status).toBe(401);
  });

  it('opens the fleet page and its card form; its forms carry no token either', async () => {
    const res = await getSignedIn(`${central.url}/dashboard/fleet`, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/dashboard/cards">');
    expect(html).toContain('action="/dashboard/sign-out"');
    expect(html).not.toMatch(/token=/);
    const card = await postForm('/dashboard/cards', { checkpoint: 'G-7' }, { cookie, 'sec-fetch-site': 'same-origin' });
    expect(card.status).toBe(200);
    expect(await card.text()).toContain('CKP1:');
  });

  it('refuses a session-only form that a browser says comes from another site (403)', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await postForm('/dashboard/cards', { checkpoint: 'G-8' }, { cookie, 'sec-fetch-site': site });
      expect(res.status, site).toBe(403);
      expect(((await res.json()) as { error: string }).error).toBe('cross-site-form');
    }
  });

  it('never opens the JSON API: /api/v1 still requires the Bearer token', async () => {
    const withCookie = { cookie, accept: 'application/json' };
    expect((await fetch(`${central.url}/api/v1/stats`, { headers: withCookie })).status).toBe(401);
    expect((await fetch(`${central.url}/api/v1/trace?idNo=001090000001&from=2026-11-25T00:00:00Z&to=2026-11-25T10:00:00Z`, { headers: withCookie })).status).toBe(401);
    const codes = await fetch(`${central.url}/api/v1/enrollment-codes`, { method: 'POST', headers: { ...withCookie, 'content-type': 'application/json' }, body: JSON.stringify({ count: 1 }) });
    expect(codes.status).toBe(401);
    expect((await fetch(`${central.url}/api/v1/stats`, { headers: { authorization: `Bearer ${central.adminToken}` } })).status).toBe(200);
    // The refusal points at the header, not at a token in the address (which ends up in logs).
    const refusal = await (await fetch(`${central.url}/api/v1/stats`, { headers: withCookie })).json();
    expect(refusal).toMatchObject({ error: 'admin-token-required', message: expect.stringMatching(/Authorization: Bearer/) });
    expect(JSON.stringify(refusal)).not.toContain('?token=');
  });

  it('refuses a tampered cookie and clears it', async () => {
    const [name, value] = cookie.split('=') as [string, string];
    const parts = value.split('.');
    parts[1] = String(Number(parts[1]) + 3600); // a longer life, same MAC
    const res = await getSignedIn(`${central.url}/dashboard`, `${name}=${parts.join('.')}`);
    expect(res.status).toBe(401);
    expect(attributes(sessionSetCookie(res) as string).get('max-age')).toBe('0');
    expect(await res.text()).toContain('data-notice="expired"');
    expect((await getSignedIn(`${central.url}/dashboard`, `${name}=${central.adminToken}`)).status).toBe(401);
  });
});

describe('leaving', () => {
  it('signs out with the button: the cookie is cleared and the sign-in page says so', async () => {
    const res = await postForm('/dashboard/sign-out', { lang: 'en' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/dashboard/sign-in?lang=en&out=1');
    const cleared = attributes(sessionSetCookie(res) as string);
    expect(cleared.get('max-age')).toBe('0');
    expect(cleared.get('samesite')).toBe('Strict');
    expect(sessionSetCookie(res)?.startsWith('ck_ops_session=;')).toBe(true);
    const page = await (await fetch(`${central.url}${res.headers.get('location')}`, { headers: HTML })).text();
    expect(page).toContain('data-notice="signedOut">You are signed out.');
    const get = await fetch(`${central.url}/dashboard/sign-out`);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('ends the session after 12 h, whatever the browser keeps', async () => {
    const cookie = await signIn(central.url, central.adminToken);
    now = T0 + 12 * 3_600_000 - 1000;
    expect((await getSignedIn(`${central.url}/dashboard`, cookie)).status).toBe(200);
    now = T0 + 12 * 3_600_000;
    const res = await getSignedIn(`${central.url}/dashboard?lang=en`, cookie);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('Your session has ended');
    now = T0;
  });

  it('refuses every cookie made before `central admin-token --rotate`, on the running server', async () => {
    const before = await signIn(central.url, central.adminToken);
    const oldToken = central.adminToken;
    let stdout = '';
    let stderr = '';
    expect(await centralMain(['admin-token', '--rotate', '--data-dir', dir], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) })).toBe(0);
    const newToken = stdout.trim();
    expect(newToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newToken).not.toBe(oldToken);
    expect(stderr).toMatch(/The new token works on every running node now\. Running nodes stop accepting the old token, and every dashboard sign-in made with it, by \S+Z \(within 30 s/);
    expect((fs.statSync(path.join(dir, ADMIN_TOKEN_FILE)).mode & 0o777).toString(8)).toBe('600');
    // The server re-reads the token (every 50 ms here, 30 s by default) and takes the new one.
    await expect.poll(() => central.adminToken, { timeout: 10_000 }).toBe(newToken);
    const res = await getSignedIn(`${central.url}/dashboard`, before);
    expect(res.status).toBe(401);
    expect(await res.text()).toContain('data-notice="expired"');
    expect((await postForm('/dashboard/cards', { checkpoint: 'G-9' }, { cookie: before })).status).toBe(401);
    expect((await postForm('/dashboard/sign-in', { token: oldToken })).status).toBe(401);
    expect((await fetch(`${central.url}/api/v1/stats`, { headers: { authorization: `Bearer ${oldToken}` } })).status).toBe(401);
    expect((await getSignedIn(`${central.url}/dashboard`, await signIn(central.url, newToken))).status).toBe(200);
    const audit: string[] = [];
    for await (const r of central.storage.auditRows()) audit.push(r.action);
    expect(audit).toContain('admin-token-rotated');
  });

  it('refuses every cookie made before the admin token changed across a restart', async () => {
    const before = await signIn(central.url, central.adminToken);
    const oldToken = central.adminToken;
    await central.close();
    // A new admin token made at start when none is stored (the file removed by hand).
    fs.rmSync(path.join(dir, ADMIN_TOKEN_FILE));
    central = await start();
    expect(central.adminToken).not.toBe(oldToken);
    expect((await getSignedIn(`${central.url}/dashboard`, before)).status).toBe(401);
    expect((await getSignedIn(`${central.url}/dashboard`, await signIn(central.url, central.adminToken))).status).toBe(200);
  });
});
