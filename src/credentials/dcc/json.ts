/**
 * Converts the decoded hcert CBOR (claim -260 → 1) into the JSON object the schema and CertLogic
 * rules expect. Only JSON-shaped data passes: text-keyed maps, arrays, text, finite numbers,
 * booleans and null; date tags 0 (text) and 1 (epoch seconds) become ISO text. Anything else
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

export function cborToJson(value: CborValue, path = ''): JsonValue {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new DccJsonError(path, 'number is not finite');
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => cborToJson(v, join(path, i)));
  if (isCborMap(value)) {
    const out: { [key: string]: JsonValue } = {};
    for (const [k, v] of value) {
      if (typeof k !== 'string') throw new DccJsonError(path, 'map key is not text');
      const converted = cborToJson(v, join(path, k));
      // A key named "__proto__" must stay data, not change the prototype (defineProperty is
      // slow, so only for that key).
      if (k === '__proto__') Object.defineProperty(out, k, { value: converted, enumerable: true, writable: true, configurable: true });
      else out[k] = converted;
    }
    return out;
  }
  if (value instanceof CborTag) {
    if (value.tag === 0 && typeof value.value === 'string') return value.value;
    if (value.tag === 1 && typeof value.value === 'number' && Number.isFinite(value.value)) {
      const d = new Date(value.value * 1000);
      if (!Number.isNaN(d.getTime())) return d.toISOString().replace('.000Z', 'Z');
    }
    throw new DccJsonError(path, `unsupported CBOR tag ${value.tag}`);
  }
  throw new DccJsonError(path, 'value has no JSON equivalent');
}
