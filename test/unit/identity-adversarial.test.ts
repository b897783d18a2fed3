/**
 * Chip ID card (CCCD) and unified personal QRs as an outside checker would present them: a valid
 * card with one thing changed, run through the same path as `checkpoint-kiosk verify` (assessText,
 * default policy), and held to the verdict, reasons and message a careful reader of the card
 * layout (docs/FORMATS.md) would give.
 */
import { describe, expect, it } from 'vitest';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';

const now = new Date('2026-11-26T08:00:00Z');
const silent = { debug() {}, info() {}, warn() {}, error() {}, child() { return silent; } };
const BASE = ['079090001234', '123456789', 'Nguyễn Văn An', '01021990', 'Nam', 'Số 1 Hàng Bạc, Hà Nội', '15082021'];

/** The base card with fields replaced (1-based) and the separator given. */
function card(overrides: Record<number, string> = {}, sep = '|'): string {
  return BASE.map((f, i) => overrides[i + 1] ?? f).join(sep);
}

async function verdictOf(text: string) {
  const a = await assessText(text, now, { formats: DEFAULT_FORMATS, trust: () => EMPTY_TRUST, policy: () => DEFAULT_POLICY, logger: silent as never });
  return { format: a.result.format, verdict: a.verdict.verdict, reasons: a.verdict.reasons, messages: a.verdict.display.messages };
}

describe('CCCD: a card whose ID number is damaged is still read as a CCCD', () => {
  it.each([
    ['a letter in the ID', '07909000123A', 'field 1 (ID number) must be 12 digits, got characters other than digits'],
    ['11 digits', '07909000123', 'field 1 (ID number) must be 12 digits, got 11 digits'],
    ['13 digits', '0790900012345', 'field 1 (ID number) must be 12 digits, got 13 digits'],
    ['spaces inside the ID', '079 090 001 234', 'field 1 (ID number) must be 12 digits, got characters other than digits'],
    ['full-width digits', '０７９０９０００１２３４', 'field 1 (ID number) must be 12 digits, got characters other than digits'],
    ['an empty ID', '', 'field 1 (ID number) must be 12 digits, got 0 digits'],
  ])('%s → cccd, schema-invalid, field 1 named (not "unknown format")', async (_name, id, message) => {
    expect(await verdictOf(card({ 1: id }))).toEqual({ format: 'cccd', verdict: 'reject', reasons: ['schema-invalid'], messages: [message] });
  });

  it('says what a 9-digit CMND number in the ID field is', async () => {
    const r = await verdictOf(card({ 1: '123456789', 2: '' }));
    expect(r).toMatchObject({ format: 'cccd', verdict: 'reject', reasons: ['schema-invalid'] });
    expect(r.messages).toEqual(['field 1 (ID number) must be 12 digits, got 9 digits (an old CMND number; the chip card QR starts with the 12-digit personal ID number)']);
  });

  it('leaves text of another shape to the other formats (an 8-digit 4th field is what marks a card)', async () => {
    expect((await verdictOf('07909000123A|x|y|1990-02-01|Nam|z|15082021')).format).toBe('unknown');
    expect((await verdictOf('07909000123A|NGUYEN VAN AN|1990-02-01|0|Q1234ABCD')).format).toBe('vnqr');
    expect((await verdictOf(card({ 1: 'A' }, '\t'))).format).toBe('unknown');
  });
});

describe('CCCD: what a scanner or a phone does to a good card', () => {
  it.each([
    ['NFD (decomposed) Vietnamese name and sex', card({ 3: 'Nguyễn Văn An'.normalize('NFD'), 5: 'Nam'.normalize('NFD') })],
    ['a trailing CR LF', `${card()}\r\n`],
    ['a stray trailing "|"', `${card()}|`],
    ['an 8th field', card({}, '|') + '|abc'],
    ['a BOM and an AIM prefix', `\uFEFF]Q1${card()}`],
  ])('%s → the same accept', async (_name, text) => {
    expect(await verdictOf(text)).toMatchObject({ format: 'cccd', verdict: 'accept', reasons: ['identity-only'] });
  });

  it.each([
    ['31 February', card({ 4: '31021990' }), 'schema-invalid'],
    ['an extra "|" inside the address', card({ 6: 'Số 1 | Hàng Bạc' }), 'schema-invalid'],
    ['a female sex against the male digit 4', card({ 5: 'Nữ' }), 'inconsistent-id'],
    ['a bidi override in the name', card({ 3: 'Nguyễn \u202EnA năV' }), 'schema-invalid'],
    ['a 4,000-character address', card({ 6: 'a'.repeat(4000) }), 'schema-invalid'],
  ])('%s → reject %s', async (_name, text, reason) => {
    expect(await verdictOf(text)).toMatchObject({ format: 'cccd', verdict: 'reject', reasons: [reason] });
  });
});

describe('Unified personal QR: a birth date spelled another way', () => {
  it.each(['1990-2-1', '01/02/1990', '1990.02.01', '01-02-1990'])('%s → vnqr, schema-invalid naming field 3 (was "CCCD: expected 7 or 8 fields")', async (dob) => {
    const r = await verdictOf(`079090001234|NGUYEN VAN AN|${dob}|0|Q1234ABCD`);
    expect(r).toEqual({ format: 'vnqr', verdict: 'reject', reasons: ['schema-invalid'], messages: [`field 3 (birth date) "${dob}" is not YYYY-MM-DD (digits, or * for a masked part)`] });
  });

  it('still reads a masked date and leaves an 8-digit DDMMYYYY third field to the CCCD reader', async () => {
    expect(await verdictOf('******001234|NGUYEN VAN AN|1990-**-**|0|Q1234ABCD')).toMatchObject({ format: 'vnqr', verdict: 'accept', reasons: ['identity-only'] });
    expect((await verdictOf('079090001234|NGUYEN VAN AN|01021990|0|Q1234ABCD')).format).toBe('cccd');
  });
});

/**
 * A scanner not set to send UTF-8 (docs/SCANNERS.md) damages Vietnamese letters in one of two
 * ways: it replaces each with '?' (or the decoder leaves U+FFFD), or it reads the QR's UTF-8 bytes
 * as Windows-1252 / Latin-1 characters ("Nguyễn" → "Nguyá»…n", "Nữ" → "Ná»¯"). The card is
 * refused either way (the name is not the one printed); the message now says what happened and
 * what to set, instead of only "contains characters that are not letters".
 */
describe('CCCD and unified QR: letters a scanner could not send', () => {
  const utf8AsCp1252 = (s: string) => {
    const cp1252: Record<number, string> = { 0x80: '€', 0x82: '‚', 0x83: 'ƒ', 0x84: '„', 0x85: '…', 0x86: '†', 0x87: '‡', 0x88: 'ˆ', 0x89: '‰', 0x8a: 'Š', 0x8b: '‹', 0x8c: 'Œ', 0x8e: 'Ž', 0x91: '‘', 0x92: '’', 0x93: '“', 0x94: '”', 0x95: '•', 0x96: '–', 0x97: '—', 0x98: '˜', 0x99: '™', 0x9a: 'š', 0x9b: '›', 0x9c: 'œ', 0x9e: 'ž', 0x9f: 'Ÿ' };
    return [...Buffer.from(s, 'utf8')].map((b) => cp1252[b] ?? String.fromCharCode(b)).join('');
  };
  const ENCODING = 'arrived in another encoding than UTF-8 (its UTF-8 bytes read as Windows-1252 or Latin-1): set the scanner\'s output encoding to UTF-8 (docs/SCANNERS.md)';
  const QUESTION = 'contains "?" where a letter belongs: the scanner could not send a letter (set its output encoding to UTF-8, docs/SCANNERS.md)';

  it('a name whose letters became "?" → schema-invalid, saying so', async () => {
    expect(await verdictOf(card({ 3: 'Nguy?n V?n An' }))).toEqual({ format: 'cccd', verdict: 'reject', reasons: ['schema-invalid'], messages: [`field 3 (name) ${QUESTION}`] });
  });

  it('a name and sex read as Windows-1252 → schema-invalid, naming the encoding', async () => {
    const r = await verdictOf(card({ 3: utf8AsCp1252('Nguyễn Văn An'), 5: utf8AsCp1252('Nữ') }));
    expect(r).toMatchObject({ format: 'cccd', verdict: 'reject', reasons: ['schema-invalid'] });
    expect(r.messages).toEqual([`field 3 (name) ${ENCODING}`, `field 5 (sex) ${ENCODING}`]);
  });

  it('a name garbled into letters only ("Văn Hà" → "VÄƒn HÃ", its NBSP made a space) was accepted and shown; refused now', async () => {
    const garbled = utf8AsCp1252('Văn Hà');
    expect(garbled).toBe('VÄƒn HÃ\u00A0');
    const r = await verdictOf(card({ 3: garbled }));
    expect(r).toMatchObject({ format: 'cccd', verdict: 'reject', reasons: ['schema-invalid'], messages: [`field 3 (name) ${ENCODING}`] });
  });

  it('a name read as Latin-1 (C1 controls where Windows-1252 has letters) is refused as unreadable text, as before', async () => {
    const latin1 = Buffer.from('Nguyễn Văn An', 'utf8').toString('latin1');
    expect((await verdictOf(card({ 3: latin1 }))).reasons).toEqual(['unreadable']);
  });

  it('a unified QR name with "?" → schema-invalid, saying so', async () => {
    expect(await verdictOf('079090001234|NGUY?N VAN AN|1990-02-01|0|Q1234ABCD|')).toMatchObject({ format: 'vnqr', reasons: ['schema-invalid'], messages: [`field 2 (name) ${QUESTION}`] });
  });

  it('an invisible character in a name (zero-width space, bidi override) is named', async () => {
    expect((await verdictOf(card({ 3: 'Nguyễn\u200BVăn An' }))).messages).toEqual(['field 3 (name) contains the invisible or control character U+200B']);
    expect((await verdictOf(card({ 3: 'Nguyễn Văn \u202EAn' }))).messages).toEqual(['field 3 (name) contains the invisible or control character U+202E']);
  });

  it('other characters keep the plain message', async () => {
    expect((await verdictOf(card({ 3: 'Nguyễn Văn 4n' }))).messages).toEqual(['field 3 (name) contains characters that are not letters']);
    // A real name with letters outside Windows-1252's reach is no encoding problem.
    expect((await verdictOf(card({ 3: 'Nguyễn Văn Ánh' }))).reasons).toEqual(['identity-only']);
  });
});

describe('CCCD: the layout test takes linear time', () => {
  // The first spelling of the layout, kept here to hold the current one to it.
  const FIRST = /^[^|]{0,40}\|[^|]{0,40}\|[^|]{0,200}\|\s*\d{8}\s*\|[^|]{0,20}\|[^|]*\|\s*\d{8}\s*(?:\|[^|]*)?\|?\s*$/;

  it('answers as the first spelling did, for texts near a card (fuzz)', async () => {
    const { CARD_SHAPE } = await import('../../src/credentials/cccd/index.js');
    const fc = (await import('fast-check')).default;
    const piece = fc.constantFrom('|', ' ', '\t', '1', '12345678', 'x', 'Nguyễn', '\u00A0');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 24 }), (parts) => {
        const text = `079090001234|1|An|01021990|Nam|x|15082021${parts.join('')}`;
        expect(CARD_SHAPE.test(text)).toBe(FIRST.test(text));
        const any = parts.join('');
        expect(CARD_SHAPE.test(any)).toBe(FIRST.test(any));
      }),
      { numRuns: 5000 },
    );
  });

  it('a 4 KB text of spaces after the 7th field that fails at its end is refused at once (12 ms with the first spelling)', async () => {
    const { CARD_SHAPE } = await import('../../src/credentials/cccd/index.js');
    const text = `1|2|3|12345678|x|y|12345678${' '.repeat(4200)}x`;
    const start = performance.now();
    for (let i = 0; i < 10; i++) expect(CARD_SHAPE.test(text)).toBe(false);
    expect((performance.now() - start) / 10).toBeLessThan(2);
  });
});

describe('Unified personal QR: the QID in the status list', () => {
  it('a QID read in small letters hits its entry written in capitals, as the ID number does', async () => {
    const { parseTrustBundle } = await import('../../src/credentials/trust/load.js');
    const trust = parseTrustBundle({ version: 1, issuedAt: '2026-11-25T00:00:00Z', status: { entries: [{ id: 'Q1234ABCD', status: 'blocked' }] } });
    const verdict = async (text: string) =>
      (await assessText(text, now, { formats: DEFAULT_FORMATS, trust: () => trust, policy: () => DEFAULT_POLICY, logger: silent as never })).verdict.reasons;
    expect(await verdict('079090001234|NGUYEN VAN AN|1990-02-01|0|Q1234ABCD|')).toContain('status:blocked');
    expect(await verdict('079090001234|NGUYEN VAN AN|1990-02-01|0|q1234abcd|')).toContain('status:blocked');
    expect(await verdict('|NGUYEN VAN AN|1990-02-01|0|q1234abcd|')).toContain('status:blocked');
  });
});
