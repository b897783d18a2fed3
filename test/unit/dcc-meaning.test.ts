/**
 * What a DCC says, checked by the kiosk itself with no business rules in the trust bundle (our own
 * signers and certificates, test/helpers/dcc-issuer.ts): positive tests, test age, recovery
 * windows, event dates in the future, incomplete series, and value-set membership in the schema
 * step. Business rules still apply on top.
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY, type Policy } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { isReasonCode } from '../../src/shared/reasons.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-10T12:00:00Z');
const signer = makeSigner();
const trust = buildDccTrust([signer.certificate]);
const sec = (ms: number) => Math.floor(ms / 1000);
const H = 3_600_000;

type Dcc = { [key: string]: CborEncodable };

function person(): Dcc {
  const { ver, nam, dob } = sampleVaccination() as { ver: string; nam: CborEncodable; dob: string };
  return { ver, nam, dob };
}

function testCert(over: Dcc = {}): Dcc {
  return {
    ...person(),
    t: [{ tg: '840539006', tt: 'LP6464-4', nm: 'PCR', sc: new Date(NOW.getTime() - 10 * H).toISOString().replace('.000', ''), tr: '260415000', tc: 'Lab 1', co: 'VN', is: 'Ministry of Health of Viet Nam', ci: 'URN:UVCI:01:VN:T1#X', ...over }],
  };
}

function recoveryCert(over: Dcc = {}): Dcc {
  return {
    ...person(),
    r: [{ tg: '840539006', fr: '2022-05-01', co: 'VN', is: 'Ministry of Health of Viet Nam', df: '2022-05-12', du: '2022-10-28', ci: 'URN:UVCI:01:VN:R1#X', ...over }],
  };
}

function vaccination(over: Dcc = {}): Dcc {
  const base = sampleVaccination() as Dcc & { v: Dcc[] };
  return { ...base, v: [{ ...base.v[0], ...over }] };
}

const issue = (dcc: Dcc) => issueHc1({ dcc, signer, iat: sec(NOW.getTime() - 24 * H), exp: sec(NOW.getTime() + 300 * 24 * H) });

function verify(dcc: Dcc, opts: { at?: Date; t?: TrustIndex; testMaxAgeHours?: number } = {}) {
  return verifyDcc(issue(dcc), { now: opts.at ?? NOW, trust: opts.t ?? trust, ...(opts.testMaxAgeHours ? { testMaxAgeHours: opts.testMaxAgeHours } : {}) });
}

async function assess(dcc: Dcc, policy: Policy = DEFAULT_POLICY, t: TrustIndex = trust) {
  const { verdict } = await assessText(issue(dcc), NOW, { formats: DEFAULT_FORMATS, trust: () => t, policy: () => policy, logger: silentLogger });
  return { verdict: verdict.verdict, reasons: verdict.reasons };
}

describe('DCC test certificates', () => {
  it('a negative test taken 10 hours ago is accepted', async () => {
    expect(await assess(testCert())).toEqual({ verdict: 'accept', reasons: [] });
  });

  it('a positive test (tr 260373001) is positive-test: refer under the default policy, even without rules', async () => {
    expect(verify(testCert({ tr: '260373001' }))).toMatchObject({ failures: [], findings: ['positive-test'] });
    expect(await assess(testCert({ tr: '260373001' }))).toEqual({ verdict: 'refer', reasons: ['positive-test'] });
    expect(await assess(testCert({ tr: '260373001' }), { ...DEFAULT_POLICY, healthFindings: 'reject' })).toEqual({ verdict: 'reject', reasons: ['positive-test'] });
  });

  it('a test result outside the EU codes is not taken as negative', () => {
    const r = verify(testCert({ tr: 'NEGATIVE' }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(r.steps.find((s) => !s.ok)?.detail).toMatch(/^t\[0\]\.tr/);
  });

  it('a sample older than the policy limit (default 72 h) is expired; the limit is a policy key', async () => {
    const old = testCert({ sc: new Date(NOW.getTime() - 73 * H).toISOString() });
    expect(verify(old).failures).toEqual(['expired']);
    expect(verify(testCert({ sc: new Date(NOW.getTime() - 71 * H).toISOString() })).failures).toEqual([]);
    expect(verify(old, { testMaxAgeHours: 96 }).failures).toEqual([]);
    expect(await assess(old, { ...DEFAULT_POLICY, testMaxAgeHours: 96 })).toEqual({ verdict: 'accept', reasons: [] });
    expect(await assess(old)).toEqual({ verdict: 'reject', reasons: ['expired'] });
  });

  it('a sample time in the future is not-yet-valid, within the clock tolerance it is not', () => {
    expect(verify(testCert({ sc: new Date(NOW.getTime() + H).toISOString() })).failures).toEqual(['not-yet-valid']);
    expect(verify(testCert({ sc: new Date(NOW.getTime() + 4 * 60_000).toISOString() })).failures).toEqual([]);
  });
});

describe('DCC recovery certificates', () => {
  it('inside df..du is accepted', async () => {
    expect(await assess(recoveryCert())).toEqual({ verdict: 'accept', reasons: [] });
  });

  it('checked after du is expired, before df is not-yet-valid', () => {
    expect(verify(recoveryCert({ du: '2022-06-01' })).failures).toEqual(['expired']);
    expect(verify(recoveryCert({ df: '2022-06-20' })).failures).toEqual(['not-yet-valid']);
    // du is a calendar date: the whole day counts, wherever it was issued.
    expect(verify(recoveryCert({ du: '2022-06-10' })).failures).toEqual([]);
  });

  it('a first positive result (fr) in the future is not-yet-valid', () => {
    expect(verify(recoveryCert({ fr: '2022-07-01', df: '2022-05-12' })).failures).toEqual(['not-yet-valid']);
  });
});

describe('DCC vaccination certificates', () => {
  it('a vaccination date in the future is not-yet-valid', () => {
    expect(verify(vaccination({ dt: '2022-07-01' })).failures).toEqual(['not-yet-valid']);
  });

  it('dose 1 of 2 is incomplete-series: a contract reason, refer under the default policy', async () => {
    expect(isReasonCode('incomplete-series')).toBe(true);
    expect(verify(vaccination({ dn: 1, sd: 2 }))).toMatchObject({ failures: [], findings: ['incomplete-series'] });
    expect(await assess(vaccination({ dn: 1, sd: 2 }))).toEqual({ verdict: 'refer', reasons: ['incomplete-series'] });
    expect(await assess(vaccination({ dn: 3, sd: 2 }))).toEqual({ verdict: 'accept', reasons: [] });
  });

  it('business rules still apply on top of the kiosk checks', async () => {
    const rule = {
      Identifier: 'VR-VN-0001',
      Type: 'Acceptance',
      Country: 'VN',
      Version: '1.0.0',
      CertificateType: 'Vaccination',
      Description: [{ lang: 'en', desc: 'Only EU/1/20/1528' }],
      ValidFrom: '2021-01-01T00:00:00Z',
      ValidTo: '2030-01-01T00:00:00Z',
      Engine: 'CERTLOGIC',
      Logic: { '===': [{ var: 'payload.v.0.mp' }, 'EU/1/20/1528'] },
    };
    const ruled = buildDccTrust([signer.certificate], { rules: [rule] });
    expect(await assess(vaccination({ dn: 1, sd: 2, mp: 'EU/1/21/1529' }), DEFAULT_POLICY, ruled)).toEqual({ verdict: 'reject', reasons: ['rule-failed:VR-VN-0001'] });
    expect(verify(vaccination({ dn: 1, sd: 2, mp: 'EU/1/21/1529' }), { t: ruled })).toMatchObject({ failures: ['rule-failed:VR-VN-0001'], findings: ['incomplete-series'] });
  });
});

describe('value sets in the schema step', () => {
  const sets = {
    'disease-agent-targeted': ['840539006'],
    'sct-vaccines-covid-19': ['J07BX03', '1119349007'],
    'vaccines-covid-19-names': ['EU/1/20/1528', 'EU/1/20/1507'],
    'vaccines-covid-19-auth-holders': ['ORG-100030215'],
    'country-2-codes': ['VN', 'DE'],
    'covid-19-lab-test-type': ['LP6464-4', 'LP217198-3'],
    'covid-19-lab-result': ['260415000', '260373001'],
    'covid-19-lab-test-manufacturer-and-name': ['1232'],
  };
  const withSets = buildDccTrust([signer.certificate], { valueSets: sets });

  it('codes inside their sets pass', () => {
    expect(verify(vaccination(), { t: withSets }).failures).toEqual([]);
    expect(verify(testCert(), { t: withSets }).failures).toEqual([]);
    expect(verify(recoveryCert(), { t: withSets }).failures).toEqual([]);
  });

  it.each([
    ['v', 'tg', '999999'],
    ['v', 'vp', 'X99'],
    ['v', 'mp', 'EU/1/99/0000'],
    ['v', 'ma', 'ORG-000'],
    ['v', 'co', 'XX'],
    ['t', 'tt', 'LP0000-0'],
    ['t', 'tr', '123'],
    ['t', 'ma', '9999'],
    ['t', 'tg', '1'],
    ['r', 'co', 'ZZ'],
  ])('%s[0].%s outside its set → schema-invalid naming the field', (group, field, value) => {
    const dcc = group === 'v' ? vaccination({ [field]: value }) : group === 't' ? testCert({ [field]: value }) : recoveryCert({ [field]: value });
    const r = verify(dcc, { t: withSets });
    expect(r.failures).toEqual(['schema-invalid']);
    expect(r.steps.find((s) => s.step === 'schema')).toMatchObject({ ok: false, detail: expect.stringMatching(new RegExp(`^${group}\\[0\\]\\.${field}: .* is not in the value set `)) });
  });

  it('only the sets present are checked; without value sets membership is not a schema matter', () => {
    const onlyNames = buildDccTrust([signer.certificate], { valueSets: { 'vaccines-covid-19-names': ['EU/1/20/1528'] } });
    expect(verify(vaccination({ ma: 'ORG-unknown' }), { t: onlyNames }).failures).toEqual([]);
    expect(verify(vaccination({ mp: 'EU/1/99/0000' }), { t: onlyNames }).failures).toEqual(['schema-invalid']);
    expect(verify(vaccination({ mp: 'EU/1/99/0000' })).failures).toEqual([]);
  });
});

/**
 * A date-time with a leap second (RFC 3339 §5.6 time-second 60, which the schema's date-time
 * accepts) was unreadable to the date checks (Date.parse gives NaN), and every check that needed
 * it was skipped: a test sampled months ago, or a recovery past its du, was accepted.
 */
describe('DCC dates with a leap second (…:60)', () => {
  it('a stale test sampled at 23:59:60 is expired, a future one not-yet-valid, a recent one accepted', async () => {
    expect(await assess(testCert({ sc: '2021-12-31T23:59:60Z' }))).toEqual({ verdict: 'reject', reasons: ['expired'] });
    expect(verify(testCert({ sc: '2022-12-31T23:59:60Z' })).failures).toEqual(['not-yet-valid']);
    expect(await assess(testCert({ sc: '2022-06-09T23:59:60Z' }))).toEqual({ verdict: 'accept', reasons: [] });
    expect(verify(testCert({ sc: '2022-06-09T23:59:60.5+07:00' })).failures).toEqual([]);
  });

  it('a recovery whose du (written as a date-time) has passed is expired; a future dt is not-yet-valid', () => {
    expect(verify(recoveryCert({ du: '2022-05-20T23:59:60Z' })).failures).toEqual(['expired']);
    expect(verify(vaccination({ dt: '2022-07-01T23:59:60Z' })).failures).toEqual(['not-yet-valid']);
  });
});
