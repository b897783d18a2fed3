/**
 * CCCD chip ID card QR (docs/FORMATS.md):
 *   ID12|CMND9|Full name|DDMMYYYY(birth)|Nam or Nữ|Address|DDMMYYYY(issue)[|extra]
 * Unsigned: validity means well-formed and internally consistent (the ID number's century/sex
 * digit and year digits agree with the birth date and sex). Parsing is lenient about whitespace,
 * CR/LF leftovers and Unicode normalisation; everything else is checked strictly.
 *
 * Reasons: 'too-large' (over the QR limit), 'unreadable' (no content, or control characters /
 * undecodable bytes), 'schema-invalid' (wrong field count or a bad field), 'inconsistent-id'
 * (ID digits disagree with birth date or sex). The address is checked for size only and never
 * leaves this module (docs/OPERATIONS.md).
 */
import type { DisplayLine, Subject } from '../../shared/types.js';
import type { CredentialFormat, VerifyContext, VerifyResult } from '../types.js';
import {
  StepLog,
  identityResult,
  readPipeFields,
  codePointLength,
  dateKey,
  looksLikeUnifiedQr,
  maskIdNumber,
  nameProblem,
  scannerEncodingProblem,
  parseDdMmYyyy,
  pipeFieldsDedup,
  quoteShort,
  toIsoDate,
  vietnamTodayKey,
} from '../text.js';
import type { CalendarDate } from '../text.js';
import { passStep } from '../step-log.js';
import { checkProvinceCode, crossCheckIdNumber } from './id-number.js';
import type { Sex } from './id-number.js';
import { provinceName } from './provinces.js';

/** Field bounds, in code points. Generous for real cards, small enough to bound the work. */
const MAX_NAME = 100;
const MAX_ADDRESS = 300;
const MAX_EXTRA = 200;

const DETECT = /^\s*(?:\d{12}|\d{9})\s*\|/;
/**
 * The card's layout whatever its first field holds: 7 or 8 fields, the 4th (birth) and 7th (issue)
 * 8 digits each. A card whose ID number is mistyped or damaged (`07909000123A|…`) is then refused
 * as a CCCD with a bad field 1, not as text of no known format. After the 7th field: white space,
 * then optionally an 8th field and a trailing '|' with white space. Written so that no two
 * repetitions can take the same characters: the first spelling (`\s*(?:\|[^|]*)?\|?\s*$`, two
 * `\s*` side by side) tried every split of a run of spaces, about 12 ms for a 4 KB text that
 * failed at its end (asked of every scan no earlier format took); this one is linear.
 */
export const CARD_SHAPE = /^[^|]{0,40}\|[^|]{0,40}\|[^|]{0,200}\|\s*\d{8}\s*\|[^|]{0,20}\|[^|]*\|\s*\d{8}\s*(?:\|[^|]*(?:\|\s*)?)?$/;


/**
 * The steps of a good card whose text never changes, made once (StepLog.passed): a scan records
 * them without making new objects. Steps whose text depends on the card are made per scan.
 */
const PASSED = {
  fields7: passStep('fields', '7 fields'),
  fields8: passStep('fields', '8 fields'),
  noOldId: passStep('old-id', 'none'),
  oldId: passStep('old-id', 'present'),
  name: passStep('name'),
  birthDate: passStep('birth-date'),
  sex: passStep('sex'),
  address: passStep('address'),
  issueDate: passStep('issue-date'),
  extra: passStep('extra-field'),
  consistent: passStep('id-consistency', 'century, sex and birth year digits agree'),
};

/** The passed id-number step of each province, made on first use (63 at most). */
const provinceSteps = new Map<string, ReturnType<typeof passStep>>();

function provinceStep(province: string): ReturnType<typeof passStep> {
  let step = provinceSteps.get(province);
  if (step === undefined) provinceSteps.set(province, (step = passStep('id-number', `province ${province}`)));
  return step;
}

/** Sex field: 'Nam' / 'Nữ' (NFC after cleaning), any case, and 'Nu' typed without diacritics. */
function parseSex(value: string): Sex | undefined {
  // As printed on the card: no lower-casing needed.
  if (value === 'Nam') return 'M';
  if (value === 'Nữ') return 'F';
  const v = value.toLowerCase();
  if (v === 'nam') return 'M';
  if (v === 'nữ' || v === 'nu') return 'F';
  return undefined;
}

export function verifyCccd(text: string, ctx: VerifyContext): VerifyResult {
  const read = readPipeFields('cccd', text, 7);
  if ('result' in read) return read.result;
  const fields = read.fields;

  const log = new StepLog();
  const subject: Subject = { idType: 'cccd' };
  const statusKeys: string[] = [];
  const details: DisplayLine[] = [];
  const result = identityResult('cccd', 'CCCD', log, subject, statusKeys, details, pipeFieldsDedup(text, fields));

  if (fields.length !== 7 && fields.length !== 8) {
    log.fail('fields', 'schema-invalid', `expected 7 or 8 fields separated by '|', got ${fields.length}`);
    return result();
  }
  log.passed(fields.length === 7 ? PASSED.fields7 : PASSED.fields8);
  // Indexed rather than destructured: no iterator on every scan. There are 7 or 8 fields.
  const idNo = fields[0]!;
  const oldId = fields[1]!;
  const name = fields[2]!;
  const dobText = fields[3]!;
  const sexText = fields[4]!;
  const address = fields[5]!;
  const issueText = fields[6]!;
  const extra = fields[7];

  // Field 1: the 12-digit personal identification number, and its province code.
  let idOk = false;
  if (!(idNo.length === 12 && allDigits(idNo))) {
    const what = allDigits(idNo) ? `${idNo.length} digits` : 'characters other than digits';
    // A 9-digit number is an old CMND: its cards carry no QR, so it stands where the ID belongs.
    const hint = idNo.length === 9 && allDigits(idNo) ? ' (an old CMND number; the chip card QR starts with the 12-digit personal ID number)' : '';
    log.fail('id-number', 'schema-invalid', `field 1 (ID number) must be 12 digits, got ${what}${hint}`);
  } else {
    // All 12 are digits, so the province code is never masked here: known or not a province.
    const province = provinceName(idNo.slice(0, 3));
    if (province === undefined) {
      log.fail('id-number', 'schema-invalid', `field 1 (ID number): ${checkProvinceCode(idNo) ?? 'unknown province code'}`);
    } else {
      idOk = true;
      log.passed(provinceStep(province));
      subject.idNo = idNo;
      statusKeys.push(idNo);
      details.push({ label: 'ID number', value: maskIdNumber(idNo) }, { label: 'Province', value: province });
    }
  }

  // Field 2: the old 9-digit CMND (some 12-digit CMNDs exist), often empty.
  if (oldId === '') {
    log.passed(PASSED.noOldId);
  } else if ((oldId.length === 9 || oldId.length === 12) && allDigits(oldId)) {
    log.passed(PASSED.oldId);
    subject.altId = oldId;
    if (!statusKeys.includes(oldId)) statusKeys.push(oldId);
  } else {
    log.fail('old-id', 'schema-invalid', 'field 2 (old CMND number) must be empty, 9 or 12 digits');
  }

  // Field 3: full name.
  const badName = nameProblem(name, MAX_NAME);
  if (badName !== undefined) {
    log.fail('name', 'schema-invalid', `field 3 (name) ${badName}`);
  } else {
    log.passed(PASSED.name);
    subject.name = name;
  }

  // Field 4: birth date, a real date not after today (Vietnam calendar).
  const todayKey = vietnamTodayKey(ctx.now);
  const dob = checkDate(log, PASSED.birthDate, 'field 4 (birth date)', dobText, todayKey);
  if (dob !== undefined) {
    subject.dob = toIsoDate(dob);
    details.push({ label: 'Birth year', value: String(dob.year) });
  }

  // Field 5: sex.
  const sex = parseSex(sexText);
  if (sex === undefined) {
    log.fail('sex', 'schema-invalid', `field 5 (sex) ${scannerEncodingProblem(sexText) ?? `${quoteShort(sexText)} is not Nam or Nữ`}`);
  } else {
    log.passed(PASSED.sex);
    subject.sex = sex;
    details.push({ label: 'Sex', value: sex === 'M' ? 'Nam' : 'Nữ' });
  }

  // Field 6: address, size only (never kept).
  // Never more code points than UTF-16 units: only a long field needs counting.
  const addressLength = address.length > MAX_ADDRESS ? codePointLength(address) : address.length;
  if (addressLength > MAX_ADDRESS) {
    log.fail('address', 'schema-invalid', `field 6 (address) is ${addressLength} characters, over ${MAX_ADDRESS}`);
  } else {
    log.passed(PASSED.address);
  }

  // Field 7: issue date, a real date, not before birth, not after today.
  const issued = checkDate(log, PASSED.issueDate, 'field 7 (issue date)', issueText, todayKey);
  if (issued !== undefined) {
    if (dob !== undefined && dateKey(issued) < dateKey(dob)) {
      log.fail('issue-date', 'schema-invalid', 'field 7 (issue date) is before the birth date');
    } else {
      details.push({ label: 'Issued', value: `${issueText.slice(0, 2)}/${issueText.slice(2, 4)}/${issueText.slice(4)}` });
    }
  }

  // Field 8 (some cards): content unknown, size only.
  if (extra !== undefined) {
    const extraLength = extra.length > MAX_EXTRA ? codePointLength(extra) : extra.length;
    if (extraLength > MAX_EXTRA) {
      log.fail('extra-field', 'schema-invalid', `field 8 is ${extraLength} characters, over ${MAX_EXTRA}`);
    } else {
      log.passed(PASSED.extra);
    }
  }

  // The ID number encodes century, sex and birth year: they must agree with the card.
  if (idOk && dob !== undefined && sex !== undefined) {
    const problems = crossCheckIdNumber(idNo, dob.year, sex);
    if (problems.length > 0) log.fail('id-consistency', 'inconsistent-id', problems.join('; '));
    else log.passed(PASSED.consistent);
  }
  return result();
}

/**
 * Checks a DDMMYYYY field; logs `passed` or a schema-invalid failure of the same step, returns the
 * date if valid. `field` names the field; the quoted value is added to the message only on a failure.
 */
function checkDate(log: StepLog, passed: ReturnType<typeof passStep>, field: string, text: string, todayKey: number): CalendarDate | undefined {
  const step = passed.step;
  const parsed = parseDdMmYyyy(text);
  if (typeof parsed === 'string') {
    log.fail(step, 'schema-invalid', `${field} ${quoteShort(text)} ${parsed}`);
    return undefined;
  }
  if (dateKey(parsed) > todayKey) {
    log.fail(step, 'schema-invalid', `${field} ${quoteShort(text)} is in the future`);
    return undefined;
  }
  log.passed(passed);
  return parsed;
}

/** True when every character is an ASCII digit (true for ''). */
function allDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

export const cccdFormat: CredentialFormat = {
  id: 'cccd',
  detect: (text) => (DETECT.test(text) || CARD_SHAPE.test(text)) && !looksLikeUnifiedQr(text),
  verify: (text, ctx) => verifyCccd(text, ctx),
};
