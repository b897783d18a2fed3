/**
 * Unified personal QR of Decision 1405/QĐ-BTTTT (docs/FORMATS.md):
 *   SoGiayTo|HoTen|NgaySinh|LoaiDinhDanh|QID[|EXT]
 * ID number (CCCD 12 digits, CMND 9, passport-like alphanumerics; '*' allowed in the first 6
 * characters), name in upper case without diacritics (other case accepted and upper-cased),
 * birth date YYYY-MM-DD with whole components possibly masked, declaration type 0 (self) /
 * 1 (on behalf), QID from the national platform, EXT optional. Unsigned: validity means
 * well-formed; the QID and an unmasked ID number go to the status list.
 *
 * An empty SoGiayTo (someone without an ID document, e.g. a child declared on behalf) is
 * accepted: the QID then stands in as the ID (idType 'qid').
 *
 * Reasons: 'too-large', 'unreadable' (no content / control characters), 'schema-invalid',
 * 'inconsistent-id' (an unmasked 12-digit CCCD number whose century/year digits disagree with
 * the birth year). EXT is checked for size only and never kept.
 */
import type { DisplayLine, Subject } from '../../shared/types.js';
import type { CredentialFormat, VerifyContext, VerifyResult } from '../types.js';
import {
  StepLog,
  identityResult,
  readPipeFields,
  codePointLength,
  looksLikeUnifiedQr,
  maskIdNumber,
  nameProblem,
  pipeFieldsDedup,
  pipeFieldsText,
  quoteShort,
  vietnamTodayKey,
} from '../text.js';
import { checkProvinceCode, crossCheckIdNumber } from '../cccd/id-number.js';
import { provinceName } from '../cccd/provinces.js';
import { parseMaskedDate, partialIsoDate } from './masked-date.js';
import { DedupText } from '../dedup-text.js';
import type { MaskedDate } from './masked-date.js';

const MAX_NAME = 100;
const MAX_EXT = 256;
/** ID numbers: 6..20 characters (CMND 9, CCCD 12, passports 8-9; room for foreign documents). */
const ID_PATTERN = /^[0-9A-Z*]{6,20}$/;
/** QID: the platform's identifier; its exact layout is not public, so: alphanumeric, 4..64. */
const QID_PATTERN = /^[0-9A-Za-z]{4,64}$/;
const SMALL_LETTER = /[a-z]/;
/** '*' may mask only the first 6 characters of the ID number. */
const MASKABLE_PREFIX = 6;

type IdType = NonNullable<Subject['idType']>;

/** The document type from the ID's shape ('*' counts as a digit). */
function idTypeOf(id: string): IdType {
  if (/^[0-9*]{12}$/.test(id)) return 'cccd';
  if (/^[0-9*]{9}$/.test(id)) return 'cmnd';
  if (/[A-Z]/.test(id)) return 'passport';
  return 'other';
}

export function verifyVnqr(text: string, ctx: VerifyContext): VerifyResult {
  const read = readPipeFields('vnqr', text, 6);
  if ('result' in read) return read.result;
  const fields = read.fields;

  const log = new StepLog();
  const subject: Subject = {};
  const statusKeys: string[] = [];
  const details: DisplayLine[] = [];
  // One text for every spelling of the card: the ID number and the name are read upper-cased (below).
  const id = fields[0]!;
  const nameField = fields[1];
  const lowerCase = nameField !== undefined && (id !== id.toUpperCase() || nameField !== nameField.toUpperCase());
  const dedupText = lowerCase ? new DedupText(() => pipeFieldsText([id.toUpperCase(), nameField.toUpperCase(), ...fields.slice(2)])) : pipeFieldsDedup(text, fields);
  const result = identityResult('vnqr', 'Unified personal QR', log, subject, statusKeys, details, dedupText);

  if (fields.length !== 5 && fields.length !== 6) {
    log.fail('fields', 'schema-invalid', `expected 5 or 6 fields separated by '|', got ${fields.length}`);
    return result();
  }
  log.pass('fields', `${fields.length} fields`);
  const [rawId = '', rawName = '', dobText = '', declType = '', qid = ''] = fields;
  const ext = fields[5];

  // Field 1: ID number (uppercase letters for passports; lower case accepted).
  const idNo = rawId.toUpperCase();
  const masked = idNo.includes('*');
  let idOk = false;
  if (idNo === '') {
    log.pass('id-number', 'none: the QID identifies the person');
  } else if (!ID_PATTERN.test(idNo)) {
    log.fail('id-number', 'schema-invalid', `field 1 (ID number) must be 6-20 letters, digits or '*', got ${idNo.length} characters`);
  } else if (idNo.lastIndexOf('*') >= MASKABLE_PREFIX) {
    log.fail('id-number', 'schema-invalid', `field 1 (ID number) may be masked with '*' only in its first ${MASKABLE_PREFIX} characters`);
  } else if (/^\*+$/.test(idNo)) {
    log.fail('id-number', 'schema-invalid', 'field 1 (ID number) is entirely masked');
  } else {
    const type = idTypeOf(idNo);
    const provinceProblem = type === 'cccd' ? checkProvinceCode(idNo) : undefined;
    if (provinceProblem !== undefined) {
      log.fail('id-number', 'schema-invalid', `field 1 (ID number): ${provinceProblem}`);
    } else {
      idOk = true;
      log.pass('id-number', `${type}${masked ? ', masked' : ''}`);
      subject.idType = type;
      subject.idNo = idNo;
      details.push({ label: 'ID number', value: maskIdNumber(idNo) });
      const province = type === 'cccd' ? provinceName(idNo.slice(0, 3)) : undefined;
      if (province !== undefined) details.push({ label: 'Province', value: province });
    }
  }

  // Field 2: name, upper-cased (the format's convention).
  const name = rawName.toUpperCase();
  const badName = nameProblem(name, MAX_NAME);
  if (badName !== undefined) {
    log.fail('name', 'schema-invalid', `field 2 (name) ${badName}`);
  } else {
    log.pass('name');
    subject.name = name;
  }

  // Field 3: birth date, whole components possibly masked.
  let dob: MaskedDate | undefined;
  const parsedDob = parseMaskedDate(dobText, vietnamTodayKey(ctx.now));
  if (typeof parsedDob === 'string') {
    log.fail('birth-date', 'schema-invalid', `field 3 (birth date) ${quoteShort(dobText)} ${parsedDob}`);
  } else {
    dob = parsedDob;
    log.pass('birth-date', dob.year === undefined ? 'year masked' : undefined);
    const iso = partialIsoDate(dob);
    if (iso !== undefined) subject.dob = iso;
    if (dob.year !== undefined) details.push({ label: 'Birth year', value: String(dob.year) });
  }

  // Field 4: declaration type.
  if (declType === '0' || declType === '1') {
    log.pass('declaration-type', declType === '0' ? 'self' : 'on behalf');
    details.push({ label: 'Declared', value: declType === '0' ? 'self' : 'on behalf' });
  } else {
    log.fail('declaration-type', 'schema-invalid', `field 4 (declaration type) ${quoteShort(declType)} is not 0 or 1`);
  }

  // Field 5: QID, the key for the status list.
  if (QID_PATTERN.test(qid)) {
    log.pass('qid');
    subject.altId = qid;
    statusKeys.push(qid);
    // Looked up in capitals too, as the ID number is read (field 1): a QID shown or typed in small
    // letters missed its status entry written as issued ('Q0012088HUNG').
    if (SMALL_LETTER.test(qid)) statusKeys.push(qid.toUpperCase());
    if (idNo === '') {
      subject.idType = 'qid';
      subject.idNo = qid;
    }
  } else {
    const what = qid === '' ? 'is empty' : `must be 4-64 letters or digits, got ${qid.length} characters`;
    log.fail('qid', 'schema-invalid', `field 5 (QID) ${what}`);
  }
  if (idOk && !masked && !statusKeys.includes(idNo)) statusKeys.push(idNo);

  // Field 6 (optional): extension data, size only.
  if (ext !== undefined) {
    const extLength = codePointLength(ext);
    if (extLength > MAX_EXT) log.fail('ext', 'schema-invalid', `field 6 (EXT) is ${extLength} characters, over ${MAX_EXT}`);
    else log.pass('ext', ext === '' ? 'empty' : undefined);
  }

  // A 12-digit CCCD number encodes the birth century and year: check what is unmasked.
  if (idOk && subject.idType === 'cccd' && dob?.year !== undefined) {
    if (idNo.charAt(3) === '*') {
      log.pass('id-consistency', 'century digit masked: not checked');
    } else {
      const problems = crossCheckIdNumber(idNo, dob.year);
      if (problems.length > 0) log.fail('id-consistency', 'inconsistent-id', problems.join('; '));
      else log.pass('id-consistency', 'century and birth year digits agree where unmasked');
    }
  }
  return result();
}

export const vnqrFormat: CredentialFormat = {
  id: 'vnqr',
  detect: (text) => looksLikeUnifiedQr(text),
  verify: (text, ctx) => verifyVnqr(text, ctx),
};
