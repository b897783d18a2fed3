/**
 * The duplicate-window key (a subject's ID number, in effect) is never an index key in clear
 * (docs/OPERATIONS.md): it is stored as HMAC-SHA-256 under a key made from a random salt that lives
 * only in this database's settings and the pepper derived from the data key (identity-seal.ts), so
 * the index cannot be matched against a list of ID numbers from elsewhere.
 */
import { createHmac, randomBytes, type Hmac, type KeyObject } from 'node:crypto';
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

/**
 * Scan time (ms since epoch, decimal text) of the newest row written before schema v6 with a
 * duplicate hash: rows up to it carry the v1 hash (identity-seal.ts pepper()), later ones the v2
 * hash (keyedHasher). Absent when the database had no such row.
 */
export const DEDUP_V1_UNTIL_SETTING = 'store.dedupV1Until';

/**
 * Scan time (ms since epoch, decimal text) of the newest row written before schema v7 with a
 * duplicate hash: rows up to it were keyed by the scan's normalised text, later ones by
 * contentKey of the credential's dedupText (a signed credential's signed content, an identity QR's
 * fields; DedupRule.formerKey). Absent when the database had no such row.
 */
export const DEDUP_TEXT_KEYS_UNTIL_SETTING = 'store.dedupTextKeysUntil';

/** HMAC contexts under one key set up at a time by keyedHasher (keyed-pool.ts). */
const HASHER_BATCH = 32;

/**
 * HMAC-SHA-256 of a text under one key (the v2 duplicate hash under the store's duplicate key,
 * identity-seal.ts duplicateKey), from contexts set up ahead a batch at a time instead of one per
 * call (keyed-pool.ts explains why). One per store. 32 bytes.
 */
export function keyedHasher(key: KeyObject): (text: string) => Buffer {
  const pool = new KeyedPool<Hmac>((n) => Array.from({ length: n }, () => createHmac('sha256', key)), HASHER_BATCH);
  return (text) => pool.take().update(text, 'utf8').digest();
}
