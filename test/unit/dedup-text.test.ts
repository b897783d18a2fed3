/**
 * VerifyResult.dedupText (src/credentials/dedup-text.ts): what a credential is known by in the
 * duplicate window. Signed formats give it only once the signature verified, from the signer and
 * the signed payload; identity QRs only when their fields differ from the text as read; it never
 * shows in a serialised result.
 */
import { describe, expect, it } from 'vitest';
import { DedupText, bytesAsText, signedDedupText } from '../../src/credentials/dedup-text.js';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { verifyCccd } from '../../src/credentials/cccd/index.js';
import { verifyVnqr } from '../../src/credentials/vnqr/index.js';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { coseOf, coseText, flipLastBit, untagged } from '../helpers/reencode.js';

describe('signedDedupText', () => {
  it('tells every split of signer and payload apart, whatever characters they hold', () => {
    expect(signedDedupText('a:b', 'c')).not.toBe(signedDedupText('a', 'b:c'));
    expect(signedDedupText('', '1:x')).not.toBe(signedDedupText('1:x', ''));
    expect(signedDedupText('kid', 'payload')).toBe(signedDedupText('kid', 'payload'));
  });

  it('takes bytes one character each, so different bytes give different text', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const text = bytesAsText(all.subarray(1));
    expect(text).toHaveLength(255);
    expect(text.charCodeAt(254)).toBe(255);
    expect(bytesAsText(Uint8Array.of(0xc3, 0xa9))).not.toBe(bytesAsText(Uint8Array.of(0xe9)));
  });
});

describe('DedupText', () => {
  it('builds its text when asked and shows nothing of it when serialised or compared', () => {
    const a = new DedupText(() => 'secret address');
    expect(a.text()).toBe('secret address');
    expect(JSON.stringify({ dedupText: a })).toBe('{"dedupText":{}}');
    expect({ dedupText: a }).toEqual({ dedupText: new DedupText(() => 'another') });
  });
});

describe('what the formats give', () => {
  const now = new Date('2022-06-01T00:00:00Z');
  const signer = makeSigner();
  const other = makeSigner({ cn: 'DSC other' });
  const ctx = { now, trust: buildDccTrust([signer.certificate, other.certificate]) };
  const original = issueHc1({ dcc: sampleVaccination(), signer });

  it('DCC: the same text for another encoding of the same message, another for another signer', () => {
    const a = verifyDcc(original, ctx);
    const b = verifyDcc(coseText('HC1:', untagged(coseOf(original, 'HC1:')), 0), ctx);
    const c = verifyDcc(issueHc1({ dcc: sampleVaccination(), signer: other }), ctx);
    expect([a, b, c].map((r) => r.failures)).toEqual([[], [], []]);
    expect(a.dedupText?.text()).toMatch(/^signed:/);
    expect(b.dedupText?.text()).toBe(a.dedupText?.text());
    expect(c.dedupText?.text()).not.toBe(a.dedupText?.text());
  });

  it('DCC: none for a reading whose signature does not verify, or whose signer is unknown', () => {
    expect(verifyDcc(coseText('HC1:', flipLastBit(coseOf(original, 'HC1:'))), ctx)).toMatchObject({ failures: ['bad-signature'] });
    expect(verifyDcc(coseText('HC1:', flipLastBit(coseOf(original, 'HC1:'))), ctx).dedupText).toBeUndefined();
    expect(verifyDcc(original, { now, trust: EMPTY_TRUST }).dedupText).toBeUndefined();
  });

  it('CCCD and unified QR: none for a clean card (its text is the key), the clean text for another spelling', () => {
    const card = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';
    const ctxNow = { now: new Date('2026-11-25T08:00:00Z'), trust: EMPTY_TRUST };
    expect(verifyCccd(card, ctxNow).dedupText).toBeUndefined();
    expect(verifyCccd(`${card}|`, ctxNow).dedupText?.text()).toBe(card);
    expect(verifyCccd(card.replace(/\|/g, ' | '), ctxNow).dedupText?.text()).toBe(card);
    // A character swapped one for one by cleaning (TAB, no-break space) keeps the length: still keyed by the clean text.
    expect(verifyCccd(card.replace('Nguyễn Văn', 'Nguyễn\tVăn'), ctxNow).dedupText?.text()).toBe(card);
    expect(verifyCccd(card.replace('Nguyễn Văn', 'Nguyễn\u00a0Văn'), ctxNow).dedupText?.text()).toBe(card);
    const qr = '001085012345|NGUYEN VAN AN|1985-03-15|0|QH7K2M9P4R';
    expect(verifyVnqr(qr, ctxNow).dedupText).toBeUndefined();
    expect(verifyVnqr(qr.toLowerCase().replace('qh7k2m9p4r', 'QH7K2M9P4R'), ctxNow).dedupText?.text()).toBe(qr);
  });
});
