/**
 * Re-encoding signed credentials the way a phone app, another issuer tool or an attacker without
 * the signing key can: the same COSE message re-compressed at another zlib level or without its
 * tag 18, the same ECDSA signature in its other valid form (r, n − s), an SMART Health Card in the
 * chunked form or with an upper-case prefix; and breaking a signature by one bit. Each helper
 * returns a new QR text; the tests check it differs from the one it came from.
 */
import { deflateSync } from 'node:zlib';
import { base45Decode, base45Encode } from '../../src/credentials/cose/base45.js';
import { inflateBounded } from '../../src/credentials/cose/inflate.js';
import { decodeShcNumeric, encodeShcNumeric } from '../../src/credentials/shc/numeric.js';

/** Order of the P-256 group (SEC 2 §2.4.2, secp256r1 n). */
const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** The COSE_Sign1 bytes inside an `HC1:` or `CKD1:` text (`prefix` included in `text`). */
export function coseOf(text: string, prefix: string): Uint8Array {
  return inflateBounded(base45Decode(text.slice(prefix.length)), 64 * 1024);
}

/** `prefix` + base45(zlib(cose)) at zlib `level` (0 = stored blocks, 1 fastest … 9 smallest). */
export function coseText(prefix: string, cose: Uint8Array, level = 6): string {
  return prefix + base45Encode(deflateSync(cose, { level }));
}

/** The message without its leading CBOR tag 18 (one byte, 0xd2); throws if it has none. */
export function untagged(cose: Uint8Array): Uint8Array {
  if (cose[0] !== 0xd2) throw new Error('the COSE message carries no tag 18');
  return cose.subarray(1);
}

/** (r, s) → (r, n − s): the other ECDSA P-256 signature of the same message, as raw r‖s. */
export function otherEcdsaForm(signature: Uint8Array): Uint8Array {
  if (signature.length !== 64) throw new Error('not a raw P-256 signature');
  const s = BigInt(`0x${Buffer.from(signature.subarray(32)).toString('hex')}`);
  const out = Uint8Array.from(signature);
  out.set(Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
}

/**
 * The COSE message with its ES256 signature in the other form. The signature is the message's
 * last item, a 64-byte string, so its bytes are the message's last 64.
 */
export function coseOtherEcdsaForm(cose: Uint8Array): Uint8Array {
  const out = Uint8Array.from(cose);
  out.set(otherEcdsaForm(cose.subarray(cose.length - 64)), cose.length - 64);
  return out;
}

/** The compact JWS inside an `shc:/` text. */
export function shcJws(text: string): string {
  const decoded = decodeShcNumeric(text);
  if (!decoded.ok) throw new Error(decoded.detail);
  return decoded.jws;
}

/** The JWS with its signature (third part) replaced by `change(signature bytes)`, as `shc:/`. */
export function shcWithSignature(text: string, change: (signature: Uint8Array) => Uint8Array): string {
  const [header, payload, signature] = shcJws(text).split('.') as [string, string, string];
  const changed = Buffer.from(change(new Uint8Array(Buffer.from(signature, 'base64url')))).toString('base64url');
  return encodeShcNumeric(`${header}.${payload}.${changed}`);
}

/**
 * A copy with the last bit flipped: of a raw signature, or of a COSE message (whose last byte is
 * its signature's): the signature no longer verifies.
 */
export function flipLastBit(signature: Uint8Array): Uint8Array {
  const out = Uint8Array.from(signature);
  out[out.length - 1]! ^= 0x01;
  return out;
}
