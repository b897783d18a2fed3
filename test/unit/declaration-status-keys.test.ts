/**
 * A declaration's ID number is looked up in the status list whatever its letter case: ID numbers
 * are printed in capitals (passports C1234567, QIDs), the /declare form accepts them typed in
 * small letters and signs them as typed, and a status entry written as printed missed the
 * declaration of a blocked passport typed in lower case (accept instead of the blocked verdict).
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import { ISSUER, sampleDeclaration } from '../helpers/declaration.js';
import { declarationIssuerEntry, newEcKey } from '../helpers/keys.js';

const key = newEcKey();
const issuedAt = new Date('2026-11-26T08:00:00Z');
const at = new Date('2026-11-26T09:00:00Z');
const trust = parseTrustBundle({
  version: 1,
  issuedAt: '2026-11-25T00:00:00Z',
  declaration: { issuers: [declarationIssuerEntry(key, 'Issuer')] },
  status: { entries: [{ id: 'C1234567', status: 'blocked' }] },
});

async function verdictFor(idNo: string) {
  const decl = sampleDeclaration();
  decl.sub = { ...decl.sub, idType: 'passport', idNo };
  const text = issueDeclaration(decl, { privateKey: key.privateKey, kid: key.declarationKid }, { iss: ISSUER, now: issuedAt });
  const a = await assessText(text, at, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { verdict: a.verdict.verdict, reasons: a.verdict.reasons, subject: a.result.subject };
}

describe('CKD1: the declared ID number in the status list', () => {
  it('a passport number declared as printed hits its entry', async () => {
    expect(await verdictFor('C1234567')).toMatchObject({ reasons: ['status:blocked'] });
  });

  it('the same passport number typed in small letters hits it too, and is recorded as signed', async () => {
    const r = await verdictFor('c1234567');
    expect(r).toMatchObject({ reasons: ['status:blocked'] });
    expect(r.subject.idNo).toBe('c1234567');
  });

  it('a number written with spaces (another issuer grouping its digits) hits it too', async () => {
    expect(await verdictFor('C 123 4567')).toMatchObject({ reasons: ['status:blocked'] });
    expect(await verdictFor('c1234 567')).toMatchObject({ reasons: ['status:blocked'] });
  });

  it('another number does not', async () => {
    expect(await verdictFor('c7654321')).toMatchObject({ verdict: 'accept', reasons: [] });
  });
});
