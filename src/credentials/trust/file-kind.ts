/**
 * Files a technician finds in a kiosk's data dir and may hand to `--trust` by mistake: the signed
 * bundle the kiosk keeps (`trust-bundle.jws`, a JWS compact serialisation, RFC 7515 §7.1) and the
 * kiosk's bookkeeping beside it (`trust-bundle.meta.json`: `{etag, lastSyncAt}`). Neither is the
 * plain JSON bundle `--trust` reads, and the generic answers ("not valid JSON", "unknown key etag")
 * would not tell what to do instead; these say what the file is and what to use.
 */

/** Three base64url parts separated by dots; the header part of a JWS starts with `eyJ` (`{"`). */
const JWS_COMPACT = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+$/;

/** The keys of the kiosk's `trust-bundle.meta.json` (src/sync/trust-sync.ts). */
const META_KEYS: readonly string[] = ['etag', 'lastSyncAt'];

/** Stands for the data dir in the advice; a caller that knows the dir puts it in (verify does). */
export const KIOSK_DIR_PLACEHOLDER = "<the kiosk's data dir>";

export const SIGNED_BUNDLE_ADVICE = `a signed trust bundle as a kiosk keeps it (JWS), not the plain JSON bundle --trust reads; use \`verify --data-dir ${KIOSK_DIR_PLACEHOLDER}\` or a plain JSON bundle from \`central trust-bundle --out FILE\``;

export const META_FILE_ADVICE = `the kiosk's bookkeeping for its trust bundle (ETag and last sync time), not a trust bundle; use \`verify --data-dir ${KIOSK_DIR_PLACEHOLDER}\` or a plain JSON bundle from \`central trust-bundle --out FILE\``;

/** True when `text` (a file's content, surrounding white space allowed) is a JWS in compact form. */
export function isJwsCompact(text: string): boolean {
  return JWS_COMPACT.test(text.trim());
}

/** True when `json` is the kiosk's trust-bundle bookkeeping: an object of only `etag`/`lastSyncAt`. */
export function isTrustMeta(json: unknown): boolean {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return false;
  const keys = Object.keys(json);
  return keys.length > 0 && keys.every((k) => META_KEYS.includes(k));
}
