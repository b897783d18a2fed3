/**
 * Content validation of the DCC JSON, written from eu-dcc-schema 1.3.3 (DCC.schema.json,
 * DCC.Core.Types, DCC.Types, DCC.ValueSets): required fields, types, patterns, formats and
 * length bounds. Exactly one of `v`, `t`, `r`, each with exactly one entry. Additional properties
 * are allowed, as in the schema. When the trust bundle carries value sets (`dcc.valueSets`, keyed
 * by the EU value-set ids), membership of the coded fields is checked too, for each set present:
 * the EU test vectors expect schema validation to fail on a code outside its set.
 *
 * A birth date the pattern lets through but that cannot exist (1990-02-30, month 13) is refused
 * here too (birth-date.ts); one in the future or after the certificate's event needs the clock
 * and is refused by meaning.ts, also as schema-invalid.
 *
 * The first problem found is reported with the path of the field (e.g. `v[0].dt`).
 */
import type { JsonValue } from './json.js';
import { hasCountryLetters, isCalendarDate, isDobText, isIcaoName, isSchemaVersion } from './schema-patterns.js';
import { dateTimeMs } from '../time-rules.js';
import { dobSpan } from './birth-date.js';

export type DccGroup = 'v' | 't' | 'r';

export type SchemaResult = { ok: true; group: DccGroup } | { ok: false; field: string; message: string };

type JsonObject = { [key: string]: JsonValue };

class SchemaViolation extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * A date-time as the EU's CertLogic reads it (time-rules.ts dateTimeMs): RFC 3339, and also
 * without an offset (UTC) or with an offset written ±h, ±hh or ±hhmm, as certificates issued in
 * 2021 carry them. JSON Schema 2020-12 treats `format` as an annotation and the EU verifiers
 * accept these; refusing them rejected genuine certificates.
 */
function isDateTime(text: string): boolean {
  return dateTimeMs(text) !== undefined;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

interface StringRule {
  maxLength?: number;
  /** The schema's `pattern` (schema-patterns.ts: each check answers what its RegExp.test answers). */
  pattern?: (v: string) => boolean;
  format?: 'date' | 'date-time';
}

const NO_RULE: StringRule = {};

/** Code points of `v` (JSON Schema maxLength counts those, not UTF-16 units). */
function codePoints(v: string): number {
  let n = 0;
  for (const _ of v) n++;
  return n;
}

/** The field path is only built when there is a violation to report (this runs on every scan). */
function checkString(obj: JsonObject, key: string, path: string, required: boolean, rule: StringRule = NO_RULE): void {
  if (!has(obj, key)) {
    if (required) throw new SchemaViolation(`${path}.${key}`, 'is required');
    return;
  }
  const v = obj[key];
  if (typeof v !== 'string') throw new SchemaViolation(`${path}.${key}`, 'must be a string');
  // A string has at most as many code points as UTF-16 units: only a long one needs counting.
  if (rule.maxLength !== undefined && v.length > rule.maxLength && codePoints(v) > rule.maxLength) {
    throw new SchemaViolation(`${path}.${key}`, `is longer than ${rule.maxLength} characters`);
  }
  if (rule.pattern && !rule.pattern(v)) throw new SchemaViolation(`${path}.${key}`, 'does not match the required pattern');
  // Issuers in production (SG, some EU states) write a full date-time where the schema says
  // `format: date`; JSON Schema treats format as an annotation and the EU verifiers accept it,
  // so a date-time whose date part is real is accepted too.
  if (rule.format === 'date' && !isCalendarDate(v) && !isDateTime(v)) throw new SchemaViolation(`${path}.${key}`, 'is not a date (YYYY-MM-DD)');
  if (rule.format === 'date-time' && !isDateTime(v)) throw new SchemaViolation(`${path}.${key}`, 'is not a date-time (YYYY-MM-DDThh:mm:ss, offset optional)');
}

function checkDose(obj: JsonObject, key: string, path: string): void {
  if (!has(obj, key)) throw new SchemaViolation(`${path}.${key}`, 'is required');
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SchemaViolation(`${path}.${key}`, 'must be an integer');
  if (v < 1) throw new SchemaViolation(`${path}.${key}`, 'must be at least 1');
}

// Rules are module constants: the checks run on every scan.
const ISSUER: StringRule = { maxLength: 80 };
const CERT_ID: StringRule = { maxLength: 80 };
const TEXT_80: StringRule = { maxLength: 80 };
const DATE_RULE: StringRule = { format: 'date' };
const DATE_TIME_RULE: StringRule = { format: 'date-time' };
const COUNTRY_RULE: StringRule = { pattern: hasCountryLetters };
const ICAO_NAME: StringRule = { maxLength: 80, pattern: isIcaoName };
const VERSION_RULE: StringRule = { pattern: isSchemaVersion };
const DOB_RULE: StringRule = { pattern: isDobText };

function checkVaccination(e: JsonObject, p: string): void {
  checkString(e, 'tg', p, true);
  checkString(e, 'vp', p, true);
  checkString(e, 'mp', p, true);
  checkString(e, 'ma', p, true);
  checkDose(e, 'dn', p);
  checkDose(e, 'sd', p);
  checkString(e, 'dt', p, true, DATE_RULE);
  checkString(e, 'co', p, true, COUNTRY_RULE);
  checkString(e, 'is', p, true, ISSUER);
  checkString(e, 'ci', p, true, CERT_ID);
}

function checkTest(e: JsonObject, p: string): void {
  checkString(e, 'tg', p, true);
  checkString(e, 'tt', p, true);
  checkString(e, 'nm', p, false, TEXT_80);
  checkString(e, 'ma', p, false);
  checkString(e, 'sc', p, true, DATE_TIME_RULE);
  checkString(e, 'tr', p, true);
  checkString(e, 'tc', p, false, TEXT_80);
  checkString(e, 'co', p, true, COUNTRY_RULE);
  checkString(e, 'is', p, true, ISSUER);
  checkString(e, 'ci', p, true, CERT_ID);
}

function checkRecovery(e: JsonObject, p: string): void {
  checkString(e, 'tg', p, true);
  checkString(e, 'fr', p, true, DATE_RULE);
  checkString(e, 'co', p, true, COUNTRY_RULE);
  checkString(e, 'is', p, true, ISSUER);
  checkString(e, 'df', p, true, DATE_RULE);
  checkString(e, 'du', p, true, DATE_RULE);
  checkString(e, 'ci', p, true, CERT_ID);
}

function checkName(dcc: JsonObject): void {
  const nam = dcc['nam'];
  if (!has(dcc, 'nam')) throw new SchemaViolation('nam', 'is required');
  if (!isObject(nam)) throw new SchemaViolation('nam', 'must be an object');
  if (!has(nam, 'fnt') && !has(nam, 'gnt')) throw new SchemaViolation('nam', 'needs fnt or gnt');
  checkString(nam, 'fn', 'nam', false, TEXT_80);
  checkString(nam, 'fnt', 'nam', false, ICAO_NAME);
  checkString(nam, 'gn', 'nam', false, TEXT_80);
  checkString(nam, 'gnt', 'nam', false, ICAO_NAME);
}

const ENTRY_CHECKS: Record<DccGroup, (e: JsonObject, path: string) => void> = {
  v: checkVaccination,
  t: checkTest,
  r: checkRecovery,
};

/** Coded field → EU value-set id (ehn-dcc-development/ehn-dcc-valuesets), per group. */
export const VALUE_SET_FIELDS: Record<DccGroup, Record<string, string>> = {
  v: {
    tg: 'disease-agent-targeted',
    vp: 'sct-vaccines-covid-19',
    mp: 'vaccines-covid-19-names',
    ma: 'vaccines-covid-19-auth-holders',
    co: 'country-2-codes',
  },
  t: {
    tg: 'disease-agent-targeted',
    tt: 'covid-19-lab-test-type',
    tr: 'covid-19-lab-result',
    ma: 'covid-19-lab-test-manufacturer-and-name',
    co: 'country-2-codes',
  },
  r: { tg: 'disease-agent-targeted', co: 'country-2-codes' },
};

/** Value sets as the trust index holds them: id → codes. */
export type ValueSets = Readonly<Record<string, readonly string[]>>;

const setCache = new WeakMap<readonly string[], ReadonlySet<string>>();
function codesOf(list: readonly string[]): ReadonlySet<string> {
  let set = setCache.get(list);
  if (!set) {
    set = new Set(list);
    setCache.set(list, set);
  }
  return set;
}

/** VALUE_SET_FIELDS as [field, set id] pairs, listed once. */
const VALUE_SET_ENTRIES: Record<DccGroup, readonly (readonly [string, string])[]> = {
  v: Object.entries(VALUE_SET_FIELDS.v),
  t: Object.entries(VALUE_SET_FIELDS.t),
  r: Object.entries(VALUE_SET_FIELDS.r),
};

function checkValueSets(entry: JsonObject, group: DccGroup, path: string, valueSets: ValueSets): void {
  for (const [field, setId] of VALUE_SET_ENTRIES[group]) {
    if (!Object.prototype.hasOwnProperty.call(valueSets, setId) || !has(entry, field)) continue;
    const codes = valueSets[setId];
    const value = entry[field];
    if (!Array.isArray(codes) || typeof value !== 'string') continue;
    if (!codesOf(codes).has(value)) {
      const shown = value.length <= 40 ? JSON.stringify(value) : `(${value.length} characters)`;
      throw new SchemaViolation(`${path}.${field}`, `${shown} is not in the value set ${setId}`);
    }
  }
}

/** The one group (v, t or r) the DCC declares; a violation naming them when it is not exactly one. */
function onlyGroup(dcc: JsonObject): DccGroup {
  const v = has(dcc, 'v');
  const t = has(dcc, 't');
  const r = has(dcc, 'r');
  if (v && !t && !r) return 'v';
  if (t && !v && !r) return 't';
  if (r && !v && !t) return 'r';
  const groups: DccGroup[] = [];
  if (v) groups.push('v');
  if (t) groups.push('t');
  if (r) groups.push('r');
  throw new SchemaViolation(groups.length ? groups.join('/') : 'v/t/r', 'exactly one of v, t, r is required');
}

/** Path of the one entry of each group, for violations. */
const ENTRY_PATH: Record<DccGroup, string> = { v: 'v[0]', t: 't[0]', r: 'r[0]' };

function check(dcc: JsonValue, valueSets?: ValueSets): DccGroup {
  if (!isObject(dcc)) throw new SchemaViolation('$', 'DCC must be an object');
  const group = onlyGroup(dcc);
  checkString(dcc, 'ver', '', true, VERSION_RULE);
  checkName(dcc);
  checkString(dcc, 'dob', '', true, DOB_RULE);
  const dob = dobSpan(dcc['dob'] as string);
  if (dob !== undefined && 'problem' in dob) throw new SchemaViolation('dob', dob.problem);
  const entries = dcc[group];
  if (!Array.isArray(entries)) throw new SchemaViolation(group, 'must be an array');
  if (entries.length !== 1) throw new SchemaViolation(group, 'must hold exactly one entry');
  const entry = entries[0];
  const at = ENTRY_PATH[group];
  if (!isObject(entry)) throw new SchemaViolation(at, 'must be an object');
  ENTRY_CHECKS[group](entry, at);
  if (valueSets) checkValueSets(entry, group, at, valueSets);
  return group;
}

/** The three successful results, made once (frozen: every scan returns one of them). */
const VALID: Record<DccGroup, SchemaResult> = {
  v: Object.freeze({ ok: true, group: 'v' }),
  t: Object.freeze({ ok: true, group: 't' }),
  r: Object.freeze({ ok: true, group: 'r' }),
};

/**
 * Validates a DCC JSON object against eu-dcc-schema 1.3.x and, when given, the value sets (only
 * the sets present are checked). Never throws.
 */
export function validateDccSchema(dcc: JsonValue, valueSets?: ValueSets): SchemaResult {
  try {
    return VALID[check(dcc, valueSets)];
  } catch (err) {
    if (err instanceof SchemaViolation) return { ok: false, field: err.field.replace(/^\./, ''), message: err.message };
    throw err;
  }
}
