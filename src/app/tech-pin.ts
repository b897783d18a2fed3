/**
 * PIN hashing for the technician PIN and officer codes: scrypt (RFC 7914) with a random 16-byte
 * salt, stored as `scrypt$N$saltB64$keyB64`, compared in constant time.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

export const PIN_SETTINGS = {
  hash: 'tech.pinHash',
  /** Who set the PIN in force: 'pin-file', 'set-pin', 'panel' or 'setup-code' (absent: before this was kept). */
  source: 'tech.pinSource',
  /** scrypt hash of the PIN file's PIN when it was last applied: the file applies again only when it changes. */
  fileHash: 'tech.pinFileHash',
} as const;

const KEY_LEN = 32;

/** Default scrypt cost N: 2^14 (~16 MiB, ~50 ms here). */
export const DEFAULT_SCRYPT_N = 1 << 14;

function scryptAsync(pin: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, KEY_LEN, { N: n, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$saltB64$keyB64` */
export async function hashPin(pin: string, n = DEFAULT_SCRYPT_N): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pin, salt, n);
  return `scrypt$${n}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `pin` matches `stored`; false for a malformed hash (never throws on bad input). */
export async function checkPin(pin: string, stored: string): Promise<boolean> {
  const [tag, nText, saltB64, keyB64] = stored.split('$');
  const n = Number(nText);
  if (tag !== 'scrypt' || !Number.isInteger(n) || n < 2 || n > 1 << 20 || (n & (n - 1)) !== 0 || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const actual = await scryptAsync(pin, Buffer.from(saltB64, 'base64'), n);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}
