/**
 * Crypto contexts set up ahead (keyed-pool.ts): each handed out once, refilled when a batch runs
 * out, and the seal, pepper and duplicate hash made from them byte-for-byte what one-off contexts
 * give, across several batches; the v2 duplicate key's derivation.
 */
import { createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KeyedPool } from '../../src/store/keyed-pool.js';
import { IdentitySeal } from '../../src/store/identity-seal.js';
import { keyedHasher } from '../../src/store/dedup-hash.js';
import type { Subject } from '../../src/shared/types.js';

const subject: Subject = { idType: 'cccd', idNo: '001090100000', altId: '123456789', name: 'Nguyễn Văn An', dob: '1990-02-01', sex: 'M' };
/** More than one batch of every pool (32), so a refill happens in every test that uses this. */
const MANY = 100;

describe('KeyedPool', () => {
  it('hands every context out once, in batches of the given size, making a batch only when empty', () => {
    let made = 0;
    const batches: number[] = [];
    const pool = new KeyedPool((n) => {
      batches.push(n);
      return Array.from({ length: n }, () => ({ serial: made++ }));
    }, 4);
    expect(pool.size).toBe(0);
    const taken = Array.from({ length: 10 }, () => pool.take().serial);
    expect(new Set(taken).size).toBe(10);
    expect(batches).toEqual([4, 4, 4]);
    expect(pool.size).toBe(2);
  });

  it('refuses a batch size outside 1..1024', () => {
    for (const bad of [0, -1, 1.5, 1025, Number.NaN]) expect(() => new KeyedPool(() => [], bad)).toThrow(RangeError);
  });
});

describe('IdentitySeal with ready ciphers', () => {
  it('gives every seal its own IV, and each blob opens, for its own check-in only', () => {
    const seal = new IdentitySeal(randomBytes(32));
    const blobs = Array.from({ length: MANY }, (_, i) => seal.seal(subject, `id-${i}`));
    const ivs = new Set(blobs.map((b) => b.subarray(1, 13).toString('hex')));
    expect(ivs.size).toBe(MANY);
    blobs.forEach((b, i) => expect(seal.open(b, `id-${i}`)).toEqual(subject));
    expect(() => seal.open(blobs[0]!, 'id-1')).toThrow(RangeError);
  });

  it('writes the version-1 layout: 0x01 | IV | AES-256-GCM ciphertext | tag, under the HKDF seal key', () => {
    const dataKey = randomBytes(32);
    const seal = new IdentitySeal(dataKey);
    const sealKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'checkpoint-kiosk identity seal v1', 32));
    for (let i = 0; i < MANY; i++) {
      const blob = seal.seal(subject, `id-${i}`);
      expect(blob[0]).toBe(0x01);
      const decipher = createDecipheriv('aes-256-gcm', sealKey, blob.subarray(1, 13));
      decipher.setAAD(Buffer.from(`id-${i}`, 'utf8'));
      decipher.setAuthTag(blob.subarray(blob.length - 16));
      const clear = Buffer.concat([decipher.update(blob.subarray(13, blob.length - 16)), decipher.final()]).toString('utf8');
      expect(clear).toBe(JSON.stringify(subject));
    }
  });

  it('a blob sealed under one data key does not open under another', () => {
    const blob = new IdentitySeal(randomBytes(32)).seal(subject, 'id-1');
    expect(() => new IdentitySeal(randomBytes(32)).open(blob, 'id-1')).toThrow(RangeError);
  });

  it('peppers (v1 duplicate hash) exactly as HMAC-SHA-256 under the HKDF pepper key', () => {
    const dataKey = randomBytes(32);
    const seal = new IdentitySeal(dataKey);
    const pepperKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'checkpoint-kiosk duplicate pepper v1', 32));
    for (let i = 0; i < MANY; i++) {
      const salted = randomBytes(32);
      expect(seal.pepper(salted)).toEqual(createHmac('sha256', pepperKey).update(salted).digest());
    }
  });
});

describe('keyedHasher and the v2 duplicate key', () => {
  it('gives HMAC-SHA-256 of the text under the key, across batches, and differs per key', () => {
    const key = randomBytes(32);
    const hash = keyedHasher(createSecretKey(key));
    const other = keyedHasher(createSecretKey(randomBytes(32)));
    for (let i = 0; i < MANY; i++) {
      const text = `cccd:content:001090${100000 + i}|Nguyễn Văn An`;
      expect(hash(text)).toEqual(createHmac('sha256', key).update(text, 'utf8').digest());
      expect(other(text)).not.toEqual(hash(text));
    }
  });

  it('derives the duplicate key as HMAC-SHA-256(pepper, salt): another salt or data key, another key', () => {
    const dataKey = randomBytes(32);
    const salt = randomBytes(32);
    const seal = new IdentitySeal(dataKey);
    const pepperKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'checkpoint-kiosk duplicate pepper v1', 32));
    const expected = createHmac('sha256', pepperKey).update(salt).digest();
    expect(seal.duplicateKey(salt).export()).toEqual(expected);
    expect(seal.duplicateKey(randomBytes(32)).export()).not.toEqual(expected);
    expect(new IdentitySeal(randomBytes(32)).duplicateKey(salt).export()).not.toEqual(expected);
  });
});
