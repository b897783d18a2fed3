/**
 * Headers a verifier must refuse even under a good signature: a `crit` parameter (RFC 9052 §3.1
 * for COSE; RFC 7515 §4.1.11 for the JWS of a SMART Health Card) lists extensions the recipient
 * must understand or reject the message, and the EU DCC allows ES256 and PS256 only
 * (eu-dcc-hcert-spec §3.3.1, docs/FORMATS.md) even where COSE knows more algorithms. Real
 * signatures by real keys throughout, so only the header decides.
 */
import { sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { CborTag, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable, CborValue } from '../../src/credentials/cose/cbor.js';
import { COSE_ALG, coseAlgText, sigStructure } from '../../src/credentials/cose/cose.js';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { declarationFormat } from '../../src/credentials/declaration/index.js';
import { issueProvisioningCard, verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { shcFormat } from '../../src/credentials/shc/index.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { claimsFor, declarationTrust, sampleDeclBody } from '../helpers/declaration.js';
import { newEcKey, SHC_EXAMPLE_ISS, shcExampleFhirBundle, shcExampleSigningKeys } from '../helpers/keys.js';
import { deflateJson, rawShc, shcTrust } from '../helpers/shc.js';

type Header = Map<number | string, CborEncodable>;

/** A COSE_Sign1 with any protected and unprotected headers, ES256-signed for real; base45(zlib) with `prefix`. */
function coseToken(prefix: string, payload: Uint8Array, key: KeyObject, protectedHeader: Header, unprotected: Header = new Map()): string {
  const prot = encodeCbor(protectedHeader);
  const signature = sign('sha256', sigStructure(prot, payload), { key, dsaEncoding: 'ieee-p1363' });
  const cose = encodeCbor(new CborTag(18, [prot, unprotected, payload, new Uint8Array(signature)] as CborValue));
  return `${prefix}${base45Encode(deflateSync(cose))}`;
}

describe('EU DCC', () => {
  const ec = makeSigner();
  const p384 = makeSigner({ keyType: 'ec-p384' });
  const rsa = makeSigner({ keyType: 'rsa' });
  const trust = buildDccTrust([ec.certificate, p384.certificate, rsa.certificate]);
  const now = new Date('2022-06-01T00:00:00Z');
  const kid = Buffer.from(ec.kid, 'base64');
  const claims = encodeCbor(new Map<number, CborEncodable>([[1, 'VN'], [6, Date.parse('2022-01-01') / 1000], [4, Date.parse('2023-01-01') / 1000], [-260, new Map([[1, sampleVaccination()]])]]));
  const verify = (text: string) => verifyDcc(text, { now, trust });

  it('the same headers without crit verify (the control)', () => {
    expect(verify(coseToken('HC1:', claims, ec.privateKey, new Map<number, CborEncodable>([[1, COSE_ALG.ES256], [4, kid]]))).failures).toEqual([]);
  });

  it('a crit parameter in the protected header → bad-signature, naming crit', () => {
    const r = verify(coseToken('HC1:', claims, ec.privateKey, new Map<number, CborEncodable>([[1, COSE_ALG.ES256], [4, kid], [2, [99]], [99, 1]])));
    expect(r.failures).toEqual(['bad-signature']);
    expect(r.steps.find((s) => !s.ok)).toMatchObject({ step: 'signature', detail: expect.stringMatching(/crit: 99.*RFC 9052/) });
  });

  it('crit in the unprotected header → bad-signature', () => {
    const r = verify(coseToken('HC1:', claims, ec.privateKey, new Map<number, CborEncodable>([[1, COSE_ALG.ES256], [4, kid]]), new Map<number, CborEncodable>([[2, [99]]])));
    expect(r.failures).toEqual(['bad-signature']);
  });

  it('ES384 by a P-384 signer of the bundle, and PS384 by an RSA signer, are refused: ES256 and PS256 only', () => {
    const cases = [
      { text: issueHc1({ dcc: sampleVaccination(), signer: p384 }), named: 'algorithm -35 (ES384) not allowed' },
      { text: issueHc1({ dcc: sampleVaccination(), signer: { ...rsa, alg: COSE_ALG.PS384 } }), named: 'algorithm -38 (PS384) not allowed' },
    ];
    for (const { text, named } of cases) {
      const r = verify(text);
      expect(r.failures).toEqual(['bad-signature']);
      expect(r.steps.find((s) => !s.ok)).toMatchObject({ step: 'signature', detail: `${named} (ES256 -7 or PS256 -37 only)` });
    }
    expect(verify(issueHc1({ dcc: sampleVaccination(), signer: rsa })).failures).toEqual([]);
  });
});

describe('CKD1 declaration', () => {
  const issuer = newEcKey();
  const trust = declarationTrust(issuer);
  const iat = Math.floor(Date.parse('2026-11-25T08:00:00Z') / 1000);
  const payload = encodeCbor(claimsFor(sampleDeclBody(), iat, iat + 72 * 3600));
  const kid = Buffer.from(issuer.declarationKid, 'base64');
  const verify = (text: string) => declarationFormat.verify(text, { now: new Date((iat + 3600) * 1000), trust }) as VerifyResult;

  it('crit → bad-signature; without it the same token verifies', () => {
    expect(verify(coseToken('CKD1:', payload, issuer.privateKey, new Map<number, CborEncodable>([[1, COSE_ALG.ES256], [4, kid]])))).toMatchObject({ failures: [] });
    const r = verify(coseToken('CKD1:', payload, issuer.privateKey, new Map<number | string, CborEncodable>([[1, COSE_ALG.ES256], [4, kid], [2, ['x-admit']], ['x-admit', true]])));
    expect(r.failures).toEqual(['bad-signature']);
    expect(r.steps.find((s) => !s.ok)?.detail).toMatch(/crit: x-admit/);
  });
});

describe('CKP1 provisioning card', () => {
  it('crit → refused as bad-signature, whatever the card carries', () => {
    const root = newEcKey();
    const now = new Date('2026-11-29T10:00:00Z');
    const good = issueProvisioningCard({ url: 'https://central.example', code: 'K7QM-2XRP-9HTD', checkpoint: 'GATE-7' }, root.privateKey, { now, validHours: 2 });
    expect(verifyProvisioningCard(good, { now }).ok).toBe(true);
    // Re-sign the same claims with a crit parameter added to the protected header.
    const t = Math.floor(now.getTime() / 1000);
    const claims = encodeCbor(new Map<number | string, CborEncodable>([[1, 'https://central.example'], [6, t], [4, t + 3600], ['prov', { v: 1, url: 'https://central.example', code: 'K7QM-2XRP-9HTD', rootKey: root.publicJwk, checkpoint: 'GATE-7' }]]));
    const kid = Buffer.from(root.declarationKid, 'base64');
    const control = coseToken('CKP1:', claims, root.privateKey, new Map<number, CborEncodable>([[1, COSE_ALG.ES256], [4, kid]]));
    expect(verifyProvisioningCard(control, { now }).ok).toBe(true);
    const r = verifyProvisioningCard(coseToken('CKP1:', claims, root.privateKey, new Map<number, CborEncodable>([[1, COSE_ALG.ES256], [4, kid], [2, [77]], [77, 1]])), { now });
    expect(r).toMatchObject({ ok: false, reason: 'bad-signature', message: expect.stringMatching(/crit/) });
  });
});

describe('SMART Health Card (JWS)', () => {
  const [key] = shcExampleSigningKeys();
  const now = new Date('2026-11-26T08:00:00Z');
  const body = deflateJson({ iss: SHC_EXAMPLE_ISS, nbf: Math.floor(now.getTime() / 1000) - 86_400, vc: { type: ['https://smarthealth.cards#health-card'], credentialSubject: { fhirVersion: '4.0.1', fhirBundle: shcExampleFhirBundle() } } });
  const verify = (text: string) => shcFormat.verify(text, { now, trust: shcTrust() });

  it('a header with crit (here the b64 extension of RFC 7797, which the kiosk does not implement) → bad-signature', async () => {
    expect((await verify(await rawShc(body, { zip: 'DEF', kid: key!.kid }, key!.privateKey))).failures).toEqual([]);
    const r = await verify(await rawShc(body, { zip: 'DEF', kid: key!.kid, crit: ['b64'], b64: true }, key!.privateKey));
    expect(r.failures).toEqual(['bad-signature']);
    expect(r.steps.find((s) => !s.ok)?.detail).toMatch(/crit.*RFC 7515/);
  });
});

describe('algorithm names in messages', () => {
  it('names registered COSE algorithms and shows other numbers as they are', () => {
    expect(coseAlgText(COSE_ALG.ES384)).toBe('-35 (ES384)');
    expect(coseAlgText(-8)).toBe('-8 (EdDSA)');
    expect(coseAlgText(-99)).toBe('-99');
    expect(coseAlgText(undefined)).toBe('missing');
  });
});
