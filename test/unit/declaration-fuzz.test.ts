/**
 * Hostile input for CKD1: whatever arrives — random text, random bytes behind valid base45 and
 * zlib, a real token with one character changed, or a correctly signed token whose "decl" has
 * arbitrary types — verify() returns a result and never throws (docs/FORMATS.md).
 */
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { declarationFormat, issueDeclaration } from '../../src/credentials/declaration/index.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { isReasonCode } from '../../src/shared/reasons.js';
import { newEcKey } from '../helpers/keys.js';
import { ISSUER, claimsFor, declarationTrust, rawDeclarationToken, sampleDeclBody, sampleDeclaration } from '../helpers/declaration.js';

const RUNS = 10_000;
const key = newEcKey();
const now = new Date('2026-11-26T08:00:00Z');
const ctx = { now, trust: declarationTrust(key) };
const iat = now.getTime() / 1000;

function run(text: string): VerifyResult {
  const r = declarationFormat.verify(text, ctx);
  if (r instanceof Promise) throw new Error('expected a synchronous verify');
  expect(r.format).toBe('ckd1');
  for (const reason of [...r.failures, ...r.findings]) expect(isReasonCode(reason)).toBe(true);
  return r;
}

function expectRejected(r: VerifyResult): void {
  expect(r.failures.length).toBeGreaterThan(0);
  expect(r.steps.some((s) => !s.ok)).toBe(true);
}

/** Arbitrary CBOR-encodable values, a few levels deep. */
const cborValue: fc.Arbitrary<CborEncodable> = fc.letrec<{ v: CborEncodable }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    fc.integer(),
    fc.double(),
    fc.string({ maxLength: 40 }),
    fc.boolean(),
    fc.constant(null),
    fc.uint8Array({ maxLength: 16 }),
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom('v', 'id', 'sub', 'trip', 'health', 'idNo', 'symptoms', 'exposure', 'test', 'x'), tie('v'), { maxKeys: 5 }),
  ),
})).v;

describe('CKD1 verify fuzz', () => {
  it(`never throws on arbitrary text or bytes (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 300 }).map((s) => `CKD1:${s}`),
          fc.uint8Array({ maxLength: 300 }).map((b) => `CKD1:${base45Encode(b)}`),
          fc.uint8Array({ maxLength: 300 }).map((b) => `CKD1:${base45Encode(deflateSync(b))}`),
        ),
        (text) => expectRejected(run(text)),
      ),
      { numRuns: RUNS },
    );
  });

  it(`a real token with one character changed is rejected with a reason, or carries the very same signed content (${RUNS} runs)`, () => {
    const token = issueDeclaration(sampleDeclaration(), { privateKey: key.privateKey, kid: key.declarationKid }, { iss: ISSUER, now });
    const original = run(token);
    expect(original.failures).toEqual([]);
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    fc.assert(
      fc.property(fc.integer({ min: 5, max: token.length - 1 }), fc.nat({ max: alphabet.length - 2 }), (at, pick) => {
        const others = alphabet.replace(token[at]!, '');
        const mutated = token.slice(0, at) + others[pick]! + token.slice(at + 1);
        const r = run(mutated);
        // A change in the padding bits after deflate's end-of-block leaves the inflated, signed
        // bytes identical: accepting that is right, as long as the content is exactly the original.
        if (r.failures.length === 0) expect(r).toEqual(original);
        else expectRejected(r);
      }),
      { numRuns: RUNS },
    );
  });

  it(`a validly signed token with arbitrary "decl" content never throws (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(
        fc.oneof(
          cborValue,
          // The real shape with one member replaced by something arbitrary.
          fc.tuple(fc.constantFrom('v', 'id', 'sub', 'trip', 'health'), cborValue).map(([k, v]) => ({ ...sampleDeclBody(), [k]: v })),
        ),
        (decl) => {
          const r = run(rawDeclarationToken(claimsFor(decl, iat, iat + 3600), key.privateKey, key.declarationKid));
          if (r.failures.length === 0) expect(r.statusKeys).toHaveLength(2);
          else expect(r.failures).toEqual(['schema-invalid']);
        },
      ),
      { numRuns: RUNS },
    );
    // Each run signs a token (about 1.5 ms quiet): on a loaded 2-core machine 10,000 of them took
    // 40 s, past the default 30 s. A timeout is no finding of this property.
  }, 120_000);
});
