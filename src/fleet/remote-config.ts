/**
 * Remote configuration of a kiosk: what the central server may set on a device, as a JSON object.
 * The same shape travels inside a provisioning card (`prov.config`) and in the signed
 * configuration profile the kiosk fetches with its trust bundle. Every key is optional; unknown
 * keys are errors (a typo must not be silently ignored on a thousand devices).
 *
 *   policy                  checkpoint policy object (the `--policy FILE` format)
 *   checkpoint              checkpoint id, 1–64 of [A-Za-z0-9_.:-]
 *   direction               'in' | 'out'
 *   profile                 'venue' | 'booth'
 *   resultTimeoutSeconds    how long a verdict stays on screen, 1–120 s
 *   language                screen language, 'vi' | 'en'
 *   heartbeatSeconds        heartbeat period, 5–86400 s
 *   duplicateWindowMinutes  same person at the same kiosk within this → duplicate, 0–1440 min
 *   clockToleranceSeconds   tolerated kiosk/server clock difference before an alarm, 0–3600 s
 */
import { parsePolicy, PolicyError } from '../core/policy-file.js';
import type { Policy } from '../core/policy.js';
import type { Direction } from '../shared/types.js';
import { suggestion } from '../shared/known-keys.js';

export type KioskProfileName = 'venue' | 'booth';

export interface RemoteConfig {
  policy?: Record<string, unknown>;
  checkpoint?: string;
  direction?: Direction;
  profile?: KioskProfileName;
  resultTimeoutSeconds?: number;
  language?: 'vi' | 'en';
  heartbeatSeconds?: number;
  duplicateWindowMinutes?: number;
  clockToleranceSeconds?: number;
}

export class RemoteConfigError extends Error {
  override readonly name = 'RemoteConfigError';
}

/** Largest configuration accepted, as JSON text (bytes). A policy is well under this. */
export const MAX_REMOTE_CONFIG_BYTES = 32 * 1024;

export const CHECKPOINT_ID = /^[\w.:-]{1,64}$/;

const RANGES = {
  resultTimeoutSeconds: [1, 120],
  heartbeatSeconds: [5, 86_400],
  duplicateWindowMinutes: [0, 1440],
  clockToleranceSeconds: [0, 3600],
} as const;

const KEYS = ['policy', 'checkpoint', 'direction', 'profile', 'resultTimeoutSeconds', 'language', 'heartbeatSeconds', 'duplicateWindowMinutes', 'clockToleranceSeconds'];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** RANGES as [key, [min, max]] pairs, listed once (a provisioning card's config is read on every card scan). */
const RANGE_ENTRIES = Object.entries(RANGES);

/** Throws the RemoteConfigError naming `key` under `source` (module level: no closure per call). */
function failAt(source: string, key: string, problem: string): never {
  throw new RemoteConfigError(`${source}${key ? `.${key}` : ''}: ${problem}`);
}

/**
 * Validates `json` and returns it typed. Throws RemoteConfigError naming the key and the fix
 * (`config.direction: must be "in" or "out", got "up"`). `source` prefixes the message.
 */
export function parseRemoteConfig(json: unknown, source = 'config'): RemoteConfig {
  if (!isPlainObject(json)) failAt(source, '', 'must be a JSON object');
  const obj = json as Record<string, unknown>;
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(obj));
  } catch {
    return failAt(source, '', 'is not JSON-serialisable');
  }
  if (size > MAX_REMOTE_CONFIG_BYTES) failAt(source, '', `larger than ${MAX_REMOTE_CONFIG_BYTES} bytes`);
  for (const key of Object.keys(obj)) {
    if (KEYS.includes(key)) continue;
    const near = suggestion(key, KEYS);
    failAt(source, key, `is not a configuration key (${near === undefined ? `known: ${KEYS.join(', ')}` : `did you mean ${JSON.stringify(near)}?`})`);
  }
  const out: RemoteConfig = {};
  if (obj.policy !== undefined) {
    try {
      parsePolicy(obj.policy, `${source}.policy`);
    } catch (err) {
      if (err instanceof PolicyError) throw new RemoteConfigError(err.message);
      throw err;
    }
    out.policy = obj.policy as Record<string, unknown>;
  }
  if (obj.checkpoint !== undefined) {
    if (typeof obj.checkpoint !== 'string' || !CHECKPOINT_ID.test(obj.checkpoint)) failAt(source, 'checkpoint', 'must be 1-64 letters, digits or . _ : -');
    out.checkpoint = obj.checkpoint as string;
  }
  if (obj.direction !== undefined) {
    if (obj.direction !== 'in' && obj.direction !== 'out') failAt(source, 'direction', `must be "in" or "out", got ${JSON.stringify(obj.direction)}`);
    out.direction = obj.direction as Direction;
  }
  if (obj.profile !== undefined) {
    if (obj.profile !== 'venue' && obj.profile !== 'booth') failAt(source, 'profile', `must be "venue" or "booth", got ${JSON.stringify(obj.profile)}`);
    out.profile = obj.profile as KioskProfileName;
  }
  if (obj.language !== undefined) {
    if (obj.language !== 'vi' && obj.language !== 'en') failAt(source, 'language', `must be "vi" or "en", got ${JSON.stringify(obj.language)}`);
    out.language = obj.language as 'vi' | 'en';
  }
  for (const [key, [min, max]] of RANGE_ENTRIES) {
    const v = obj[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) failAt(source, key, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
    (out as Record<string, unknown>)[key] = v;
  }
  return out;
}

/**
 * The policy a configuration yields on top of `base`: its `policy` object (validated), then its
 * `duplicateWindowMinutes`, which wins over the policy's own value.
 */
export function policyOf(config: RemoteConfig, base: Policy): Policy {
  let policy = config.policy ? parsePolicy(config.policy, 'config.policy') : base;
  if (config.duplicateWindowMinutes !== undefined) policy = { ...policy, duplicateWindowMinutes: config.duplicateWindowMinutes };
  return policy;
}
