/**
 * Enrollment: one-time, expiring codes exchanged for a device token. Codes and tokens are handed
 * to the storage only as SHA-256 hashes, so a copy of the database does not let anyone enroll or
 * impersonate.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { successionProofMatches } from '../src/sync/succession-proof.js';
import { newToken, sha256Hex } from './secrets.js';
import type { CentralStorage } from './storage/types.js';
import { normaliseEnrollmentCode } from '../src/shared/enrollment-code.js';

export const DEFAULT_CODE_TTL_HOURS = 24;
/** Crockford-ish alphabet without look-alikes (0/O, 1/I/L): codes get typed by technicians. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

export interface DeviceInfo {
  name: string;
  version: string;
  platform: string;
}

/**
 * The device a re-enrolling kiosk says it was (protocol v1 extension `predecessor`, docs/PROTOCOL.md
 * "Enrollment"): its id and the proof it held that device's token (src/sync/succession-proof.ts).
 */
export interface PredecessorClaim {
  deviceId: string;
  proof: string;
}

/**
 * What became of a predecessor claim: `recorded` (this device now succeeds it) or why not —
 * `unknown-device`, `proof-invalid`, `already-succeeded` (another device claimed it first). A claim
 * not recorded never refuses the enrollment: the kiosk is enrolled, only without the succession.
 */
export type SuccessionOutcome = 'recorded' | 'unknown-device' | 'proof-invalid' | 'already-succeeded';

export type EnrollOutcome =
  | { ok: true; deviceId: string; token: string; succession?: { deviceId: string; outcome: SuccessionOutcome }; resumed?: true }
  | { ok: false; status: 403 | 409; error: 'enrollment-code-invalid' | 'enrollment-code-expired' | 'enrollment-code-used'; message: string };

/** A new random code such as `K7QM-2XRP-9HTD` (14 chars, ~64 bits). */
export function newEnrollmentCode(): string {
  const bytes = randomBytes(12);
  let out = '';
  for (let i = 0; i < 12; i++) {
    if (i > 0 && i % 4 === 0) out += '-';
    out += CODE_ALPHABET[(bytes[i] ?? 0) % CODE_ALPHABET.length];
  }
  return out;
}

/** The rule a code given by a person (`--enrollment-code`) must meet, as said in its refusal and the docs. */
export const ENROLLMENT_CODE_RULE =
  "8 to 128 characters from A-Z, 0-9 and '-' (case and spaces do not count), at least 6 of them letters or digits, such as K7QM-2XRP-9HTD; `central enroll-code` makes random ones";

/**
 * Why `code` is too weak to be an enrollment code, or undefined when it meets ENROLLMENT_CODE_RULE.
 * With the failed-attempt throttle (enroll-throttle.ts) 8 characters of this alphabet cannot be
 * guessed within a code's lifetime; 4 (TEST) could be in minutes.
 */
export function enrollmentCodeProblem(code: string): string | undefined {
  const c = normaliseCode(code);
  const alnum = c.replace(/-/g, '').length;
  if (c.length < 8 || c.length > 128 || !/^[A-Z0-9-]+$/.test(c) || alnum < 6) {
    return `enrollment code ${JSON.stringify(code.length > 40 ? `${code.slice(0, 40)}…` : code)} is too weak or malformed: it must be ${ENROLLMENT_CODE_RULE}`;
  }
  return undefined;
}

/** Codes are compared case-insensitively and without spaces: what a person typed still works. */
export const normaliseCode = normaliseEnrollmentCode;

/**
 * Registers `code` (valid `ttlHours` from `nowMs`). Resolves false when that code was registered
 * before — even if it was used since: restarting the server with the same `--enrollment-code`
 * must not revive a code that was already spent.
 */
export function addEnrollmentCode(storage: CentralStorage, code: string, nowMs: number, ttlHours = DEFAULT_CODE_TTL_HOURS): Promise<boolean> {
  return storage.addEnrollmentCode({ codeHash: sha256Hex(normaliseCode(code)), createdAtMs: nowMs, expiresAtMs: nowMs + ttlHours * 3_600_000 });
}

/**
 * Spends `code` and creates a device, in one transaction. With `predecessor` (a re-enrolling
 * kiosk) whose proof matches the stored token hash of that device, revoked or not, the new device
 * is recorded as its successor in the same transaction; `succession` says whether it was.
 *
 * With `attempt` (the kiosk's attempt secret, protocol extension, docs/PROTOCOL.md "Enrollment")
 * its SHA-256 is kept with the spent code. A code already spent with the same secret, within
 * RESUME_WINDOW_MS and by a device not revoked, is that enrollment resumed: the kiosk never got
 * the answer, so the same device id comes back with a new token (the first one stops working)
 * and `resumed: true`. Any other reuse of a spent code is refused as before.
 */
export async function enrollDevice(
  storage: CentralStorage,
  code: string,
  device: DeviceInfo,
  nowMs: number,
  predecessor?: PredecessorClaim,
  attempt?: string,
): Promise<EnrollOutcome> {
  const deviceId = randomUUID();
  const token = newToken();
  const normalised = normaliseCode(code);
  let claim: SuccessionOutcome | undefined;
  if (predecessor) {
    const tokenHash = await storage.deviceTokenHash(predecessor.deviceId);
    claim = tokenHash === undefined ? 'unknown-device' : successionProofMatches(predecessor.proof, tokenHash, predecessor.deviceId, normalised) ? 'recorded' : 'proof-invalid';
  }
  const predecessorId = claim === 'recorded' ? { predecessorId: predecessor!.deviceId } : {};
  const attemptHash = attempt !== undefined ? { attemptHash: sha256Hex(attempt) } : {};
  const outcome = await storage.enrollDevice(sha256Hex(normalised), { id: deviceId, ...device, tokenHash: sha256Hex(token), ...predecessorId, ...attemptHash }, nowMs);
  switch (outcome) {
    case 'enrolled': {
      // The first successor of a device keeps it: a later claim is stored as nothing.
      if (claim === 'recorded' && (await storage.predecessorOf(deviceId)) !== predecessor!.deviceId) claim = 'already-succeeded';
      return { ok: true, deviceId, token, ...(predecessor && claim ? { succession: { deviceId: predecessor.deviceId, outcome: claim } } : {}) };
    }
    case 'code-unknown':
      return { ok: false, status: 403, error: 'enrollment-code-invalid', message: 'unknown enrollment code' };
    case 'code-used': {
      const resumed = attempt !== undefined ? await storage.resumeEnrollment(sha256Hex(normalised), sha256Hex(attempt), sha256Hex(token), nowMs) : undefined;
      if (resumed !== undefined) {
        // The succession the first try recorded (if any) is told again: the kiosk never heard it.
        const recorded = await storage.predecessorOf(resumed);
        return { ok: true, deviceId: resumed, token, resumed: true, ...(recorded !== undefined ? { succession: { deviceId: recorded, outcome: 'recorded' as const } } : {}) };
      }
      return { ok: false, status: 409, error: 'enrollment-code-used', message: 'this enrollment code was already used; ask for a new one' };
    }
    case 'code-expired':
      return { ok: false, status: 403, error: 'enrollment-code-expired', message: 'this enrollment code has expired; ask for a new one' };
  }
}

/** The device a bearer token belongs to, if any. */
export function deviceForToken(storage: CentralStorage, token: string): Promise<string | undefined> {
  return storage.deviceForTokenHash(sha256Hex(token));
}
