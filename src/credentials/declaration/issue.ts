/**
 * Issuing CKD1 declarations (the central server's side, docs/FORMATS.md):
 * 'CKD1:' + base45(zlib(COSE_Sign1 tag 18, ES256, protected {1: -7, 4: kid}, payload CWT
 * {1 iss, 6 iat, 4 exp, "decl": {...}})).
 */
import type { KeyObject } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { base45Encode } from '../cose/base45.js';
import { encodeCbor } from '../cose/cbor.js';
import type { CborEncodable } from '../cose/cbor.js';
import { COSE_ALG, signCoseSign1 } from '../cose/cose.js';
import { CWT_CLAIM } from '../cose/cwt.js';
import { kidOfPublicKey } from '../trust/kid.js';
import { LIMITS } from '../types.js';
import { readDeclaration } from './schema.js';
import { CKD1_PREFIX, DECLARATION_LIMITS, MAX_VALID_HOURS } from './types.js';
import type { Declaration } from './types.js';

/** Default validity of a declaration (hours): Hanoi's entry declarations were valid 72 h. */
export const DEFAULT_VALID_HOURS = 72;

/** The CKD1 kid of an issuer key: base64 of the first 8 bytes of SHA-256 of its SPKI DER. */
export function declarationKid(publicKey: KeyObject): string {
  return kidOfPublicKey(publicKey);
}

function declToCbor(decl: Declaration): CborEncodable {
  const health: Record<string, CborEncodable> = { symptoms: [...decl.health.symptoms], exposure: decl.health.exposure };
  if (decl.health.test) health.test = { result: decl.health.test.result, at: decl.health.test.at };
  return {
    v: 1,
    id: decl.id,
    sub: { idType: decl.sub.idType, idNo: decl.sub.idNo, name: decl.sub.name, dob: decl.sub.dob },
    trip: { from: decl.trip.from, to: decl.trip.to, purpose: decl.trip.purpose },
    health,
  };
}

/**
 * Signs a declaration and returns the QR text. Throws (TypeError/RangeError) when the
 * declaration would not pass verification (bad shape, over-long field) or the token would not
 * fit in one QR code: an issuer must never hand out a declaration the kiosks refuse.
 */
export function issueDeclaration(
  decl: Declaration,
  signer: { privateKey: KeyObject; kid: string },
  opts: { iss: string; now: Date; validHours?: number },
): string {
  const validHours = opts.validHours ?? DEFAULT_VALID_HOURS;
  if (!(validHours > 0 && validHours <= MAX_VALID_HOURS)) {
    throw new RangeError(`validHours must be in (0, ${MAX_VALID_HOURS}]`);
  }
  if (typeof opts.iss !== 'string' || opts.iss.length === 0 || opts.iss.length > DECLARATION_LIMITS.issChars) {
    throw new TypeError(`iss must be 1–${DECLARATION_LIMITS.issChars} characters`);
  }
  const body = declToCbor(decl);
  const checked = readDeclaration(body);
  if (!checked.ok) throw new TypeError(`invalid declaration: ${checked.detail}`);
  const kid = Buffer.from(signer.kid, 'base64');
  if (kid.length !== 8) throw new TypeError('signer.kid must be base64 of 8 bytes (see declarationKid)');

  const iat = Math.floor(opts.now.getTime() / 1000);
  const claims = new Map<number | string, CborEncodable>([
    [CWT_CLAIM.iss, opts.iss],
    [CWT_CLAIM.iat, iat],
    [CWT_CLAIM.exp, iat + Math.round(validHours * 3600)],
    ['decl', body],
  ]);
  const cose = signCoseSign1({ alg: COSE_ALG.ES256, key: signer.privateKey, kid: new Uint8Array(kid), payload: encodeCbor(claims) });
  const text = CKD1_PREFIX + base45Encode(deflateSync(cose, { level: 9 }));
  if (text.length > LIMITS.maxTextChars) {
    throw new RangeError(`declaration too large for one QR code (${text.length} > ${LIMITS.maxTextChars} characters)`);
  }
  return text;
}
