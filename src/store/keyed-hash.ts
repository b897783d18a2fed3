/**
 * HMAC-SHA-256 (RFC 2104) under one fixed key, for many short messages: the hot path of every scan
 * computes two of them (the duplicate hash, dedup-hash.ts and identity-seal.ts). createHmac() runs
 * the key schedule again on every call; here the key's inner and outer padded blocks are hashed
 * once, as RFC 2104 section 4 suggests, and each message continues from copies of those two states
 * (Hash.copy). The output is byte for byte createHmac('sha256', key).update(message).digest().
 */
import { createHash, type Hash } from 'node:crypto';

/** SHA-256 block size, bytes. */
const BLOCK_BYTES = 64;

export class KeyedSha256 {
  private readonly inner: Hash;
  private readonly outer: Hash;

  /** `key`: any length (longer than one block is hashed first, as RFC 2104 says). */
  constructor(key: Buffer) {
    const k = key.length > BLOCK_BYTES ? createHash('sha256').update(key).digest() : key;
    const ipad = Buffer.alloc(BLOCK_BYTES, 0x36);
    const opad = Buffer.alloc(BLOCK_BYTES, 0x5c);
    for (let i = 0; i < k.length; i++) {
      ipad[i] = 0x36 ^ (k[i] as number);
      opad[i] = 0x5c ^ (k[i] as number);
    }
    this.inner = createHash('sha256').update(ipad);
    this.outer = createHash('sha256').update(opad);
    // The padded key blocks are key material: do not leave them in freed memory.
    ipad.fill(0);
    opad.fill(0);
  }

  /** The 32-byte MAC of `message` (a string is taken as UTF-8). */
  digest(message: string | Buffer): Buffer {
    const inner = typeof message === 'string' ? this.inner.copy().update(message, 'utf8') : this.inner.copy().update(message);
    return this.outer.copy().update(inner.digest()).digest();
  }
}
