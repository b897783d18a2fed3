/**
 * Long-lived secrets of the central server, kept by the storage (SQLite: files in the data dir
 * with mode 0600; PostgreSQL: a table, so every node uses the same ones):
 * the root key (signs trust bundles; its public half is pinned by kiosks at enrollment), the
 * declaration issuer key (signs CKD1 declarations) and the admin token (dashboard, stats, trace).
 * Each is made on first start and reused afterwards; the admin token can be replaced
 * (`central admin-token --rotate`), and running servers take the new one (./admin-token.ts).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject, JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { CentralStorage, SecretName } from './storage/types.js';

export const ROOT_KEY_FILE = 'root-key.pem';
export const DECLARATION_KEY_FILE = 'declaration-key.pem';
export const ADMIN_TOKEN_FILE = 'admin-token';

/** Writes `content` to a new file with mode 0600; returns false when it already exists. */
export function createSecretFile(file: string, content: string): boolean {
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, content);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * Replaces `file` with `content` atomically (a new 0600 file beside it, fsynced, renamed over it,
 * the directory fsynced): a reader sees the old secret or the new one, never a part.
 */
export function replaceSecretFile(file: string, content: string): void {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  if (!createSecretFile(tmp, content)) throw new Error(`${tmp} already exists`);
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const dir = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dir);
  } finally {
    fs.closeSync(dir);
  }
}

/** File name of each secret in a SQLite data dir. */
export const SECRET_FILES: Record<SecretName, string> = {
  'root-key': ROOT_KEY_FILE,
  'declaration-key': DECLARATION_KEY_FILE,
  'admin-token': ADMIN_TOKEN_FILE,
};

/** A new EC P-256 private key as PKCS#8 PEM. */
function newEcKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
}

/** Loads the EC P-256 private key `name` from the storage, creating it on first use. */
export async function loadOrCreateEcKey(storage: CentralStorage, name: 'root-key' | 'declaration-key'): Promise<{ privateKey: KeyObject; publicKey: KeyObject }> {
  const privateKey = createPrivateKey(await storage.loadOrCreateSecret(name, newEcKeyPem));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Public JWK of a key, without private members. */
export function publicJwk(publicKey: KeyObject): JsonWebKey {
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y };
}

/** The admin token (43 chars base64url), made on first start. */
export async function loadOrCreateAdminToken(storage: CentralStorage): Promise<string> {
  return (await storage.loadOrCreateSecret('admin-token', () => randomBytes(32).toString('base64url'))).trim();
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Constant-time comparison of two secrets of any length. */
export function secretEquals(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** A new random secret of 32 bytes, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
