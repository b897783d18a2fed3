/**
 * CKD1 and CKP1 read their claims in one pass ("decl" / "prov" built directly as JSON) and fall
 * back to the generic two passes (decodeCwtClaims, then the claim read from the CBOR map) for
 * anything that pass cannot take. Whatever a signed "decl" or "prov" holds, the verdict must be
 * the two passes' verdict: the same content failure with the same detail, or the same accepted
 * content.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CborTag, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable, CborValue } from '../../src/credentials/cose/cbor.js';
import { decodeCwtClaims } from '../../src/credentials/cose/cwt.js';
import { declarationFormat } from '../../src/credentials/declaration/index.js';
import { readDeclaration } from '../../src/credentials/declaration/schema.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { readPlainProvisioning, readProvisioning, toPlainJson, withinPlainBounds } from '../../src/credentials/provisioning/schema.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { ISSUER, claimsFor, declarationTrust, rawDeclarationToken, sampleDeclBody } from '../helpers/declaration.js';
import { newEcKey } from '../helpers/keys.js';
import { cardJwk, rawCard } from '../helpers/provisioning.js';

const RUNS = 1500;
const now = new Date('2026-11-26T08:00:00Z');
const T = now.getTime() / 1000;

/**
 * Values the JSON pass cannot take (tags, byte strings, undefined, NaN, integer keys), keys a JS
 * object orders differently from a CBOR map ("1", "0") or treats specially ("__proto__"), and
 * plain JSON, a few levels deep.
 */
const value: fc.Arbitrary<CborEncodable> = fc.letrec<{ v: CborEncodable }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.constantFrom(1, 0, -0, 1.5, Number.NaN, Infinity),
    fc.string({ maxLength: 12 }),
    fc.constantFrom('in', 'out', 'venue', 'booth', 'EC', 'P-256', 'cccd', 'positive', '2026-11-20', ''),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined as unknown as CborEncodable),
    fc.uint8Array({ maxLength: 4 }),
    fc.constant(new CborTag(0, '2026-11-20') as unknown as CborEncodable),
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom('v', 'id', 'x', '1', '0', '__proto__', 'url', 'code', 'config', 'sub', 'idNo'), tie('v'), { maxKeys: 4 }),
    fc.constant(new Map<number, CborEncodable>([[1, 'integer key']]) as unknown as CborEncodable),
  ),
})).v;

/** A value nested `depth` levels deep (the CKP1 reader refuses more than 6). */
const nested = fc.integer({ min: 4, max: 9 }).map((depth) => {
  let v: CborEncodable = 'x';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
});

/** The content the two passes read from a payload. */
function twoPassDecl(decl: CborEncodable) {
  const payload = encodeCbor(claimsFor(decl, T, T + 3600));
  return readDeclaration(decodeCwtClaims(payload).claims.get('decl') as CborValue);
}

describe('CKD1: one-pass claims give the two passes\' verdict', () => {
  const key = newEcKey();
  const ctx = { now, trust: declarationTrust(key) };
  const verify = (decl: CborEncodable) => declarationFormat.verify(rawDeclarationToken(claimsFor(decl, T, T + 3600), key.privateKey, key.declarationKid), ctx) as VerifyResult;

  it(`for arbitrary signed "decl" content (${RUNS} runs)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.oneof(value, fc.tuple(fc.constantFrom('v', 'id', 'sub', 'trip', 'health', '1', '__proto__'), value).map(([k, v]) => ({ ...sampleDeclBody(), [k]: v }))),
        (decl) => {
          const expected = twoPassDecl(decl);
          const r = verify(decl);
          const content = r.steps.find((s) => s.step === 'content');
          if (expected.ok) {
            accepted++;
            expect(content).toEqual({ step: 'content', ok: true });
            expect(r.subject).toEqual(expected.decl.sub);
            expect(r.statusKeys).toEqual([expected.decl.sub.idNo, expected.decl.id]);
          } else {
            expect(content).toEqual({ step: 'content', ok: false, detail: expected.detail });
            expect(r.failures).toEqual(['schema-invalid']);
            expect(r.messages).toEqual([expected.detail]);
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('a valid declaration with an extra "1" member and a tagged extra member reads the same either way', () => {
    for (const extra of [{ '1': 'x' }, { z: new CborTag(1, 0) as unknown as CborEncodable }, { z: Uint8Array.of(1) }]) {
      const decl = { ...sampleDeclBody(), ...extra };
      expect(twoPassDecl(decl).ok).toBe(true);
      expect(verify(decl).failures).toEqual([]);
    }
  });
});

describe('CKP1: one-pass claims give the two passes\' verdict', () => {
  const root = newEcKey();
  const base = { v: 1, url: ISSUER, code: 'K7QM-2XRP-9HTD', checkpoint: 'gate-3', rootKey: cardJwk(root.privateKey) as unknown as CborEncodable };
  // A Map keeps its insertion order in the CBOR (an object would put "1" first, as JS orders it).
  type Prov = Map<string, CborEncodable>;
  const card = (prov: Prov) => rawCard({ prov: prov as unknown as Record<string, CborEncodable>, signer: root.privateKey, iss: ISSUER, iat: T, exp: T + 3600 });

  function twoPass(prov: Prov) {
    const claims = new Map<number | string, CborEncodable>([[1, ISSUER], [6, T], [4, T + 3600], ['prov', prov]]);
    return readProvisioning(decodeCwtClaims(encodeCbor(claims)).claims.get('prov'));
  }

  it(`for arbitrary signed "prov" members (${RUNS} runs)`, () => {
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('v', 'url', 'code', 'checkpoint', 'direction', 'profile', 'config', 'rootKey', '1', '0', '__proto__', 'x'), fc.oneof(value, nested)), { maxLength: 3 }),
        (members) => {
          const prov: Prov = new Map(Object.entries(base));
          for (const [k, v] of members) prov.set(k, v);
          const expected = twoPass(prov);
          const r = verifyProvisioningCard(card(prov), { now });
          if (expected.ok) {
            accepted++;
            expect(r).toMatchObject({ ok: true, card: { url: expected.card.url, code: expected.card.code, checkpoint: expected.card.checkpoint, rootKey: expected.card.rootKey } });
            if (r.ok) expect(r.card.config).toEqual(expected.card.config);
          } else {
            expect(r).toEqual({ ok: false, reason: 'invalid', message: `card content invalid: ${expected.detail}` });
          }
        },
      ),
      { numRuns: RUNS },
    );
    expect(accepted).toBeGreaterThan(0);
  });

  it('reads plain JSON in place exactly when the copying reader takes it: same bounds, same card (fuzz)', () => {
    const json: fc.Arbitrary<unknown> = fc.letrec<{ j: unknown }>((tie) => ({
      j: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom(1, 0, 1.5, 'x', '', true, null),
        fc.array(tie('j'), { maxLength: 4 }),
        fc.dictionary(fc.constantFrom('a', 'b', '1', '__proto__', 'config', 'x'), tie('j'), { maxKeys: 4 }),
      ),
    })).j;
    // Around the limits: 6 levels, 512 items, counted over the whole value.
    const wide = fc.integer({ min: 505, max: 515 }).chain((n) => fc.constantFrom({ a: new Array<number>(n).fill(1) }, { a: new Array<number>(n - 5).fill(1), b: [1, 2, 3, 4, 5] }));
    const deep = fc.integer({ min: 4, max: 8 }).map((d) => {
      let v: unknown = 1;
      for (let i = 0; i < d; i++) v = i % 2 ? [v] : { a: v };
      return v;
    });
    const plain = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown; // __proto__ as an own member, as decodeCborJsonAt sets it
    fc.assert(
      fc.property(fc.oneof(json, wide, deep), (raw) => {
        const v = plain(raw);
        let copies = true;
        try {
          toPlainJson(v);
        } catch {
          copies = false;
        }
        expect(withinPlainBounds(v)).toBe(copies);
      }),
      { numRuns: 3000 },
    );
    const valid = plain({ ...base, direction: 'in', profile: 'venue', config: { duplicateWindowMinutes: 2 } });
    const read = readProvisioning(valid);
    expect(read.ok).toBe(true);
    expect(readPlainProvisioning(valid)).toEqual(read.ok ? read.card : undefined);
    expect(readPlainProvisioning(plain({ ...base, x: new Array(600).fill(1) }))).toBeUndefined();
    expect(readPlainProvisioning(plain({ ...base, v: 2 }))).toBeUndefined();
  });

  it('names the first problem in CBOR map order when a "1" member and a too-deep member both fail', () => {
    const deep: CborEncodable = { a: [{ a: [{ a: [{ a: 'x' }] }] }] };
    const prov: Prov = new Map([...Object.entries(base), ['z', deep], ['1', deep]]);
    const expected = twoPass(prov);
    expect(expected.ok).toBe(false);
    expect(verifyProvisioningCard(card(prov), { now })).toEqual({ ok: false, reason: 'invalid', message: `card content invalid: ${expected.ok ? '' : expected.detail}` });
  });
});
