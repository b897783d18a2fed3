/**
 * A signer certificate whose validity is not a time RFC 5280 §4.1.2.5 allows (a month 13, a
 * GeneralizedTime without `Z`): OpenSSL parses the certificate and prints such a time as "Bad
 * time value", which Date.parse read as NaN, and a NaN bound passed every window comparison, so
 * the certificate was valid at every clock and its DCCs were accepted (the trust bundle loaded it
 * too). A GeneralizedTime year 0049, printed "49", was read as 2049. Now the printed time is read
 * exactly; a certificate whose validity cannot be read is never used (as one whose key cannot
 * make the signature) and the trust bundle refuses it with its path.
 */
import { describe, expect, it } from 'vitest';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { certificateTimeMs } from '../../src/credentials/dcc/signers.js';
import { parseTrustBundle } from '../../src/credentials/trust/index.js';
import { makeSigner } from '../helpers/dcc-issuer.js';
import type { SignerOptions } from '../helpers/dcc-issuer.js';
import { rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-01T00:00:00Z');

function verifyWith(opts: SignerOptions) {
  const signer = makeSigner(opts);
  return verifyDcc(rawHc1({ signer }), { now: NOW, trust: buildDccTrust([signer.certificate]) });
}

describe('signer certificate validity that cannot be read', () => {
  it('notAfter with month 13: never used (was accepted)', () => {
    const r = verifyWith({ rawTimes: { notAfter: { type: 'gen', text: '20201331235959Z' } } });
    expect(r.failures).toEqual(['bad-signature']);
    expect(r.steps.at(-1)?.detail).toContain('notAfter is not a time');
  });

  it('notBefore GeneralizedTime without Z: never used (was accepted)', () => {
    const r = verifyWith({ rawTimes: { notBefore: { type: 'gen', text: '20210101000000' } } });
    expect(r.failures).toEqual(['bad-signature']);
    expect(r.steps.at(-1)?.detail).toContain('notBefore is not a time');
  });

  it('notAfter in the year 49 is expired, not valid until 2049', () => {
    const r = verifyWith({ rawTimes: { notAfter: { type: 'gen', text: '00491231235959Z' } } });
    expect(r.failures).toEqual(['expired']);
  });

  it('a readable certificate of the same key under the same kid is still used', () => {
    const good = makeSigner();
    const bad = makeSigner({ keyPair: { privateKey: good.privateKey, publicKey: good.certificate.publicKey }, rawTimes: { notAfter: { type: 'gen', text: '20201331235959Z' } } });
    const trust = buildDccTrust([{ certificate: bad.certificate, kid: good.kid }, { certificate: good.certificate, kid: good.kid }]);
    expect(verifyDcc(rawHc1({ signer: good }), { now: NOW, trust }).failures).toEqual([]);
  });

  it('the usual times, with a fraction and UTCTime years, read as written', () => {
    expect(certificateTimeMs('Jan  1 00:00:00 2022 GMT')).toBe(Date.parse('2022-01-01T00:00:00Z'));
    expect(certificateTimeMs('Dec 31 23:59:59.5 2022 GMT')).toBe(Date.parse('2022-12-31T23:59:59.500Z'));
    expect(certificateTimeMs('Dec 31 23:59:59 9999 GMT')).toBe(Date.parse('9999-12-31T23:59:59Z'));
    expect(certificateTimeMs('Dec 31 23:59:59 49 GMT')).toBe(Date.parse('0049-12-31T23:59:59Z'));
    expect(certificateTimeMs('Bad time value')).toBeNaN();
    expect(certificateTimeMs('Feb 30 00:00:00 2022 GMT')).toBeNaN();
  });

  it('the trust bundle refuses such a certificate with its path', () => {
    const bad = makeSigner({ rawTimes: { notAfter: { type: 'gen', text: '20201331235959Z' } } });
    const bundle = { version: 1, issuedAt: '2021-06-01T00:00:00Z', dcc: { signers: [{ certificate: bad.certificate.raw.toString('base64') }] } };
    expect(() => parseTrustBundle(bundle)).toThrow(/dcc\.signers\[0\]\.certificate.*notAfter is not a time/);
  });
});
