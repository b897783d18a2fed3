/**
 * Enrollment: one-time, expiring codes exchanged for a device token. Codes and tokens are stored
 * only as SHA-256 hashes, so a copy of the database does not let anyone enroll or impersonate.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { CentralDb } from './db.js';
import { isRevokedSql } from './fleet-store.js';
import { newToken, sha256Hex } from './secrets.js';

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
 * Registers `code` (valid `ttlHours` from `nowMs`). Returns false when that code was registered
 * before — even if it was used since: restarting the server with the same `--enrollment-code`
 * must not revive a code that was already spent.
 */
export function addEnrollmentCode(db: CentralDb, code: string, nowMs: number, ttlHours = DEFAULT_CODE_TTL_HOURS): boolean {
  const info = db
    .prepare('INSERT OR IGNORE INTO enrollment_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)')
    .run(sha256Hex(normaliseCode(code)), new Date(nowMs).toISOString(), new Date(nowMs + ttlHours * 3_600_000).toISOString());
  return info.changes === 1;
}

/** Spends `code` and creates a device, in one transaction. */
export function enrollDevice(db: CentralDb, code: string, device: DeviceInfo, nowMs: number): EnrollOutcome {
  const codeHash = sha256Hex(normaliseCode(code));
  const now = new Date(nowMs).toISOString();
  return db.transaction((): EnrollOutcome => {
    const row = db.prepare('SELECT expires_at, used_at FROM enrollment_codes WHERE code_hash = ?').get(codeHash) as
      | { expires_at: string; used_at: string | null }
      | undefined;
    if (!row) return { ok: false, status: 403, error: 'enrollment-code-invalid', message: 'unknown enrollment code' };
    if (row.used_at) return { ok: false, status: 409, error: 'enrollment-code-used', message: 'this enrollment code was already used; ask for a new one' };
    if (Date.parse(row.expires_at) <= nowMs) return { ok: false, status: 403, error: 'enrollment-code-expired', message: 'this enrollment code has expired; ask for a new one' };
    const deviceId = randomUUID();
    const token = newToken();
    db.prepare('INSERT INTO devices (id, name, version, platform, token_hash, enrolled_at) VALUES (?, ?, ?, ?, ?, ?)').run(
      deviceId,
      device.name,
      device.version,
      device.platform,
      sha256Hex(token),
      now,
    );
    db.prepare('UPDATE enrollment_codes SET used_at = ?, used_by = ? WHERE code_hash = ?').run(now, deviceId, codeHash);
    return { ok: true, deviceId, token };
  })();
}

/**
 * The device a bearer token belongs to, if any and not revoked. Read from the database on every
 * request (no cache), so a revocation takes effect at once on every node sharing the database.
 */
export function deviceForToken(db: CentralDb, token: string): string | undefined {
  const row = db.prepare(`SELECT id FROM devices WHERE token_hash = ? AND ${isRevokedSql()}`).get(sha256Hex(token)) as { id: string } | undefined;
  return row?.id;
}
