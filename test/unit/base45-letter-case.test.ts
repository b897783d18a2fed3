/**
 * Base45 credentials (`HC1:`, `CKD1:`) in the wrong letter case, as assessed for a scan: base45
 * has capital letters only. A scan entirely in lower case is read upper-cased and verifies; one
 * that mixes cases is recognised as the format its prefix names and refused saying the letter
 * case is wrong (before: "no supported credential format recognised" for `hc1:` + a capital
 * body, "invalid base45 character at offset 16" for a mixed body). A prefix with nothing after it
 * says so.
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { base45Decode } from '../../src/credentials/cose/base45.js';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { ISSUER, declarationTrust, sampleDeclaration } from '../helpers/declaration.js';
import { newEcKey } from '../helpers/keys.js';

const NOW = new Date('2022-06-10T12:00:00Z');
const signer = makeSigner();
const dccTrust = buildDccTrust([signer.certificate]);
const hc1 = issueHc1({ dcc: sampleVaccination(), signer });
const declKey = newEcKey();
const ckd1 = issueDeclaration(sampleDeclaration(), { privateKey: declKey.privateKey, kid: declKey.declarationKid }, { iss: ISSUER, now: NOW });
const declTrust = declarationTrust(declKey);

async function assess(text: string, trust: TrustIndex) {
  const { result, verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { format: result.format, verdict: verdict.verdict, reasons: verdict.reasons, messages: verdict.display.messages };
}

/** The text with its first capital from `from` on put in lower case; the offset counts from the body (after `prefix`). */
function lowerOneLetter(text: string, prefix: string, from: number): { text: string; offset: number; letter: string } {
  for (let i = from; i < text.length; i++) {
    if (/[A-Z]/.test(text[i]!)) return { text: text.slice(0, i) + text[i]!.toLowerCase() + text.slice(i + 1), offset: i - prefix.length, letter: text[i]!.toLowerCase() };
  }
  throw new Error('no capital letter');
}

describe.each([
  ['HC1:', () => hc1, () => dccTrust, 'dcc'],
  ['CKD1:', () => ckd1, () => declTrust, 'ckd1'],
])('%s in the wrong letter case', (prefix, text, trust, format) => {
  it('all in lower case: read upper-cased, accepted', async () => {
    expect(await assess(text().toLowerCase(), trust())).toMatchObject({ format, verdict: 'accept' });
  });

  it('the prefix in lower case, the body in capitals: recognised, the case named', async () => {
    const mixed = prefix.toLowerCase() + text().slice(prefix.length);
    expect(await assess(mixed, trust())).toEqual({
      format,
      verdict: 'reject',
      reasons: ['unreadable'],
      messages: [`the prefix is written "${prefix.toLowerCase()}" and the text mixes letter cases: base45 has capital letters only (a scan entirely in lower case is read upper-cased)`],
    });
  });

  it('one small letter in the body: the letter case named with its offset', async () => {
    const { text: mixed, offset, letter } = lowerOneLetter(text(), prefix, prefix.length + 10);
    const r = await assess(mixed, trust());
    expect(r).toMatchObject({ format, verdict: 'reject', reasons: ['unreadable'] });
    expect(r.messages).toEqual([`lower-case letter '${letter}' at offset ${offset}: base45 has capital letters only, and this text mixes cases (a scan entirely in lower case is read upper-cased)`]);
  });

  it('nothing after the prefix: says so', async () => {
    expect(await assess(prefix, trust())).toEqual({ format, verdict: 'reject', reasons: ['unreadable'], messages: [`no data after ${prefix}`] });
  });
});

describe('base45Decode', () => {
  it('names a character outside the alphabet that is no letter as before', () => {
    expect(() => base45Decode('AB_')).toThrow('invalid base45 character at offset 2');
  });
});
