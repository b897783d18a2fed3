/**
 * Shape check of the "decl" claim. Input is the decoded CBOR (maps are `Map`s with text keys);
 * the issuer runs the same check on plain objects before signing. Returns the typed declaration
 * or the first problem, named by path (`health.symptoms[2]: expected text`).
 */
import type { CborValue } from '../cose/cbor.js';
import { displaySpoofChar, startsWithRealDate } from '../text.js';
import { DECLARATION_LIMITS as L } from './types.js';
import type { Declaration, DeclarationIdType, TestResult } from './types.js';

const ID_TYPES: readonly DeclarationIdType[] = ['cccd', 'cmnd', 'passport', 'qid', 'other'];
const TEST_RESULTS: readonly TestResult[] = ['positive', 'negative', 'inconclusive'];
const PARTIAL_DATE = /^\d{4}(-\d{2}(-\d{2})?)?$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

class Invalid extends Error {}

type Node = CborValue | Record<string, unknown> | unknown;

/** A CBOR map, or (issuing side) a plain object. CborTag/CborSimple instances are neither. */
function isMapLike(node: Node): boolean {
  if (node instanceof Map) return true;
  if (typeof node !== 'object' || node === null) return false;
  const proto: unknown = Object.getPrototypeOf(node);
  return proto === Object.prototype || proto === null;
}

function expectMap(node: Node, path: string): Node {
  if (!isMapLike(node)) throw new Invalid(`${path}: expected a map`);
  return node;
}

/** Member `key` of a map checked by expectMap (own properties only for plain objects). */
function field(node: Node, key: string): Node {
  if (node instanceof Map) return node.get(key) as Node;
  return Object.prototype.hasOwnProperty.call(node, key) ? (node as Record<string, unknown>)[key] : undefined;
}

function text(node: Node, path: string, max: number): string {
  if (typeof node !== 'string') throw new Invalid(`${path}: expected text`);
  if (node.trim().length === 0) throw new Invalid(`${path}: must not be empty`);
  if (node.length > max) throw new Invalid(`${path}: longer than ${max} characters`);
  const spoof = displaySpoofChar(node);
  if (spoof) throw new Invalid(`${path}: contains the invisible or control character ${spoof}`);
  return node;
}

/** text() for symptom `i`: the path is written only for a problem (symptoms are read on every scan). */
function symptomText(node: Node, i: number): string {
  if (typeof node === 'string' && node.length <= L.symptomChars && node.trim().length > 0 && displaySpoofChar(node) === undefined) return node;
  return text(node, `decl.health.symptoms[${i}]`, L.symptomChars);
}

function oneOf<T extends string>(node: Node, path: string, allowed: readonly T[]): T {
  if (typeof node !== 'string' || !(allowed as readonly string[]).includes(node)) {
    throw new Invalid(`${path}: expected one of ${allowed.join(', ')}`);
  }
  return node as T;
}

function pattern(node: Node, path: string, re: RegExp, what: string): string {
  if (typeof node !== 'string' || node.length > 40 || !re.test(node)) throw new Invalid(`${path}: expected ${what}`);
  return node;
}

/** The clock parts of a date-time ISO_TIME matched: hour, minute, second, offset hours and minutes. */
const TIME_PARTS = /T(\d{2}):(\d{2})(?::(\d{2}))?[^Z+-]*(?:Z|[+-](\d{2}):?(\d{2}))?$/;

/**
 * `value` (matched ISO_TIME) when its clock exists too: hour 00–23, minute 00–59, second 00–60
 * (a leap second), offset at most 23:59. "2022-05-30T99:99" matched the shape and was shown to the
 * officer as the time of a positive test.
 */
function realTime(value: string, path: string): string {
  const m = TIME_PARTS.exec(value);
  if (m && (Number(m[1]) > 23 || Number(m[2]) > 59 || Number(m[3] ?? 0) > 60 || Number(m[4] ?? 0) > 23 || Number(m[5] ?? 0) > 59)) {
    throw new Invalid(`${path}: ${JSON.stringify(value)} is not a real time`);
  }
  return value;
}

/** `value` (matched YYYY[-MM[-DD]]…) when its month and day exist: 1990-02-31 or 1990-13 would be shown and stored as a birth date. */
function realDate(value: string, path: string): string {
  const month = value.length >= 7 ? Number(value.slice(5, 7)) : 1;
  if (month < 1 || month > 12 || !startsWithRealDate(value)) throw new Invalid(`${path}: ${JSON.stringify(value)} is not a real date`);
  return value;
}

/** Validates `decl` (CBOR map or plain object). `v` must be 1. */
export function readDeclaration(decl: Node): { ok: true; decl: Declaration } | { ok: false; detail: string } {
  try {
    expectMap(decl, 'decl');
    if (field(decl, 'v') !== 1) throw new Invalid('decl.v: unsupported version (expected 1)');
    const id = text(field(decl, 'id'), 'decl.id', L.idChars);

    const sub = expectMap(field(decl, 'sub'), 'decl.sub');
    const subject = {
      idType: oneOf(field(sub, 'idType'), 'decl.sub.idType', ID_TYPES),
      idNo: text(field(sub, 'idNo'), 'decl.sub.idNo', L.idNoChars),
      name: text(field(sub, 'name'), 'decl.sub.name', L.nameChars),
      dob: realDate(pattern(field(sub, 'dob'), 'decl.sub.dob', PARTIAL_DATE, 'a date YYYY[-MM[-DD]]'), 'decl.sub.dob'),
    };

    const trip = expectMap(field(decl, 'trip'), 'decl.trip');
    const journey = {
      from: text(field(trip, 'from'), 'decl.trip.from', L.placeChars),
      to: text(field(trip, 'to'), 'decl.trip.to', L.placeChars),
      purpose: text(field(trip, 'purpose'), 'decl.trip.purpose', L.purposeChars),
    };

    const health = expectMap(field(decl, 'health'), 'decl.health');
    const rawSymptoms = field(health, 'symptoms');
    if (!Array.isArray(rawSymptoms)) throw new Invalid('decl.health.symptoms: expected a list');
    if (rawSymptoms.length > L.symptoms) throw new Invalid(`decl.health.symptoms: more than ${L.symptoms} items`);
    const symptoms = rawSymptoms.map(symptomText);
    const exposure = field(health, 'exposure');
    if (typeof exposure !== 'boolean') throw new Invalid('decl.health.exposure: expected true or false');
    const result: Declaration = { id, sub: subject, trip: journey, health: { symptoms, exposure } };

    const test = field(health, 'test');
    if (test !== undefined) {
      expectMap(test, 'decl.health.test');
      result.health.test = {
        result: oneOf(field(test, 'result'), 'decl.health.test.result', TEST_RESULTS),
        at: realTime(realDate(pattern(field(test, 'at'), 'decl.health.test.at', ISO_TIME, 'an ISO date or time'), 'decl.health.test.at'), 'decl.health.test.at'),
      };
    }
    return { ok: true, decl: result };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, detail: err.message };
    throw err;
  }
}
