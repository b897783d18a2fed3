/**
 * `checkpoint-kiosk central trust-bundle`: the trust bundle the server publishes right now, as
 * plain JSON (trust bundle format v1, docs/TRUST-BUNDLE.md) — the file `verify --trust FILE` and
 * `run --trust FILE` take. The signed copy is read from the storage and its signature checked
 * with the server's root key first, so what is printed is exactly what enrolled kiosks verify
 * against.
 */
import { createPrivateKey } from 'node:crypto';
import { publicJwkOf, verifySignedTrustBundle } from '../src/credentials/trust/envelope.js';
import type { TrustBundleJson } from '../src/shared/trust.js';
import type { CentralStorage } from './storage/types.js';

/** Why no bundle could be read; the message says what to do. */
export class NoBundleError extends Error {
  override name = 'NoBundleError';
}

/**
 * The currently published bundle, verified. Throws NoBundleError when the server never ran on
 * this storage, or when the storage cannot tell which bundle is current.
 */
export async function currentTrustBundle(storage: CentralStorage): Promise<TrustBundleJson> {
  if (!storage.currentBundle) throw new NoBundleError(`the ${storage.backend} storage cannot tell the current bundle; fetch it from a running server instead`);
  const signed = await storage.currentBundle();
  const rootPem = await storage.readSecret('root-key');
  if (!signed || !rootPem) throw new NoBundleError(`no trust bundle published at ${storage.location} yet: start the central server there once (it signs the bundle when it starts)`);
  return verifySignedTrustBundle(signed.jws, publicJwkOf(createPrivateKey(rootPem)));
}
