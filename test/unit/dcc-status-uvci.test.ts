/**
 * A status list names a DCC by its certificate identifier. The UVCI's `URN:UVCI:` prefix is
 * optional and written in either case (Luxembourg leaves it out; Switzerland and the Netherlands
 * write `urn:uvci:`), and the `#` checksum character is optional: the kiosk looked the `ci` up
 * exactly as written, so an entry for the same certificate spelt the other way was missed and a
 * revoked certificate was accepted. Now each spelling of the one identifier is looked up.
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { certificateIdKeys } from '../../src/credentials/dcc/display.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { parseTrustBundle } from '../../src/credentials/trust/index.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const signer = makeSigner();

function withCi(ci: string): string {
  const dcc = sampleVaccination() as { v: Record<string, CborEncodable>[] } & Record<string, CborEncodable>;
  return issueHc1({ dcc: { ...dcc, v: [{ ...dcc.v[0]!, ci }] }, signer });
}

async function verdictWith(text: string, entries: { id: string; status: string }[]) {
  const trust = parseTrustBundle({
    version: 1,
    issuedAt: '2022-01-01T00:00:00Z',
    dcc: { signers: [{ certificate: signer.certificate.raw.toString('base64'), country: 'VN' }] },
    status: { entries },
  });
  const { verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { verdict: verdict.verdict, reasons: verdict.reasons };
}

describe('a DCC found in the status list whatever the spelling of its UVCI', () => {
  it('ci with a lower-case prefix, listed with capitals (was accepted)', async () => {
    const text = withCi('urn:uvci:01:CH:7AF58894A46AAF900ECA5F9C');
    expect(await verdictWith(text, [{ id: 'URN:UVCI:01:CH:7AF58894A46AAF900ECA5F9C', status: 'revoked' }])).toEqual({ verdict: 'reject', reasons: ['revoked'] });
    expect(await verdictWith(text, [{ id: '01:CH:7AF58894A46AAF900ECA5F9C', status: 'revoked' }])).toEqual({ verdict: 'reject', reasons: ['revoked'] });
  });

  it('ci without the prefix, listed with it; ci with a checksum, listed without (was accepted)', async () => {
    expect(await verdictWith(withCi('01:LU:ABC/123'), [{ id: 'URN:UVCI:01:LU:ABC/123', status: 'revoked' }])).toEqual({ verdict: 'reject', reasons: ['revoked'] });
    expect(await verdictWith(withCi('URN:UVCI:01:VN:TEST0001#X'), [{ id: 'URN:UVCI:01:VN:TEST0001', status: 'quarantine' }])).toEqual({ verdict: 'refer', reasons: ['status:quarantine'] });
  });

  it('one entry hit under two spellings is one reason; other certificates are not hit', async () => {
    const text = withCi('URN:UVCI:01:VN:TEST0001#X');
    const entries = [{ id: 'URN:UVCI:01:VN:TEST0001#X', status: 'f1' }, { id: '01:VN:TEST0001', status: 'f1' }];
    expect(await verdictWith(text, entries)).toEqual({ verdict: 'refer', reasons: ['status:f1'] });
    expect(await verdictWith(text, [{ id: 'URN:UVCI:01:VN:TEST0002', status: 'revoked' }, { id: 'URN:UVCI:01:VN:TEST000', status: 'revoked' }])).toEqual({ verdict: 'accept', reasons: [] });
  });

  it('spellings: only a UVCI gets them', () => {
    expect(certificateIdKeys('urn:uvci:01:NL:dadfcc47')).toEqual(['urn:uvci:01:NL:dadfcc47', 'URN:UVCI:01:NL:dadfcc47', '01:NL:dadfcc47']);
    expect(certificateIdKeys('URN:UVCI:01:VN:T1#X')).toEqual(['URN:UVCI:01:VN:T1#X', '01:VN:T1#X', 'URN:UVCI:01:VN:T1', '01:VN:T1']);
    expect(certificateIdKeys('ATOZQWGY3IOJUXGYTBOVWWC3TO')).toEqual(['ATOZQWGY3IOJUXGYTBOVWWC3TO']);
  });
});
