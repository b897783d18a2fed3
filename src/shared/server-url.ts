/**
 * A central server URL with user-info (`http://USER:PASSWORD@host/`) is refused everywhere a
 * kiosk is given one (`run --server`, a provisioning card's url, `central provision-card --url`):
 * the server authenticates a kiosk by its own bearer token, never by user-info, and a URL with
 * user-info enrolled (spending the code) and then got 401 on every later request, while the
 * password was printed in the card's `provisioned` event and the logs. Messages never echo it.
 */

/** The authority of an http(s) URL (between "//" and the first / ? #), or undefined for another text. */
function authorityOf(url: string): string | undefined {
  const m = /^https?:\/\/([^/?#]*)/i.exec(url);
  return m ? m[1] : undefined;
}

/** Whether `url` carries user-info (a user name, a password, or just an "@" before the host). */
export function hasUserInfo(url: string): boolean {
  return (authorityOf(url) ?? '').includes('@');
}

/** `url` with its user-info cut out (safe to print), e.g. http://admin:x@h:1/p → http://h:1/p. */
export function withoutUserInfo(url: string): string {
  return url.replace(/^(https?:\/\/)[^/?#]*@/i, '$1');
}

/**
 * What to say about a URL with user-info (undefined when it has none): names the problem and the
 * URL to give instead, without the user name or password.
 */
export function userInfoProblem(url: string): string | undefined {
  if (!hasUserInfo(url)) return undefined;
  return `the URL carries a user name or password before "@" (not shown); the central server does not take them (a kiosk signs in with its own token, and every request would be refused with 401 after enrolling), and they would be printed in events and logs: give the URL without them, e.g. ${withoutUserInfo(url)}`;
}
