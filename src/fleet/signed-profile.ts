/**
 * The signed configuration profile a kiosk fetches from `GET /api/v1/config`: a compact JWS
 * (ES256, `typ: config-profile+jws`) made with the central root key, whose payload is
 * `{v: 1, deviceId, version, issuedAt, config}`. The kiosk verifies it with the root key pinned
 * at enrollment, checks it is addressed to itself, and validates `config` (unknown keys refused).
 */
import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader } from 'jose';
import { importEcP256PublicJwk } from '../credentials/trust/keys.js';
import { compactJwsProblem } from '../shared/base64url.js';
import { duplicateKeyMessage, firstDuplicateKey, jwsHeaderDuplicateKey } from '../shared/duplicate-keys.js';
import { MAX_REMOTE_CONFIG_BYTES, RemoteConfigError, parseRemoteConfig } from './remote-config.js';
import type { RemoteConfig } from './remote-config.js';

export interface ConfigProfile {
  deviceId: string;
  /** Server-wide increasing version; 0 = no profile applies. */
  version: number;
  issuedAt: string;
  config: RemoteConfig;
}

const MAX_JWS_CHARS = Math.ceil((MAX_REMOTE_CONFIG_BYTES * 4) / 3) + 2048;
const PAYLOAD_KEYS = ['v', 'deviceId', 'version', 'issuedAt', 'config'];

/** Signs a profile (validated first: the server never publishes what kiosks would refuse). */
export async function signConfigProfile(profile: ConfigProfile, rootPrivateKey: KeyObject): Promise<string> {
  parseRemoteConfig(profile.config);
  const payload = Buffer.from(JSON.stringify({ v: 1, ...profile }), 'utf8');
  return new CompactSign(payload).setProtectedHeader({ alg: 'ES256', typ: 'config-profile+jws' }).sign(rootPrivateKey);
}

/**
 * Verifies and validates a signed profile. Throws RemoteConfigError saying why: malformed JWS (a
 * part that is not canonical base64url included, RFC 7515 §2 / RFC 4648 §3.5),
 * not ES256, bad signature (other key or tampered), addressed to another device, malformed or
 * unknown configuration keys.
 */
export async function verifyConfigProfile(jws: string, rootPublicJwk: Record<string, unknown>, deviceId: string): Promise<ConfigProfile> {
  const refused = (why: string) => new RemoteConfigError(`configuration profile refused: ${why}`);
  if (typeof jws !== 'string' || jws.length > MAX_JWS_CHARS) throw refused(`not a JWS of at most ${MAX_JWS_CHARS} characters`);
  const compact = jws.trim();
  // jose decodes leniently (unused trailing bits ignored): one profile must have one spelling.
  const encoding = compactJwsProblem(compact);
  if (encoding !== undefined) throw refused(`malformed JWS ${encoding.part}: ${encoding.why}`);
  let header;
  try {
    header = decodeProtectedHeader(compact);
  } catch {
    throw refused('malformed JWS');
  }
  // jose's JSON.parse keeps the last of a repeated member: one header, one payload, one reading.
  const headerDup = jwsHeaderDuplicateKey(compact);
  if (headerDup) throw refused(`malformed JWS header: ${duplicateKeyMessage(headerDup)}`);
  if (header.alg !== 'ES256' || header.typ !== 'config-profile+jws') throw refused('not an ES256 config-profile+jws');
  let payload: Uint8Array;
  try {
    payload = (await compactVerify(compact, importEcP256PublicJwk(rootPublicJwk, 'root key').key, { algorithms: ['ES256'] })).payload;
  } catch {
    throw refused('signature does not verify with the pinned root key');
  }
  let json: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
    json = JSON.parse(text);
  } catch {
    throw refused('payload is not UTF-8 JSON');
  }
  const dup = firstDuplicateKey(text);
  if (dup) throw refused(`payload: ${duplicateKeyMessage(dup)}`);
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw refused('payload is not an object');
  const p = json as Record<string, unknown>;
  for (const k of Object.keys(p)) if (!PAYLOAD_KEYS.includes(k)) throw refused(`unknown member "${k.slice(0, 40)}"`);
  if (p.v !== 1) throw refused('unsupported version (expected v: 1)');
  if (p.deviceId !== deviceId) throw refused('addressed to another device');
  if (typeof p.version !== 'number' || !Number.isSafeInteger(p.version) || p.version < 0) throw refused('version must be a whole number');
  if (typeof p.issuedAt !== 'string' || Number.isNaN(Date.parse(p.issuedAt))) throw refused('issuedAt must be an ISO time');
  const config = parseRemoteConfig(p.config, 'config');
  return { deviceId, version: p.version, issuedAt: p.issuedAt, config };
}
