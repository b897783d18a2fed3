/**
 * Multi-QR SMART Health Cards (docs/FORMATS.md, "SMART Health Card"): the framework's chunks
 * `shc:/C/N/…` assembled in any order into the card they split (the JWS is the chunks' decoded text
 * joined in order C = 1..N), and everything that is not one whole card named: a missing chunk,
 * another N, a C given twice with other digits, a text that is no chunk, texts beyond the bounds.
 * A chunk read alone names the missing ones. The issuer's split gives N parts of about equal length.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../src/credentials/types.js';
import { MAX_SHC_CHUNKS, encodeShcNumeric, missingChunksText } from '../../src/credentials/shc/numeric.js';
import { SHC_CHUNK_JWS_CHARS, ShcChunkSet, assembleShcChunks, readShcChunk, shcChunkLine, splitShcJws } from '../../src/credentials/shc/chunks.js';
import { issueShcChunks, shcPayload, signShcJws, verifyShc } from '../../src/credentials/shc/index.js';
import { SHC_EXAMPLE_ISS } from '../helpers/keys.js';
import { exampleBundle, shcSigner } from '../helpers/shc-cards.js';
import { shcTrust } from '../helpers/shc.js';

const nowS = Math.floor(Date.parse('2026-11-26T08:00:00Z') / 1000);
const claims = (bundle = exampleBundle()) => ({ iss: SHC_EXAMPLE_ISS, nbf: nowS - 86_400, fhirBundle: bundle });
/** A card too long for one QR code: the Patient carries 2,400 random bytes (deflate cannot shrink them). */
function longBundle() {
  const bundle = exampleBundle();
  bundle.entry[0]!.resource.identifier = [{ system: 'urn:test', value: randomBytes(2400).toString('base64') }];
  return bundle;
}

describe('splitShcJws / issueShcChunks', () => {
  it('splits a JWS into N chunks of about equal length, numbered 1..N, whose text joins back to the JWS', async () => {
    const jws = await signShcJws(shcPayload(claims(longBundle())), shcSigner);
    const chunks = splitShcJws(jws, 3);
    expect(chunks).toHaveLength(3);
    const parts = chunks.map((c, i) => {
      const m = /^shc:\/(\d+)\/3\/(\d+)$/.exec(c);
      expect(m?.[1]).toBe(String(i + 1));
      let text = '';
      for (let j = 0; j < m![2]!.length; j += 2) text += String.fromCharCode(Number(m![2]!.slice(j, j + 2)) + 45);
      return text;
    });
    expect(parts.join('')).toBe(jws);
    const lengths = parts.map((p) => p.length);
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(1);
  });

  it('without a count, uses as few chunks as the framework allows (≤ 1191 JWS characters each); one is the plain form', async () => {
    const jws = await signShcJws(shcPayload(claims(longBundle())), shcSigner);
    expect(splitShcJws(jws)).toHaveLength(Math.ceil(jws.length / SHC_CHUNK_JWS_CHARS));
    const small = await signShcJws(shcPayload(claims()), shcSigner);
    expect(small.length).toBeLessThanOrEqual(SHC_CHUNK_JWS_CHARS);
    expect(splitShcJws(small)).toEqual([encodeShcNumeric(small)]);
    expect(() => splitShcJws(small, 0)).toThrow(RangeError);
    expect(() => splitShcJws(small, MAX_SHC_CHUNKS + 1)).toThrow(RangeError);
    expect((await issueShcChunks(claims(), shcSigner, 2)).map((c) => c.slice(0, 9))).toEqual(['shc:/1/2/', 'shc:/2/2/']);
  });
});

describe('readShcChunk', () => {
  it('reads chunk C of N (N > 1) and leaves every other text to the verifier', () => {
    expect(readShcChunk('shc:/2/3/5676')).toEqual({ ok: true, chunk: { index: 2, total: 3, digits: '5676' } });
    expect(readShcChunk('SHC:/2/3/5676')).toMatchObject({ ok: true });
    for (const other of ['shc:/5676', 'shc:/1/1/5676', 'shc:/0/3/5676', 'shc:/4/3/5676', 'shc:/1/0/56', 'HC1:6BF', 'shc:/1234/3/56']) expect(readShcChunk(other)).toBeUndefined();
    expect(readShcChunk(`shc:/1/2/${'5'.repeat(LIMITS.maxTextChars)}`)).toBeUndefined();
  });

  it('names a chunk whose digits cannot be a chunk', () => {
    expect(readShcChunk('shc:/1/3/')).toEqual({ ok: false, detail: 'chunk 1 of 3 of a multi-QR SMART Health Card holds no digits' });
    expect(readShcChunk('shc:/1/3/567')).toEqual({ ok: false, detail: 'chunk 1 of 3 of a multi-QR SMART Health Card has an odd number of digits' });
    expect(readShcChunk('shc:/1/3/56a6')).toEqual({ ok: false, detail: 'chunk 1 of 3 of a multi-QR SMART Health Card holds something other than digits' });
  });
});

describe('assembleShcChunks', () => {
  it('assembles a 3-chunk card given in every order into the single-QR text of the same JWS, which verifies', async () => {
    const jws = await signShcJws(shcPayload(claims(longBundle())), shcSigner);
    const [a, b, c] = splitShcJws(jws, 3) as [string, string, string];
    const single = encodeShcNumeric(jws);
    expect(single.length).toBeGreaterThan(LIMITS.maxTextChars);
    for (const order of [[a, b, c], [a, c, b], [b, a, c], [b, c, a], [c, a, b], [c, b, a]]) {
      const r = assembleShcChunks(order);
      expect(r).toEqual({ ok: true, text: single, total: 3, detail: `chunks 1 to 3 of 3 joined in order (${jws.length} JWS characters)`, set: expect.any(ShcChunkSet) });
    }
    // The whole card is longer than one QR code: verified within 3 × the bound, and only so.
    const ctx = { now: new Date(nowS * 1000), trust: shcTrust() };
    expect(verifyShc(single, { ...ctx, maxTextChars: 3 * LIMITS.maxTextChars })).toMatchObject({ failures: [], findings: [] });
    expect(verifyShc(single, ctx).failures).toEqual(['too-large']);
  });

  it('ignores a chunk given twice with the same digits', async () => {
    const [a, b] = await issueShcChunks(claims(), shcSigner, 2);
    expect(assembleShcChunks([a!, b!, a!])).toMatchObject({ ok: true, total: 2 });
  });

  it('names the missing chunks', async () => {
    const [a, , c] = await issueShcChunks(claims(), shcSigner, 3);
    expect(assembleShcChunks([c!, a!])).toEqual({
      ok: false,
      reason: 'unreadable',
      detail: 'multi-QR SMART Health Card incomplete: chunk 2 of 3 is missing (chunks 1 and 3 read); the card is read only whole; give all 3 of its QR codes',
    });
    const four = await issueShcChunks(claims(), shcSigner, 4);
    expect(assembleShcChunks([four[2]!, four[2]!])).toMatchObject({ ok: false, detail: expect.stringContaining('chunks 1, 2 and 4 of 4 are missing (chunk 3 read)') });
  });

  it('refuses chunks of cards with another N, and a C given twice with other digits', async () => {
    const three = await issueShcChunks(claims(), shcSigner, 3);
    const four = await issueShcChunks(claims(), shcSigner, 4);
    expect(assembleShcChunks([three[0]!, four[1]!, three[1]!, three[2]!])).toEqual({
      ok: false,
      reason: 'unreadable',
      detail: 'text 2 of 4: chunk 2 of 4 belongs to another card (this card has 3 chunks); every chunk of one card carries the same N, and each C once',
    });
    // Another card of 3 chunks (signed again: another signature, so other digits in chunk 3).
    const other = await issueShcChunks(claims(), shcSigner, 3);
    expect(other[2]).not.toBe(three[2]);
    expect(assembleShcChunks([...three, other[2]!])).toMatchObject({
      ok: false,
      reason: 'unreadable',
      detail: 'text 4 of 4: chunk 3 of 3 came twice with different content (a chunk of another card); every chunk of one card carries the same N, and each C once',
    });
  });

  it('refuses a chunk mixed with a single-QR card or other text, naming which text is not a chunk', async () => {
    const [a, b] = await issueShcChunks(claims(), shcSigner, 2);
    const single = encodeShcNumeric(await signShcJws(shcPayload(claims()), shcSigner));
    expect(assembleShcChunks([a!, single, b!])).toEqual({
      ok: false,
      reason: 'unreadable',
      detail: "text 2 of 3 is not a chunk of a multi-QR SMART Health Card (shc:/C/N/…): a multi-QR card's chunks cannot be read together with other codes",
    });
    expect(assembleShcChunks(['079090001234|123456789|An|01021990|Nam|Hà Nội|15082021', a!])).toMatchObject({ ok: false, detail: expect.stringMatching(/^text 1 of 2 is not a chunk/) });
    expect(assembleShcChunks([a!, 'shc:/2/2/567'])).toMatchObject({ ok: false, detail: 'text 2 of 2: chunk 2 of 2 of a multi-QR SMART Health Card has an odd number of digits' });
  });

  it('bounds its input: a text beyond one QR code, more texts than any card has chunks', () => {
    const long = `shc:/1/2/${'56'.repeat(LIMITS.maxTextChars / 2)}`;
    expect(assembleShcChunks(['shc:/2/2/56', long])).toMatchObject({ ok: false, reason: 'too-large', detail: `text 2 of 2 is ${long.length} characters; the largest QR code holds ${LIMITS.maxTextChars}` });
    expect(assembleShcChunks(Array.from({ length: MAX_SHC_CHUNKS * 2 + 1 }, () => 'shc:/1/2/56'))).toMatchObject({ ok: false, reason: 'too-large' });
  });
});

describe('a chunk read alone', () => {
  it('is unreadable, naming the missing chunks and that all N must be scanned', async () => {
    const chunks = await issueShcChunks(claims(), shcSigner, 3);
    const r = verifyShc(chunks[1]!, { now: new Date(nowS * 1000), trust: shcTrust() });
    expect(r.failures).toEqual(['unreadable']);
    expect(r.messages).toEqual([
      'multi-QR SMART Health Card: chunk 2 of 3 read alone, chunks 1 and 3 of 3 are missing; all 3 QR codes of the card must be scanned (at the kiosk one after the other; for verify in one payload, separated by spaces or line breaks)',
    ]);
    // A damaged chunk is named as damaged first.
    expect(verifyShc('shc:/2/3/567', { now: new Date(nowS * 1000), trust: shcTrust() }).messages).toEqual(['odd number of digits']);
  });

  it('lists at most six missing chunk numbers, then counts the rest', () => {
    expect(missingChunksText([2], 3)).toBe('chunk 2 of 3 is missing');
    expect(missingChunksText([1, 3], 3)).toBe('chunks 1 and 3 of 3 are missing');
    expect(missingChunksText([2, 3, 4, 5, 6, 7, 8, 9], 9)).toBe('chunks 2, 3, 4, 5, 6, 7 and 2 more of 9 are missing');
  });
});

describe('ShcChunkSet', () => {
  it('holds one card: added, repeat, conflict; complete only with every C', () => {
    const set = new ShcChunkSet(3);
    expect(set.add({ index: 3, total: 3, digits: '56' })).toEqual({ kind: 'added' });
    expect(set.add({ index: 3, total: 3, digits: '56' })).toEqual({ kind: 'repeat' });
    expect(set.add({ index: 3, total: 3, digits: '57' })).toMatchObject({ kind: 'conflict' });
    expect(set.add({ index: 1, total: 2, digits: '57' })).toMatchObject({ kind: 'conflict' });
    expect(set.missing()).toEqual([1, 2]);
    expect(set.complete).toBe(false);
    expect(() => set.assemble()).toThrow();
    expect(set.incompleteMessage('the kiosk stopped before the rest came')).toBe(
      'multi-QR SMART Health Card incomplete: chunks 1 and 2 of 3 are missing (chunk 3 read); the kiosk stopped before the rest came; scan all 3 QR codes of the card one after the other',
    );
    set.add({ index: 1, total: 3, digits: '10' });
    set.add({ index: 2, total: 3, digits: '20' });
    expect(set.complete).toBe(true);
    expect(set.assemble()).toBe('shc:/102056');
  });
});

describe('what is not one chunk, or not one QR code, is named as such', () => {
  const ctx = () => ({ now: new Date(nowS * 1000), trust: shcTrust() });

  it('a chunk header numbering no chunk: names the header and what is wrong with it (not "odd number of digits")', async () => {
    const digits = (await issueShcChunks(claims(), shcSigner, 1))[0]!.slice('shc:/'.length);
    const not = 'not a SMART Health Card chunk: the header';
    for (const [header, message] of [
      ['1/1000/', `${not} shc:/1/1000/ gives 1000 chunks (a card has at most 999)`],
      ['5/3/', `${not} shc:/5/3/ numbers chunk 5 of only 3 (the chunk number is greater than the number of chunks)`],
      ['1000/3/', `${not} shc:/1000/3/ numbers chunk 1000 of only 3 (the chunk number is greater than the number of chunks)`],
      ['1/0/', `${not} shc:/1/0/ gives 0 chunks (a card has 1 to 999)`],
      ['0/3/', `${not} shc:/0/3/ numbers a chunk 0 (chunks are numbered from 1)`],
      ['0001/3/', `${not} shc:/0001/3/ has numbers of more than 3 digits`],
      ['12/', "not a SMART Health Card chunk: a '/' after shc:/12, but no whole chunk header shc:/C/N/ (a chunk is shc:/C/N/ and its digits, C numbering it among N, from 1)"],
      ['1//', "not a SMART Health Card chunk: a '/' after shc:/1, but no whole chunk header shc:/C/N/ (a chunk is shc:/C/N/ and its digits, C numbering it among N, from 1)"],
    ] as const) {
      // Odd and even digit counts after the header alike.
      for (const text of [`shc:/${header}${digits}`, `shc:/${header}${digits}5`]) expect(verifyShc(text, ctx()).messages, header).toEqual([message]);
    }
    // Given with other chunks (verify's payload, a line at the kiosk): the text and its header named.
    const [a, b] = await issueShcChunks(claims(), shcSigner, 2);
    expect(assembleShcChunks([a!, `shc:/3/2/${digits}`, b!])).toMatchObject({ ok: false, detail: `text 2 of 3: ${not} shc:/3/2/ numbers chunk 3 of only 2 (the chunk number is greater than the number of chunks)` });
    // A '/' in a card that no header explains stays a bad digit.
    expect(verifyShc('shc:/5656/0', ctx()).messages).toEqual(['not a digit at offset 9']);
  });

  it('a chunk followed by white space and other text: not one chunk, at the offset where the chunk ends', async () => {
    const [a] = await issueShcChunks(claims(), shcSigner, 3);
    const message = `not one chunk: chunk 1 of 3 of a multi-QR SMART Health Card is followed by white space and other text (from offset ${a!.length}); a chunk's QR code holds shc:/C/N/ and digits only`;
    expect(verifyShc(`${a} hello world`, ctx()).messages).toEqual([message]);
    expect(verifyShc(`${a} x`, ctx()).messages).toEqual([message]);
    expect(readShcChunk(`${a} hello world`)).toEqual({ ok: false, detail: message });
  });

  it('two whole single-QR cards in one text: not one QR code (not "not a digit")', async () => {
    const single = (await issueShcChunks(claims(), shcSigner, 1))[0]!;
    expect(verifyShc(`${single} ${single}`, ctx()).messages).toEqual([
      `not one QR code: a SMART Health Card code and 1 more SMART Health Card code (shc:/…) in one text, separated by white space (the first at offset ${single.length}); each QR code is read on its own`,
    ]);
    expect(verifyShc(`${single}\t${single} SHC:/56`, ctx()).messages?.[0]).toMatch(/^not one QR code: a SMART Health Card code and 2 more SMART Health Card codes/);
    expect(verifyShc(`${single} hello`, ctx()).messages).toEqual([
      `not one QR code: a SMART Health Card code is followed by white space and other text (from offset ${single.length}); a card's QR code holds shc:/ and digits only`,
    ]);
  });

  it('shcChunkLine: the words of a line when all are SMART Health Card codes and one is a chunk', async () => {
    const [a, b] = await issueShcChunks(claims(), shcSigner, 2);
    const single = (await issueShcChunks(claims(), shcSigner, 1))[0]!;
    expect(shcChunkLine(` ${a}  ${b}\t`)).toEqual([a, b]);
    expect(shcChunkLine(`${a} ]Q1${single}`)).toEqual([a, `]Q1${single}`]);
    for (const other of [a!, `${single} ${single}`, `${a} hello`, '079090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021']) expect(shcChunkLine(other)).toBeUndefined();
  });
});
