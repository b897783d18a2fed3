/**
 * Reads and validates a checkpoint policy JSON file. Every problem is reported with the JSON
 * key it concerns, so a technician can fix the file without reading code.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import type { FormatId } from '../shared/types.js';
import { DEFAULT_POLICY, type Action, type Policy } from './policy.js';
import { firstUnknownKey, unknownKeyMessage } from '../shared/known-keys.js';
import { duplicateKeyMessage, firstDuplicateKey } from '../shared/duplicate-keys.js';
import { MAX_CLOCK_SKEW_SECONDS } from '../credentials/time-rules.js';

export class PolicyError extends Error {
  override name = 'PolicyError';
}

const FORMATS: readonly FormatId[] = ['dcc', 'shc', 'ckd1', 'cccd', 'vnqr'];
const ACTIONS: readonly Action[] = ['accept', 'refer', 'reject'];
const MAX_POLICY_BYTES = 64 * 1024;

/** Every key a policy file may hold; anything else is a usage error naming the nearest one. */
export const POLICY_KEYS: readonly (keyof Policy)[] = [
  'acceptFormats',
  'identityOnly',
  'declarationRequired',
  'healthFindings',
  'statusActions',
  'duplicateWindowMinutes',
  'clockSkewSeconds',
  'testMaxAgeHours',
];

export function parsePolicy(json: unknown, source = 'policy'): Policy {
  const fail = (key: string, problem: string): never => {
    throw new PolicyError(`${source}: "${key}" ${problem}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('(root)', 'must be a JSON object');
  const obj = json as Record<string, unknown>;
  const unknown = firstUnknownKey(obj, POLICY_KEYS);
  if (unknown !== undefined) throw new PolicyError(`${source}: ${unknownKeyMessage(unknown, '$', POLICY_KEYS)}`);

  const policy: Policy = { ...DEFAULT_POLICY, statusActions: { ...DEFAULT_POLICY.statusActions } };
  const action = (key: string, value: unknown): Action =>
    ACTIONS.includes(value as Action) ? (value as Action) : fail(key, `must be one of ${ACTIONS.join('|')}, got ${JSON.stringify(value)}`);

  if (obj.acceptFormats !== undefined) {
    if (!Array.isArray(obj.acceptFormats) || obj.acceptFormats.length === 0) fail('acceptFormats', 'must be a non-empty array');
    policy.acceptFormats = (obj.acceptFormats as unknown[]).map((f, i) =>
      FORMATS.includes(f as FormatId) ? (f as FormatId) : fail(`acceptFormats[${i}]`, `must be one of ${FORMATS.join('|')}, got ${JSON.stringify(f)}`),
    );
  }
  if (obj.identityOnly !== undefined) policy.identityOnly = action('identityOnly', obj.identityOnly);
  if (obj.healthFindings !== undefined) policy.healthFindings = action('healthFindings', obj.healthFindings);
  if (obj.declarationRequired !== undefined) {
    if (typeof obj.declarationRequired !== 'boolean') fail('declarationRequired', 'must be true or false');
    policy.declarationRequired = obj.declarationRequired as boolean;
  }
  if (obj.statusActions !== undefined) {
    const sa = obj.statusActions;
    if (typeof sa !== 'object' || sa === null || Array.isArray(sa)) fail('statusActions', 'must be an object of status → accept|refer|reject');
    for (const [status, value] of Object.entries(sa as Record<string, unknown>)) {
      if (!/^(\*|[\w.-]{1,32})$/.test(status)) fail(`statusActions.${status}`, 'is not a valid status name');
      // defineProperty, not assignment: `statusActions["__proto__"] = …` would set the prototype
      // (a no-op for a string) instead of adding the entry the file asks for.
      Object.defineProperty(policy.statusActions, status, { value: action(`statusActions.${status}`, value), enumerable: true, writable: true, configurable: true });
    }
  }
  if (obj.duplicateWindowMinutes !== undefined) {
    const m = obj.duplicateWindowMinutes;
    if (typeof m !== 'number' || !Number.isFinite(m) || m < 0 || m > 24 * 60) fail('duplicateWindowMinutes', 'must be a number of minutes between 0 and 1440');
    policy.duplicateWindowMinutes = m as number;
  }
  if (obj.clockSkewSeconds !== undefined) {
    const v = obj.clockSkewSeconds;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_CLOCK_SKEW_SECONDS) {
      fail('clockSkewSeconds', `must be a whole number of seconds between 0 and ${MAX_CLOCK_SKEW_SECONDS}`);
    }
    policy.clockSkewSeconds = v as number;
  }
  if (obj.testMaxAgeHours !== undefined) {
    const v = obj.testMaxAgeHours;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > 24 * 365) fail('testMaxAgeHours', 'must be a number of hours above 0 and at most 8760');
    policy.testMaxAgeHours = v as number;
  }
  return policy;
}

export function readPolicyFile(path: string): Policy {
  let bytes: Buffer;
  try {
    bytes = readBounded(path, MAX_POLICY_BYTES);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file (check the path)' : code === 'EACCES' ? 'permission denied (check its owner and mode)' : code === 'EISDIR' ? 'it is a directory, not a JSON file' : (code ?? String(err));
    throw new PolicyError(`${path}: cannot read the policy file: ${why}`);
  }
  if (bytes.length > MAX_POLICY_BYTES) throw new PolicyError(`${path}: larger than ${MAX_POLICY_BYTES} bytes; a policy is a few lines of JSON (check the path)`);
  const text = bytes.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new PolicyError(`${path}: not valid JSON (${(err as Error).message})`);
  }
  const dup = firstDuplicateKey(text);
  if (dup) throw new PolicyError(`${path}: ${duplicateKeyMessage(dup)}`);
  return parsePolicy(json, path);
}

/**
 * Reads at most `max + 1` bytes of `path`: enough to tell an over-long file from one at
 * the limit without reading (or holding) a 60 MB file, or a device that never ends, first.
 * Throws the fs error (ENOENT, EACCES, EISDIR …) as readFileSync would.
 */
function readBounded(path: string, max: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(max + 1);
    let used = 0;
    while (used < buf.length) {
      const n = readSync(fd, buf, used, buf.length - used, null);
      if (n === 0) break;
      used += n;
    }
    return buf.subarray(0, used);
  } finally {
    closeSync(fd);
  }
}
