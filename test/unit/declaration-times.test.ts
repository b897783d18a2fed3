/**
 * CKD1 times (docs/FORMATS.md): exp before iat is named as such (it was "validity period outside
 * 0–720 hours"), a test time in the future is not-yet-valid (as a DCC's sample time), and a
 * positive test stays a finding whatever its age.
 */
import { describe, expect, it } from 'vitest';
import { issueDeclaration, declarationFormat } from '../../src/credentials/declaration/index.js';
import { earliestTestMs } from '../../src/credentials/declaration/test-time.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { ISSUER, claimsFor, declarationTrust, rawDeclarationToken, sampleDeclBody, sampleDeclaration } from '../helpers/declaration.js';
import { newEcKey } from '../helpers/keys.js';

const key = newEcKey();
const trust = declarationTrust(key);
const issuedAt = new Date('2026-11-26T08:00:00Z');
const iatS = issuedAt.getTime() / 1000;
const H = 3_600_000;
const NOW = new Date(issuedAt.getTime() + H);

function verify(text: string): VerifyResult {
  const r = declarationFormat.verify(text, { now: NOW, trust });
  if (r instanceof Promise) throw new Error('expected a synchronous verify');
  return r;
}
const failedSteps = (r: VerifyResult) => r.steps.filter((s) => !s.ok).map((s) => s.detail);
const withTest = (result: 'positive' | 'negative', at: string) =>
  issueDeclaration(sampleDeclaration({ test: { result, at } }), { privateKey: key.privateKey, kid: key.declarationKid }, { iss: ISSUER, now: issuedAt });

describe('CKD1 validity period', () => {
  it('exp before iat says so', () => {
    const r = verify(rawDeclarationToken(claimsFor(sampleDeclBody(), iatS, iatS - 60), key.privateKey, key.declarationKid));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedSteps(r)).toEqual(['CWT claim exp is before iat']);
  });

  it('a period longer than 720 hours says that', () => {
    const r = verify(rawDeclarationToken(claimsFor(sampleDeclBody(), iatS, iatS + 721 * 3600), key.privateKey, key.declarationKid));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedSteps(r)).toEqual(['validity period (exp − iat) longer than 720 hours']);
  });
});

describe('CKD1 test time', () => {
  it.each([
    ['2026-11-28', 'a date after today everywhere on Earth'],
    ['2026-11-26T12:00:00Z', 'a time three hours ahead'],
    ['2026-11-26T16:00:00+02:00', 'a time ahead with an offset'],
    ['2026-11-27T10:00', 'a local time without an offset, ahead in every zone'],
  ])('%s (%s) is in the future: not-yet-valid', (at) => {
    const r = verify(withTest('negative', at));
    expect(r.failures).toEqual(['not-yet-valid']);
    expect(failedSteps(r)).toEqual(['decl.health.test.at: the test time is in the future']);
    expect(r.messages).toContain('decl.health.test.at: the test time is in the future');
  });

  it.each([
    ['2026-11-26', 'today (UTC): already begun east of here'],
    ['2026-11-26T08:30:00Z', 'half an hour ago'],
    ['2026-11-26T10:00', 'a local time without offset that is already past at UTC+14'],
    ['2026-11-26T22:30', 'a local time without offset, 22:30 at UTC+14 is 08:30Z'],
    ['2026-11-26T14:00:00+07:00', 'an hour ago in Viet Nam'],
  ])('%s (%s) is not in the future', (at) => {
    expect(verify(withTest('negative', at)).failures).toEqual([]);
  });

  it('a positive test 36 days old is still a positive-test finding (FORMATS.md: the officer judges it)', () => {
    const r = verify(withTest('positive', '2026-10-21'));
    expect(r.failures).toEqual([]);
    expect(r.findings).toEqual(['positive-test']);
    expect(r.messages).toEqual(['Positive test on 2026-10-21']);
  });

  it('reads the earliest instant of each form', () => {
    expect(earliestTestMs('2026-11-26')).toBe(Date.UTC(2026, 10, 26) - 14 * H);
    expect(earliestTestMs('2026-11-26T10:00')).toBe(Date.UTC(2026, 10, 26, 10) - 14 * H);
    expect(earliestTestMs('2026-11-26T10:00:00Z')).toBe(Date.UTC(2026, 10, 26, 10));
    expect(earliestTestMs('2026-11-26T10:00:00.5+0700')).toBe(Date.UTC(2026, 10, 26, 3));
    expect(earliestTestMs('2026-11-26T10:00-03:30')).toBe(Date.UTC(2026, 10, 26, 13, 30));
    expect(earliestTestMs('26/11/2026')).toBeUndefined();
  });
});
