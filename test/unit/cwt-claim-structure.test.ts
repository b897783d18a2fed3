/**
 * A CWT that decodes but has the wrong structure is `schema-invalid` (docs/POLICY.md: "decoded but
 * not the expected structure") in the EU DCC and CKD1 alike, and `invalid` for a CKP1 card, with
 * a message naming what is wrong: a time claim (exp, nbf, iat) that is not a number names the
 * claim; a map key given twice names the key and the map it sits in. Before: a DCC nbf of text
 * and a duplicate key were `unreadable` while CKD1 said `schema-invalid`, and a duplicate key
 * said only "duplicate map key".
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { COSE_ALG, signCoseSign1 } from '../../src/credentials/cose/cose.js';
import { CborDuplicateKeyError, CborTag, decodeCbor, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { declarationFormat } from '../../src/credentials/declaration/index.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/verify.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { RAW_EXP, RAW_IAT, dccClaims, rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { claimsFor, declarationTrust, rawDeclarationToken, sampleDeclBody } from '../helpers/declaration.js';
import { newEcKey } from '../helpers/keys.js';
import type { TestEcKey } from '../helpers/keys.js';
import { cardJwk, rawCard } from '../helpers/provisioning.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const now = NOW.getTime() / 1000;

/** Raw CBOR bytes, spliced in as they are (a map given a key twice cannot be built from a Map). */
class Raw {
  constructor(readonly bytes: Uint8Array) {}
}
const part = (v: CborEncodable | Raw): Uint8Array => (v instanceof Raw ? v.bytes : encodeCbor(v));
/** A definite map of fewer than 24 entries, in the order given, duplicates kept. */
function mapBytes(entries: readonly (readonly [CborEncodable, CborEncodable | Raw])[]): Raw {
  return new Raw(Buffer.concat([Uint8Array.of(0xa0 + entries.length), ...entries.flatMap(([k, v]) => [part(k), part(v)])]));
}
const arrayBytes = (items: readonly Raw[]): Raw => new Raw(Buffer.concat([Uint8Array.of(0x80 + items.length), ...items.map((i) => i.bytes)]));

const failedSteps = (r: VerifyResult) => r.steps.filter((s) => !s.ok).map((s) => s.detail);

describe('the CBOR decoder names a duplicate key and its map', () => {
  it.each([
    [mapBytes([[1, 2], [1, 3]]), 'duplicate map key 1 in the map at $'],
    [mapBytes([['a', mapBytes([['x', 1], ['x', 2]])]]), 'duplicate map key "x" in the map at $.a'],
    [mapBytes([[-260, mapBytes([[1, mapBytes([['v', arrayBytes([mapBytes([]), mapBytes([['ci', 'a'], ['ci', 'b']])])]])]])]]), 'duplicate map key "ci" in the map at $[-260][1].v[1]'],
    [mapBytes([['two words', mapBytes([['k', 1], ['k', 1]])]]), 'duplicate map key "k" in the map at $["two words"]'],
  ])('%#', (raw, message) => {
    let thrown: unknown;
    try {
      decodeCbor(raw.bytes);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(CborDuplicateKeyError);
    expect((thrown as Error).message).toBe(message);
    expect((thrown as CborDuplicateKeyError).code).toBe('invalid');
  });
});

describe('EU DCC', () => {
  const signer = makeSigner();
  const trust = buildDccTrust([signer.certificate]);
  const verify = (claims: Map<number | string, CborEncodable> | Uint8Array) => {
    const r = verifyDcc(rawHc1({ signer, claims }), { now: NOW, trust });
    return { failures: r.failures, failed: failedSteps(r) };
  };

  it.each([
    ['nbf', 5, 'tomorrow', 'text'],
    ['iat', 6, new Uint8Array([1]), 'a byte string'],
    ['exp', 4, Number.NaN, 'NaN'],
    ['exp', 4, null, 'null'],
  ] as const)('a %s (claim %i) of the wrong type is schema-invalid, the claim named', (name, claim, value, what) => {
    const claims = dccClaims(sampleVaccination());
    claims.set(claim, value);
    expect(verify(claims)).toEqual({ failures: ['schema-invalid'], failed: [`CWT claims: CWT claim ${name} (${claim}) is not a number of seconds: ${what}`] });
  });

  it.each([
    // RFC 8392 §2: a NumericDate is an int or a float; CDDL's int holds no bignum (RFC 8949 §3.4.3),
    // and an epoch time tag 1 around it is not the number itself.
    ['exp', 4, new CborTag(2, new Uint8Array([0x63, 0xb0, 0xcd, 0x00])), 'a bignum (CBOR tag 2), where a NumericDate is an integer or a float (RFC 8392 §2)'],
    ['iat', 6, new CborTag(1, RAW_IAT), 'a value in CBOR tag 1 (an epoch date-time), where a NumericDate is the number itself (RFC 8392 §2)'],
    ['nbf', 5, new CborTag(0, '2022-01-01T00:00:00Z'), 'a value in CBOR tag 0 (a date-time text), where a NumericDate is a number of seconds (RFC 8392 §2)'],
  ] as const)('a %s (claim %i) in a CBOR tag names the tag instead of "a tagged or simple value"', (name, claim, value, what) => {
    const claims = dccClaims(sampleVaccination());
    claims.set(claim, value);
    expect(verify(claims)).toEqual({ failures: ['schema-invalid'], failed: [`CWT claims: CWT claim ${name} (${claim}) is not a number of seconds: ${what}`] });
  });

  it('a CWT claim given twice, or a DCC field given twice, is schema-invalid naming the key and its map', () => {
    const dcc = sampleVaccination() as Record<string, CborEncodable>;
    const twiceExp = mapBytes([[1, 'VN'], [6, RAW_IAT], [4, RAW_EXP], [4, RAW_EXP], [-260, new Map([[1, dcc]])]]);
    expect(verify(twiceExp.bytes)).toEqual({ failures: ['schema-invalid'], failed: ['CWT claims: duplicate map key 4 in the map at $'] });
    const entry = (dcc.v as Record<string, CborEncodable>[])[0]!;
    const dccTwice = mapBytes([
      ['ver', dcc.ver!],
      ['nam', dcc.nam!],
      ['dob', dcc.dob!],
      ['v', arrayBytes([mapBytes([...Object.entries(entry), ['ci', 'URN:UVCI:01:VN:OTHER']])])],
    ]);
    const claims = mapBytes([[1, 'VN'], [6, RAW_IAT], [4, RAW_EXP], [-260, mapBytes([[1, dccTwice]])]]);
    expect(verify(claims.bytes)).toEqual({ failures: ['schema-invalid'], failed: ['CWT claims: duplicate map key "ci" in the map at $[-260][1].v[0]'] });
  });
});

describe('CKD1', () => {
  const key = newEcKey();
  const trust = declarationTrust(key);
  const verify = (claims: Map<number | string, CborEncodable>) => {
    const r = declarationFormat.verify(rawDeclarationToken(claims, key.privateKey, key.declarationKid), { now: NOW, trust }) as VerifyResult;
    return { failures: r.failures, failed: failedSteps(r) };
  };

  it('a time claim of the wrong type is schema-invalid, named as for the DCC', () => {
    const claims = claimsFor(sampleDeclBody(), now - 60, now + 3600);
    claims.set(5, 'tomorrow');
    expect(verify(claims)).toEqual({ failures: ['schema-invalid'], failed: ['CWT claim nbf (5) is not a number of seconds: text'] });
    const iat = claimsFor(sampleDeclBody(), now - 60, now + 3600);
    iat.set(6, '2022-06-01');
    expect(verify(iat)).toEqual({ failures: ['schema-invalid'], failed: ['CWT claim iat (6) is not a number of seconds: text'] });
  });

  it('a declaration field given twice is schema-invalid naming the key and its map', () => {
    const body = sampleDeclBody();
    const sub = body.sub as Record<string, CborEncodable>;
    const subTwice = mapBytes([...Object.entries(sub), ['name', 'Someone Else']]);
    const decl = mapBytes(Object.entries(body).map(([k, v]) => [k, k === 'sub' ? subTwice : v] as const));
    const claims = mapBytes([[1, 'https://central.checkpoint.example'], [6, now - 60], [4, now + 3600], ['decl', decl]]);
    const r = declarationFormat.verify(rawDeclarationTokenBytes(claims.bytes, key), { now: NOW, trust }) as VerifyResult;
    expect({ failures: r.failures, failed: failedSteps(r) }).toEqual({ failures: ['schema-invalid'], failed: ['duplicate map key "name" in the map at $.decl.sub'] });
  });
});

describe('CKP1', () => {
  it('a time claim of the wrong type is refused as invalid content, the claim named', () => {
    const root = newEcKey();
    const prov = { v: 1, url: 'https://central.example', code: 'K7QM-2XRP-9HTD', rootKey: cardJwk(root.privateKey), checkpoint: 'QL1A-KM12' };
    const card = rawCard({ prov, signer: root.privateKey, iat: now - 60, exp: now + 7200, nbf: 'soon' as unknown as number });
    expect(verifyProvisioningCard(card, { now: NOW })).toEqual({ ok: false, reason: 'invalid', message: 'card content invalid: CWT claim nbf (5) is not a number of seconds: text' });
  });
});


/** rawDeclarationToken for a payload given as bytes. */
function rawDeclarationTokenBytes(payload: Uint8Array, key: TestEcKey): string {
  const cose = signCoseSign1({ alg: COSE_ALG.ES256, key: key.privateKey, kid: new Uint8Array(Buffer.from(key.declarationKid, 'base64')), payload });
  return `CKD1:${base45Encode(deflateSync(cose))}`;
}
