/**
 * Test-only issuing side of EU DCC: a minimal self-signed X.509 builder (so tests can make signer
 * certificates with chosen validity and Extended Key Usage, which node:crypto cannot) and an HC1
 * encoder. Certificates are signed with a fixed throwaway P-256 key; the verifier never checks
 * the certificate's own signature (trust comes from the bundle), only its key, validity and EKU.
 */
import { X509Certificate, createHash, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { COSE_ALG, signCoseSign1 } from '../../src/credentials/cose/cose.js';

function tlv(tag: number, content: Uint8Array): Uint8Array {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Uint8Array.from([tag, ...len, ...content]);
}
const seq = (...items: Uint8Array[]) => tlv(0x30, Buffer.concat(items));

function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const bytes = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  }
  return tlv(0x06, Uint8Array.from(out));
}

function time(d: Date): Uint8Array {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z'; // YYYYMMDDHHMMSSZ
  const y = d.getUTCFullYear();
  return y >= 1950 && y < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}

const name = (cn: string) => seq(tlv(0x31, seq(oid('2.5.4.3'), tlv(0x0c, Buffer.from(cn)))));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));
const certSigner = generateKeyPairSync('ec', { namedCurve: 'P-256' });

export const DCC_EKU = { test: '1.3.6.1.4.1.1847.2021.1.1', vaccination: '1.3.6.1.4.1.1847.2021.1.2', recovery: '1.3.6.1.4.1.1847.2021.1.3' };

export interface TestSigner {
  certificate: X509Certificate;
  privateKey: KeyObject;
  /** base64 of the first 8 bytes of SHA-256 of the certificate DER. */
  kid: string;
  alg: number;
}

export interface RawTime {
  type: 'utc' | 'gen';
  text: string;
}

const rawTime = (t: RawTime) => tlv(t.type === 'utc' ? 0x17 : 0x18, Buffer.from(t.text));

export interface SignerOptions {
  /**
   * 'ec' = P-256 (ES256), 'ec-p384' = P-384 (ES384, an algorithm the DCC spec does not allow),
   * 'ec-secp256k1' = a 256-bit curve that is not P-256 (signs as ES256, which names P-256 only),
   * 'rsa' = RSA (PS256), 2048 bits unless `rsaBits` says otherwise.
   */
  keyType?: 'ec' | 'ec-p384' | 'ec-secp256k1' | 'rsa';
  /** RSA modulus length in bits (default 2048). */
  rsaBits?: number;
  /** Certify this key pair instead of a new one (a DSC re-certified with the same key). */
  keyPair?: { privateKey: KeyObject; publicKey: KeyObject };
  notBefore?: Date;
  notAfter?: Date;
  /**
   * The validity times exactly as written (instead of notBefore/notAfter): `utc` = UTCTime,
   * `gen` = GeneralizedTime, any text (a month 13, no `Z`, a year 0049).
   */
  rawTimes?: { notBefore?: RawTime; notAfter?: RawTime };
  /** Extended Key Usage OIDs; omitted = no EKU extension. */
  eku?: string[];
  cn?: string;
}

export function makeSigner(opts: SignerOptions = {}): TestSigner {
  const pair =
    opts.keyPair ??
    (opts.keyType === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: opts.rsaBits ?? 2048 })
      : generateKeyPairSync('ec', { namedCurve: opts.keyType === 'ec-p384' ? 'P-384' : opts.keyType === 'ec-secp256k1' ? 'secp256k1' : 'P-256' }));
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const extensions = opts.eku
    ? [tlv(0xa3, seq(seq(oid('2.5.29.37'), tlv(0x04, seq(...opts.eku.map(oid))))))]
    : [];
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Uint8Array.from([2]))),
    tlv(0x02, Uint8Array.from([0x01, ...createHash('sha256').update(spki).digest().subarray(0, 8)])),
    ECDSA_SHA256,
    name(opts.cn ?? 'DSC test'),
    seq(
      opts.rawTimes?.notBefore ? rawTime(opts.rawTimes.notBefore) : time(opts.notBefore ?? new Date('2021-01-01T00:00:00Z')),
      opts.rawTimes?.notAfter ? rawTime(opts.rawTimes.notAfter) : time(opts.notAfter ?? new Date('2031-01-01T00:00:00Z')),
    ),
    name(opts.cn ?? 'DSC test'),
    spki,
    ...extensions,
  );
  const sig = sign('sha256', tbs, certSigner.privateKey);
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Uint8Array.from([0, ...sig])));
  const certificate = new X509Certificate(der);
  const kid = createHash('sha256').update(der).digest().subarray(0, 8).toString('base64');
  const alg = opts.keyType === 'rsa' ? COSE_ALG.PS256 : opts.keyType === 'ec-p384' ? COSE_ALG.ES384 : COSE_ALG.ES256;
  return { certificate, privateKey: pair.privateKey, kid, alg };
}

export interface IssueOptions {
  /** The DCC JSON (claim -260 → 1). */
  dcc: CborEncodable;
  signer: TestSigner;
  /** Seconds since the epoch. */
  iat?: number;
  exp?: number;
  iss?: string;
  /** Put this kid (bytes) in the protected header instead of the signer's. */
  kid?: Uint8Array;
  tagged?: boolean;
  /** Skip zlib (the verifier must refuse this). */
  uncompressed?: boolean;
  /** Replace the claims map entirely. */
  claims?: CborEncodable;
}

export function issueHc1(o: IssueOptions): string {
  const claims =
    o.claims ??
    new Map<number, CborEncodable>([
      [1, o.iss ?? 'VN'],
      [6, o.iat ?? Date.parse('2022-01-01T00:00:00Z') / 1000],
      [4, o.exp ?? Date.parse('2023-01-01T00:00:00Z') / 1000],
      [-260, new Map([[1, o.dcc]])],
    ]);
  const cose = signCoseSign1({
    alg: o.signer.alg,
    key: o.signer.privateKey,
    kid: o.kid ?? Buffer.from(o.signer.kid, 'base64'),
    payload: encodeCbor(claims),
    tagged: o.tagged ?? true,
  });
  return `HC1:${base45Encode(o.uncompressed ? cose : deflateSync(cose))}`;
}

/** A schema-valid vaccination DCC (fictitious person). */
export function sampleVaccination(): { [key: string]: CborEncodable } {
  return {
    ver: '1.3.0',
    nam: { fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Văn An', gnt: 'VAN<AN' },
    dob: '1990-05-04',
    v: [
      {
        tg: '840539006',
        vp: 'J07BX03',
        mp: 'EU/1/20/1528',
        ma: 'ORG-100030215',
        dn: 2,
        sd: 2,
        dt: '2021-09-01',
        co: 'VN',
        is: 'Ministry of Health of Viet Nam',
        ci: 'URN:UVCI:01:VN:TEST0001#X',
      },
    ],
  };
}
