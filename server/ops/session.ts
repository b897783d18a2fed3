/**
 * The operations room's sign-in session: a cookie that lets a browser in without the admin token
 * in any URL (browser history, proxy and server logs, Referer).
 *
 * The cookie value is not the token: it is `v1.EXP.NONCE.MAC`, where EXP is the expiry in Unix
 * seconds, NONCE 16 random bytes (base64url) and MAC = HMAC-SHA256 (RFC 2104) over `v1.EXP.NONCE`
 * under a key derived from the admin token. Consequences, on purpose:
 *   - every node of a multi-node deployment verifies it (they share the token through the
 *     database, ../secrets.ts), with no session table;
 *   - changing the admin token refuses every cookie made before (the key changes with it);
 *   - the expiry is enforced by the server, not only by the browser's Max-Age.
 * Signing out clears the cookie in that browser; a copied cookie stays valid until EXP (at most
 * SESSION_MAX_AGE_S) or until the token changes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { isCanonicalBase64url, readBase64url } from '../../src/shared/base64url.js';

export const SESSION_COOKIE = 'ck_ops_session';
/** How long a sign-in lasts (s): a duty shift. */
export const SESSION_MAX_AGE_S = 12 * 3600;
/** Longest cookie value we look at (ours are ~80 characters). */
const MAX_VALUE_LENGTH = 256;
/** Domain separation: the admin token keys other things too (it is the Bearer of the API). */
const KEY_LABEL = 'checkpoint-kiosk operations-room session v1';

function keyOf(adminToken: string): Buffer {
  return createHmac('sha256', adminToken).update(KEY_LABEL).digest();
}

function macOf(adminToken: string, payload: string): Buffer {
  return createHmac('sha256', keyOf(adminToken)).update(payload).digest();
}

/** A new session value for a browser that proved it holds `adminToken`, valid SESSION_MAX_AGE_S from `nowMs`. */
export function issueSession(adminToken: string, nowMs: number): string {
  const payload = `v1.${Math.floor(nowMs / 1000) + SESSION_MAX_AGE_S}.${randomBytes(16).toString('base64url')}`;
  return `${payload}.${macOf(adminToken, payload).toString('base64url')}`;
}

/** Why a session value is refused, or 'ok'. */
export type SessionCheck = 'ok' | 'malformed' | 'expired' | 'bad-mac';

/**
 * Checks a session value: well-formed, made under this admin token (a constant-time MAC
 * comparison), and not expired at `nowMs`. An expiry further away than SESSION_MAX_AGE_S is
 * refused too (not one we made with this clock).
 */
export function checkSession(value: string, adminToken: string, nowMs: number): SessionCheck {
  if (value.length > MAX_VALUE_LENGTH) return 'malformed';
  const m = /^(v1\.(\d{1,12})\.[A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!m) return 'malformed';
  const [, payload, exp, mac] = m as unknown as [string, string, string, string];
  // Only the canonical spelling of the MAC (RFC 4648 §3.5): one session, one cookie value.
  if (!isCanonicalBase64url(mac)) return 'malformed';
  if (!timingSafeEqual(readBase64url(mac, 'session MAC'), macOf(adminToken, payload))) return 'bad-mac';
  const nowS = nowMs / 1000;
  const expS = Number(exp);
  return expS <= nowS || expS > nowS + SESSION_MAX_AGE_S + 60 ? 'expired' : 'ok';
}

/** The session cookie's value in a request, if any (the first one: RFC 6265 §5.4 order). */
export function sessionOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.slice(0, 8192).split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Whether the browser reached us over HTTPS: directly (TLS on this socket) or through a proxy
 * that terminated TLS and says so (`X-Forwarded-Proto: https`, RFC 7239 `Forwarded: proto=https`).
 * Trusting the header costs nothing here: it can only make the cookie stricter (Secure).
 */
export function cameOverHttps(request: FastifyRequest): boolean {
  if (request.protocol === 'https') return true;
  const xfp = request.headers['x-forwarded-proto'];
  if (typeof xfp === 'string' && xfp.split(',')[0]?.trim().toLowerCase() === 'https') return true;
  const fwd = request.headers.forwarded;
  return typeof fwd === 'string' && /(?:^|[;,\s])proto="?https"?(?:[;,\s]|$)/i.test(fwd.split(',')[0] ?? '');
}

/**
 * Set-Cookie for a session (RFC 6265bis): HttpOnly (no script reads it), SameSite=Strict (no
 * other site's page or link sends it: the state-changing forms are not CSRF-able through it),
 * Path=/ (the dashboard, its forms and /dashboard/fleet), Secure over HTTPS.
 */
export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${SESSION_MAX_AGE_S}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

/** Set-Cookie that removes the session (sign-out, a refused cookie). */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}
