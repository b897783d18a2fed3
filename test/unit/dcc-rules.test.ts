/**
 * EU DCC business rules: the rule tests shipped with dgc-business-rules
 * (../shared/testdata/dcc-rules/<country>/<rule>/{rule.json, tests/*.json}) through our rule
 * evaluation, rule selection, and rule failures surfacing from a full verification.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateRule, selectRules, verifyDcc } from '../../src/credentials/dcc/index.js';
import type { DccRule } from '../../src/credentials/dcc/index.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { issuingCountry } from '../../src/credentials/dcc/verify.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const testdata = path.resolve(repoRoot, '../shared/testdata');
const rulesRoot = path.join(testdata, 'dcc-rules');

interface RuleCase {
  name: string;
  payload: unknown;
  external: unknown;
  expected: boolean;
}

function ruleCases(): [string, DccRule, RuleCase][] {
  const out: [string, DccRule, RuleCase][] = [];
  for (const country of fs.readdirSync(rulesRoot).sort()) {
    const countryDir = path.join(rulesRoot, country);
    if (country === 'valuesets' || !fs.statSync(countryDir).isDirectory()) continue;
    for (const id of fs.readdirSync(countryDir).sort()) {
      const rule = JSON.parse(fs.readFileSync(path.join(countryDir, id, 'rule.json'), 'utf8')) as DccRule;
      const testsDir = path.join(countryDir, id, 'tests');
      if (!fs.existsSync(testsDir)) continue;
      for (const t of fs.readdirSync(testsDir).sort()) {
        const c = JSON.parse(fs.readFileSync(path.join(testsDir, t), 'utf8')) as RuleCase;
        out.push([`${id}/${t} (${c.name})`, rule, c]);
      }
    }
  }
  return out;
}

const cases = ruleCases();

describe('dgc-business-rules tests', () => {
  it('finds the rule tests', () => {
    expect(cases.length).toBeGreaterThan(250);
  });

  it.each(cases)('%s', (_name, rule, c) => {
    expect(evaluateRule(rule, c.payload, c.external).passed).toBe(c.expected);
  });
});

function rule(partial: Partial<DccRule> & { Identifier: string }): DccRule {
  return {
    Type: 'Acceptance',
    Country: 'VN',
    Version: '1.0.0',
    CertificateType: 'General',
    ValidFrom: '2021-01-01T00:00:00Z',
    ValidTo: '2030-01-01T00:00:00Z',
    Engine: 'CERTLOGIC',
    Description: [{ lang: 'en', desc: `${partial.Identifier} description` }],
    Logic: true,
    ...partial,
  };
}

describe('selectRules', () => {
  const at = new Date('2022-06-01T00:00:00Z');

  it('keeps General rules and those of the certificate type only', () => {
    const rules = [
      rule({ Identifier: 'GR-1' }),
      rule({ Identifier: 'VR-1', CertificateType: 'Vaccination' }),
      rule({ Identifier: 'TR-1', CertificateType: 'Test' }),
      rule({ Identifier: 'RR-1', CertificateType: 'Recovery' }),
    ];
    expect(selectRules(rules, 'v', at).map((r) => r.Identifier)).toEqual(['GR-1', 'VR-1']);
    expect(selectRules(rules, 't', at).map((r) => r.Identifier)).toEqual(['GR-1', 'TR-1']);
    expect(selectRules(rules, 'r', at).map((r) => r.Identifier)).toEqual(['GR-1', 'RR-1']);
  });

  it('honours ValidFrom/ValidTo against the validation clock', () => {
    const rules = [
      rule({ Identifier: 'FUTURE', ValidFrom: '2023-01-01T00:00:00Z' }),
      rule({ Identifier: 'PAST', ValidTo: '2022-01-01T00:00:00Z' }),
      rule({ Identifier: 'NOW' }),
    ];
    expect(selectRules(rules, 'v', at).map((r) => r.Identifier)).toEqual(['NOW']);
  });

  it('takes the highest valid version of one identifier and skips non-CertLogic or malformed entries', () => {
    const rules = [
      rule({ Identifier: 'GR-1', Version: '1.0.9' }),
      rule({ Identifier: 'GR-1', Version: '1.1.0', Logic: false }),
      rule({ Identifier: 'GR-1', Version: '2.0.0', ValidFrom: '2029-01-01T00:00:00Z' }),
      rule({ Identifier: 'OTHER', Engine: 'JSONLOGIC' }),
      { no: 'identifier' },
      null,
    ];
    const selected = selectRules(rules, 'v', at);
    expect(selected.map((r) => [r.Identifier, r.Version])).toEqual([['GR-1', '1.1.0']]);
  });

  it('filters acceptance rules by the country of arrival when one is configured', () => {
    const rules = [rule({ Identifier: 'VN-1' }), rule({ Identifier: 'DE-1', Country: 'DE' })];
    expect(selectRules(rules, 'v', at, { countryCode: 'VN' }).map((r) => r.Identifier)).toEqual(['VN-1']);
    expect(selectRules(rules, 'v', at).map((r) => r.Identifier)).toEqual(['VN-1', 'DE-1']);
  });

  it('selects the same from a frozen (trust-index) list, prepared once, as from a fresh copy, scan after scan', () => {
    const list = [
      rule({ Identifier: 'GR-1', Version: '1.0.0' }),
      rule({ Identifier: 'GR-1', Version: '1.2.0', ValidFrom: '2022-03-01T00:00:00Z' }),
      rule({ Identifier: 'VR-1', CertificateType: 'Vaccination', ValidTo: '2022-07-01T00:00:00Z' }),
      rule({ Identifier: 'TR-1', CertificateType: 'Test', Country: 'DE' }),
      rule({ Identifier: 'INV', Type: 'Invalidation', Country: 'FR' }),
      rule({ Identifier: 'BADDATE', ValidFrom: 'not a date' }),
      rule({ Identifier: 'OTHER', Engine: 'certlogic' }),
      { no: 'identifier' },
    ];
    const frozen = Object.freeze([...list]);
    for (const when of ['2022-01-01T00:00:00Z', '2022-06-01T00:00:00Z', '2022-08-01T00:00:00Z']) {
      for (const group of ['v', 't', 'r'] as const) {
        for (const opts of [{}, { countryCode: 'DE' }, { issuerCountryCode: 'DE' }]) {
          const ids = (l: readonly unknown[]) => selectRules(l, group, new Date(when), opts).map((r) => `${r.Identifier}@${r.Version ?? ''}`);
          expect(ids(frozen)).toEqual(ids([...list]));
          expect(ids(frozen)).toEqual(ids([...list]));
        }
      }
    }
    expect(selectRules(frozen, 'v', new Date('2022-06-01T00:00:00Z')).map((r) => r.Identifier)).toEqual(['GR-1', 'VR-1', 'OTHER']);
    expect(selectRules(frozen, 'v', new Date('2022-06-01T00:00:00Z'), { issuerCountryCode: 'fr' }).map((r) => r.Identifier)).toEqual(['GR-1', 'VR-1', 'INV', 'OTHER']);
  });
});

describe('evaluateRule', () => {
  it('fails a rule whose result is truthy but not true', () => {
    expect(evaluateRule(rule({ Identifier: 'X', Logic: { var: 'payload.ver' } }), { ver: '1.3.0' }, {}).passed).toBe(false);
  });

  it('turns a rule that throws into a failure with a clear detail', () => {
    const o = evaluateRule(rule({ Identifier: 'BAD', Logic: { 'no-such-operator': [1] } }), {}, {});
    expect(o.passed).toBe(false);
    expect(o.detail).toMatch(/^rule could not be evaluated: /);
  });
});

describe('rules in a full DCC verification', () => {
  // A valid German vaccination vector (ES256), verified inside its validity window.
  const vector = JSON.parse(fs.readFileSync(path.join(testdata, 'dgc/DE/2DCode/raw/1.json'), 'utf8')) as {
    PREFIX: string;
    TESTCTX: { CERTIFICATE: string };
  };
  const now = new Date('2021-06-01T18:00:00Z');
  const valueSets = JSON.parse(fs.readFileSync(path.join(rulesRoot, 'valuesets/valueSets.json'), 'utf8')) as Record<string, string[]>;

  function verifyWith(rules: unknown[]) {
    return verifyDcc(vector.PREFIX, { now, trust: buildDccTrust([vector.TESTCTX.CERTIFICATE], { rules, valueSets }) });
  }

  it('accepts when the applicable rules pass (the real EU vaccination rules)', () => {
    const eu = ['VR-EU-0000', 'VR-EU-0001', 'VR-EU-0002', 'GR-EU-0000', 'GR-EU-0001'].map(
      (id) => JSON.parse(fs.readFileSync(path.join(rulesRoot, 'EU', id, 'rule.json'), 'utf8')) as unknown,
    );
    const r = verifyWith(eu);
    expect(r.failures).toEqual([]);
    expect(r.steps.find((s) => s.step === 'rules')).toMatchObject({ ok: true });
  });

  it('a failed rule becomes rule-failed:<Identifier> with its English description', () => {
    const failing = rule({
      Identifier: 'VR-VN-0001',
      CertificateType: 'Vaccination',
      Logic: { '>': [{ var: 'payload.v.0.dn' }, 2] },
      Description: [
        { lang: 'vi', desc: 'Cần ít nhất 3 liều.' },
        { lang: 'en', desc: 'At least 3 doses are required.' },
      ],
    });
    const r = verifyWith([failing, rule({ Identifier: 'GR-VN-0001' })]);
    expect(r.failures).toEqual(['rule-failed:VR-VN-0001']);
    // Said once, in the failed step (the officer's message): not again in `messages`.
    expect(r.steps.filter((s) => !s.ok).map((s) => s.detail)).toEqual(['VR-VN-0001: At least 3 doses are required.']);
    expect(r.messages).toBeUndefined();
    expect(r.steps.find((s) => s.step === 'rules')).toMatchObject({ ok: false });
  });

  it('a rule that throws fails the verification instead of crashing it', () => {
    const r = verifyWith([rule({ Identifier: 'GR-VN-0002', Logic: { 'no-such-operator': [] } })]);
    expect(r.failures).toEqual(['rule-failed:GR-VN-0002']);
    expect(r.steps.find((s) => s.step === 'rules')?.detail).toMatch(/could not be evaluated/);
  });

  it('rules for another certificate type are not applied', () => {
    const r = verifyWith([rule({ Identifier: 'TR-VN-0001', CertificateType: 'Test', Logic: false })]);
    expect(r.failures).toEqual([]);
  });
});

/**
 * Rule selection by the DCC's own issuer, and the external parameters docs/FORMATS.md promises,
 * on generated certificates (claim iss "VN"). Before: Invalidation rules of every country were
 * applied to every DCC (the issuing country was never passed to the selection), and a rule using
 * external.validationClockAtStartOfDay could not be evaluated (it was never set): both gave a
 * rule-failed reject for a valid certificate.
 */
describe('rules and the issuing country, external parameters', () => {
  const signer = makeSigner();
  const now = new Date('2022-06-10T15:30:00Z');
  const hc1 = issueHc1({ dcc: sampleVaccination(), signer, iss: 'VN' });
  const verifyWith = (rules: unknown[]) => verifyDcc(hc1, { now, trust: buildDccTrust([signer.certificate], { rules }) });
  const invalidation = (country: string) =>
    rule({ Identifier: `IR-${country}-0001`, Type: 'Invalidation', Country: country, Logic: { '!': [{ var: 'payload.v.0.ci' }] } });

  it('an Invalidation rule of another country does not apply; one of the issuing country does', () => {
    expect(verifyWith([invalidation('DE')]).failures).toEqual([]);
    expect(verifyWith([invalidation('VN')]).failures).toEqual(['rule-failed:IR-VN-0001']);
  });

  it('without a CWT iss, the signer certificate\'s country in the trust bundle is the issuing country', () => {
    const noIss = issueHc1({
      dcc: sampleVaccination(),
      signer,
      claims: new Map<number, CborEncodable>([[6, Date.parse('2022-01-01T00:00:00Z') / 1000], [4, Date.parse('2023-01-01T00:00:00Z') / 1000], [-260, new Map([[1, sampleVaccination()]])]]),
    });
    const trust = buildDccTrust([{ certificate: signer.certificate, country: 'VN' }], { rules: [invalidation('DE'), invalidation('VN')] });
    expect(verifyDcc(noIss, { now, trust }).failures).toEqual(['rule-failed:IR-VN-0001']);
  });

  it('an issuing country the kiosk cannot name (no CWT iss, signer without a country) is no country: no Invalidation rule applies', () => {
    const noIss = issueHc1({
      dcc: sampleVaccination(),
      signer,
      claims: new Map<number, CborEncodable>([[6, Date.parse('2022-01-01T00:00:00Z') / 1000], [4, Date.parse('2023-01-01T00:00:00Z') / 1000], [-260, new Map([[1, sampleVaccination()]])]]),
    });
    const trust = buildDccTrust([signer.certificate], { rules: [invalidation('DE'), invalidation('VN')] });
    expect(verifyDcc(noIss, { now, trust }).failures).toEqual([]);
    // An Acceptance rule still applies to it.
    const acceptance = rule({ Identifier: 'GR-VN-0009', Country: 'VN', Logic: false });
    expect(verifyDcc(noIss, { now, trust: buildDccTrust([signer.certificate], { rules: [acceptance] }) }, { countryCode: 'VN' }).failures).toEqual(['rule-failed:GR-VN-0009']);
  });

  it('country codes compare ignoring case: a CWT iss "vn" is the Country "VN" of an Invalidation rule', () => {
    const lower = issueHc1({ dcc: sampleVaccination(), signer, iss: 'vn' });
    expect(verifyDcc(lower, { now, trust: buildDccTrust([signer.certificate], { rules: [invalidation('VN')] }) }).failures).toEqual(['rule-failed:IR-VN-0001']);
    expect(verifyDcc(lower, { now, trust: buildDccTrust([signer.certificate], { rules: [invalidation('DE')] }) }).failures).toEqual([]);
  });

  // Real issuers write other text than a country code in iss: the Swiss "CH BAG" (dgc-testdata
  // CH/4), Georgia its ministry's name. Taken as the issuing country, it named none, and the
  // issuer's own Invalidation rules never applied: a DCC on that list was accepted.
  it('a CWT iss that is no country code ("CH BAG", a ministry\'s name): the signer\'s country, else a leading code, is the issuing country', () => {
    const swiss = issueHc1({ dcc: sampleVaccination(), signer, iss: 'CH BAG' });
    const withCountry = (rules: unknown[]) => buildDccTrust([{ certificate: signer.certificate, country: 'CH' }], { rules });
    expect(verifyDcc(swiss, { now, trust: withCountry([invalidation('CH')]) }).failures).toEqual(['rule-failed:IR-CH-0001']);
    expect(verifyDcc(swiss, { now, trust: withCountry([invalidation('DE')]) }).failures).toEqual([]);
    // Without a country in the bundle, the code "CH BAG" starts with.
    expect(verifyDcc(swiss, { now, trust: buildDccTrust([signer.certificate], { rules: [invalidation('CH')] }) }).failures).toEqual(['rule-failed:IR-CH-0001']);
    const georgian = issueHc1({ dcc: sampleVaccination(), signer, iss: 'Ministry of Labour, Health and Social Affairs of Georgia' });
    const geTrust = buildDccTrust([{ certificate: signer.certificate, country: 'GE' }], { rules: [invalidation('GE')] });
    expect(verifyDcc(georgian, { now, trust: geTrust }).failures).toEqual(['rule-failed:IR-GE-0001']);
    // A rule reading external.issuerCountryCode gets the code too.
    const byIssuer = rule({ Identifier: 'GR-XX-0001', Logic: { '===': [{ var: 'external.issuerCountryCode' }, 'CH'] } });
    expect(verifyDcc(swiss, { now, trust: withCountry([byIssuer]) }).failures).toEqual([]);
    expect(issuingCountry('Ministry of Health', undefined)).toBeUndefined();
    expect(issuingCountry('vn', 'DE')).toBe('vn');
  });

  it('a failed rule is one message for the officer, not two', async () => {
    const failing = rule({ Identifier: 'IR-VN-0001', Type: 'Invalidation', Country: 'VN', Logic: false, Description: [{ lang: 'en', desc: 'Vietnamese invalidation list' }] });
    const trust = buildDccTrust([signer.certificate], { rules: [failing] });
    const { verdict } = await assessText(hc1, now, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
    expect(verdict.display.messages).toEqual(['IR-VN-0001: Vietnamese invalidation list']);
  });

  it('external.validationClockAtStartOfDay is the start of the validation clock\'s UTC day', () => {
    const startOfDay = rule({
      Identifier: 'GR-VN-0003',
      Logic: { '===': [{ var: 'external.validationClockAtStartOfDay' }, '2022-06-10T00:00:00Z'] },
    });
    const vaccinatedBeforeToday = rule({
      Identifier: 'VR-VN-0003',
      CertificateType: 'Vaccination',
      Logic: { 'not-after': [{ plusTime: [{ var: 'payload.v.0.dt' }, 0, 'day'] }, { plusTime: [{ var: 'external.validationClockAtStartOfDay' }, 0, 'day'] }] },
    });
    const r = verifyWith([startOfDay, vaccinatedBeforeToday]);
    expect(r.failures).toEqual([]);
    expect(r.steps.find((s) => s.step === 'rules')).toMatchObject({ ok: true, detail: '2 rules passed' });
  });
});
