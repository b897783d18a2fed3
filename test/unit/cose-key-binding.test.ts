/**
 * Which keys and signatures a COSE algorithm accepts (RFC 9053 §2.1, RFC 8230 §2, the EU DCC
 * spec's algorithms), seen through `verify` on generated HC1 payloads and through verifySignature
 * itself:
 *
 * - RSASSA-PSS is checked with the salt length RFC 8230 requires (the digest's, 32 bytes for
 *   PS256). A signature made with another salt length verified before (node:crypto's "auto"
 *   salt), where the EU verifiers (BouncyCastle, Apple Security) refuse it.
 * - ES256 is ECDSA on P-256: a signer certificate on another 256-bit curve (secp256k1) made
 *   signatures that verified as ES256.
 * - An RSA signer under 2048 bits is not used.
 */
import { constants, generateKeyPairSync, sign as cryptoSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { COSE_ALG, coseKeyProblem, verifySignature } from '../../src/credentials/cose/cose.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { makeSigner } from '../helpers/dcc-issuer.js';
import type { TestSigner } from '../helpers/dcc-issuer.js';
import { rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-01T00:00:00Z');

async function verify(text: string, trust: TrustIndex) {
  const { verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { verdict: verdict.verdict, reasons: verdict.reasons, messages: verdict.display.messages };
}

describe('PS256: the salt length is the digest length (RFC 8230 §2)', () => {
  const rsa = makeSigner({ keyType: 'rsa' });
  const trust = buildDccTrust([rsa.certificate]);

  it('a 32-byte salt verifies', async () => {
    expect(await verify(rawHc1({ signer: rsa, pssSalt: 32 }), trust)).toMatchObject({ verdict: 'accept', reasons: [] });
  });

  it.each([
    ['no salt', 0],
    ['a 20-byte salt', 20],
    ['the longest salt the key allows', constants.RSA_PSS_SALTLEN_MAX_SIGN],
  ])('%s → bad-signature, saying so', async (_name, saltLength) => {
    const r = await verify(rawHc1({ signer: rsa, pssSalt: saltLength }), trust);
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'] });
    expect(r.messages).toContain('RSASSA-PSS signature made with a salt length other than 32 bytes (RFC 8230: the digest length), which PS256 does not allow');
  });

  it('a PS256 signature by another key: bad-signature without the salt explanation', async () => {
    const other = makeSigner({ keyType: 'rsa' });
    const r = await verify(rawHc1({ signer: { ...other, kid: rsa.kid } }), trust);
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'], messages: ['signature does not verify with any certificate for this kid'] });
  });
});

describe('the signer key must fit the algorithm', () => {
  it('ES256 by a signer certificate on secp256k1 → bad-signature, naming the curve', async () => {
    const k1 = makeSigner({ keyType: 'ec-secp256k1' });
    const es256: TestSigner = { ...k1, alg: COSE_ALG.ES256 };
    const r = await verify(rawHc1({ signer: es256 }), buildDccTrust([k1.certificate]));
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'] });
    expect(r.messages.join(' ')).toContain('an EC key on secp256k1; -7 (ES256) is defined on P-256 only');
  });

  it('PS256 by an RSA-1024 signer certificate → bad-signature, naming the size', async () => {
    const small = makeSigner({ keyType: 'rsa', rsaBits: 1024 });
    const r = await verify(rawHc1({ signer: small }), buildDccTrust([small.certificate]));
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['bad-signature'] });
    expect(r.messages.join(' ')).toContain('an RSA key of 1024 bits; at least 2048 are required');
  });

  it('a certificate with an unusable key beside the right one under the same kid: the right one verifies', async () => {
    const good = makeSigner();
    const k1 = makeSigner({ keyType: 'ec-secp256k1' });
    const trust = buildDccTrust([{ certificate: k1.certificate, kid: good.kid }, good.certificate]);
    expect(await verify(rawHc1({ signer: good }), trust)).toMatchObject({ verdict: 'accept', reasons: [] });
  });

  it('verifySignature answers false, never throws, for a key the algorithm cannot use', () => {
    const data = new Uint8Array([1, 2, 3]);
    const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const rsa1024 = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const k1Sig = cryptoSign('sha256', data, { key: k1.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(verifySignature(COSE_ALG.ES256, k1.publicKey, data, k1Sig)).toBe(false);
    const p384Sig = cryptoSign('sha256', data, { key: p384.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(verifySignature(COSE_ALG.ES384, p384.publicKey, data, cryptoSign('sha384', data, { key: p384.privateKey, dsaEncoding: 'ieee-p1363' }))).toBe(true);
    expect(verifySignature(COSE_ALG.ES256, p384.publicKey, data, p384Sig)).toBe(false);
    const rsaSig = cryptoSign('sha256', data, { key: rsa1024.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    expect(verifySignature(COSE_ALG.PS256, rsa1024.publicKey, data, rsaSig)).toBe(false);
    expect(coseKeyProblem(COSE_ALG.ES256, rsa1024.publicKey)).toBe('a key of type rsa cannot make -7 (ES256) signatures');
    expect(coseKeyProblem(COSE_ALG.PS256, k1.publicKey)).toBe('a key of type ec cannot make -37 (PS256) signatures');
  });
});
