/**
 * The enrollment attempt key: a random secret the kiosk sends with an enrollment (protocol v1
 * extension `attempt`, docs/PROTOCOL.md "Enrollment") and keeps, with the hash of the code it was
 * sent with, until the enrollment is saved. An answer lost on the way (a timeout on a flaky link,
 * a power cut before enrollment.json was written) leaves the server holding a spent code and a
 * device the kiosk never heard of; sent again with the same code and the same secret, the server
 * hands that device back with a fresh token instead of answering "already used".
 *
 * Kept in the store's settings (kiosk.db, synchronous=FULL), written before the request leaves, so
 * it survives whatever cuts the answer off. Only the kiosk holds the secret; the server stores its
 * SHA-256. Never the code itself: its hash names which code the secret belongs to.
 */
import { createHash, randomBytes } from 'node:crypto';
import { normaliseEnrollmentCode } from '../shared/enrollment-code.js';
import { SETTINGS } from './settings.js';

/** The store calls this needs (KioskStore's settings; '' means none). */
export interface SettingsStore {
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
}

/** Random bytes in a secret: 256 bits, sent as 43 base64url characters. */
const ATTEMPT_BYTES = 32;

/** SHA-256 hex of the code as the server compares it (case and spaces do not count). */
function codeTag(code: string): string {
  return createHash('sha256').update(normaliseEnrollmentCode(code), 'utf8').digest('hex');
}

/**
 * The attempt secret for `code`: the one kept for the same code, else a new one, stored before
 * this returns (so a request that leaves with it can always be sent again with it).
 */
export function attemptFor(store: SettingsStore, code: string): string {
  const tag = codeTag(code);
  const kept = readKept(store.getSetting(SETTINGS.enrollAttempt));
  if (kept?.code === tag) return kept.attempt;
  const attempt = randomBytes(ATTEMPT_BYTES).toString('base64url');
  store.setSetting(SETTINGS.enrollAttempt, JSON.stringify({ code: tag, attempt }));
  return attempt;
}

/** Forgets the secret once the enrollment it was for is saved. */
export function attemptDone(store: SettingsStore): void {
  store.setSetting(SETTINGS.enrollAttempt, '');
}

function readKept(value: string | undefined): { code: string; attempt: string } | undefined {
  if (!value) return undefined;
  try {
    const v = JSON.parse(value) as { code?: unknown; attempt?: unknown };
    return typeof v.code === 'string' && typeof v.attempt === 'string' && /^[A-Za-z0-9_-]{43}$/.test(v.attempt) ? { code: v.code, attempt: v.attempt } : undefined;
  } catch {
    return undefined;
  }
}
