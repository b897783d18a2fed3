import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { vnqrFormat, verifyVnqr } from '../../src/credentials/vnqr/index.js';
import { parseMaskedDate, partialIsoDate } from '../../src/credentials/vnqr/masked-date.js';
import { vietnamTodayKey } from '../../src/credentials/text.js';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { isReasonCode } from '../../src/shared/reasons.js';
import { CCCD_VALID, NOW, VNQR_VALID } from '../fixtures/identity/samples.js';

const ctx = { now: NOW, trust: EMPTY_TRUST };

/** A valid unified QR, field by field; tests replace one field at a time. */
const BASE = ['001085012345', 'NGUYEN VAN AN', '1985-03-15', '0', 'QH7K2M9P4R', ''];

function qr(overrides: Record<number, string> = {}, fieldCount = 6): string {
  return BASE.slice(0, fieldCount).map((f, i) => overrides[i + 1] ?? f).join('|');
}

function verify(text: string): VerifyResult {
  return verifyVnqr(text, ctx);
}

function failedStep(r: VerifyResult, step: string): string | undefined {
  return r.steps.find((s) => s.step === step && !s.ok)?.detail;
}

describe('vnqr: valid QRs', () => {
  it.each(VNQR_VALID)('$label', (sample) => {
    const r = verify(sample.text);
    expect(r.failures).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.identityOnly).toBe(true);
    expect(r.format).toBe('vnqr');
    expect(r.subject).toEqual(sample.subject);
    expect(r.statusKeys).toEqual(sample.statusKeys);
    expect(r.steps.every((s) => s.ok)).toBe(true);
    expect(vnqrFormat.detect(sample.text)).toBe(true);
  });

  it('upper-cases lower/mixed-case names and IDs, keeps NFC diacritics', () => {
    const lower = verify(qr({ 1: 'c1234567', 2: 'nguyen Van an' }));
    expect(lower.failures).toEqual([]);
    expect(lower.subject.name).toBe('NGUYEN VAN AN');
    expect(lower.subject.idNo).toBe('C1234567');
    expect(lower.subject.idType).toBe('passport');
    const accented = verify(qr({ 2: 'Nguyễn Văn An'.normalize('NFD') }));
    expect(accented.failures).toEqual([]);
    expect(accented.subject.name).toBe('NGUYỄN VĂN AN'.normalize('NFC'));
  });

  it('tolerates whitespace, trailing CR/LF and a trailing "|"', () => {
    const r = verify(' 001085012345 |  NGUYEN  VAN   AN | 1985-03-15 | 0 | QH7K2M9P4R |\r\n');
    expect(r.failures).toEqual([]);
    expect(r.subject.name).toBe('NGUYEN VAN AN');
    expect(r.subject.dob).toBe('1985-03-15');
    expect(verify(`${qr()}|`).failures).toEqual([]);
    expect(verify(`${qr({}, 5)}\n`).failures).toEqual([]);
  });

  it('keeps the QID as altId and first status key; an unmasked ID is a second key', () => {
    const r = verify(qr());
    expect(r.subject.altId).toBe('QH7K2M9P4R');
    expect(r.statusKeys).toEqual(['QH7K2M9P4R', '001085012345']);
    expect(verify(qr({ 1: '***085012345' })).statusKeys).toEqual(['QH7K2M9P4R']);
  });

  it('shows a masked ID, the province and birth year in details, never the EXT', () => {
    const r = verify(qr({ 6: 'secret-extension-data' }));
    expect(r.details).toContainEqual({ label: 'ID number', value: '001******345' });
    expect(r.details).toContainEqual({ label: 'Province', value: 'Hà Nội' });
    expect(r.details).toContainEqual({ label: 'Birth year', value: '1985' });
    expect(r.details).toContainEqual({ label: 'Declared', value: 'self' });
    expect(JSON.stringify(r)).not.toContain('secret-extension-data');
  });

  it.each([
    ['1985-**-**', '1985'],
    ['1985-03-**', '1985-03'],
    ['1985-**-15', '1985'],
    ['****-03-15', undefined],
    ['****-**-**', undefined],
    ['2000-02-29', '2000-02-29'],
    ['2026-11-**', '2026-11'],
    ['2026-11-25', '2026-11-25'],
  ])('birth date %s → dob %s', (dob, iso) => {
    // A masked ID claims no birth year, so any valid date passes the cross-check.
    const r = verify(qr({ 1: '******012345', 3: dob }));
    expect(r.failures).toEqual([]);
    expect(r.subject.dob).toBe(iso);
  });

  it('cross-checks an unmasked CCCD number against the birth year, skipping masked digits', () => {
    expect(verify(qr({ 1: '001205012345', 3: '2005-01-01' })).failures).toEqual([]);
    expect(verify(qr({ 1: '001305012345', 3: '2005-01-01' })).failures).toEqual([]);
    expect(verify(qr({ 1: '0010**012345', 3: '1999-01-01' })).failures).toEqual([]);
    const masked = verify(qr({ 1: '001***012345', 3: '2011-01-01' }));
    expect(masked.failures).toEqual([]);
    expect(masked.steps).toContainEqual({ step: 'id-consistency', ok: true, detail: 'century digit masked: not checked' });
  });
});

describe('vnqr: malformed QRs', () => {
  it.each([
    ['empty string', ''],
    ['only pipes', '|||||'],
    ['pipes and whitespace', ' | |\r\n| | '],
  ])('%s → unreadable', (_label, text) => {
    expect(verify(text).failures).toEqual(['unreadable']);
  });

  it('control characters → unreadable; over the QR limit → too-large', () => {
    expect(verify(qr({ 2: 'NGUYEN\u0007AN' })).failures).toEqual(['unreadable']);
    expect(verify(qr({ 6: 'x'.repeat(4300) })).failures).toEqual(['too-large']);
  });

  it.each([
    [4, qr({}, 4)],
    [3, '001085012345|NGUYEN VAN AN|1985-03-15'],
    [7, `${qr()}|extra`],
    [8, `${qr()}|a|b`],
  ])('%i fields → schema-invalid', (count, text) => {
    const r = verify(text);
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'fields')).toBe(`expected 5 or 6 fields separated by '|', got ${count}`);
    expect(r.statusKeys).toEqual([]);
  });

  it.each([
    ['2001-02-29', 'is not a real date'],
    ['1900-02-29', 'is not a real date'],
    ['1990-04-31', 'is not a real date'],
    ['1990-**-32', 'is not a real date'],
    ['****-02-30', 'is not a real date'],
    ['1990-00-10', 'has a month outside 01-12'],
    ['1990-13-**', 'has a month outside 01-12'],
    ['19**-05-15', 'is not YYYY-MM-DD (digits, or * for a masked part)'],
    ['1990-5-15', 'is not YYYY-MM-DD (digits, or * for a masked part)'],
    ['15/05/1990', 'is not YYYY-MM-DD (digits, or * for a masked part)'],
    ['15051990', 'is not YYYY-MM-DD (digits, or * for a masked part)'],
    ['1899-12-31', 'has a year before 1900'],
    ['2027-01-01', 'is in the future'],
    ['2027-**-**', 'is in the future'],
    ['2026-12-**', 'is in the future'],
    ['2026-11-26', 'is in the future'],
  ])('birth date %s → schema-invalid "%s"', (dob, problem) => {
    const r = verify(qr({ 1: '******012345', 3: dob }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'birth-date')).toBe(`field 3 (birth date) "${dob}" ${problem}`);
    expect(r.subject.dob).toBeUndefined();
  });

  it.each([
    ['0010850*2345', "field 1 (ID number) may be masked with '*' only in its first 6 characters"],
    ['00108501234*', "field 1 (ID number) may be masked with '*' only in its first 6 characters"],
    ['******', 'field 1 (ID number) is entirely masked'],
    ['AB12', "field 1 (ID number) must be 6-20 letters, digits or '*', got 4 characters"],
    ['1'.repeat(21), "field 1 (ID number) must be 6-20 letters, digits or '*', got 21 characters"],
    ['001-085-012345', "field 1 (ID number) must be 6-20 letters, digits or '*', got 14 characters"],
    ['003085012345', 'field 1 (ID number): province code 003 is not a Vietnamese province'],
    ['097085012345', 'field 1 (ID number): province code 097 is not a Vietnamese province'],
  ])('ID number %j → schema-invalid', (id, detail) => {
    const r = verify(qr({ 1: id }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'id-number')).toBe(detail);
    expect(r.subject.idNo).toBeUndefined();
    expect(r.statusKeys).toEqual(['QH7K2M9P4R']);
  });

  it.each([
    ['001086012345', '1985-03-15', 'ID digits 5-6 do not match the last two digits of the birth year'],
    ['001385012345', '1985-03-15', 'ID digit 4 says born in the 2000s, the birth date is in the 1900s'],
    ['001001012345', '2001-**-**', 'ID digit 4 says born in the 1900s, the birth date is in the 2000s'],
    ['***1**012345', '2001-06-**', 'ID digit 4 says born in the 1900s, the birth date is in the 2000s'],
  ])('CCCD %s born %s → inconsistent-id', (id, dob, detail) => {
    const r = verify(qr({ 1: id, 3: dob }));
    expect(r.failures).toEqual(['inconsistent-id']);
    expect(failedStep(r, 'id-consistency')).toBe(detail);
  });

  it('a CMND or passport number is not cross-checked', () => {
    expect(verify(qr({ 1: '001385012', 3: '1985-03-15' })).failures).toEqual([]);
    expect(verify(qr({ 1: 'B0013850', 3: '1985-03-15' })).failures).toEqual([]);
  });

  it('name: empty, digits, over 100 characters → schema-invalid', () => {
    expect(failedStep(verify(qr({ 2: '' })), 'name')).toBe('field 2 (name) is empty');
    expect(failedStep(verify(qr({ 2: 'NGUYEN VAN 4N' })), 'name')).toBe('field 2 (name) contains characters that are not letters');
    expect(failedStep(verify(qr({ 2: 'A'.repeat(101) })), 'name')).toBe('field 2 (name) is 101 characters, over 100');
    expect(verify(qr({ 2: 'A'.repeat(100) })).failures).toEqual([]);
  });

  it.each(['2', '', '00', 'x'])('declaration type %j → schema-invalid', (value) => {
    const r = verify(qr({ 4: value }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'declaration-type')).toBe(`field 4 (declaration type) "${value}" is not 0 or 1`);
  });

  it.each([
    ['', 'field 5 (QID) is empty'],
    ['Q-123', 'field 5 (QID) must be 4-64 letters or digits, got 5 characters'],
    ['Q12', 'field 5 (QID) must be 4-64 letters or digits, got 3 characters'],
    ['Q'.repeat(65), 'field 5 (QID) must be 4-64 letters or digits, got 65 characters'],
  ])('QID %j → schema-invalid', (qid, detail) => {
    const r = verify(qr({ 5: qid }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'qid')).toBe(detail);
    expect(r.subject.altId).toBeUndefined();
    expect(r.statusKeys).toEqual(['001085012345']);
  });

  it('no ID and no usable QID leaves no identifier at all', () => {
    const r = verify(qr({ 1: '', 5: '' }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(r.subject.idNo).toBeUndefined();
    expect(r.statusKeys).toEqual([]);
  });

  it('EXT over 256 characters → schema-invalid', () => {
    expect(failedStep(verify(qr({ 6: 'e'.repeat(257) })), 'ext')).toBe('field 6 (EXT) is 257 characters, over 256');
    expect(verify(qr({ 6: 'e'.repeat(256) })).failures).toEqual([]);
  });
});

describe('vnqr: masked dates', () => {
  const today = vietnamTodayKey(NOW);

  it('keeps only the leading known parts as a partial ISO date', () => {
    expect(partialIsoDate({ year: 1990, month: 5, day: 7 })).toBe('1990-05-07');
    expect(partialIsoDate({ year: 1990, month: 5 })).toBe('1990-05');
    expect(partialIsoDate({ year: 1990, day: 7 })).toBe('1990');
    expect(partialIsoDate({ month: 5, day: 7 })).toBeUndefined();
  });

  it('parses whole-component masks', () => {
    expect(parseMaskedDate('****-**-15', today)).toEqual({ day: 15 });
    expect(parseMaskedDate('1990-**-**', today)).toEqual({ year: 1990 });
    expect(parseMaskedDate('1990-05-15', today)).toEqual({ year: 1990, month: 5, day: 15 });
  });
});

describe('vnqr: detect', () => {
  it('claims every unified QR sample and no CCCD card', () => {
    for (const s of VNQR_VALID) expect(vnqrFormat.detect(s.text)).toBe(true);
    for (const s of CCCD_VALID) expect(vnqrFormat.detect(s.text)).toBe(false);
  });

  it('claims malformed unified QRs (so they get a specific reason) and refuses other text', () => {
    expect(vnqrFormat.detect(`${qr()}|x|y`)).toBe(true);
    expect(vnqrFormat.detect(qr({ 3: '2001-02-29' }))).toBe(true);
    for (const text of ['', 'HC1:6BFOXN%TS3DH0YOJ58S', 'shc:/56762909', '001085012345|NGUYEN VAN AN|15031985|0|Q', 'a|b']) {
      expect(vnqrFormat.detect(text)).toBe(false);
    }
  });
});

describe('vnqr: never throws', () => {
  it('random strings and pipe-separated fields always give a result with contract reason codes', () => {
    const field = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.stringMatching(/^[0-9*]{4}-[0-9*]{2}-[0-9*]{2}$/),
      fc.stringMatching(/^[0-9*]{0,13}$/),
      fc.constantFrom('0', '1', ''),
    );
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.array(field, { maxLength: 8 }).map((f) => f.join('|')));
    fc.assert(
      fc.property(text, (t) => {
        const r = vnqrFormat.verify(t, ctx) as VerifyResult;
        expect(r.format).toBe('vnqr');
        expect(r.failures.every((f) => isReasonCode(f))).toBe(true);
        expect(r.steps.length).toBeGreaterThan(0);
        if (r.failures.length === 0) expect(r.statusKeys.length).toBeGreaterThan(0);
      }),
      { numRuns: 1000 },
    );
  });
});
