import { generateKeyPairSync } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CborError, CborTag, decodeCbor, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborValue } from '../../src/credentials/cose/cbor.js';
import {
  COSE_ALG,
  CoseError,
  coseAlg,
  coseKid,
  parseCoseSign1,
  sigStructure,
  signCoseSign1,
  verifyCoseSign1,
  verifySignature,
} from '../../src/credentials/cose/cose.js';
import { decodeCwtClaims } from '../../src/credentials/cose/cwt.js';
import { InflateError, inflateBounded } from '../../src/credentials/cose/inflate.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ec2 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const payload = encodeCbor(new Map<number, CborValue>([[1, 'VN'], [6, 1700000000], [4, 1800000000]]));
const kid = Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]);

describe('COSE_Sign1', () => {
  it('ES256: signs, parses and verifies; raw r||s signature of 64 bytes', () => {
    const msg = parseCoseSign1(signCoseSign1({ alg: COSE_ALG.ES256, key: ec.privateKey, kid, payload }));
    expect(msg.tagged).toBe(true);
    expect(msg.signature).toHaveLength(64);
    expect(coseAlg(msg)).toBe(-7);
    expect(coseKid(msg)).toEqual(kid);
    expect(verifyCoseSign1(msg, ec.publicKey)).toBe(true);
    expect(verifyCoseSign1(msg, ec2.publicKey)).toBe(false);
    expect(verifyCoseSign1(msg, rsa.publicKey)).toBe(false);
  });

  it('PS256: signs and verifies with RSASSA-PSS', () => {
    const msg = parseCoseSign1(signCoseSign1({ alg: COSE_ALG.PS256, key: rsa.privateKey, kid, payload, tagged: false }));
    expect(msg.tagged).toBe(false);
    expect(verifyCoseSign1(msg, rsa.publicKey)).toBe(true);
    expect(verifyCoseSign1(msg, ec.publicKey)).toBe(false);
  });

  it('detects tampering with the payload, the protected header or the signature', () => {
    const msg = parseCoseSign1(signCoseSign1({ alg: COSE_ALG.ES256, key: ec.privateKey, kid, payload }));
    const badPayload = { ...msg, payload: encodeCbor(new Map([[1, 'XX']])) };
    const badHeader = { ...msg, protectedBytes: encodeCbor(new Map<number, CborValue>([[1, -7], [4, Uint8Array.from([9])]])) };
    const badSig = { ...msg, signature: msg.signature.map((b, i) => (i === 10 ? b ^ 1 : b)) };
    expect(verifyCoseSign1(badPayload, ec.publicKey)).toBe(false);
    expect(verifyCoseSign1(badHeader, ec.publicKey)).toBe(false);
    expect(verifyCoseSign1(badSig, ec.publicKey)).toBe(false);
    expect(verifyCoseSign1({ ...msg, signature: msg.signature.subarray(0, 63) }, ec.publicKey)).toBe(false);
  });

  it('builds the Sig_structure of RFC 9052 §4.4', () => {
    const prot = encodeCbor(new Map([[1, -7]]));
    const s = decodeCbor(sigStructure(prot, Uint8Array.from([0xaa])));
    expect(s).toEqual(['Signature1', prot, new Uint8Array(0), Uint8Array.from([0xaa])]);
  });

  it('writes the Sig_structure byte for byte as the generic CBOR encoder would, for every head width', () => {
    // 0, 23 (1-byte head), 24, 255 (2-byte), 256, 65535 (3-byte), 65536 (5-byte)
    for (const n of [0, 1, 23, 24, 255, 256, 65535, 65536]) {
      const body = Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
      const prot = body.subarray(0, Math.min(n, 300));
      const aad = body.subarray(0, n % 40);
      expect(Buffer.from(sigStructure(prot, body, aad)).equals(Buffer.from(encodeCbor(['Signature1', prot, aad, body])))).toBe(true);
      expect(Buffer.from(sigStructure(prot, body)).equals(Buffer.from(encodeCbor(['Signature1', prot, new Uint8Array(0), body])))).toBe(true);
    }
  });

  it('verifySignature never throws: unknown alg, junk signature, wrong key type', () => {
    expect(verifySignature(-999, ec.publicKey, payload, new Uint8Array(64))).toBe(false);
    expect(verifySignature(COSE_ALG.ES256, ec.publicKey, payload, new Uint8Array(64))).toBe(false);
    expect(verifySignature(COSE_ALG.PS256, rsa.publicKey, payload, new Uint8Array(3))).toBe(false);
    expect(verifySignature(COSE_ALG.PS256, ec.publicKey, payload, new Uint8Array(256))).toBe(false);
  });

  it('takes kid and alg from the protected header first, else the unprotected one', () => {
    const unprotOnly = encodeCbor(new CborTag(18, [encodeCbor(new Map([[1, -7]])), new Map([[4, kid]]), payload, new Uint8Array(64)]));
    expect(coseKid(parseCoseSign1(unprotOnly))).toEqual(kid);
    const both = encodeCbor([
      encodeCbor(new Map<number, CborValue>([[4, Uint8Array.from([1])]])),
      new Map<number, CborValue>([[4, kid], [1, -37]]),
      payload,
      new Uint8Array(64),
    ]);
    const msg = parseCoseSign1(both);
    expect(coseKid(msg)).toEqual(Uint8Array.from([1]));
    expect(coseAlg(msg)).toBe(-37);
  });

  it('accepts a CWT tag (61) around tag 18 and an empty protected header', () => {
    const bytes = encodeCbor(new CborTag(61, new CborTag(18, [new Uint8Array(0), new Map(), payload, new Uint8Array(0)])));
    const msg = parseCoseSign1(bytes);
    expect(msg.protectedHeader.size).toBe(0);
    expect(coseAlg(msg)).toBeUndefined();
    expect(verifyCoseSign1(msg, ec.publicKey)).toBe(false);
  });

  it.each<[string, CborValue]>([
    ['another tag', new CborTag(98, [])],
    ['an array of 3', [new Uint8Array(0), new Map(), payload]],
    ['a map', new Map()],
    ['a text protected header', ['x', new Map(), payload, new Uint8Array(0)]],
    ['a protected header that is not a map', [encodeCbor([1]), new Map(), payload, new Uint8Array(0)]],
    ['an array unprotected header', [new Uint8Array(0), [], payload, new Uint8Array(0)]],
    ['a detached (nil) payload', [new Uint8Array(0), new Map(), null, new Uint8Array(0)]],
    ['a text signature', [new Uint8Array(0), new Map(), payload, 'sig']],
  ])('rejects %s with a CoseError', (_what, value) => {
    expect(() => parseCoseSign1(encodeCbor(value))).toThrow(CoseError);
  });

  it('rejects malformed CBOR with a CborError', () => {
    expect(() => parseCoseSign1(Uint8Array.from([0xd2, 0x84, 0x40]))).toThrow(CborError);
    expect(() => parseCoseSign1(Uint8Array.from([0xd2, 0x84, 0x41, 0xff, 0xa0, 0x40, 0x40]))).toThrow(CborError);
  });
});

describe('CWT claims', () => {
  it('reads iss, iat and exp', () => {
    expect(decodeCwtClaims(payload)).toMatchObject({ iss: 'VN', iat: 1700000000, exp: 1800000000 });
  });

  it('rejects wrong types', () => {
    expect(() => decodeCwtClaims(encodeCbor([1]))).toThrow(CoseError);
    expect(() => decodeCwtClaims(encodeCbor(new Map([[1, 5]])))).toThrow(CoseError);
    expect(() => decodeCwtClaims(encodeCbor(new Map([[4, 'soon']])))).toThrow(CoseError);
  });
});

describe('bounded inflate', () => {
  it('inflates zlib within the bound (inclusive)', () => {
    const data = new Uint8Array(1000).fill(7);
    expect(inflateBounded(deflateSync(data), 1000)).toEqual(data);
  });

  it('rejects a 100 MB zlib bomb as too-large without inflating it', () => {
    const bomb = deflateSync(Buffer.alloc(100 * 1024 * 1024), { level: 9 });
    let error: unknown;
    try {
      inflateBounded(bomb, 64 * 1024);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InflateError);
    expect((error as InflateError).code).toBe('too-large');
  });

  it('tells a missing zlib header apart from a damaged stream', () => {
    const z = deflateSync(Buffer.from('hello hello hello'));
    expect(() => inflateBounded(Uint8Array.from([0xd2, 0x84]), 100)).toThrow(expect.objectContaining({ code: 'not-zlib' }));
    expect(() => inflateBounded(z.subarray(0, z.length - 6), 100)).toThrow(expect.objectContaining({ code: 'corrupt' }));
    const flipped = Uint8Array.from(z);
    flipped[flipped.length - 1]! ^= 0xff; // adler-32 mismatch
    expect(() => inflateBounded(flipped, 100)).toThrow(expect.objectContaining({ code: 'corrupt' }));
  });

  it('refuses bytes after the end of the stream (node:zlib drops them silently), naming how many', () => {
    const z = deflateSync(Buffer.from('hello hello hello'));
    expect(inflateBounded(z, 100)).toEqual(new Uint8Array(Buffer.from('hello hello hello')));
    for (const tail of [Buffer.from([0]), Buffer.from('GARBAGE'), deflateSync(Buffer.from('x'))]) {
      expect(() => inflateBounded(Buffer.concat([z, tail]), 100)).toThrow(
        expect.objectContaining({ code: 'corrupt', message: `${tail.length} bytes after the end of the compressed payload` }),
      );
    }
  });
});
