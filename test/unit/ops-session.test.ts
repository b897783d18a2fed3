/**
 * The operations room's session value (server/ops/session.ts) and the addresses a sign-in may lead
 * to (server/ops/access.ts): what is accepted, and every way a value or an address is refused.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dashboardTarget } from '../../server/ops/access.js';
import { SESSION_MAX_AGE_S, checkSession, clearedSessionCookie, issueSession, sessionCookie } from '../../server/ops/session.js';

const TOKEN = 'k7F0e2Gm8p1Yc9QwR4tU6vX3zA5bD8hJ0lN2sV4xZ6c';
const NOW = Date.parse('2026-11-25T03:00:00Z');

/** A value with a correct MAC for any payload: what someone holding the token could make. */
function forge(payload: string, token = TOKEN): string {
  const key = createHmac('sha256', token).update('checkpoint-kiosk operations-room session v1').digest();
  return `${payload}.${createHmac('sha256', key).update(payload).digest('base64url')}`;
}

describe('session values', () => {
  it('accepts its own value until the expiry, not at it', () => {
    const v = issueSession(TOKEN, NOW);
    expect(checkSession(v, TOKEN, NOW)).toBe('ok');
    expect(checkSession(v, TOKEN, NOW + SESSION_MAX_AGE_S * 1000 - 1)).toBe('ok');
    expect(checkSession(v, TOKEN, NOW + SESSION_MAX_AGE_S * 1000)).toBe('expired');
    expect(issueSession(TOKEN, NOW)).not.toBe(v);
  });

  it('refuses a value made under another admin token', () => {
    expect(checkSession(issueSession('another-token', NOW), TOKEN, NOW)).toBe('bad-mac');
  });

  it('refuses an expiry further away than a sign-in lasts, even with a good MAC', () => {
    const far = Math.floor(NOW / 1000) + SESSION_MAX_AGE_S + 3600;
    expect(checkSession(forge(`v1.${far}.AAAAAAAAAAAAAAAAAAAAAA`), TOKEN, NOW)).toBe('expired');
    expect(checkSession(forge(`v1.${Math.floor(NOW / 1000) + 60}.AAAAAAAAAAAAAAAAAAAAAA`), TOKEN, NOW)).toBe('ok');
  });

  it('refuses malformed values without looking further', () => {
    const good = issueSession(TOKEN, NOW);
    for (const bad of ['', TOKEN, `v2${good.slice(2)}`, `${good}.x`, good.slice(0, -1), good.replace(/\.(\d+)\./, '.-1.'), `${good} `, 'v1.1.2.3', 'x'.repeat(10_000)]) {
      expect(checkSession(bad, TOKEN, NOW), bad.slice(0, 40)).toBe('malformed');
    }
  });

  it('builds the cookies with their attributes', () => {
    expect(sessionCookie('V', false)).toBe(`ck_ops_session=V; Path=/; Max-Age=${SESSION_MAX_AGE_S}; HttpOnly; SameSite=Strict`);
    expect(sessionCookie('V', true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(false)).toBe('ck_ops_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
  });
});

describe('where a sign-in leads', () => {
  it('keeps the dashboard pages with their language and order, nothing else', () => {
    expect(dashboardTarget('/dashboard?lang=en&sort=clock&token=abc&idNo=001090000001')).toBe('/dashboard?lang=en&sort=clock');
    expect(dashboardTarget('/dashboard/fleet?token=abc')).toBe('/dashboard/fleet');
    expect(dashboardTarget('/dashboard/cards')).toBe('/dashboard/fleet');
    expect(dashboardTarget('/dashboard/devices/k-1/revoke')).toBe('/dashboard/fleet');
    expect(dashboardTarget('/dashboard?sort=%3Cscript%3E')).toBe('/dashboard');
  });

  it('never leads off the server or out of the room', () => {
    for (const raw of ['//evil.example', '/\\evil.example', 'https://evil.example/dashboard', 'javascript:alert(1)', '/api/v1/stats', '/declare', undefined, 42, `/${'a'.repeat(5000)}`]) {
      expect(dashboardTarget(raw), String(raw).slice(0, 40)).toBe('/dashboard');
    }
  });
});
