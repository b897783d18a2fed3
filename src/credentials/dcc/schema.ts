/**
 * Content validation of the DCC JSON, written from eu-dcc-schema 1.3.3 (DCC.schema.json,
 * DCC.Core.Types, DCC.Types, DCC.ValueSets): required fields, types, patterns, formats and
 * length bounds. Exactly one of `v`, `t`, `r`, each with exactly one entry. Additional properties
 * are allowed, as in the schema. When the trust bundle carries value sets (`dcc.valueSets`, keyed
 * by the EU value-set ids), membership of the coded fields is checked too, for each set present:
 * the EU test vectors expect schema validation to fail on a code outside its set.
 *
 * The first problem found is reported with the path of the field (e.g. `v[0].dt`).
 */
import type { JsonValue } from './json.js';

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

/** RFC 3339 full-date with a real calendar check. */
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
/** RFC 3339 date-time: time-offset required, fractional seconds optional. */
const DATE_TIME = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Days per month outside February (which depends on the year); a constant: dates are checked on every scan. */
const DAYS_IN_MONTH: readonly number[] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isCalendarDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1) return false;
  if (mo === 2) return d <= (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28);
  return d <= DAYS_IN_MONTH[mo - 1]!;
}

function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m || !isCalendarDate(m[1]!)) return false;
  return Number(m[2]) <= 23 && Number(m[3]) <= 59 && Number(m[4]) <= 60 && Number(m[7] ?? 0) <= 23 && Number(m[8] ?? 0) <= 59;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function has(obj: JsonObject, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(obj, key);
}

interface StringRule {
  maxLength?: number;
  pattern?: RegExp;
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
  if (rule.pattern && !rule.pattern.test(v)) throw new SchemaViolation(`${path}.${key}`, 'does not match the required pattern');
  // Issuers in production (SG, some EU states) write a full date-time where the schema says
  // `format: date`; JSON Schema treats format as an annotation and the EU verifiers accept it,
  // so a date-time whose date part is real is accepted too.
  if (rule.format === 'date' && !isCalendarDate(v) && !isDateTime(v)) throw new SchemaViolation(`${path}.${key}`, 'is not a date (YYYY-MM-DD)');
  if (rule.format === 'date-time' && !isDateTime(v)) throw new SchemaViolation(`${path}.${key}`, 'is not a date-time with offset');
}

function checkDose(obj: JsonObject, key: string, path: string): void {
  if (!has(obj, key)) throw new SchemaViolation(`${path}.${key}`, 'is required');
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new SchemaViolation(`${path}.${key}`, 'must be an integer');
  if (v < 1) throw new SchemaViolation(`${path}.${key}`, 'must be at least 1');
}

// Unanchored, exactly as DCC.ValueSets.schema.json#country_vt states it.
const COUNTRY = /[A-Z]{1,10}/;
// Rules are module constants: the checks run on every scan.
const ISSUER: StringRule = { maxLength: 80 };
const CERT_ID: StringRule = { maxLength: 80 };
const TEXT_80: StringRule = { maxLength: 80 };
const DATE_RULE: StringRule = { format: 'date' };
const DATE_TIME_RULE: StringRule = { format: 'date-time' };
const COUNTRY_RULE: StringRule = { pattern: COUNTRY };
const ICAO_NAME: StringRule = { maxLength: 80, pattern: /^[A-Z<]*$/ };
const VERSION_RULE: StringRule = { pattern: /^\d+.\d+.\d+$/ };
const DOB_RULE: StringRule = { pattern: /^((19|20)\d\d(-\d\d){0,2}){0,1}$/ };

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

function check(dcc: JsonValue, valueSets?: ValueSets): DccGroup {
  if (!isObject(dcc)) throw new SchemaViolation('$', 'DCC must be an object');
  const groups: DccGroup[] = [];
  if (has(dcc, 'v')) groups.push('v');
  if (has(dcc, 't')) groups.push('t');
  if (has(dcc, 'r')) groups.push('r');
  if (groups.length !== 1) {
    throw new SchemaViolation(groups.length ? groups.join('/') : 'v/t/r', 'exactly one of v, t, r is required');
  }
  const group = groups[0]!;
  checkString(dcc, 'ver', '', true, VERSION_RULE);
  checkName(dcc);
  checkString(dcc, 'dob', '', true, DOB_RULE);
  const entries = dcc[group];
  if (!Array.isArray(entries)) throw new SchemaViolation(group, 'must be an array');
  if (entries.length !== 1) throw new SchemaViolation(group, 'must hold exactly one entry');
  const entry = entries[0];
  if (!isObject(entry)) throw new SchemaViolation(`${group}[0]`, 'must be an object');
  ENTRY_CHECKS[group](entry, `${group}[0]`);
  if (valueSets) checkValueSets(entry, group, `${group}[0]`, valueSets);
  return group;
}

/**
 * Validates a DCC JSON object against eu-dcc-schema 1.3.x and, when given, the value sets (only
 * the sets present are checked). Never throws.
 */
export function validateDccSchema(dcc: JsonValue, valueSets?: ValueSets): SchemaResult {
  try {
    return { ok: true, group: check(dcc, valueSets) };
  } catch (err) {
    if (err instanceof SchemaViolation) return { ok: false, field: err.field.replace(/^\./, ''), message: err.message };
    throw err;
  }
}
