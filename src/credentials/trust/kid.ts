/**
 * Key identifiers used by the trust bundle and by the formats that look keys up in it.
 */
import { createHash, createPublicKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * base64 (standard alphabet, padded) of the first 8 bytes of SHA-256 of `der`. This is the EU DCC
 * kid of a signer certificate (DER of the certificate) and the CKD1 kid of an issuer key (DER of
 * its SubjectPublicKeyInfo).
 */
export function kidOfDer(der: Uint8Array): string {
  return createHash('sha256').update(der).digest().subarray(0, 8).toString('base64');
}

/** CKD1 kid of a key (a private key counts as its public half): {@link kidOfDer} of the SPKI DER. */
export function kidOfPublicKey(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return kidOfDer(pub.export({ type: 'spki', format: 'der' }));
}

/**
 * RFC 7638 JWK thumbprint (SHA-256, base64url) of an EC public key: the SMART Health Card kid.
 * Only the required members, in lexicographic order, are hashed.
 */
export function ecJwkThumbprint(jwk: { crv: string; x: string; y: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: 'EC', x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}
