/**
 * Hostile input against the whole EU DCC verification: zlib bombs, deep and huge CBOR, wrong types
 * in every structure, and fast-check fuzz (10,000 runs each) of the HC1 text, the compressed bytes
 * and the inflated CBOR. The contract: always a result with a reason, never an exception or a hang.
 */
import fc from 'fast-check';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { CborTag, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable, CborValue } from '../../src/credentials/cose/cbor.js';
import { decodeHc1, dccFormat } from '../../src/credentials/dcc/index.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const signer = makeSigner();
const trust = buildDccTrust([signer.certificate]);
const ctx = { now: new Date('2022-06-01T00:00:00Z'), trust };
const kid = Buffer.from(signer.kid, 'base64');

function run(text: string): VerifyResult {
  const r = dccFormat.verify(text, ctx) as VerifyResult;
  expect(r.format).toBe('dcc');
  return r;
}

const hc1 = (bytes: Uint8Array) => `HC1:${base45Encode(deflateSync(bytes))}`;
const coseWith = (payload: Uint8Array, protectedBytes = encodeCbor(new Map<number, CborEncodable>([[1, -7], [4, kid]]))) =>
  hc1(encodeCbor(new CborTag(18, [protectedBytes, new Map(), payload, new Uint8Array(64)] as CborValue)));

describe('zlib bombs', () => {
  it('an HC1 that inflates to 100 MB → too-large (refused on its length before any inflating)', () => {
    const text = hc1(new Uint8Array(100 * 1024 * 1024));
    const r = run(text);
    expect(r.failures).toEqual(['too-large']);
  });

  it('a QR-sized bomb (≈2.8 KB inflating to 2.8 MB) → too-large at the inflate step', () => {
    const text = hc1(new Uint8Array(2_800_000));
    expect(text.length).toBeLessThanOrEqual(4296);
    const r = run(text);
    expect(r.failures).toEqual(['too-large']);
    expect(r.steps.at(-1)).toMatchObject({ step: 'inflate', ok: false });
  });
});

describe('hostile CBOR inside a well-formed HC1', () => {
  it('10,000 levels of nesting → unreadable', () => {
    expect(run(hc1(new Uint8Array(10_000).fill(0x81))).failures).toEqual(['unreadable']);
    expect(run(hc1(new Uint8Array(10_000).fill(0xd2))).failures).toEqual(['unreadable']);
  });

  it('huge declared lengths → unreadable', () => {
    for (const h of ['d2845bffffffffffffffff', 'd2849bffffffffffffffff', 'd284bbffffffffffffffff', 'd2845a7fffffff']) {
      expect(run(hc1(Buffer.from(h, 'hex'))).failures).toEqual(['unreadable']);
    }
  });

  it('a deeply nested DCC inside correctly signed claims → unreadable, not a crash', () => {
    let deep: CborEncodable = 0;
    for (let i = 0; i < 40; i++) deep = [deep];
    const r = run(issueHc1({ dcc: { ...sampleVaccination(), x: deep }, signer }));
    expect(r.failures).toEqual(['unreadable']);
  });
});

describe('wrong types everywhere', () => {
  const claims = encodeCbor(new Map([[1, 'VN']]));
  it.each<[string, CborEncodable]>([
    ['COSE as a text string', 'HC1'],
    ['COSE as an integer', 18],
    ['COSE as a map', new Map([[1, 2]])],
    ['COSE array of 5', new CborTag(18, [new Uint8Array(0), new Map(), claims, new Uint8Array(0), 1] as CborValue)],
    ['protected header as a map', new CborTag(18, [new Map(), new Map(), claims, new Uint8Array(0)] as CborValue)],
    ['protected header bytes that are not CBOR', new CborTag(18, [Uint8Array.from([0xff]), new Map(), claims, new Uint8Array(0)] as CborValue)],
    ['unprotected header as an array', new CborTag(18, [new Uint8Array(0), [], claims, new Uint8Array(0)] as CborValue)],
    ['payload as a map', new CborTag(18, [new Uint8Array(0), new Map(), new Map(), new Uint8Array(0)] as CborValue)],
    ['signature as null', new CborTag(18, [new Uint8Array(0), new Map(), claims, null] as CborValue)],
  ])('%s → unreadable', (_what, cose) => {
    expect(run(hc1(encodeCbor(cose))).failures).toEqual(['unreadable']);
  });

  it.each<[string, CborEncodable, string]>([
    ['kid as text', new Map<number, CborEncodable>([[1, -7], [4, 'kid']]), 'unknown-signer'],
    ['alg as text', new Map<number, CborEncodable>([[1, 'ES256'], [4, kid]]), 'bad-signature'],
    ['unknown alg', new Map<number, CborEncodable>([[1, -999], [4, kid]]), 'bad-signature'],
  ])('header %s → %s', (_what, header, reason) => {
    expect(run(coseWith(claims, encodeCbor(header))).failures).toEqual([reason]);
  });

  it.each<[string, CborEncodable]>([
    ['claims as an array', [1, 2]],
    ['hcert as an array', new Map<number, CborEncodable>([[-260, [1]]])],
    ['DCC with an integer key', new Map<number, CborEncodable>([[-260, new Map([[1, new Map([[7, 'x']])]])]])],
    ['DCC with an unknown tag', new Map<number, CborEncodable>([[-260, new Map([[1, new CborTag(55, 'x')]])]])],
  ])('signed claims with %s → unreadable', (_what, claimsValue) => {
    expect(run(issueHc1({ dcc: null, signer, claims: claimsValue })).failures).toEqual(['unreadable']);
  });

  // A CWT claim of the wrong type is decoded but the wrong structure (docs/POLICY.md), as for CKD1.
  it.each<[string, CborEncodable]>([
    ['iss as a number', new Map<number, CborEncodable>([[1, 5]])],
    ['iat as text', new Map<number, CborEncodable>([[6, 'yesterday']])],
  ])('signed claims with %s → schema-invalid', (_what, claimsValue) => {
    expect(run(issueHc1({ dcc: null, signer, claims: claimsValue })).failures).toEqual(['schema-invalid']);
  });
});

describe('fuzz: always a result with a reason (10,000 runs each)', () => {
  const valid = issueHc1({ dcc: sampleVaccination(), signer });
  const b45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

  it('random HC1 text', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.array(fc.constantFrom(...b45.split('')), { maxLength: 120 }).map((a) => `HC1:${a.join('')}`),
    );
    fc.assert(
      fc.property(text, (t) => {
        expect(run(t).failures.length).toBeGreaterThan(0);
      }),
      { numRuns: 10_000 },
    );
  });

  it('character mutations of a valid HC1', () => {
    expect(run(valid).failures).toEqual([]);
    fc.assert(
      fc.property(fc.nat(valid.length - 5), fc.constantFrom(...b45.split('')), (i, c) => {
        const t = valid.slice(0, 4 + i) + c + valid.slice(5 + i);
        const r = run(t);
        if (t !== valid) expect(r.failures.length).toBeGreaterThan(0);
      }),
      { numRuns: 10_000 },
    );
  });

  it('byte mutations of the inflated COSE (re-compressed, so they reach the CBOR and COSE layers)', () => {
    const decoded = decodeHc1(valid);
    if (!decoded.ok) throw new Error('fixture must decode');
    const cose = encodeCbor(
      new CborTag(18, [decoded.cose.protectedBytes, decoded.cose.unprotectedHeader, decoded.cose.payload, decoded.cose.signature]),
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(cose.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
        fc.nat(cose.length),
        (edits, cut) => {
          const bytes = cose.slice(0, Math.max(cut, cose.length - 8));
          for (const [i, b] of edits) if (i < bytes.length) bytes[i] = b;
          const r = run(hc1(bytes));
          if (Buffer.compare(bytes, cose) !== 0) expect(r.failures.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 10_000 },
    );
  });
});
