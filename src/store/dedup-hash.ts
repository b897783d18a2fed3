/**
 * The duplicate-window key (a subject's ID number, in effect) is never an index key in clear
 * (docs/OPERATIONS.md): it is stored as HMAC-SHA-256 under a key made from a random salt that lives
 * only in this database's settings and the pepper derived from the data key (identity-seal.ts), so
 * the index cannot be matched against a list of ID numbers from elsewhere.
 */
import crypto, { createHmac, randomBytes, type KeyObject } from 'node:crypto';

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

/** SHA-256's block size, bytes: the HMAC key is padded to it (RFC 2104 §2). */
const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
/** Key texts up to this many UTF-16 code units (3 UTF-8 bytes at most each) are hashed in place. */
const IN_PLACE_CHARS = 2048;

/** Node's one-shot digest (crypto.hash: Node ≥ 20.12, and Electron's Node), when there is one. */
const oneShotHash = (crypto as { hash?: typeof crypto.hash }).hash;

/**
 * HMAC-SHA-256 (RFC 2104) of a text under one key — the v2 duplicate hash under the store's
 * duplicate key (identity-seal.ts duplicateKey) — as a 32-character latin1 string, one character
 * per digest byte: the form recent-hashes.ts keys its map by (hashKey), and
 * Buffer.from(digest, 'latin1') gives the 32 bytes stored. The same bytes as
 * createHmac('sha256', key).update(text, 'utf8').digest() for any text (lone surrogates included).
 * One per store.
 *
 * Why not createHmac per call: a native HMAC object set up per scan (OpenSSL's algorithm lookup and
 * key schedule, a JS wrapper the GC must finalise) and a digest Buffer with its own backing store,
 * right after an fsync has left the CPU's caches cold. Here the two padded key blocks (K ⊕ ipad,
 * K ⊕ opad) are made once, and a call is two one-shot SHA-256 digests,
 * H(K ⊕ opad ‖ H(K ⊕ ipad ‖ text)), over buffers reused from call to call (the store is
 * synchronous: one call at a time), answered as latin1 strings, which make no Buffer. The padded
 * blocks are key material held in this closure only, like the key object they come from. Without
 * crypto.hash (Node before 20.12) each call is a createHmac; `hash` is there for tests of that.
 */
export function keyedDigester(key: KeyObject, hash: typeof crypto.hash | undefined = oneShotHash): (text: string) => string {
  if (hash === undefined) return (text) => createHmac('sha256', key).update(text, 'utf8').digest('binary');
  const raw = key.export();
  if (raw.length > BLOCK_BYTES) throw new RangeError('keyedDigester: key longer than one SHA-256 block');
  // inner: K ⊕ ipad, then the text; outer: K ⊕ opad, then the inner digest.
  const inner = Buffer.alloc(BLOCK_BYTES + IN_PLACE_CHARS * 3);
  const outer = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const k = raw[i] ?? 0;
    inner[i] = k ^ 0x36;
    outer[i] = k ^ 0x5c;
  }
  raw.fill(0);
  const ipad = inner.subarray(0, BLOCK_BYTES);
  return (text) => {
    const innerDigest =
      text.length <= IN_PLACE_CHARS
        ? hash('sha256', inner.subarray(0, BLOCK_BYTES + inner.write(text, BLOCK_BYTES, 'utf8')), 'binary')
        : hash('sha256', Buffer.concat([ipad, Buffer.from(text, 'utf8')]), 'binary');
    outer.write(innerDigest, BLOCK_BYTES, 'latin1');
    return hash('sha256', outer, 'binary');
  };
}

/** keyedDigester's HMAC-SHA-256 as a 32-byte Buffer. */
export function keyedHasher(key: KeyObject): (text: string) => Buffer {
  const digest = keyedDigester(key);
  return (text) => Buffer.from(digest(text), 'latin1');
}
