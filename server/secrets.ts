/**
 * Long-lived secrets of the central server, kept as files in the data dir with mode 0600:
 * the root key (signs trust bundles; its public half is pinned by kiosks at enrollment), the
 * declaration issuer key (signs CKD1 declarations) and the admin token (dashboard, stats, trace).
 * Each is made on first start and reused afterwards.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { KeyObject, JsonWebKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const ROOT_KEY_FILE = 'root-key.pem';
export const DECLARATION_KEY_FILE = 'declaration-key.pem';
export const ADMIN_TOKEN_FILE = 'admin-token';

/** Writes `content` to a new file with mode 0600; returns false when it already exists. */
function createSecretFile(file: string, content: string): boolean {
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

/** Loads the EC P-256 private key in `file`, creating it on first use. */
export function loadOrCreateEcKey(dataDir: string, fileName: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const file = path.join(dataDir, fileName);
  if (!fs.existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    createSecretFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  }
  const privateKey = createPrivateKey(fs.readFileSync(file, 'utf8'));
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

/** Public JWK of a key, without private members. */
export function publicJwk(publicKey: KeyObject): JsonWebKey {
  const { kty, crv, x, y } = publicKey.export({ format: 'jwk' });
  return { kty, crv, x, y };
}

/** The admin token (43 chars base64url), made on first start. */
export function loadOrCreateAdminToken(dataDir: string): string {
  const file = path.join(dataDir, ADMIN_TOKEN_FILE);
  createSecretFile(file, randomBytes(32).toString('base64url'));
  return fs.readFileSync(file, 'utf8').trim();
}

/** Reads the admin token without creating one (CLI `central admin-token`). */
export function readAdminToken(dataDir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dataDir, ADMIN_TOKEN_FILE), 'utf8').trim();
  } catch {
    return undefined;
  }
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
