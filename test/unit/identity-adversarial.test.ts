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
