/**
 * Enrollment: one-time, expiring codes exchanged for a device token. Codes and tokens are handed
 * to the storage only as SHA-256 hashes, so a copy of the database does not let anyone enroll or
 * impersonate.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { newToken, sha256Hex } from './secrets.js';
import type { CentralStorage } from './storage/types.js';

export const DEFAULT_CODE_TTL_HOURS = 24;
/** Crockford-ish alphabet without look-alikes (0/O, 1/I/L): codes get typed by technicians. */
const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';

export interface DeviceInfo {
  name: string;
  version: string;
  platform: string;
}

export type EnrollOutcome =
  | { ok: true; deviceId: string; token: string }
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

/** Codes are compared case-insensitively and without spaces: what a person typed still works. */
export function normaliseCode(code: string): string {
  return code.replace(/\s+/g, '').toUpperCase();
}

/**
 * Registers `code` (valid `ttlHours` from `nowMs`). Resolves false when that code was registered
 * before — even if it was used since: restarting the server with the same `--enrollment-code`
 * must not revive a code that was already spent.
 */
export function addEnrollmentCode(storage: CentralStorage, code: string, nowMs: number, ttlHours = DEFAULT_CODE_TTL_HOURS): Promise<boolean> {
  return storage.addEnrollmentCode({ codeHash: sha256Hex(normaliseCode(code)), createdAtMs: nowMs, expiresAtMs: nowMs + ttlHours * 3_600_000 });
}

/** Spends `code` and creates a device, in one transaction. */
export async function enrollDevice(storage: CentralStorage, code: string, device: DeviceInfo, nowMs: number): Promise<EnrollOutcome> {
  const deviceId = randomUUID();
  const token = newToken();
  const outcome = await storage.enrollDevice(sha256Hex(normaliseCode(code)), { id: deviceId, ...device, tokenHash: sha256Hex(token) }, nowMs);
  switch (outcome) {
    case 'enrolled':
      return { ok: true, deviceId, token };
    case 'code-unknown':
      return { ok: false, status: 403, error: 'enrollment-code-invalid', message: 'unknown enrollment code' };
    case 'code-used':
      return { ok: false, status: 409, error: 'enrollment-code-used', message: 'this enrollment code was already used; ask for a new one' };
    case 'code-expired':
      return { ok: false, status: 403, error: 'enrollment-code-expired', message: 'this enrollment code has expired; ask for a new one' };
  }
}

/** The device a bearer token belongs to, if any. */
export function deviceForToken(storage: CentralStorage, token: string): Promise<string | undefined> {
  return storage.deviceForTokenHash(sha256Hex(token));
}
