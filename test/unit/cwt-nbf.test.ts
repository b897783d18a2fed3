/**
 * CWT claim 5, nbf (RFC 8392 §3.1.5): a token must not be accepted before it (RFC 7519 §4.1.5),
 * with the clock tolerance. Neither the EU DCC nor our CKD1/CKP1 issuers write it, and the kiosk
 * ignored it: a DCC or a declaration "not valid before" next week was accepted today.
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { verifyProvisioningCard } from '../../src/credentials/provisioning/index.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { dccClaims, rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { claimsFor, declarationTrust, rawDeclarationToken, sampleDeclBody } from '../helpers/declaration.js';
import { newEcKey } from '../helpers/keys.js';
import { cardJwk, rawCard } from '../helpers/provisioning.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const now = NOW.getTime() / 1000;

async function verify(text: string, trust: TrustIndex) {
  const { verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { verdict: verdict.verdict, reasons: verdict.reasons };
}

describe('nbf', () => {
  it('EU DCC: an hour ahead → not-yet-valid; within the tolerance or past → accepted; not a number → schema-invalid (decoded, wrong structure: as CKD1)', async () => {
    const signer = makeSigner();
    const trust = buildDccTrust([signer.certificate]);
    const withNbf = (nbf: CborEncodable) => rawHc1({ signer, claims: new Map([...dccClaims(sampleVaccination()), [5, nbf]]) });
    expect(await verify(withNbf(now + 3600), trust)).toEqual({ verdict: 'reject', reasons: ['not-yet-valid'] });
    expect(await verify(withNbf(now + 120), trust)).toEqual({ verdict: 'accept', reasons: [] });
    expect(await verify(withNbf(now - 86400), trust)).toEqual({ verdict: 'accept', reasons: [] });
    expect(await verify(withNbf('tomorrow'), trust)).toEqual({ verdict: 'reject', reasons: ['schema-invalid'] });
  });

  it('CKD1: an hour ahead → not-yet-valid', async () => {
    const key = newEcKey();
    const claims = (nbf: number) => new Map<number | string, CborEncodable>([...claimsFor(sampleDeclBody(), now - 60, now + 7200), [5, nbf]]);
    expect(await verify(rawDeclarationToken(claims(now + 3600), key.privateKey, key.declarationKid), declarationTrust(key))).toEqual({ verdict: 'reject', reasons: ['not-yet-valid'] });
    expect(await verify(rawDeclarationToken(claims(now - 60), key.privateKey, key.declarationKid), declarationTrust(key))).toEqual({ verdict: 'accept', reasons: [] });
  });

  it('CKP1: an hour ahead → refused as not-yet-valid', () => {
    const root = newEcKey();
    const prov = { v: 1, url: 'https://central.example', code: 'K7QM-2XRP-9HTD', rootKey: cardJwk(root.privateKey), checkpoint: 'QL1A-KM12' };
    const card = (nbf: number) => rawCard({ prov, signer: root.privateKey, iat: now - 60, exp: now + 7200, nbf });
    expect(verifyProvisioningCard(card(now + 3600), { now: NOW })).toMatchObject({ ok: false, reason: 'not-yet-valid' });
    expect(verifyProvisioningCard(card(now - 60), { now: NOW })).toMatchObject({ ok: true });
  });
});
