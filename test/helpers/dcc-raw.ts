/**
 * Hand-built HC1 payloads for the cases a well-behaved issuer never produces: any protected and
 * unprotected header, any claims (or exact payload bytes), any wrapping of the COSE_Sign1 array
 * (tags, extra items), any RSASSA-PSS salt length, and any compression. The signature is always
 * made over the real Sig_structure (RFC 9052 §4.4) of the bytes sent, so a verifier's answer is
 * about the shape, never about a broken signature.
 */
import { constants, sign as cryptoSign } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { CborTag, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable, CborValue } from '../../src/credentials/cose/cbor.js';
import { COSE_ALG, sigStructure } from '../../src/credentials/cose/cose.js';
import { sampleVaccination } from './dcc-issuer.js';
import type { TestSigner } from './dcc-issuer.js';

/** Seconds since the epoch: the default iat (2022-01-01) and exp (2023-01-01). */
export const RAW_IAT = Date.parse('2022-01-01T00:00:00Z') / 1000;
export const RAW_EXP = Date.parse('2023-01-01T00:00:00Z') / 1000;

export interface RawHc1Options {
  signer: TestSigner;
  /** Protected header map (default {1: signer.alg, 4: signer.kid}) or its exact bytes. */
  prot?: Map<number, CborEncodable> | Uint8Array;
  unprot?: Map<number, CborEncodable>;
  /** Claims map (default: dccClaims(dcc)) or the exact payload bytes. */
  claims?: Map<number | string, CborEncodable> | Uint8Array;
  /** The DCC JSON put under -260/1 when `claims` is not given (default sampleVaccination()). */
  dcc?: CborEncodable;
  /** Wraps the 4-item array (default: tag 18 around it). */
  wrap?: (items: CborEncodable[]) => CborEncodable;
  /** RSASSA-PSS salt length in bytes for PS256 signers (default 32, RFC 8230), or a node:crypto constant. */
  pssSalt?: number;
  /** Changes the COSE bytes before compression (trailing bytes …). */
  cose?: (bytes: Uint8Array) => Uint8Array;
  /** Compression (default zlib, deflateSync). */
  compress?: (bytes: Uint8Array) => Uint8Array;
}

/** The signer's kid as bytes. */
export function kidBytes(s: TestSigner): Uint8Array {
  return new Uint8Array(Buffer.from(s.kid, 'base64'));
}

/** CWT claims {1: "VN", 6: iat, 4: exp, -260: {1: dcc}} with any values, in that order. */
export function dccClaims(dcc: CborEncodable, iat: CborEncodable = RAW_IAT, exp: CborEncodable = RAW_EXP): Map<number | string, CborEncodable> {
  return new Map<number | string, CborEncodable>([
    [1, 'VN'],
    [6, iat],
    [4, exp],
    [-260, new Map([[1, dcc]])],
  ]);
}

/** HC1 text of a COSE_Sign1 built from the given parts, signed by `signer`. */
export function rawHc1(o: RawHc1Options): string {
  const prot =
    o.prot instanceof Uint8Array ? o.prot : encodeCbor(o.prot ?? new Map<number, CborEncodable>([[1, o.signer.alg], [4, kidBytes(o.signer)]]));
  const payload = o.claims instanceof Uint8Array ? o.claims : encodeCbor(o.claims ?? dccClaims(o.dcc ?? sampleVaccination()));
  const data = sigStructure(prot, payload);
  const sig =
    o.signer.alg === COSE_ALG.PS256
      ? cryptoSign('sha256', data, { key: o.signer.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: o.pssSalt ?? 32 })
      : cryptoSign('sha256', data, { key: o.signer.privateKey, dsaEncoding: 'ieee-p1363' });
  const items: CborEncodable[] = [prot, o.unprot ?? new Map(), payload, new Uint8Array(sig)];
  let cose = encodeCbor(o.wrap ? o.wrap(items) : new CborTag(18, items as CborValue));
  if (o.cose) cose = o.cose(cose);
  return `HC1:${base45Encode((o.compress ?? ((b: Uint8Array) => deflateSync(b)))(cose))}`;
}
