/**
 * The public-key sections of the trust bundle: SMART Health Card issuers (JWKS) and CKD1
 * declaration issuers (one JWK each). Keys are imported with node:crypto at load time so a bad
 * key is refused with its JSON path, not discovered at scan time.
 */
import { createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { base64urlProblem } from '../../shared/base64url.js';
import { invalidAt } from './errors.js';
import { ecJwkThumbprint, kidOfPublicKey } from './kid.js';
import { BUNDLE_KEYS } from './bundle-keys.js';
import type { DeclarationIssuer, ShcIssuer } from './types.js';
import type { JsonObject } from './validate.js';
import { child, expectArray, expectKnownKeys, expectObject, expectString, optionalString } from './validate.js';

interface KeyLimits {
  maxShcIssuers: number;
  maxKeysPerShcIssuer: number;
  maxDeclarationIssuers: number;
  maxIdChars: number;
  maxTextChars: number;
}

/**
 * JWK members that hold private or secret key material (RFC 7518 §6.2.2 EC `d`, §6.3.2 RSA
 * `d p q dp dq qi oth`, §6.4 symmetric `k`): none belongs in a published JWKS.
 */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Base64url of a 32-byte P-256 coordinate (and canonical: base64urlProblem). */
const COORDINATE = /^[A-Za-z0-9_-]{43}$/;

/**
 * Check that `value` is a public EC P-256 JWK and import it. Refuses private keys: a bundle is
 * public, and a `d` in it means a key has leaked.
 */
export function importEcP256PublicJwk(value: unknown, path: string): { jwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string }; key: KeyObject } {
  const jwk = expectObject(value, path);
  if (jwk.kty !== 'EC') throw invalidAt(child(path, 'kty'), 'only EC keys are supported (kty "EC")');
  if (jwk.crv !== 'P-256') throw invalidAt(child(path, 'crv'), 'only P-256 keys are supported (crv "P-256")');
  if (jwk.d !== undefined) throw invalidAt(child(path, 'd'), 'contains a private key; the bundle must hold public keys only');
  for (const coord of ['x', 'y'] as const) {
    if (typeof jwk[coord] !== 'string' || !COORDINATE.test(jwk[coord])) {
      throw invalidAt(child(path, coord), 'expected 32 bytes as base64url');
    }
    const problem = base64urlProblem(jwk[coord]);
    if (problem !== undefined) throw invalidAt(child(path, coord), `not canonical base64url: ${problem}`);
  }
  const pub = { kty: 'EC' as const, crv: 'P-256' as const, x: jwk.x as string, y: jwk.y as string };
  try {
    return { jwk: pub, key: createPublicKey({ key: pub, format: 'jwk' }) };
  } catch {
    throw invalidAt(path, 'not a valid P-256 public key (point not on the curve)');
  }
}

/** EC curves a JWK may name that are not P-256: keys for other algorithms, never a card's. */
const OTHER_CURVES: ReadonlySet<unknown> = new Set(['P-384', 'P-521', 'secp256k1']);

/**
 * Why a JWK of an issuer's JWKS is not a key for signing SMART Health Cards and is skipped, or
 * undefined when it is meant to be one (and must then be a valid public EC P-256 key). The JWKS
 * an issuer publishes may hold keys for other purposes (SMART Health Cards Framework: only the keys
 * that sign cards must be EC P-256 ES256): another `use` or `alg`, another key type (RSA, OKP) or
 * another named curve. A key that says nothing else but is malformed is refused, not skipped.
 */
function notACardKey(jwk: Record<string, unknown>): string | undefined {
  if (jwk.use !== undefined && jwk.use !== 'sig') return `is for use ${JSON.stringify(jwk.use)}`;
  if (jwk.alg !== undefined && jwk.alg !== 'ES256') return `is for alg ${JSON.stringify(jwk.alg)}`;
  if (typeof jwk.kty === 'string' && jwk.kty !== 'EC') return `is a ${jwk.kty.slice(0, 16)} key`;
  if (OTHER_CURVES.has(jwk.crv)) return `is on curve ${String(jwk.crv)}`;
  return undefined;
}

/**
 * `shc.issuers[]` → map by `iss`. Only keys that can sign cards are kept (notACardKey: an issuer's
 * JWKS may also publish encryption keys, RSA keys or keys on other curves, which are skipped; an
 * issuer left with none is refused). Each kept key gets `kid` = its JWK thumbprint, which is what
 * an SHC header must name.
 */
export function loadShcIssuers(section: JsonObject, base: string, limits: KeyLimits): Map<string, ShcIssuer> {
  const byIss = new Map<string, ShcIssuer>();
  if (section.issuers === undefined) return byIss;
  const listPath = child(base, 'issuers');
  const list = expectArray(section.issuers, listPath, limits.maxShcIssuers);
  list.forEach((item, i) => {
    const path = child(listPath, i);
    const obj = expectObject(item, path);
    expectKnownKeys(obj, path, BUNDLE_KEYS.shcIssuer);
    const iss = expectString(obj.iss, child(path, 'iss'), limits.maxTextChars);
    const issProblem = shcIssProblem(iss);
    if (issProblem) throw invalidAt(child(path, 'iss'), issProblem);
    if (byIss.has(iss)) throw invalidAt(child(path, 'iss'), 'issuer listed twice');
    const name = optionalString(obj, 'name', path, limits.maxTextChars);
    const jwksPath = child(path, 'jwks');
    const jwks = expectObject(obj.jwks, jwksPath);
    const keysPath = child(jwksPath, 'keys');
    const rawKeys = expectArray(jwks.keys, keysPath, limits.maxKeysPerShcIssuer);
    const keys: Record<string, unknown>[] = [];
    /** Why the first skipped key cannot sign cards, for an issuer left without one. */
    let skipped: string | undefined;
    rawKeys.forEach((rawKey, k) => {
      const keyPath = child(keysPath, k);
      const candidate = expectObject(rawKey, keyPath);
      // Checked before a key is skipped as not for signing cards: a private key anywhere in the
      // bundle has leaked, whatever it was for (it was refused only on the keys kept).
      const secret = PRIVATE_JWK_MEMBERS.find((m) => candidate[m] !== undefined);
      if (secret !== undefined) throw invalidAt(child(keyPath, secret), 'contains a private key; the bundle must hold public keys only');
      const other = notACardKey(candidate);
      if (other !== undefined) {
        skipped ??= `${keyPath} ${other}`;
        return;
      }
      const { jwk } = importEcP256PublicJwk(candidate, keyPath);
      keys.push({ ...jwk, kid: ecJwkThumbprint(jwk), use: 'sig', alg: 'ES256' });
    });
    // A JWKS whose every key is for something else leaves every card of the issuer unknown-signer:
    // said here, with the first key's reason (a P-384 key where P-256 was meant, a typo in `alg`).
    if (keys.length === 0 && skipped !== undefined) {
      throw invalidAt(keysPath, `no key that can sign SMART Health Cards (EC P-256, use "sig", alg "ES256"): ${skipped}`);
    }
    const issuer: ShcIssuer = { iss, keys };
    if (name !== undefined) issuer.name = name;
    byIss.set(iss, issuer);
  });
  return byIss;
}

/**
 * Why an SMART Health Card issuer's `iss` can never match a card, or undefined. A card's `iss` is
 * an https URL without a trailing `/` (SMART Health Cards Framework, "Issuer" and "Determining
 * keys associated with an issuer") and is compared exactly, so an entry written otherwise would
 * leave every card of that issuer `unknown-signer` without a word.
 */
function shcIssProblem(iss: string): string | undefined {
  let url: URL;
  try {
    url = new URL(iss);
  } catch {
    return `"${iss.slice(0, 80)}" is not a URL; write the issuer's https URL exactly as its cards carry it, e.g. "https://spec.smarthealth.cards/examples/issuer"`;
  }
  if (url.protocol !== 'https:') return `"${iss.slice(0, 80)}" is not an https URL; SMART Health Card issuers are https URLs, written exactly as their cards carry them`;
  // The URL parser forgives what a card's exact comparison does not: spaces around it, a missing
  // host (`https:///x`), and parts an issuer URL never has (user:password@, ?query, #fragment).
  if (iss !== iss.trim() || /\s/.test(iss)) return `"${iss.slice(0, 80)}" holds white space; write the issuer's URL exactly as its cards carry it`;
  if (!/^https:\/\/[^/]/i.test(iss) || url.hostname === '') return `"${iss.slice(0, 80)}" names no host; write the issuer's URL as https://host/path`;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '' || /[@?#]/.test(iss)) {
    return `"${iss.slice(0, 80)}" carries a user, query or fragment, which an issuer URL never has; write it as https://host/path`;
  }
  if (iss.endsWith('/')) return `"${iss.slice(0, 80)}" ends with "/"; cards carry the issuer URL without a trailing slash and are compared exactly: remove it`;
  return undefined;
}

/**
 * `declaration.issuers[]` → map by kid. The kid must be the one CKD1 defines for the key
 * (first 8 bytes of SHA-256 of the SPKI DER, base64): a mismatch is a configuration mistake that
 * would otherwise make every declaration of that issuer fail as unknown-signer.
 */
export function loadDeclarationIssuers(
  section: JsonObject,
  base: string,
  limits: KeyLimits,
): Map<string, DeclarationIssuer> {
  const byKid = new Map<string, DeclarationIssuer>();
  if (section.issuers === undefined) return byKid;
  const listPath = child(base, 'issuers');
  const list = expectArray(section.issuers, listPath, limits.maxDeclarationIssuers);
  list.forEach((item, i) => {
    const path = child(listPath, i);
    const obj = expectObject(item, path);
    expectKnownKeys(obj, path, BUNDLE_KEYS.declarationIssuer);
    const kid = expectString(obj.kid, child(path, 'kid'), limits.maxIdChars);
    const name = optionalString(obj, 'name', path, limits.maxTextChars);
    const { key } = importEcP256PublicJwk(obj.jwk, child(path, 'jwk'));
    const expected = kidOfPublicKey(key);
    if (kid !== expected) {
      throw invalidAt(child(path, 'kid'), `does not match the key (expected ${expected})`);
    }
    if (byKid.has(kid)) throw invalidAt(child(path, 'kid'), 'issuer listed twice');
    const issuer: DeclarationIssuer = { kid, key };
    if (name !== undefined) issuer.name = name;
    byKid.set(kid, issuer);
  });
  return byKid;
}
