/**
 * The signed trust bundle (docs/TRUST-BUNDLE.md): over the network the bundle travels as a compact JWS,
 * ES256, made with the central server's root key; the device pins the root public key (as a JWK)
 * at enrollment. A bundle that fails any check is refused with TrustBundleError and the caller
 * keeps its previous bundle.
 */
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { CompactSign, compactVerify, decodeProtectedHeader, errors as joseErrors } from 'jose';
import type { JWK } from 'jose';
import { compactJwsProblem } from '../../shared/base64url.js';
import { duplicateKeyMessage, firstDuplicateKey, jwsHeaderDuplicateKey } from '../../shared/duplicate-keys.js';
import type { TrustBundleJson } from '../../shared/trust.js';
import { TrustBundleError } from './errors.js';
import { importEcP256PublicJwk } from './keys.js';
import { ecJwkThumbprint } from './kid.js';
import { TRUST_LIMITS, parseTrustBundle } from './load.js';

/** base64url grows 4/3; headers and signature add well under 4 KiB. */
const MAX_JWS_CHARS = Math.ceil((TRUST_LIMITS.maxBundleBytes * 4) / 3) + 4096;

function refused(why: string, cause?: unknown): TrustBundleError {
  return new TrustBundleError(`signed trust bundle refused: ${why}`, cause === undefined ? {} : { cause });
}

/**
 * Sign `bundle` with the root key. The bundle is validated first (TrustBundleError if invalid), so
 * the central server never publishes a bundle that devices would refuse.
 */
export async function signTrustBundle(bundle: TrustBundleJson, rootPrivateKey: KeyObject, kid?: string): Promise<string> {
  parseTrustBundle(bundle);
  const payload = Buffer.from(JSON.stringify(bundle), 'utf8');
  if (payload.length > TRUST_LIMITS.maxBundleBytes) {
    throw new TrustBundleError(`trust bundle too large to sign (${payload.length} bytes > ${TRUST_LIMITS.maxBundleBytes})`);
  }
  return new CompactSign(payload)
    .setProtectedHeader({ alg: 'ES256', typ: 'trust-bundle+jws', ...(kid !== undefined ? { kid } : {}) })
    .sign(rootPrivateKey);
}

/**
 * Verify a signed bundle against the pinned root public JWK and return the (validated) bundle.
 * Refuses, with TrustBundleError saying why: a malformed JWS (a part that is not canonical
 * base64url included, RFC 7515 §2 / RFC 4648 §3.5), any alg but ES256 (`none`
 * included), a signature that does not verify (tampered payload, other key), a payload that is not
 * JSON, or a payload that is not a valid bundle.
 */
export async function verifySignedTrustBundle(jws: string, rootPublicJwk: JWK): Promise<TrustBundleJson> {
  if (typeof jws !== 'string') throw refused('expected a compact JWS string');
  if (jws.length > MAX_JWS_CHARS) throw refused(`too large (${jws.length} characters > ${MAX_JWS_CHARS})`);
  const compact = jws.trim();
  if (compact.split('.').length !== 3) throw refused('malformed JWS (expected three dot-separated parts)');
  // jose decodes leniently (unused trailing bits ignored): one bundle must have one spelling.
  const encoding = compactJwsProblem(compact);
  if (encoding !== undefined) throw refused(`malformed JWS ${encoding.part}: ${encoding.why}`);

  let alg: unknown;
  try {
    alg = decodeProtectedHeader(compact).alg;
  } catch (err) {
    throw refused('malformed JWS header', err);
  }
  // jose's JSON.parse keeps the last of a repeated header member: one header, one reading.
  const headerDup = jwsHeaderDuplicateKey(compact);
  if (headerDup) throw refused(`malformed JWS header: ${duplicateKeyMessage(headerDup)}`);
  if (alg !== 'ES256') throw refused(`algorithm ${JSON.stringify(alg) ?? 'missing'} not allowed (ES256 only)`);

  let rootKey: KeyObject;
  try {
    rootKey = importEcP256PublicJwk(rootPublicJwk, 'root key').key;
  } catch (err) {
    throw refused(`the pinned root key is unusable (${(err as Error).message})`, err);
  }

  let payload: Uint8Array;
  try {
    payload = (await compactVerify(compact, rootKey, { algorithms: ['ES256'] })).payload;
  } catch (err) {
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw refused('signature does not verify with the pinned root key (tampered or signed by another key)', err);
    }
    throw refused(`malformed JWS (${(err as Error).message})`, err);
  }

  let json: unknown;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(payload);
    json = JSON.parse(text);
  } catch (err) {
    throw refused('payload is not UTF-8 JSON', err);
  }
  // As for a bundle file (load.ts): a repeated key would be read as its last value, silently.
  const dup = firstDuplicateKey(text);
  if (dup) throw refused(`payload: ${duplicateKeyMessage(dup)}`);
  try {
    parseTrustBundle(json);
  } catch (err) {
    if (err instanceof TrustBundleError) throw new TrustBundleError(`signed trust bundle refused: ${err.message}`, { path: err.path ?? '', cause: err });
    throw err;
  }
  return json as TrustBundleJson;
}

/**
 * A new root key pair for the central server. `publicJwk` is what devices pin (it carries
 * `kid` = its JWK thumbprint, `alg` ES256, `use` sig).
 */
export function generateRootKey(): { privateKey: KeyObject; publicKey: KeyObject; publicJwk: JWK } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicKey, publicJwk: publicJwkOf(publicKey) };
}

/** The public JWK (with thumbprint kid) of an EC P-256 key; a private key gives its public half. */
export function publicJwkOf(key: KeyObject): JWK {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const { kty, crv, x, y } = pub.export({ format: 'jwk' });
  if (kty !== 'EC' || crv !== 'P-256' || !x || !y) throw new TrustBundleError('root key must be an EC P-256 key');
  return { kty, crv, x, y, kid: ecJwkThumbprint({ crv, x, y }), alg: 'ES256', use: 'sig' };
}
