/**
 * Text no format recognises is `unknown-format`; when it is a credential's prefix written wrongly
 * (the colon of "HC1:" missing, white space inside it, "shc:" without its "/") or a credential
 * behind other text (a URL, a label a scanner adds), the message says so instead of only "no
 * supported credential format recognised". The verdict and reason stay unknown-format.
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { unknownFormatHint } from '../../src/credentials/prefix-hint.js';
import { makeSigner } from '../helpers/dcc-issuer.js';
import { rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const es = makeSigner();
const trust = buildDccTrust([es.certificate]);
const good = rawHc1({ signer: es });
const body = good.slice('HC1:'.length);

async function verify(text: string) {
  const { verdict, result } = await assessText(text, NOW, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
  return { format: result.format, verdict: verdict.verdict, reasons: verdict.reasons, messages: verdict.display.messages };
}

describe('unknown-format names a credential prefix written wrongly', () => {
  it.each([
    [`HC1${body}`, 'the text starts with "HC1" but not with the prefix "HC1:" (its colon is missing): an EU DCC starts with "HC1:"'],
    [`HC1 :${body}`, 'the text starts with "HC1 :", white space inside the prefix "HC1:" of an EU DCC'],
    [`HC1 ${body}`, 'the text starts with "HC1" but not with the prefix "HC1:" (its colon is missing): an EU DCC starts with "HC1:"'],
    [`CKD1${body}`, 'the text starts with "CKD1" but not with the prefix "CKD1:" (its colon is missing): a signed declaration starts with "CKD1:"'],
    ['shc:567629095243206034602924374044603122295953265460346029254077280433602870286471674522280928613331456437653141590640220306450459085643550341424541364037063665417137241236380304375622046737407532323925433443326057360106452931531270742428395038373032105629633832252039556433', 'the text starts with "shc:" but not with the prefix "shc:/" (its "/" is missing): a SMART Health Card starts with "shc:/"'],
    [`https://verify.example/#${good}`, 'the text holds "HC1:" at character 25, not at its start: an EU DCC starts with "HC1:" (was something added before it?)'],
    [`QR: ${good}`, 'the text holds "HC1:" at character 5, not at its start: an EU DCC starts with "HC1:" (was something added before it?)'],
  ])('%s → unknown-format, naming the prefix', async (text, message) => {
    expect(await verify(text)).toEqual({ format: 'unknown', verdict: 'reject', reasons: ['unknown-format'], messages: [message] });
  });

  it('other text keeps the plain message', async () => {
    for (const text of ['hello', 'HC2:ABC', 'HC12345', 'HCI:ABC', 'https://example.org/', '0123456789']) {
      expect((await verify(text)).messages).toEqual(['no supported credential format recognised']);
      expect(unknownFormatHint(text)).toBeUndefined();
    }
  });
});
