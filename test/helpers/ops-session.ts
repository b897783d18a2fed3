/**
 * Signing in to a central server's operations room the way a browser does: POST the admin token
 * to /dashboard/sign-in and keep the session cookie it sets (as a `Cookie` request header value).
 */
import { expect } from 'vitest';

/** The session cookie (`ck_ops_session=…`) a sign-in with `adminToken` at `baseUrl` sets. */
export async function signIn(baseUrl: string, adminToken: string): Promise<string> {
  const res = await fetch(`${baseUrl}/dashboard/sign-in`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: adminToken }).toString(),
    redirect: 'manual',
  });
  expect(res.status).toBe(303);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('ck_ops_session='));
  expect(cookie).toBeDefined();
  return (cookie as string).split(';')[0] as string;
}

/** GET `url` as a signed-in browser (the session cookie, `Accept: text/html`, no redirects followed). */
export function getSignedIn(url: string, cookie: string): Promise<Response> {
  return fetch(url, { headers: { cookie, accept: 'text/html' }, redirect: 'manual' });
}
