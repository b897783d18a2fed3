/**
 * The one masking of secrets in URLs, for every text that shows, logs or sends a scanner URI or a
 * message that may hold one (a camera's status uri and errors, ffmpeg's stderr, usage errors, the
 * heartbeat). Two kinds of secret are masked as `***`:
 *
 * - a URL's user information: `rtsp://admin:s3cret@10.0.0.7/x` → `rtsp://***@10.0.0.7/x`;
 * - the value of a query parameter whose name looks like a secret (pwd, password, passwd, pass,
 *   pw, token, key, apikey, api_key, auth, secret, sig, signature, credential …, case ignored,
 *   and any name containing pass, pwd, token, secret, key, auth, cred or sig), written plainly
 *   (`?user=admin&pwd=S3cret`) or percent-encoded as a camera URL inside a kiosk URI is
 *   (`%3Fuser%3Dadmin%26pwd%3DS3cret`): `pwd=***`, `pwd%3D***`.
 *
 * A value ends at `&`, `%26`, `?`, `#`, a quote, `<`, `>` or white space; punctuation just before
 * white space or the end (the colon of ffmpeg's `URL: Input/output error`) is left outside it.
 */

/** Names of query parameters whose values are secrets. */
const SECRET_NAME = /^(?:pwd|pw|pass|passwd|password|passphrase|token|key|apikey|api[_-]key|auth|authorization|secret|sig|signature|credentials?|[\w.-]*(?:pass|pwd|token|secret|key|auth|cred|sig)[\w.-]*)$/iu;

const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@]+@/giu;

/** A query parameter: separator, name, `=` (plain or %3D), value. */
const PARAM = /(\?|&|%3F|%26)([\w.-]+)(=|%3D)((?:(?!%26|%3F)[^\s&?#"'<>])+?)(?=%26|%3F|[&?#"'<>]|[:;,.)\]]*(?:\s|$))/giu;

export function redactCredentials(text: string): string {
  return text.replace(USERINFO, '$1***@').replace(PARAM, (all: string, sep: string, name: string, eq: string) => (SECRET_NAME.test(name) ? `${sep}${name}${eq}***` : all));
}
