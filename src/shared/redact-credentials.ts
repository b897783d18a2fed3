/**
 * The one masking of secrets in URLs, for every text that shows, logs or sends a scanner URI or a
 * message that may hold one (a camera's status uri and errors, ffmpeg's stderr, usage errors, the
 * heartbeat). Two kinds of secret are masked as `***`:
 *
 * - a URL's user information: `rtsp://admin:s3cret@10.0.0.7/x` → `rtsp://***@10.0.0.7/x`, also
 *   after a scheme with one slash, none or backslashes (`http:/bob:s3cret@host`, a typo Node's URL
 *   parser still reads as user-info);
 * - the value of a query parameter whose name looks like a secret (pwd, password, passwd, pass,
 *   pw, token, key, apikey, api_key, auth, secret, sig, signature, credential …, case ignored,
 *   and any name containing pass, pwd, token, secret, key, auth, cred or sig), written plainly
 *   (`?user=admin&pwd=S3cret`, or `;` between parameters: `?usr=admin;pwd=S3cret`) or
 *   percent-encoded as a camera URL inside a kiosk URI is (`%3Fuser%3Dadmin%26pwd%3DS3cret`):
 *   `pwd=***`, `pwd%3D***`. The name is matched percent-decoded (as often as it is encoded), so
 *   `p%77d` and `p%2577d` are `pwd` too.
 *
 * A value ends at `&`, `;`, `%26`, `%3B`, `?`, `#`, a quote, `<`, `>` or white space; punctuation
 * just before white space or the end (the colon of ffmpeg's `URL: Input/output error`) is left
 * outside it.
 */

/** Names of query parameters whose values are secrets. */
const SECRET_NAME = /^(?:pwd|pw|pass|passwd|password|passphrase|token|key|apikey|api[_-]key|auth|authorization|secret|sig|signature|credentials?|[\w.-]*(?:pass|pwd|token|secret|key|auth|cred|sig)[\w.-]*)$/iu;

const USERINFO = /([a-z][a-z0-9+.-]*:[/\\]*)[^\s/\\@]+@/giu;

/**
 * A query parameter: separator, name (letters, digits, . _ - and percent-encoded bytes other than
 * the encoded separators and `=`), `=` (plain or %3D), value.
 */
const PARAM = /(\?|&|;|%3F|%26|%3B)((?:[\w.-]|%(?!3D|26|3F|3B)[0-9a-f]{2})+)(=|%3D)((?:(?!%26|%3F|%3B)[^\s&;?#"'<>])+?)(?=%26|%3F|%3B|[&;?#"'<>]|[:;,.)\]]*(?:\s|$))/giu;

/** `name` percent-decoded until nothing is left to decode (at most 4 times; an invalid escape stops it). */
function decodedName(name: string): string {
  let out = name;
  for (let i = 0; i < 4 && out.includes('%'); i += 1) {
    let next: string;
    try {
      next = decodeURIComponent(out);
    } catch {
      break;
    }
    if (next === out) break;
    out = next;
  }
  return out;
}

export function redactCredentials(text: string): string {
  return text
    .replace(USERINFO, '$1***@')
    .replace(PARAM, (all: string, sep: string, name: string, eq: string) => (SECRET_NAME.test(decodedName(name)) ? `${sep}${name}${eq}***` : all));
}
