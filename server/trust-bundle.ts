/**
 * The signed trust bundle the server publishes (trust bundle format v1): the content of `--trust FILE` plus the
 * server's own declaration issuer key, signed (compact JWS, ES256) with the root key.
 *
 * The signature is reused across restarts while the content is unchanged (kept by the storage), so
 * the ETag stays stable and kiosks do not download the same bundle after every restart.
 */
import { createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import fs from 'node:fs';
import type { TrustBundleJson } from '../src/shared/trust.js';
import { TRUST_LIMITS, parseTrustBundle } from '../src/credentials/trust/load.js';
import { publicJwkOf, signTrustBundle } from '../src/credentials/trust/envelope.js';
import { duplicateKeyMessage, firstDuplicateKey } from '../src/shared/duplicate-keys.js';
import { kidOfPublicKey } from '../src/credentials/trust/kid.js';
import { publicJwk } from './secrets.js';
import type { CentralStorage } from './storage/types.js';

export interface PublishedBundle {
  jws: string;
  /** Strong ETag, quoted. */
  etag: string;
  issuedAt: string;
}

/** Reads and validates a trust bundle JSON file. Throws Error with a message naming the file. */
export function readBundleJson(file: string): TrustBundleJson {
  const size = fs.statSync(file).size;
  if (size > TRUST_LIMITS.maxBundleBytes) throw new Error(`${file}: trust bundle too large (${size} bytes)`);
  let json: unknown;
  const text = fs.readFileSync(file, 'utf8');
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file}: not valid JSON (${(err as Error).message})`, { cause: err });
  }
  const dup = firstDuplicateKey(text);
  if (dup) throw new Error(`${file}: invalid trust bundle: ${duplicateKeyMessage(dup)}`);
  try {
    parseTrustBundle(json);
  } catch (err) {
    throw new Error(`${file}: invalid trust bundle: ${(err as Error).message}`, { cause: err });
  }
  return json as TrustBundleJson;
}

/** `base` with the server's declaration issuer added (replacing an entry with the same kid). */
export function withDeclarationIssuer(base: TrustBundleJson | undefined, issuerKey: KeyObject, name: string): Omit<TrustBundleJson, 'issuedAt'> {
  const kid = kidOfPublicKey(issuerKey);
  const { issuedAt: _ignored, ...rest } = base ?? { version: 1 as const, issuedAt: '' };
  const others = (rest.declaration?.issuers ?? []).filter((i) => i.kid !== kid);
  return {
    ...rest,
    version: 1,
    declaration: { ...rest.declaration, issuers: [...others, { kid, name, jwk: publicJwk(issuerKey) as Record<string, unknown> }] },
  };
}

/**
 * Signs `content` unless the storage already holds a signature of the same content by the same
 * root key. `issuedAt` is the time the content was first signed. Every node with the same storage,
 * root key and content serves the same JWS, hence the same ETag.
 */
export async function publishBundle(
  storage: CentralStorage,
  content: Omit<TrustBundleJson, 'issuedAt'>,
  rootPrivateKey: KeyObject,
  nowMs: number,
): Promise<PublishedBundle> {
  const rootKid = publicJwkOf(rootPrivateKey).kid as string;
  const contentHash = createHash('sha256').update(rootKid).update(JSON.stringify(content)).digest('hex');
  const state = await storage.publishedBundle(contentHash, async () => {
    const issuedAt = new Date(nowMs).toISOString();
    const bundle = { ...content, issuedAt } as TrustBundleJson;
    return { jws: await signTrustBundle(bundle, rootPrivateKey, rootKid), issuedAt };
  });
  return { jws: state.jws, etag: etagOf(state.jws), issuedAt: state.issuedAt };
}

function etagOf(jws: string): string {
  return `"${createHash('sha256').update(jws).digest('base64url').slice(0, 32)}"`;
}
