/**
 * Issuing CKP1 provisioning cards (the central server's side). The card is signed with the root
 * key and carries that key's public half; the caller supplies the one-time code (registered with
 * the same lifetime as the card).
 */
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { base45Encode } from '../cose/base45.js';
import { encodeCbor } from '../cose/cbor.js';
import type { CborEncodable } from '../cose/cbor.js';
import { COSE_ALG, signCoseSign1 } from '../cose/cose.js';
import { CWT_CLAIM } from '../cose/cwt.js';
import { kidOfPublicKey } from '../trust/kid.js';
import { LIMITS } from '../types.js';
import { readProvisioning } from './schema.js';
import { CKP1_PREFIX, PROVISIONING_LIMITS } from './types.js';
import type { ProvisioningCard } from './types.js';

/** The body of `prov` as issued: only the members set, `v` first. */
function provBody(card: Omit<ProvisioningCard, 'rootKey'>, rootPublic: KeyObject): Record<string, CborEncodable> {
  const { x, y } = rootPublic.export({ format: 'jwk' });
  const body: Record<string, CborEncodable> = {
    v: 1,
    url: card.url,
    code: card.code,
    rootKey: { kty: 'EC', crv: 'P-256', x: x ?? '', y: y ?? '' },
    checkpoint: card.checkpoint,
  };
  if (card.direction) body.direction = card.direction;
  if (card.profile) body.profile = card.profile;
  if (card.config) body.config = card.config as unknown as CborEncodable;
  return body;
}

/**
 * Signs a card with the root private key and returns the QR text (`CKP1:…`). The carried rootKey
 * is always the signer's public key. Throws TypeError/RangeError when the card would be refused by
 * kiosks (bad shape, unknown config key, too large for one QR code, validity out of range).
 */
export function issueProvisioningCard(
  card: Omit<ProvisioningCard, 'rootKey'>,
  rootPrivateKey: KeyObject,
  opts: { now: Date; validHours: number },
): string {
  if (!(opts.validHours > 0 && opts.validHours <= PROVISIONING_LIMITS.maxValidHours)) {
    throw new RangeError(`validHours must be in (0, ${PROVISIONING_LIMITS.maxValidHours}]`);
  }
  const rootPublic = createPublicKey(rootPrivateKey);
  const body = provBody(card, rootPublic);
  const checked = readProvisioning(body);
  if (!checked.ok) throw new TypeError(`invalid provisioning card: ${checked.detail}`);
  const iat = Math.floor(opts.now.getTime() / 1000);
  const claims = new Map<number | string, CborEncodable>([
    [CWT_CLAIM.iss, card.url],
    [CWT_CLAIM.iat, iat],
    [CWT_CLAIM.exp, iat + Math.round(opts.validHours * 3600)],
    ['prov', body],
  ]);
  const kid = new Uint8Array(Buffer.from(kidOfPublicKey(rootPublic), 'base64'));
  const cose = signCoseSign1({ alg: COSE_ALG.ES256, key: rootPrivateKey, kid, payload: encodeCbor(claims) });
  const text = CKP1_PREFIX + base45Encode(deflateSync(cose, { level: 9 }));
  if (text.length > LIMITS.maxTextChars) throw new RangeError(`provisioning card too large for one QR code (${text.length} > ${LIMITS.maxTextChars} characters)`);
  return text;
}
