/**
 * Hostile input for the SHC decoder: whatever arrives, verify() returns a result with at least
 * one valid reason code and never throws (docs/FORMATS.md).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isReasonCode } from '../../src/shared/reasons.js';
import { encodeShcNumeric, issueShc, shcFormat } from '../../src/credentials/shc/index.js';
import { decodeShcNumericBytes } from '../../src/credentials/shc/numeric.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { SHC_EXAMPLE_ISS, shcExampleFhirBundle, shcExampleSigningKeys } from '../helpers/keys.js';
import { shcTrust } from '../helpers/shc.js';

const ctx = { now: new Date('2026-11-26T08:00:00Z'), trust: shcTrust() };
const RUNS = 10_000;

function verifySafely(text: string): VerifyResult {
  const r = shcFormat.verify(text, ctx);
  if (r instanceof Promise) throw new Error('SHC verify is expected to be synchronous');
  return r;
}

function expectRejected(r: VerifyResult): void {
  expect(r.format).toBe('shc');
  expect(r.failures.length).toBeGreaterThan(0);
  for (const reason of r.failures) expect(isReasonCode(reason)).toBe(true);
  expect(r.steps.some((s) => !s.ok)).toBe(true);
}

const digitPairs = fc.array(fc.integer({ min: 0, max: 99 }), { maxLength: 400 }).map((ns) => ns.map((n) => String(n).padStart(2, '0')).join(''));

describe('SHC decode fuzz', () => {
  it(`never throws on arbitrary text after the prefix (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 600 }), digitPairs, fc.stringMatching(/^\d{1,3}\/\d{1,3}\/\d{0,40}$/)), (tail) => {
        expectRejected(verifySafely(`shc:/${tail}`));
      }),
      { numRuns: RUNS },
    );
  });

  it(`never throws on arbitrary compact-JWS-shaped text (${RUNS} runs)`, () => {
    const b64url = fc.stringMatching(/^[A-Za-z0-9_-]{0,120}$/);
    const jwsText = fc.tuple(b64url, b64url, b64url).map(([a, b, c]) => `${a}.${b}.${c}`);
    fc.assert(
      fc.property(jwsText, (jws) => {
        const digits = [...jws].map((ch) => String(ch.charCodeAt(0) - 45).padStart(2, '0')).join('');
        expectRejected(verifySafely(`shc:/${digits}`));
      }),
      { numRuns: RUNS },
    );
  });

  it(`the decoder's compact-JWS shape check agrees with splitting on dots and matching base64url (${RUNS} runs)`, () => {
    // Characters the numeric encoding can carry ('-'..'z'), dots more often, to hit every shape.
    const jwsChar = fc.oneof(fc.integer({ min: 45, max: 122 }).map((c) => String.fromCharCode(c)), fc.constant('.'), fc.constant('A'));
    fc.assert(
      fc.property(fc.array(jwsChar, { minLength: 1, maxLength: 40 }).map((a) => a.join('')), (jws) => {
        const parts = jws.split('.');
        const shaped = parts.length === 3 && parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p));
        const decoded = decodeShcNumericBytes(encodeShcNumeric(jws));
        if (!decoded.ok) throw new Error('numeric encoding of a JWS must decode');
        expect(decoded.dots !== undefined).toBe(shaped);
        if (decoded.dots) expect(decoded.dots).toEqual([parts[0]!.length, parts[0]!.length + 1 + parts[1]!.length]);
        if (!shaped) expect(verifySafely(encodeShcNumeric(jws)).steps.at(-1)?.detail).toBe('not a compact JWS (three base64url parts)');
      }),
      { numRuns: RUNS },
    );
  });

  it(`decodes and refuses exactly as a plain pair-by-pair reading, whatever the characters (${RUNS} runs)`, () => {
    // U+0130 and U+0131 end in the bytes of '0' and '1'; U+0660.. are Arabic-Indic digits.
    const char = fc.constantFrom(...'0123456789'.split(''), '0', '1', '7', '.', 'a', '/', '\u0130', '\u0131', '\u0660', '\u{1F600}');
    /** The reference: pair by pair from the string, first problem by offset, then the shape. */
    const plain = (digits: string) => {
      const codes: number[] = [];
      for (let i = 0; i < digits.length; i += 2) {
        const hi = digits.charCodeAt(i) - 48;
        const lo = digits.charCodeAt(i + 1) - 48;
        if (!(hi >= 0 && hi <= 9 && lo >= 0 && lo <= 9)) return { ok: false, detail: `not a digit at offset ${5 + i}` };
        if (hi * 10 + lo > 77) return { ok: false, detail: `digit pair ${hi * 10 + lo} out of range (max 77)` };
        codes.push(hi * 10 + lo + 45);
      }
      const jws = String.fromCharCode(...codes);
      const parts = jws.split('.');
      const shaped = parts.length === 3 && parts.every((part) => /^[A-Za-z0-9_-]+$/.test(part));
      return { ok: true, codes, dots: shaped ? [parts[0]!.length, parts[0]!.length + 1 + parts[1]!.length] : undefined };
    };
    fc.assert(
      fc.property(fc.oneof(fc.array(char, { minLength: 2, maxLength: 60 }).map((a) => a.join('')), fc.array(char, { maxLength: 30 }).map((a) => `5656${a.join('')}`)), (digits) => {
        if (digits.length % 2 !== 0 || /^\d{1,3}\/|^\d+\/\d+\//.test(digits)) return; // other checks answer those first (a chunk header, sound or not)
        const got = decodeShcNumericBytes(`shc:/${digits}`);
        const want = plain(digits);
        if (got.ok) expect({ ok: true, codes: [...got.bytes], dots: got.dots }).toEqual(want);
        else expect({ ok: false, detail: got.detail }).toEqual(want);
      }),
      { numRuns: RUNS },
    );
  });

  it('names the first bad digit pair exactly as a pair-by-pair reading would', () => {
    expect(verifySafely('shc:/5656a6').steps.at(-1)?.detail).toBe('not a digit at offset 9');
    expect(verifySafely('shc:/5656\u0660\u0661').steps.at(-1)?.detail).toBe('not a digit at offset 9'); // Arabic-Indic digits
    expect(verifySafely('shc:/56995678').steps.at(-1)?.detail).toBe('digit pair 99 out of range (max 77)');
    expect(verifySafely('shc:/5678a6').steps.at(-1)?.detail).toBe('digit pair 78 out of range (max 77)');
  });

  it(`the decoder's shared memory leaks nothing from one scan into the next (${RUNS / 10} runs)`, async () => {
    const [key] = shcExampleSigningKeys();
    const bundle = shcExampleFhirBundle() as { entry: unknown[] };
    // Cards of different lengths (the longer one leaves bytes behind in the shared memory), a
    // truncated card (a prefix of a longer JWS) and text that is not a card.
    const long = await issueShc({ iss: SHC_EXAMPLE_ISS, nbf: 1_700_000_000, fhirBundle: bundle }, key!);
    const short = await issueShc({ iss: SHC_EXAMPLE_ISS, nbf: 1_700_000_000, fhirBundle: { ...bundle, entry: bundle.entry.slice(0, 2) } }, key!);
    const texts = [long, short, long.slice(0, short.length), short.slice(0, -2), 'shc:/5656', 'shc:/56a6'];
    const alone = texts.map((t) => JSON.stringify(verifySafely(t)));
    const bytesAlone = texts.map((t) => {
      const d = decodeShcNumericBytes(t);
      return d.ok ? [...d.bytes] : d.detail;
    });
    fc.assert(
      fc.property(fc.array(fc.nat({ max: texts.length - 1 }), { minLength: 2, maxLength: 8 }), (order) => {
        const decoded = order.map((i) => decodeShcNumericBytes(texts[i]!));
        // Bytes handed out are the caller's own: decoding other text afterwards leaves them alone.
        decoded.forEach((d, k) => expect(d.ok ? [...d.bytes] : d.detail).toEqual(bytesAlone[order[k]!]));
        for (const i of order) expect(JSON.stringify(verifySafely(texts[i]!))).toBe(alone[i]);
      }),
      { numRuns: RUNS / 10 },
    );
  });

  it(`a mutated real card is either rejected with a reason or still the same card (${RUNS} runs)`, async () => {
    const [key] = shcExampleSigningKeys();
    const good = await issueShc({ iss: SHC_EXAMPLE_ISS, nbf: 1_700_000_000, fhirBundle: shcExampleFhirBundle() }, key!);
    const original = verifySafely(good);
    expect(original.failures).toEqual([]);
    const digits = good.slice(5);
    fc.assert(
      fc.property(fc.nat({ max: digits.length / 2 - 1 }), fc.integer({ min: 0, max: 99 }), (pair, value) => {
        const replacement = String(value).padStart(2, '0');
        const mutated = `shc:/${digits.slice(0, pair * 2)}${replacement}${digits.slice(pair * 2 + 2)}`;
        const r = verifySafely(mutated);
        // Changing the unused low bits of the last base64url character leaves the bytes intact.
        if (r.failures.length === 0) expect(r.subject).toEqual(original.subject);
        else expectRejected(r);
      }),
      { numRuns: RUNS },
    );
  });
});
