/**
 * CWT iat/exp values at the edges (RFC 8392 NumericDate), through `verify` on generated HC1
 * payloads: a pair that expires before it was issued, and integers beyond 2^53 (CBOR carries up
 * to 2^64 − 1). Before: an exp before iat was accepted when both lay within the clock tolerance
 * of the validation clock, and an exp of 2^64 − 1 was `unreadable` ("not a number").
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { RAW_EXP, RAW_IAT, dccClaims, rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const now = NOW.getTime() / 1000;
const signer = makeSigner();
const trust = buildDccTrust([signer.certificate]);

async function verify(iat: number | bigint, exp: number | bigint) {
  const text = rawHc1({ signer, claims: dccClaims(sampleVaccination(), iat, exp) });
  const { verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { verdict: verdict.verdict, reasons: verdict.reasons, messages: verdict.display.messages };
}

describe('DCC CWT times at the edges', () => {
  it('exp before iat is schema-invalid, even when both lie within the clock tolerance of now', async () => {
    const r = await verify(now + 200, now + 100);
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['schema-invalid'] });
    expect(r.messages).toContain('CWT claim exp is before iat');
    expect(await verify(RAW_IAT, RAW_IAT - 1)).toMatchObject({ reasons: ['schema-invalid'] });
    // exp equal to iat is a (zero-length) period, judged by the clock as usual.
    expect(await verify(RAW_IAT, RAW_IAT)).toMatchObject({ reasons: ['expired'] });
  });

  it('an exp of 2^64 − 1 never expires; an iat that large is in the future', async () => {
    expect(await verify(RAW_IAT, 0xffffffffffffffffn)).toEqual({ verdict: 'accept', reasons: [], messages: [] });
    expect(await verify(0xffffffffffffffffn, 0xffffffffffffffffn)).toMatchObject({ verdict: 'reject', reasons: ['not-yet-valid'] });
    expect(await verify(RAW_IAT, RAW_EXP)).toMatchObject({ verdict: 'accept' });
  });
});

describe('CWT times beyond what a Date holds, with business rules', () => {
  it('an exp of 2^64 − 1 reaches the rules as the latest date there is, not an internal error', async () => {
    const rule = {
      Identifier: 'GR-VN-0009', Type: 'Acceptance', Country: 'VN', Version: '1.0.0', CertificateType: 'General',
      Logic: { 'not-before': [{ plusTime: [{ var: 'external.exp' }, 0, 'day'] }, { plusTime: [{ var: 'external.validationClock' }, 0, 'day'] }] },
    };
    const withRule = buildDccTrust([signer.certificate], { rules: [rule] });
    const text = rawHc1({ signer, claims: dccClaims(sampleVaccination(), RAW_IAT, 0xffffffffffffffffn) });
    const { verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => withRule, policy: () => DEFAULT_POLICY, logger: silentLogger });
    expect(verdict).toMatchObject({ verdict: 'accept', reasons: [] });
  });
});
