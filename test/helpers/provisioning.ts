/**
 * CKP1 test material: hand-built cards with any claims, key and kid, for the forgeries the real
 * issuer refuses to produce (another signer, a swapped rootKey, unknown members).
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { COSE_ALG, signCoseSign1 } from '../../src/credentials/cose/cose.js';
import { kidOfPublicKey } from '../../src/credentials/trust/kid.js';

/** The public JWK members a card carries for `key`. */
export function cardJwk(key: KeyObject): { kty: 'EC'; crv: 'P-256'; x: string; y: string } {
  const { x, y } = createPublicKey(key).export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: x as string, y: y as string };
}

/** 'CKP1:' + base45(zlib(COSE_Sign1)) of `prov` and times, signed by `signer` under `kidKey`'s kid. */
export function rawCard(opts: {
  prov: Record<string, CborEncodable>;
  signer: KeyObject;
  kidKey?: KeyObject;
  iss?: string;
  iat: number;
  exp: number;
  /** CWT claim 5 (not before), seconds; omitted by default as the issuer omits it. */
  nbf?: number;
}): string {
  const claims = new Map<number | string, CborEncodable>([
    [1, opts.iss ?? (opts.prov.url as string)],
    [6, opts.iat],
    [4, opts.exp],
    ['prov', opts.prov],
  ]);
  if (opts.nbf !== undefined) claims.set(5, opts.nbf);
  const kid = new Uint8Array(Buffer.from(kidOfPublicKey(opts.kidKey ?? opts.signer), 'base64'));
  const cose = signCoseSign1({ alg: COSE_ALG.ES256, key: opts.signer, kid, payload: encodeCbor(claims) });
  return `CKP1:${base45Encode(deflateSync(cose))}`;
}
