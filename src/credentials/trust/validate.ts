/**
 * Small typed checks for walking untrusted JSON with a path, so every error can say exactly where
 * it is (`dcc.signers[3].certificate: ...`). Each returns the narrowed value or throws
 * TrustBundleError via invalidAt().
 */
import { TrustBundleError, invalidAt } from './errors.js';
import { dollarPath, firstUnknownKey, unknownKeyMessage } from '../../shared/known-keys.js';

export type JsonObject = Record<string, unknown>;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing (the key is missing)';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

export function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

export function expectObject(value: unknown, path: string): JsonObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidAt(path, `expected an object, got ${describe(value)}`);
  }
  return value as JsonObject;
}

/** An optional object member: undefined when absent. */
export function optionalObject(parent: JsonObject, key: string, path: string): JsonObject | undefined {
  const value = parent[key];
  return value === undefined ? undefined : expectObject(value, child(path, key));
}

export function expectArray(value: unknown, path: string, maxItems: number): unknown[] {
  if (!Array.isArray(value)) throw invalidAt(path, `expected an array, got ${describe(value)}`);
  if (value.length > maxItems) throw invalidAt(path, `too many items (${value.length} > ${maxItems})`);
  return value;
}

export function expectString(value: unknown, path: string, maxChars: number, minChars = 1): string {
  if (typeof value !== 'string') throw invalidAt(path, `expected a string, got ${describe(value)}`);
  if (value.length < minChars) throw invalidAt(path, 'must not be empty');
  if (value.length > maxChars) throw invalidAt(path, `too long (${value.length} > ${maxChars} characters)`);
  return value;
}

export function optionalString(parent: JsonObject, key: string, path: string, maxChars: number): string | undefined {
  const value = parent[key];
  return value === undefined ? undefined : expectString(value, child(path, key), maxChars);
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** An ISO 8601 date or date-time (a time without zone is read as UTC); returns epoch milliseconds. */
export function expectIsoTime(value: unknown, path: string): number {
  const text = expectString(value, path, 40);
  if (ISO_TIME.test(text)) {
    const ms = Date.parse(/T\d{2}:\d{2}(:[\d.]+)?$/.test(text) ? `${text}Z` : text);
    if (Number.isFinite(ms)) return ms;
  }
  throw invalidAt(path, 'not a valid ISO 8601 time (e.g. 2026-11-25T00:00:00Z)');
}

/**
 * Refuses an object of our own bundle format holding a key that is not in `known` (a typo such as
 * `stauts` would otherwise drop a whole section silently). Message:
 * `trust bundle: unknown key "stauts" at $ (did you mean "status"?)`.
 */
export function expectKnownKeys(obj: JsonObject, path: string, known: readonly string[]): void {
  const key = firstUnknownKey(obj, known);
  if (key === undefined) return;
  throw new TrustBundleError(`trust bundle: ${unknownKeyMessage(key, dollarPath(path), known)}`, { path });
}
