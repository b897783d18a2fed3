/**
 * Shape check of the CKP1 "prov" claim. The decoded CBOR is first turned into plain JSON
 * (text keys only, bounded depth and item count), then checked member by member; unknown
 * members are refused. The issuer runs the same check on the object before signing.
 */
import { base64urlProblem } from '../../shared/base64url.js';
import { CHECKPOINT_ID, RemoteConfigError, parseRemoteConfig } from '../../fleet/remote-config.js';
import { hasUserInfo } from '../../shared/server-url.js';
import { PROVISIONING_LIMITS as L } from './types.js';
import type { CardRootKey, ProvisioningCard } from './types.js';

class Invalid extends Error {}

const COORDINATE = /^[A-Za-z0-9_-]{43}$/;
/** An http(s) URL with a host (a regular expression literal inside a function is a new object per call). */
const URL_PATTERN = /^https?:\/\/[^\s/]+(\/[^\s]*)?$/;
/** The optional text members of rootKey. */
const JWK_TEXT_KEYS = ['kid', 'alg', 'use'] as const;
const PROV_KEYS = ['v', 'url', 'code', 'rootKey', 'checkpoint', 'direction', 'profile', 'config'];
const JWK_KEYS = ['kty', 'crv', 'x', 'y', 'kid', 'alg', 'use'];

/** Items left to convert in one toPlainJson call (a counter object, so recursion shares it). */
interface Budget {
  items: number;
}

function spend(budget: Budget): void {
  if (--budget.items < 0) throw new Invalid(`prov: more than ${L.maxItems} items`);
}

/**
 * CBOR (Maps with text keys) or plain JSON → plain JSON, bounded. Runs on every card scan: no
 * closure or entry list per node. `__proto__` is refused, so members are set directly.
 */
export function toPlainJson(node: unknown, path = 'prov', budget: Budget = { items: L.maxItems }, depth = 0): unknown {
  if (depth > L.maxDepth) throw new Invalid(`${path}: nested deeper than ${L.maxDepth} levels`);
  if (node === null || typeof node === 'string' || typeof node === 'boolean') return node;
  if (typeof node === 'number') {
    if (!Number.isFinite(node)) throw new Invalid(`${path}: not a finite number`);
    return node;
  }
  if (Array.isArray(node)) {
    const out: unknown[] = new Array<unknown>(node.length);
    for (let i = 0; i < node.length; i++) {
      spend(budget);
      const v: unknown = node[i];
      out[i] = isPlainLeaf(v, depth + 1) ? v : toPlainJson(v, `${path}[${i}]`, budget, depth + 1);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  if (node instanceof Map) {
    for (const [k, v] of node as Map<unknown, unknown>) setPlain(out, k, v, path, budget, depth);
    return out;
  }
  if (typeof node === 'object' && Object.getPrototypeOf(node) === Object.prototype) {
    for (const k of Object.keys(node)) setPlain(out, k, (node as Record<string, unknown>)[k], path, budget, depth);
    return out;
  }
  throw new Invalid(`${path}: unsupported value (byte string, tag or undefined)`);
}

function setPlain(out: Record<string, unknown>, k: unknown, v: unknown, path: string, budget: Budget, depth: number): void {
  spend(budget);
  if (typeof k !== 'string') throw new Invalid(`${path}: map keys must be text`);
  if (k === '__proto__') throw new Invalid(`${path}: key "__proto__" not allowed`);
  out[k] = isPlainLeaf(v, depth + 1) ? v : toPlainJson(v, `${path}.${k}`, budget, depth + 1);
}

/**
 * A value toPlainJson would return as it is at `depth` (text, a finite number, a boolean or null,
 * not too deep): taken directly, so the path of a member is only written out for containers and
 * for problems (a card's members are read on every card scan).
 */
function isPlainLeaf(v: unknown, depth: number): boolean {
  if (depth > L.maxDepth) return false;
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function rootKeyOf(v: unknown): CardRootKey {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Invalid('prov.rootKey: expected a JWK object');
  const jwk = v as Record<string, unknown>;
  for (const k of Object.keys(jwk)) if (!JWK_KEYS.includes(k)) throw new Invalid(`prov.rootKey.${k}: not allowed (a public EC P-256 JWK: ${JWK_KEYS.join(', ')})`);
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256') throw new Invalid('prov.rootKey: must be an EC P-256 key (kty "EC", crv "P-256")');
  if (typeof jwk.x !== 'string' || !COORDINATE.test(jwk.x) || typeof jwk.y !== 'string' || !COORDINATE.test(jwk.y)) {
    throw new Invalid('prov.rootKey: x and y must be 32 bytes as base64url');
  }
  for (const coord of ['x', 'y'] as const) {
    const problem = base64urlProblem(jwk[coord] as string);
    if (problem !== undefined) throw new Invalid(`prov.rootKey.${coord}: not canonical base64url: ${problem}`);
  }
  for (const k of JWK_TEXT_KEYS) {
    if (jwk[k] !== undefined && (typeof jwk[k] !== 'string' || jwk[k].length > 128)) throw new Invalid(`prov.rootKey.${k}: expected short text`);
  }
  if (jwk.alg !== undefined && jwk.alg !== 'ES256') throw new Invalid('prov.rootKey.alg: must be ES256');
  if (jwk.use !== undefined && jwk.use !== 'sig') throw new Invalid('prov.rootKey.use: must be sig');
  return { ...(jwk as unknown as CardRootKey) };
}

/**
 * Whether toPlainJson would take `node`, a value already in plain JSON form (text-keyed objects
 * and arrays of text, finite numbers, booleans and null, as decodeCborJsonAt builds them), without
 * copying it: the same depth and item bounds, counted the same way, and no `__proto__` member.
 */
export function withinPlainBounds(node: unknown, budget: Budget = { items: L.maxItems }, depth = 0): boolean {
  if (depth > L.maxDepth) return false;
  if (node === null || typeof node === 'string' || typeof node === 'boolean') return true;
  if (typeof node === 'number') return Number.isFinite(node);
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      if (--budget.items < 0 || !withinPlainBounds(node[i], budget, depth + 1)) return false;
    }
    return true;
  }
  if (typeof node !== 'object' || Object.getPrototypeOf(node) !== Object.prototype) return false;
  for (const k of Object.keys(node)) {
    if (--budget.items < 0 || k === '__proto__') return false;
    if (!withinPlainBounds((node as Record<string, unknown>)[k], budget, depth + 1)) return false;
  }
  return true;
}

/**
 * readProvisioning for a `prov` already in plain JSON form (decodeCborJsonAt), read in place
 * instead of through a copy: the card readProvisioning gives when it accepts `json`, otherwise
 * undefined (the caller then asks readProvisioning, which names the problem).
 */
export function readPlainProvisioning(json: unknown): ProvisioningCard | undefined {
  if (!withinPlainBounds(json)) return undefined;
  try {
    return cardOf(json);
  } catch {
    return undefined;
  }
}

/** Validates `prov` (CBOR map or plain object). Returns the card or the first problem, by path. */
export function readProvisioning(node: unknown): { ok: true; card: ProvisioningCard } | { ok: false; detail: string } {
  try {
    return { ok: true, card: cardOf(toPlainJson(node)) };
  } catch (err) {
    if (err instanceof Invalid || err instanceof RemoteConfigError) return { ok: false, detail: err.message };
    throw err;
  }
}

/** The card in `json` (plain JSON: toPlainJson's output). Throws Invalid or RemoteConfigError for the first problem. */
function cardOf(json: unknown): ProvisioningCard {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Invalid('prov: expected a map');
  const p = json as Record<string, unknown>;
  for (const k of Object.keys(p)) if (!PROV_KEYS.includes(k)) throw new Invalid(`prov.${k}: unknown member (known: ${PROV_KEYS.join(', ')})`);
  if (p.v !== 1) throw new Invalid('prov.v: unsupported version (expected 1)');
  if (typeof p.url !== 'string' || p.url.length > L.urlChars || !URL_PATTERN.test(p.url)) {
    throw new Invalid(`prov.url: expected an http(s) URL of at most ${L.urlChars} characters`);
  }
  // Refused before any enrollment (shared/server-url.ts): the code would be spent for a kiosk every later request of which gets 401.
  if (hasUserInfo(p.url)) throw new Invalid('prov.url: carries a user name or password before "@" (not shown); the central server does not take them: issue a new card with the URL without them');
  if (typeof p.code !== 'string' || p.code.length < L.codeMinChars || p.code.length > L.codeChars) {
    throw new Invalid(`prov.code: expected ${L.codeMinChars}-${L.codeChars} characters`);
  }
  if (typeof p.checkpoint !== 'string' || !CHECKPOINT_ID.test(p.checkpoint)) throw new Invalid('prov.checkpoint: expected 1-64 letters, digits or . _ : -');
  const card: ProvisioningCard = { url: p.url, code: p.code, rootKey: rootKeyOf(p.rootKey), checkpoint: p.checkpoint };
  if (p.direction !== undefined) {
    if (p.direction !== 'in' && p.direction !== 'out') throw new Invalid('prov.direction: expected "in" or "out"');
    card.direction = p.direction;
  }
  if (p.profile !== undefined) {
    if (p.profile !== 'venue' && p.profile !== 'booth') throw new Invalid('prov.profile: expected "venue" or "booth"');
    card.profile = p.profile;
  }
  if (p.config !== undefined) card.config = parseRemoteConfig(p.config, 'prov.config');
  return card;
}
