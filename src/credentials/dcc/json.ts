/**
 * Converts the decoded hcert CBOR (claim -260 → 1) into the JSON object the schema and CertLogic
 * rules expect. Only JSON-shaped data passes: text-keyed maps, arrays, text, finite numbers,
 * booleans and null; date tags 0 (text) and 1 (epoch seconds) of RFC 8949, and 1004 (full-date
 * text) and 100 (days since 1970) of RFC 8943, become ISO text. Anything else
 * (byte strings, integer keys, other tags) is reported with the path where it was found.
 */
import { CborTag, isCborMap } from '../cose/cbor.js';
import type { CborValue } from '../cose/cbor.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export class DccJsonError extends Error {
  override readonly name = 'DccJsonError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

/** Thrown by the fast conversion on any problem; the caller then redoes it with paths. */
const NOT_JSON = new Error('not JSON-shaped');

/** A key named "__proto__" must stay data, not change the prototype (defineProperty is slow, so only for that key). */
function setMember(out: { [key: string]: JsonValue }, k: string, v: JsonValue): void {
  if (k === '__proto__') Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  else out[k] = v;
}

/** The same conversion without building a path string per node (this runs on every scan). */
function toJsonFast(value: CborValue): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw NOT_JSON;
    return value;
  }
  if (Array.isArray(value)) {
    const out: JsonValue[] = new Array<JsonValue>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toJsonFast(value[i]);
    return out;
  }
  if (isCborMap(value)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of value) {
      if (typeof k !== 'string') throw NOT_JSON;
      setMember(out, k, toJsonFast(v));
    }
    return out;
  }
  if (value instanceof CborTag) {
    const text = tagToJson(value);
    if (text === undefined) throw NOT_JSON;
    return text;
  }
  throw NOT_JSON;
}

/** The date tags of RFC 8943: 1004 a full-date text, 100 days since 1970-01-01. */
const TAG_FULL_DATE = 1004;
const TAG_DAYS = 100;
/** Days since 1970 of 0000-01-01 and 9999-12-31: the four-digit years an ISO date writes plainly. */
const FIRST_DAY = -719_528;
const LAST_DAY = 2_932_896;

/**
 * Date tags as ISO text: 0 (date-time text) and 1 (epoch seconds) of RFC 8949, and 1004 (full-date
 * text) and 100 (days since 1970) of RFC 8943, which CBOR libraries may write for a date value and
 * the EU verifiers read past (they ignore tags): a `dob` or `dt` so tagged
 * was unreadable here. Undefined for anything else.
 */
export function tagToJson(value: CborTag): string | undefined {
  if ((value.tag === 0 || value.tag === TAG_FULL_DATE) && typeof value.value === 'string') return value.value;
  if (value.tag === TAG_DAYS && typeof value.value === 'number' && Number.isInteger(value.value) && value.value >= FIRST_DAY && value.value <= LAST_DAY) {
    return new Date(value.value * 86_400_000).toISOString().slice(0, 10);
  }
  if (value.tag === 1 && typeof value.value === 'number' && Number.isFinite(value.value)) {
    const d = new Date(value.value * 1000);
    if (!Number.isNaN(d.getTime())) return d.toISOString().replace('.000Z', 'Z');
  }
  return undefined;
}

/**
 * Converts the decoded hcert to JSON. Throws DccJsonError naming the path of the first value that
 * has no JSON equivalent (depth-first, in map order).
 */
export function cborToJson(value: CborValue): JsonValue {
  try {
    return toJsonFast(value);
  } catch (err) {
    if (err !== NOT_JSON) throw err;
    return toJsonWithPaths(value, '');
  }
}

function toJsonWithPaths(value: CborValue, path: string): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DccJsonError(path, 'number is not finite');
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => toJsonWithPaths(v, join(path, i)));
  if (isCborMap(value)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of value) {
      if (typeof k !== 'string') throw new DccJsonError(path, 'map key is not text');
      setMember(out, k, toJsonWithPaths(v, join(path, k)));
    }
    return out;
  }
  if (value instanceof CborTag) {
    const text = tagToJson(value);
    if (text === undefined) throw new DccJsonError(path, `unsupported CBOR tag ${value.tag}`);
    return text;
  }
  throw new DccJsonError(path, 'value has no JSON equivalent');
}
