/**
 * The duplicate-window key (a subject's ID number, in effect) is never an index key in clear
 * (docs/OPERATIONS.md): it is stored as HMAC-SHA-256 under a random salt that lives only in this database's
 * settings, so the index cannot be matched against a list of ID numbers from elsewhere.
 */
import { createHmac, createSecretKey, randomBytes, type Hmac } from 'node:crypto';
import { KeyedPool } from './keyed-pool.js';

/** Settings key holding the salt (hex). Keys under `store.` are reserved for the store itself. */
export const DEDUP_SALT_SETTING = 'store.dedupSalt';
export const RESERVED_SETTING_PREFIX = 'store.';

/** 32 bytes of salt, hex-encoded for the settings table. */
export function newDedupSalt(): string {
  return randomBytes(32).toString('hex');
}

/** 32-byte HMAC-SHA-256 of the key under the salt. Deterministic for one database. */
export function dedupHash(salt: Buffer, key: string): Buffer {
  return createHmac('sha256', salt).update(key, 'utf8').digest();
}

/** HMAC contexts under one salt set up at a time by saltedHasher (keyed-pool.ts). */
const HASHER_BATCH = 32;

/**
 * dedupHash under one database's salt, the same 32 bytes for the same key, from HMAC contexts set
 * up ahead a batch at a time instead of one per call (keyed-pool.ts explains why). One per store.
 */
export function saltedHasher(salt: Buffer): (key: string) => Buffer {
  const keyObject = createSecretKey(salt);
  const pool = new KeyedPool<Hmac>((n) => Array.from({ length: n }, () => createHmac('sha256', keyObject)), HASHER_BATCH);
  return (key) => pool.take().update(key, 'utf8').digest();
}
