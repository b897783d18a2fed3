import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { cccdFormat, verifyCccd } from '../../src/credentials/cccd/index.js';
import { centuryAndSex, crossCheckIdNumber } from '../../src/credentials/cccd/id-number.js';
import { provinceCodes, provinceName } from '../../src/credentials/cccd/provinces.js';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { isReasonCode } from '../../src/shared/reasons.js';
import { CCCD_VALID, NOW, VNQR_VALID } from '../fixtures/identity/samples.js';

const ctx = { now: NOW, trust: EMPTY_TRUST };

/** A valid card, field by field; tests replace one field at a time. */
const BASE = ['001085012345', '123456789', 'Nguyễn Văn An', '15031985', 'Nam', 'Số 1 Tràng Tiền, Hà Nội', '10072021'];

function card(overrides: Record<number, string> = {}, extra: string[] = []): string {
  return [...BASE.map((f, i) => overrides[i + 1] ?? f), ...extra].join('|');
}

function verify(text: string, at: Date = NOW): VerifyResult {
  return verifyCccd(text, { now: at, trust: EMPTY_TRUST });
}

function failedStep(r: VerifyResult, step: string): string | undefined {
  return r.steps.find((s) => s.step === step && !s.ok)?.detail;
}

describe('cccd: valid cards', () => {
  it.each(CCCD_VALID)('$label', (sample) => {
    const r = verify(sample.text);
    expect(r.failures).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.identityOnly).toBe(true);
    expect(r.format).toBe('cccd');
    expect(r.subject).toEqual(sample.subject);
    expect(r.statusKeys).toEqual(sample.statusKeys);
    expect(r.title).toBe('CCCD');
    expect(r.steps.every((s) => s.ok)).toBe(true);
    expect(cccdFormat.detect(sample.text)).toBe(true);
  });

  it('names the province and birth year in details, masks the ID number and never shows the address', () => {
    const r = verify(CCCD_VALID[0]!.text);
    expect(r.details).toContainEqual({ label: 'Province', value: 'Hà Nội' });
    expect(r.details).toContainEqual({ label: 'Birth year', value: '1985' });
    expect(r.details).toContainEqual({ label: 'ID number', value: '001******345' });
    const everything = JSON.stringify(r);
    expect(everything).not.toContain('Tràng Tiền');
    expect(JSON.stringify(r.details)).not.toContain('001085012345');
    expect(JSON.stringify(r.steps)).not.toContain('001085012345');
  });

  it('lists every step of a good card in order, with the same text scan after scan', () => {
    const expected = [
      { step: 'fields', ok: true, detail: '7 fields' },
      { step: 'id-number', ok: true, detail: 'province Hà Nội' },
      { step: 'old-id', ok: true, detail: 'present' },
      { step: 'name', ok: true },
      { step: 'birth-date', ok: true },
      { step: 'sex', ok: true },
      { step: 'address', ok: true },
      { step: 'issue-date', ok: true },
      { step: 'id-consistency', ok: true, detail: 'century, sex and birth year digits agree' },
    ];
    expect(verify(CCCD_VALID[0]!.text).steps).toEqual(expected);
    expect(verify(CCCD_VALID[0]!.text).steps).toEqual(expected);
    const other = verify(card({ 1: '079085012345', 2: '' }, ['x']));
    expect(other.steps.map((s) => s.detail)).toEqual(['8 fields', 'province Hồ Chí Minh', 'none', undefined, undefined, undefined, undefined, undefined, undefined, expected[8]!.detail]);
  });

  it('accepts NFD text (name and Nữ) and stores the name in NFC', () => {
    const text = card({ 1: '030190123456', 3: 'Lê Thị Hương'.normalize('NFD'), 4: '05051990', 5: 'Nữ'.normalize('NFD') });
    const r = verify(text);
    expect(r.failures).toEqual([]);
    expect(r.subject.name).toBe('Lê Thị Hương'.normalize('NFC'));
    expect(r.subject.name).not.toBe('Lê Thị Hương'.normalize('NFD'));
    expect(r.subject.sex).toBe('F');
  });

  it.each([
    ['nam', 'M'],
    ['NAM', 'M'],
    ['Nam', 'M'],
    ['NỮ', 'F'],
    ['nữ', 'F'],
    ['Nu', 'F'],
    ['NU', 'F'],
  ] as const)('sex %s → %s', (value, sex) => {
    const id = sex === 'M' ? '001085012345' : '001185012345';
    const r = verify(card({ 1: id, 5: value }));
    expect(r.failures).toEqual([]);
    expect(r.subject.sex).toBe(sex);
  });

  it('tolerates extra whitespace, tabs, NBSP and trailing CR/LF leftovers', () => {
    const text = '  001085012345 | 123456789 |  Nguyễn \t Văn\u00A0 An | 15031985 |Nam |Hà Nội| 10072021\r\n';
    const r = verify(text);
    expect(r.failures).toEqual([]);
    expect(r.subject).toEqual(CCCD_VALID[0]!.subject);
    expect(verify(`${card()}\r`).failures).toEqual([]);
    expect(verify(`${card()}\n\n`).failures).toEqual([]);
    expect(verify(`\uFEFF${card()}`).failures).toEqual([]);
  });

  it('treats a trailing "|" after 8 fields as no extra field', () => {
    expect(verify(card({}, ['x', ''])).failures).toEqual([]);
    expect(verify(card({}, ['', '', ''])).failures).toEqual([]);
  });

  it('accepts an empty address', () => {
    expect(verify(card({ 6: '' })).failures).toEqual([]);
  });

  it('uses the Vietnamese calendar for "today": born today in Hanoi is not in the future', () => {
    // 2026-11-24T18:00Z is already 25 November in Vietnam (UTC+7).
    const at = new Date('2026-11-24T18:00:00Z');
    const r = verify(card({ 1: '001226012345', 4: '25112026', 7: '25112026' }), at);
    expect(r.failures).toEqual([]);
    expect(r.subject.dob).toBe('2026-11-25');
    const early = verify(card({ 1: '001226012345', 4: '25112026', 7: '25112026' }), new Date('2026-11-24T16:00:00Z'));
    expect(early.failures).toEqual(['schema-invalid']);
    expect(failedStep(early, 'birth-date')).toBe('field 4 (birth date) "25112026" is in the future');
  });
});

describe('cccd: malformed cards', () => {
  it.each([
    ['empty string', ''],
    ['whitespace only', '  \r\n'],
    ['only pipes', '||||||'],
    ['only pipes and spaces', ' | | | | | | | '],
  ])('%s → unreadable', (_label, text) => {
    const r = verify(text);
    expect(r.failures).toEqual(['unreadable']);
    expect(r.steps[0]).toEqual({ step: 'decode', ok: false, detail: 'no content' });
  });

  it('control characters or undecodable bytes → unreadable', () => {
    expect(verify(card({ 3: 'Nguyễn\u0000An' })).failures).toEqual(['unreadable']);
    expect(verify(card({ 3: 'Nguy\uFFFDn' })).failures).toEqual(['unreadable']);
  });

  it('over the QR text limit → too-large', () => {
    const r = verify(card({ 6: 'x'.repeat(5000) }));
    expect(r.failures).toEqual(['too-large']);
  });

  it.each([
    [6, BASE.slice(0, 6).join('|')],
    [5, BASE.slice(0, 5).join('|')],
    [2, '001085012345|123456789'],
    [9, card({}, ['a', 'b'])],
    [10, card({}, ['a', 'b', 'c'])],
  ])('%i fields → schema-invalid', (count, text) => {
    const r = verify(text);
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'fields')).toBe(`expected 7 or 8 fields separated by '|', got ${count}`);
    expect(r.subject).toEqual({ idType: 'cccd' });
    expect(r.statusKeys).toEqual([]);
  });

  it.each([
    ['31022000', 'is not a real date'],
    ['30022024', 'is not a real date'],
    ['29022001', 'is not a real date'],
    ['29021900', 'is not a real date'],
    ['31041990', 'is not a real date'],
    ['00011990', 'is not a real date'],
    ['15131990', 'is not a real date'],
    ['1503198', 'is not 8 digits (DDMMYYYY)'],
    ['15-03-1985', 'is not 8 digits (DDMMYYYY)'],
    ['1985-03-15', 'is not 8 digits (DDMMYYYY)'],
    ['', 'is not 8 digits (DDMMYYYY)'],
  ])('birth date %s → schema-invalid "%s"', (dob, problem) => {
    const r = verify(card({ 4: dob }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'birth-date')).toBe(`field 4 (birth date) "${dob}" ${problem}`);
    expect(r.subject.dob).toBeUndefined();
    // Without a birth date the ID cross-check cannot run: no inconsistent-id on top.
    expect(r.steps.some((s) => s.step === 'id-consistency')).toBe(false);
  });

  it('29 February is accepted in leap years (2000, 2024) and refused otherwise (1900, 2023)', () => {
    expect(verify(card({ 1: '001300012345', 4: '29022000', 5: 'Nữ', 7: '01012020' })).failures).toEqual([]);
    expect(verify(card({ 1: '001224012345', 4: '29022024', 7: '01032024' })).failures).toEqual([]);
    expect(verify(card({ 1: '001000012345', 4: '29021900' })).failures).toEqual(['schema-invalid']);
    expect(verify(card({ 1: '001223012345', 4: '29022023', 7: '01032024' })).failures).toEqual(['schema-invalid']);
  });

  it('birth date in the future → schema-invalid', () => {
    const r = verify(card({ 1: '001227012345', 4: '01012027' }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'birth-date')).toBe('field 4 (birth date) "01012027" is in the future');
  });

  it('issue date: not a real date, in the future, or before the birth date → schema-invalid', () => {
    const bad = verify(card({ 7: '31062021' }));
    expect(bad.failures).toEqual(['schema-invalid']);
    expect(failedStep(bad, 'issue-date')).toBe('field 7 (issue date) "31062021" is not a real date');
    const future = verify(card({ 7: '26112026' }));
    expect(failedStep(future, 'issue-date')).toBe('field 7 (issue date) "26112026" is in the future');
    const beforeBirth = verify(card({ 7: '14031985' }));
    expect(beforeBirth.failures).toEqual(['schema-invalid']);
    expect(failedStep(beforeBirth, 'issue-date')).toBe('field 7 (issue date) is before the birth date');
    expect(verify(card({ 7: '15031985' })).failures).toEqual([]);
  });

  it.each([
    ['A01085012345', 'characters other than digits'],
    ['00108501234', '11 digits'],
    ['0010850123456', '13 digits'],
    ['001 085012345', 'characters other than digits'],
    ['', '0 digits'],
  ])('ID number %j → schema-invalid (%s)', (id, what) => {
    const r = verify(card({ 1: id }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'id-number')).toBe(`field 1 (ID number) must be 12 digits, got ${what}`);
    expect(r.subject.idNo).toBeUndefined();
    expect(r.statusKeys).toEqual(['123456789']);
  });

  it.each(['000', '003', '005', '097', '100', '999'])('unknown province code %s → schema-invalid', (code) => {
    const r = verify(card({ 1: `${code}085012345` }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'id-number')).toBe(`field 1 (ID number): province code ${code} is not a Vietnamese province`);
  });

  it.each(['12345678', '1234567890', '12345678X'])('old CMND %j → schema-invalid', (cmnd) => {
    const r = verify(card({ 2: cmnd }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'old-id')).toBe('field 2 (old CMND number) must be empty, 9 or 12 digits');
    expect(r.subject.altId).toBeUndefined();
  });

  it('name: empty, digits, over 100 characters → schema-invalid', () => {
    expect(failedStep(verify(card({ 3: '' })), 'name')).toBe('field 3 (name) is empty');
    expect(failedStep(verify(card({ 3: 'Nguyễn Văn 4n' })), 'name')).toBe('field 3 (name) contains characters that are not letters');
    const long = verify(card({ 3: 'Ư'.repeat(101) }));
    expect(long.failures).toEqual(['schema-invalid']);
    expect(failedStep(long, 'name')).toBe('field 3 (name) is 101 characters, over 100');
    expect(verify(card({ 3: 'Ư'.repeat(100) })).failures).toEqual([]);
  });

  it.each(['Male', 'F', 'Nử', '', '0'])('sex %j → schema-invalid', (sex) => {
    const r = verify(card({ 5: sex }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(failedStep(r, 'sex')).toBe(`field 5 (sex) "${sex}" is not Nam or Nữ`);
  });

  it('over-long address and 8th field → schema-invalid', () => {
    expect(failedStep(verify(card({ 6: 'a'.repeat(301) })), 'address')).toBe('field 6 (address) is 301 characters, over 300');
    expect(verify(card({ 6: 'a'.repeat(300) })).failures).toEqual([]);
    expect(failedStep(verify(card({}, ['b'.repeat(201)])), 'extra-field')).toBe('field 8 is 201 characters, over 200');
  });

  it('reports every bad field, each reason once', () => {
    const r = verify(card({ 1: '003085012345', 4: '31022000', 5: 'X' }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(r.steps.filter((s) => !s.ok).map((s) => s.step)).toEqual(['id-number', 'birth-date', 'sex']);
  });
});

describe('cccd: ID digits against birth date and sex', () => {
  it.each([
    ['female birth, male digit', '001085012345', '15031985', 'Nữ', 'ID digit 4 says male, the card says female'],
    ['male birth, female digit', '001185012345', '15031985', 'Nam', 'ID digit 4 says female, the card says male'],
    ['born 2001, 1900s digit', '001001012345', '15032001', 'Nam', 'ID digit 4 says born in the 1900s, the birth date is in the 2000s'],
    ['born 1985, 2000s digit', '001385012345', '15031985', 'Nữ', 'ID digit 4 says born in the 2000s, the birth date is in the 1900s'],
    ['born 1986, year digits 85', '001085012345', '15031986', 'Nam', 'ID digits 5-6 do not match the last two digits of the birth year'],
    ['born 2100s digit', '001485012345', '15031985', 'Nam', 'ID digit 4 says born in the 2100s, the birth date is in the 1900s'],
  ])('%s → inconsistent-id', (_label, id, dob, sex, detail) => {
    const r = verify(card({ 1: id, 4: dob, 5: sex, 7: '10072021' }));
    expect(r.failures).toEqual(['inconsistent-id']);
    expect(failedStep(r, 'id-consistency')).toBe(detail);
    // The parsed identity is still reported so an officer can see whose card it claims to be.
    expect(r.subject.idNo).toBe(id);
  });

  it('reports sex and year mismatches together', () => {
    const r = verify(card({ 1: '001186012345', 5: 'Nam' }));
    expect(r.failures).toEqual(['inconsistent-id']);
    expect(failedStep(r, 'id-consistency')).toBe(
      'ID digit 4 says female, the card says male; ID digits 5-6 do not match the last two digits of the birth year',
    );
  });

  it('digit 4 encodes century and sex for every century', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8, 9].map(centuryAndSex)).toEqual([
      { centuryStart: 1900, sex: 'M' }, { centuryStart: 1900, sex: 'F' },
      { centuryStart: 2000, sex: 'M' }, { centuryStart: 2000, sex: 'F' },
      { centuryStart: 2100, sex: 'M' }, { centuryStart: 2100, sex: 'F' },
      { centuryStart: 2200, sex: 'M' }, { centuryStart: 2200, sex: 'F' },
      { centuryStart: 2300, sex: 'M' }, { centuryStart: 2300, sex: 'F' },
    ]);
  });

  it('crossCheckIdNumber skips what is masked or unknown', () => {
    expect(crossCheckIdNumber('******012345', 1990)).toEqual([]);
    expect(crossCheckIdNumber('001***012345', 1990, 'F')).toEqual([]);
    expect(crossCheckIdNumber('0010**012345', 2001)).toEqual(['ID digit 4 says born in the 1900s, the birth date is in the 2000s']);
    expect(crossCheckIdNumber('0010**012345', 1901)).toEqual([]);
    expect(crossCheckIdNumber('001085012345')).toEqual([]);
    expect(crossCheckIdNumber('001085012345', undefined, 'F')).toEqual(['ID digit 4 says male, the card says female']);
  });
});

describe('cccd: province table', () => {
  it('has the 63 provinces from 001 Hà Nội to 096 Cà Mau', () => {
    const codes = provinceCodes();
    expect(codes).toHaveLength(63);
    expect(new Set(codes).size).toBe(63);
    expect(codes.every((c) => /^0\d\d$/.test(c) && Number(c) >= 1 && Number(c) <= 96)).toBe(true);
    expect(provinceName('001')).toBe('Hà Nội');
    expect(provinceName('079')).toBe('Hồ Chí Minh');
    expect(provinceName('048')).toBe('Đà Nẵng');
    expect(provinceName('031')).toBe('Hải Phòng');
    expect(provinceName('092')).toBe('Cần Thơ');
    expect(provinceName('096')).toBe('Cà Mau');
    expect(provinceName('003')).toBeUndefined();
  });

  it('every province code verifies on a card', () => {
    for (const code of provinceCodes()) {
      const r = verify(card({ 1: `${code}085012345` }));
      expect(r.failures).toEqual([]);
      expect(r.details).toContainEqual({ label: 'Province', value: provinceName(code) });
    }
  });
});

describe('cccd: detect', () => {
  it('claims 12- or 9-digit first fields followed by "|"', () => {
    expect(cccdFormat.detect(card())).toBe(true);
    expect(cccdFormat.detect('123456789|x')).toBe(true);
    expect(cccdFormat.detect(' 001085012345 |')).toBe(true);
  });

  it('refuses other formats, including every unified personal QR sample', () => {
    for (const s of VNQR_VALID) expect(cccdFormat.detect(s.text)).toBe(false);
    for (const text of ['HC1:6BFOXN%TS3DH0YOJ58S', 'shc:/5676290952432060', 'CKD1:ABC', '', 'hello', '12345|a|b', '0010850123456|a']) {
      expect(cccdFormat.detect(text)).toBe(false);
    }
  });
});

describe('cccd: never throws', () => {
  it('random strings and pipe-separated fields always give a result with contract reason codes', () => {
    const field = fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^\d{0,13}$/), fc.constantFrom('Nam', 'Nữ', 'Nu', ''));
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.array(field, { maxLength: 10 }).map((f) => f.join('|')));
    fc.assert(
      fc.property(text, (t) => {
        const r = cccdFormat.verify(t, ctx) as VerifyResult;
        expect(r.format).toBe('cccd');
        expect(r.failures.every((f) => isReasonCode(f))).toBe(true);
        expect(r.steps.length).toBeGreaterThan(0);
        if (r.failures.length === 0) expect(r.subject.idNo).toMatch(/^\d{12}$/);
      }),
      { numRuns: 1000 },
    );
  });
});
