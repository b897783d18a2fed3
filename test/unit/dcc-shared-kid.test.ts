/**
 * Several signer certificates under one kid that certify the same key (a DSC renewed with its key,
 * or certified again with other EKUs). The verdict took the first certificate in the bundle whose
 * signature verified: an expired or type-restricted one listed first rejected a DCC that the other
 * one, valid now, allows — the answer depended on the order of the bundle. Now a later
 * certificate that verifies and fits is taken; when none fits, the first one's reason stands.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { DCC_EKU, makeSigner } from '../helpers/dcc-issuer.js';
import type { TestSigner } from '../helpers/dcc-issuer.js';
import { rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const keyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });

/** Both certificates under the kid of the one that signs, in the given order. */
function verifyUnder(signing: TestSigner, listed: TestSigner[]) {
  const trust = buildDccTrust(listed.map((s) => ({ certificate: s.certificate, kid: signing.kid })));
  return verifyDcc(rawHc1({ signer: signing }), { now: NOW, trust });
}

describe('certificates of one key sharing a kid', () => {
  const expired = makeSigner({ keyPair, notAfter: new Date('2022-03-01T00:00:00Z') });
  const renewed = makeSigner({ keyPair, notBefore: new Date('2022-02-01T00:00:00Z') });

  it('an expired certificate listed before the renewed one: accepted, in either order', () => {
    const r = verifyUnder(renewed, [expired, renewed]);
    expect(r.failures).toEqual([]);
    expect(r.steps.find((s) => s.step === 'signer')).toMatchObject({ ok: true, detail: expect.stringContaining('certificate 2 of 2') });
    expect(verifyUnder(renewed, [renewed, expired]).failures).toEqual([]);
  });

  it('a test-only certificate listed before a vaccination one: a vaccination DCC is accepted', () => {
    const testOnly = makeSigner({ keyPair, eku: [DCC_EKU.test] });
    const vaccination = makeSigner({ keyPair, eku: [DCC_EKU.vaccination] });
    expect(verifyUnder(vaccination, [testOnly, vaccination]).failures).toEqual([]);
  });

  it('when no certificate fits, the first one that verified gives the reason', () => {
    const alsoExpired = makeSigner({ keyPair, notAfter: new Date('2022-04-01T00:00:00Z') });
    expect(verifyUnder(expired, [expired, alsoExpired]).failures).toEqual(['expired']);
    const testOnly = makeSigner({ keyPair, eku: [DCC_EKU.test] });
    expect(verifyUnder(testOnly, [testOnly, expired]).failures).toEqual(['signer-not-allowed']);
  });

  it('a valid certificate of another key under the same kid is not taken for the expired signer', () => {
    const otherKey = makeSigner();
    const signing = makeSigner({ notAfter: new Date('2022-03-01T00:00:00Z') });
    expect(verifyUnder(signing, [signing, otherKey]).failures).toEqual(['expired']);
  });
});
