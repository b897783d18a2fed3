/**
 * A DCC signer's `kid` as the trust bundle gives it. Scans look signers up by the padded standard
 * base64 of the COSE kid; a kid copied without its padding ("9T3aGXtSul0") or in base64url names
 * the same 8 bytes but, kept as written, matched no scan: every DCC of that signer was
 * unknown-signer without a word. Now it is read as the bytes it names; text that is no base64 at
 * all refuses the bundle, naming where.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import { makeSigner } from '../helpers/dcc-issuer.js';
import { rawHc1 } from '../helpers/dcc-raw.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const signer = makeSigner();
const der = Buffer.from(signer.certificate.raw);
const kidBytes = createHash('sha256').update(der).digest().subarray(0, 8);

function bundleWithKid(kid: string) {
  return parseTrustBundle({ version: 1, issuedAt: '2022-05-01T00:00:00Z', dcc: { signers: [{ kid, certificate: der.toString('base64') }] } });
}

describe('dcc.signers[].kid', () => {
  const text = rawHc1({ signer });

  it.each([
    ['padded standard base64 (as computed)', kidBytes.toString('base64')],
    ['without its padding', kidBytes.toString('base64').replace(/=+$/, '')],
    ['in base64url', kidBytes.toString('base64url')],
  ])('%s finds the signer', (_what, kid) => {
    expect(verifyDcc(text, { now: NOW, trust: bundleWithKid(kid) }).failures).toEqual([]);
  });

  it('a kid that differs from the computed one is still used as given (the gateway\'s kid)', () => {
    const other = Buffer.from('0123456789abcdef', 'hex');
    const trust = bundleWithKid(other.toString('base64').replace(/=+$/, ''));
    expect(trust.dccSigners(other.toString('base64'))).toHaveLength(1);
    expect(verifyDcc(text, { now: NOW, trust }).failures).toEqual(['unknown-signer']);
  });

  it.each(['not a kid!', '====', 'A'])('%j is refused, naming its place', (kid) => {
    expect(() => bundleWithKid(kid)).toThrow(/dcc\.signers\[0\]\.kid.*not a key id/);
  });
});
