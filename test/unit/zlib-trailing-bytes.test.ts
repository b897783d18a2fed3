/**
 * `HC1:` and `CKD1:` texts whose zlib stream is followed by more bytes. node:zlib stops at the
 * stream's end and drops the rest without a word, so such a text verified: one credential with
 * any number of spellings, each a new scan for the duplicate window, carrying bytes nobody signed.
 * Now `unreadable`, naming the bytes (the EU vectors carry no such text).
 */
import { deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { base45Decode, base45Encode } from '../../src/credentials/cose/base45.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { makeSigner } from '../helpers/dcc-issuer.js';
import { rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { claimsFor, declarationTrust, rawDeclarationToken, sampleDeclBody } from '../helpers/declaration.js';
import { newEcKey } from '../helpers/keys.js';

const NOW = new Date('2022-06-01T00:00:00Z');

async function verify(text: string, trust: TrustIndex) {
  const { verdict } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { verdict: verdict.verdict, reasons: verdict.reasons, messages: verdict.display.messages };
}

/** `PREFIX:` + base45 of the text's own compressed bytes with `tail` after them. */
function withTail(text: string, tail: Uint8Array): string {
  const colon = text.indexOf(':') + 1;
  return text.slice(0, colon) + base45Encode(Buffer.concat([base45Decode(text.slice(colon)), tail]));
}

describe('bytes after the compressed payload', () => {
  it('HC1: accepted as issued; with bytes after the zlib stream unreadable', async () => {
    const signer = makeSigner();
    const trust = buildDccTrust([signer.certificate]);
    const text = rawHc1({ signer, compress: (b) => deflateSync(b) });
    expect(await verify(text, trust)).toMatchObject({ verdict: 'accept' });
    const r = await verify(withTail(text, Buffer.from('GARBAGE')), trust);
    expect(r).toMatchObject({ verdict: 'reject', reasons: ['unreadable'] });
    expect(r.messages).toContain('7 bytes after the end of the compressed payload');
    expect(await verify(withTail(text, Uint8Array.of(0)), trust)).toMatchObject({ reasons: ['unreadable'] });
  });

  it('CKD1: the same', async () => {
    const key = newEcKey();
    const now = NOW.getTime() / 1000;
    const text = rawDeclarationToken(claimsFor(sampleDeclBody(), now - 3600, now + 3600), key.privateKey, key.declarationKid);
    expect(await verify(text, declarationTrust(key))).toMatchObject({ verdict: 'accept' });
    expect(await verify(withTail(text, Buffer.from('x')), declarationTrust(key))).toMatchObject({ verdict: 'reject', reasons: ['unreadable'] });
  });
});
