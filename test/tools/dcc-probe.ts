/**
 * Adversarial probe of the signed formats (EU DCC `HC1:`, CKD1): generates edge cases with the
 * test issuers, runs each through the same assessment `checkpoint-kiosk verify` makes (assessText
 * with the default policy) and prints the verdict and reasons beside the one a careful verifier
 * gives (the eu-dcc-hcert-spec, eu-dcc-schema 1.3.x, RFC 8392 / 9052 / 8230). Not a test: a tool
 * for a reviewer; every disagreement it found has its own test under test/unit.
 *
 *   node --import tsx test/tools/dcc-probe.ts [--all]      (--all prints agreeing cases too)
 */
import { constants, sign as cryptoSign } from 'node:crypto';
import { deflateSync, deflateRawSync } from 'node:zlib';
import { assessText } from '../../src/core/assess.js';
import { DEFAULT_POLICY } from '../../src/core/policy.js';
import { silentLogger } from '../../src/core/system.js';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { CborTag, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable, CborValue } from '../../src/credentials/cose/cbor.js';
import { COSE_ALG, sigStructure } from '../../src/credentials/cose/cose.js';
import { DEFAULT_FORMATS } from '../../src/credentials/registry.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import { DCC_EKU, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { RAW_EXP as EXP, RAW_IAT as IAT, dccClaims as claimsOf, kidBytes as kidOf, rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';
import { claimsFor, declarationTrust, rawDeclarationToken, sampleDeclBody } from '../helpers/declaration.js';
import { newEcKey } from '../helpers/keys.js';

const NOW = new Date('2022-06-01T00:00:00Z');
const sec = (iso: string) => Date.parse(iso) / 1000;

type Dcc = { [key: string]: CborEncodable };

interface Case {
  name: string;
  text: string;
  trust: TrustIndex;
  /** What a careful verifier says: verdict and reasons (order-insensitive). */
  want: string;
  at?: Date;
}

const es = makeSigner();
const trustEs = buildDccTrust([es.certificate]);
const cases: Case[] = [];
const add = (name: string, text: string, want: string, trust: TrustIndex = trustEs, at?: Date) => cases.push({ name, text, trust, want, ...(at ? { at } : {}) });

function vacc(over: Dcc = {}, top: Dcc = {}): Dcc {
  const base = sampleVaccination() as Dcc & { v: Dcc[] };
  return { ...base, ...top, v: [{ ...base.v[0]!, ...over }] };
}
function testDcc(over: Dcc = {}): Dcc {
  const { ver, nam, dob } = sampleVaccination() as Dcc;
  return { ver: ver!, nam: nam!, dob: dob!, t: [{ tg: '840539006', tt: 'LP6464-4', sc: '2022-05-31T10:00:00Z', tr: '260415000', tc: 'Lab', co: 'VN', is: 'MoH', ci: 'URN:UVCI:01:VN:T#1', ...over }] };
}
function recDcc(over: Dcc = {}): Dcc {
  const { ver, nam, dob } = sampleVaccination() as Dcc;
  return { ver: ver!, nam: nam!, dob: dob!, r: [{ tg: '840539006', fr: '2022-05-01', co: 'VN', is: 'MoH', df: '2022-05-12', du: '2022-10-28', ci: 'URN:UVCI:01:VN:R#1', ...over }] };
}

// ---- control
add('control ES256', rawHc1({ signer: es }), 'accept');

// ---- CWT times
add('iat missing', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([[1, 'VN'], [4, EXP], [-260, new Map([[1, vacc()]])]]) }), 'reject schema-invalid');
add('exp missing', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([[1, 'VN'], [6, IAT], [-260, new Map([[1, vacc()]])]]) }), 'reject schema-invalid');
add('iat float', rawHc1({ signer: es, claims: claimsOf(vacc(), IAT + 0.5) }), 'accept');
add('exp float', rawHc1({ signer: es, claims: claimsOf(vacc(), IAT, EXP + 0.5) }), 'accept');
add('exp negative', rawHc1({ signer: es, claims: claimsOf(vacc(), IAT, -1) }), 'reject expired|schema-invalid');
add('iat negative (1969)', rawHc1({ signer: es, claims: claimsOf(vacc(), -100) }), 'accept');
add('exp 2^40', rawHc1({ signer: es, claims: claimsOf(vacc(), IAT, 2 ** 40) }), 'accept');
add('exp uint64 max', rawHc1({ signer: es, claims: claimsOf(vacc(), IAT, 0xffffffffffffffffn) }), 'accept');
add('exp NaN float', rawHc1({ signer: es, claims: claimsOf(vacc(), IAT, Number.NaN) }), 'reject schema-invalid');
add('exp Infinity', rawHc1({ signer: es, claims: claimsOf(vacc(), IAT, Number.POSITIVE_INFINITY) }), 'reject schema-invalid');
add('exp before iat, both past', rawHc1({ signer: es, claims: claimsOf(vacc(), sec('2022-05-01T00:00:00Z'), sec('2022-04-01T00:00:00Z')) }), 'reject expired|schema-invalid');
add('exp before iat, within skew of now', rawHc1({ signer: es, claims: claimsOf(vacc(), NOW.getTime() / 1000 + 200, NOW.getTime() / 1000 + 100) }), 'reject schema-invalid');
add('iat 1 h in the future', rawHc1({ signer: es, claims: claimsOf(vacc(), NOW.getTime() / 1000 + 3600) }), 'reject not-yet-valid');
add('iat as text', rawHc1({ signer: es, claims: claimsOf(vacc(), '2022-01-01T00:00:00Z') }), 'reject schema-invalid');
add('iat as tag 1', rawHc1({ signer: es, claims: claimsOf(vacc(), new CborTag(1, IAT)) }), 'reject schema-invalid');
add('nbf in the future', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([...claimsOf(vacc()), [5, NOW.getTime() / 1000 + 3600]]) }), 'reject not-yet-valid');
add('nbf past', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([...claimsOf(vacc()), [5, IAT]]) }), 'accept');
add('nbf as text', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([...claimsOf(vacc()), [5, 'soon']]) }), 'reject schema-invalid');
add('iss as integer', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([[1, 704], [6, IAT], [4, EXP], [-260, new Map([[1, vacc()]])]]) }), 'reject schema-invalid|unreadable');

// ---- DSC validity
const expiredDsc = makeSigner({ notAfter: new Date('2022-05-01T00:00:00Z') });
add('DSC expired, DCC exp later', rawHc1({ signer: expiredDsc }), 'reject expired', buildDccTrust([expiredDsc.certificate]));
const edgeDsc = makeSigner({ notAfter: NOW });
add('DSC notAfter == clock', rawHc1({ signer: edgeDsc }), 'accept', buildDccTrust([edgeDsc.certificate]));
const futureDsc = makeSigner({ notBefore: new Date('2022-07-01T00:00:00Z') });
add('DSC notBefore after clock', rawHc1({ signer: futureDsc }), 'reject not-yet-valid', buildDccTrust([futureDsc.certificate]));
const badTimeDsc = makeSigner({ rawTimes: { notAfter: { type: 'gen', text: '20201331235959Z' } } });
add('DSC notAfter month 13 ("Bad time value")', rawHc1({ signer: badTimeDsc }), 'reject bad-signature|unknown-signer', buildDccTrust([badTimeDsc.certificate]));
const year49Dsc = makeSigner({ rawTimes: { notAfter: { type: 'gen', text: '00491231235959Z' } } });
add('DSC notAfter in the year 0049', rawHc1({ signer: year49Dsc }), 'reject expired', buildDccTrust([year49Dsc.certificate]));
const sameDsc = makeSigner({ notBefore: NOW, notAfter: NOW });
add('DSC notBefore == notAfter == clock', rawHc1({ signer: sameDsc }), 'accept', buildDccTrust([sameDsc.certificate]));

// ---- EKU
const ekuTest = makeSigner({ eku: [DCC_EKU.test] });
add('EKU test only, vaccination DCC', rawHc1({ signer: ekuTest }), 'reject signer-not-allowed', buildDccTrust([ekuTest.certificate]));
const altVacc = makeSigner({ eku: ['1.3.6.1.4.1.0.1847.2021.1.2'] });
add('alt EKU vaccination, vaccination DCC', rawHc1({ signer: altVacc }), 'accept', buildDccTrust([altVacc.certificate]));
add('alt EKU vaccination, test DCC', rawHc1({ signer: altVacc, dcc: testDcc() }), 'reject signer-not-allowed', buildDccTrust([altVacc.certificate]));
const tlsOnly = makeSigner({ eku: ['1.3.6.1.5.5.7.3.1'] });
add('EKU serverAuth only', rawHc1({ signer: tlsOnly }), 'accept', buildDccTrust([tlsOnly.certificate]));
const allThree = makeSigner({ eku: [DCC_EKU.test, DCC_EKU.vaccination, DCC_EKU.recovery] });
add('EKU all three, recovery DCC', rawHc1({ signer: allThree, dcc: recDcc() }), 'accept', buildDccTrust([allThree.certificate]));

// ---- kid
const other = makeSigner();
add('two certificates share the kid', rawHc1({ signer: es }), 'accept', buildDccTrust([{ certificate: other.certificate, kid: es.kid }, es.certificate]));
add('kid protected right, unprotected wrong', rawHc1({ signer: es, unprot: new Map([[4, kidOf(other)]]) }), 'accept', buildDccTrust([es.certificate, other.certificate]));
add('kid protected wrong, unprotected right', rawHc1({ signer: es, prot: new Map<number, CborEncodable>([[1, -7], [4, kidOf(other)]]), unprot: new Map([[4, kidOf(es)]]) }), 'reject bad-signature', buildDccTrust([es.certificate, other.certificate]));
add('kid only unprotected', rawHc1({ signer: es, prot: new Map<number, CborEncodable>([[1, -7]]), unprot: new Map([[4, kidOf(es)]]) }), 'accept');
add('kid 16 bytes', rawHc1({ signer: es, prot: new Map<number, CborEncodable>([[1, -7], [4, new Uint8Array(16)]]) }), 'reject unknown-signer');
add('kid empty', rawHc1({ signer: es, prot: new Map<number, CborEncodable>([[1, -7], [4, new Uint8Array(0)]]) }), 'reject unknown-signer');
add('kid as text', rawHc1({ signer: es, prot: new Map<number, CborEncodable>([[1, -7], [4, es.kid]]) }), 'reject unknown-signer');
add('alg only unprotected', rawHc1({ signer: es, prot: new Map<number, CborEncodable>([[4, kidOf(es)]]), unprot: new Map([[1, -7]]) }), 'accept|reject bad-signature');
add('alg as text "ES256"', rawHc1({ signer: es, prot: new Map<number, CborEncodable>([[1, 'ES256'], [4, kidOf(es)]]) }), 'reject bad-signature');
add('protected header empty bstr, all unprotected', rawHc1({ signer: es, prot: new Uint8Array(0), unprot: new Map<number, CborEncodable>([[1, -7], [4, kidOf(es)]]) }), 'accept|reject bad-signature');

// ---- COSE structure
add('untagged', rawHc1({ signer: es, wrap: (a) => a }), 'accept');
add('tag 61 around tag 18', rawHc1({ signer: es, wrap: (a) => new CborTag(61, new CborTag(18, a as CborValue)) }), 'accept');
add('tag 61 around untagged', rawHc1({ signer: es, wrap: (a) => new CborTag(61, a as CborValue) }), 'accept|reject unreadable');
add('tag 98 (COSE_Sign)', rawHc1({ signer: es, wrap: (a) => new CborTag(98, a as CborValue) }), 'reject unreadable');
add('tag 17 (COSE_Mac0)', rawHc1({ signer: es, wrap: (a) => new CborTag(17, a as CborValue) }), 'reject unreadable');
add('tag 18 twice', rawHc1({ signer: es, wrap: (a) => new CborTag(18, new CborTag(18, a as CborValue)) }), 'reject unreadable');
add('5 items', rawHc1({ signer: es, wrap: (a) => new CborTag(18, [...a, 0] as CborValue) }), 'reject unreadable');
add('3 items', rawHc1({ signer: es, wrap: (a) => new CborTag(18, a.slice(0, 3) as CborValue) }), 'reject unreadable');
add('trailing byte after COSE', rawHc1({ signer: es, cose: (b) => Buffer.concat([b, Buffer.from([0])]) }), 'reject unreadable');
const payloadTrail = Buffer.concat([encodeCbor(claimsOf(vacc())), Buffer.from([0x00])]);
add('payload with trailing bytes', rawHc1({ signer: es, claims: payloadTrail }), 'reject unreadable|schema-invalid');
add('uncompressed', rawHc1({ signer: es, compress: (b) => b }), 'reject unreadable');
add('raw deflate (no zlib header)', rawHc1({ signer: es, compress: (b) => deflateRawSync(b) }), 'reject unreadable');
add('zlib then garbage', rawHc1({ signer: es, compress: (b) => Buffer.concat([deflateSync(b), Buffer.from('GARBAGE')]) }), 'reject unreadable');
add('zlib bad adler32', rawHc1({ signer: es, compress: (b) => { const z = Buffer.from(deflateSync(b)); z[z.length - 1]! ^= 1; return z; } }), 'reject unreadable');
add('DER ECDSA signature', (() => {
  const prot = encodeCbor(new Map<number, CborEncodable>([[1, -7], [4, kidOf(es)]]));
  const payload = encodeCbor(claimsOf(vacc()));
  const sig = cryptoSign('sha256', sigStructure(prot, payload), es.privateKey); // DER
  return `HC1:${base45Encode(deflateSync(encodeCbor(new CborTag(18, [prot, new Map(), payload, new Uint8Array(sig)] as CborValue))))}`;
})(), 'reject bad-signature');

// ---- CBOR
function withDuplicateClaim(): Uint8Array {
  // map(5) {1: "VN", 6: IAT, 4: EXP, -260: {1: dcc}, 4: EXP+1}
  const base = encodeCbor(claimsOf(vacc()));
  const extra = encodeCbor(new Map<number, CborEncodable>([[4, EXP + 1]])).subarray(1);
  const out = Buffer.concat([base, extra]);
  out[0] = 0xa5;
  return out;
}
add('duplicate key in CWT', rawHc1({ signer: es, claims: withDuplicateClaim() }), 'reject schema-invalid');
function indefiniteClaims(): Uint8Array {
  const base = Buffer.from(encodeCbor(claimsOf(vacc())));
  return Buffer.concat([Buffer.from([0xbf]), base.subarray(1), Buffer.from([0xff])]);
}
add('indefinite-length claims map', rawHc1({ signer: es, claims: indefiniteClaims() }), 'accept');
function nonCanonicalIat(): Uint8Array {
  const m = encodeCbor(new Map<number, CborEncodable>([[1, 'VN']])).subarray(1);
  const iat = Buffer.alloc(9);
  iat[0] = 0x1b;
  iat.writeBigUInt64BE(BigInt(IAT), 1);
  const rest = encodeCbor(new Map<number, CborEncodable>([[4, EXP], [-260, new Map([[1, vacc()]])]])).subarray(1);
  return Buffer.concat([Buffer.from([0xa4]), m, Buffer.from([0x06]), iat, rest]);
}
add('iat as 8-byte integer', rawHc1({ signer: es, claims: nonCanonicalIat() }), 'accept');
add('hcert key 1 as text "1"', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([[1, 'VN'], [6, IAT], [4, EXP], [-260, new Map([['1', vacc()]])]]) }), 'reject unreadable|schema-invalid');
add('hcert without key 1', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([[1, 'VN'], [6, IAT], [4, EXP], [-260, new Map()]]) }), 'reject unreadable|schema-invalid');
add('hcert with extra key 2', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([[1, 'VN'], [6, IAT], [4, EXP], [-260, new Map<number, CborEncodable>([[1, vacc()], [2, 'x']])]]) }), 'accept');
add('DCC as JSON text in a bstr', rawHc1({ signer: es, claims: new Map<number | string, CborEncodable>([[1, 'VN'], [6, IAT], [4, EXP], [-260, new Map([[1, new Uint8Array(Buffer.from(JSON.stringify(vacc())))]])]]) }), 'reject unreadable|schema-invalid');

// ---- DCC content
add('v and t', rawHc1({ signer: es, dcc: { ...vacc(), t: (testDcc() as { t: CborEncodable }).t } }), 'reject schema-invalid');
add('v empty', rawHc1({ signer: es, dcc: { ...vacc(), v: [] } }), 'reject schema-invalid');
add('v two entries', rawHc1({ signer: es, dcc: { ...vacc(), v: [...(vacc().v as CborEncodable[]), ...(vacc().v as CborEncodable[])] } }), 'reject schema-invalid');
add('dn 3 sd 2 (booster)', rawHc1({ signer: es, dcc: vacc({ dn: 3, sd: 2 }) }), 'accept');
add('dn 1 sd 2', rawHc1({ signer: es, dcc: vacc({ dn: 1, sd: 2 }) }), 'refer incomplete-series');
add('dn 0', rawHc1({ signer: es, dcc: vacc({ dn: 0 }) }), 'reject schema-invalid');
add('dn 2.0 float', rawHc1({ signer: es, dcc: vacc({ dn: 2.5 }) }), 'reject schema-invalid');
add('dn as text', rawHc1({ signer: es, dcc: vacc({ dn: '2' }) }), 'reject schema-invalid');
add('dob YYYY', rawHc1({ signer: es, dcc: vacc({}, { dob: '1990' }) }), 'accept');
add('dob YYYY-MM', rawHc1({ signer: es, dcc: vacc({}, { dob: '1990-05' }) }), 'accept');
add('dob empty', rawHc1({ signer: es, dcc: vacc({}, { dob: '' }) }), 'accept');
add('dob XXXX', rawHc1({ signer: es, dcc: vacc({}, { dob: 'XXXX' }) }), 'reject schema-invalid');
add('dob 1990-13-45', rawHc1({ signer: es, dcc: vacc({}, { dob: '1990-13-45' }) }), 'reject schema-invalid');
add('dob 1990-05-04T00:00:00', rawHc1({ signer: es, dcc: vacc({}, { dob: '1990-05-04T00:00:00' }) }), 'reject schema-invalid');
add('dt 2021-06', rawHc1({ signer: es, dcc: vacc({ dt: '2021-06' }) }), 'reject schema-invalid');
add('dt date-time', rawHc1({ signer: es, dcc: vacc({ dt: '2021-09-01T10:00:00Z' }) }), 'accept');
add('dt in the future', rawHc1({ signer: es, dcc: vacc({ dt: '2022-07-01' }) }), 'reject not-yet-valid');
add('dt future as date-time :60', rawHc1({ signer: es, dcc: vacc({ dt: '2022-07-01T23:59:60Z' }) }), 'reject not-yet-valid|schema-invalid');
add('dt as tag 1 epoch', rawHc1({ signer: es, dcc: vacc({ dt: new CborTag(1, sec('2021-09-01T00:00:00Z')) }) }), 'accept');
add('dt as tag 100 (RFC 8943 days)', rawHc1({ signer: es, dcc: vacc({ dt: new CborTag(100, sec('2021-09-01T00:00:00Z') / 86400) }) }), 'accept');
add('dob as tag 1004 (RFC 8943 full-date)', rawHc1({ signer: es, dcc: vacc({}, { dob: new CborTag(1004, '1990-05-04') }) }), 'accept');
add('sc with +02:00', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31T19:21:13+02:00' }) }), 'accept');
add('sc fractional', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31T10:00:00.123Z' }) }), 'accept');
add('sc lower-case t/z', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31t10:00:00z' }) }), 'accept');
add('sc no offset (UTC, as CertLogic reads it)', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31T10:00:00' }) }), 'accept');
add('sc no offset, stale', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-20T10:00:00' }) }), 'reject expired');
add('sc offset +0200', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31T10:00:00+0200' }) }), 'accept');
add('sc offset +2', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31T10:00:00+2' }) }), 'accept');
add('sc offset +25', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31T10:00:00+25' }) }), 'reject schema-invalid');
add('sc without seconds', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31T10:00Z' }) }), 'reject schema-invalid');
add('dt as date-time without offset', rawHc1({ signer: es, dcc: vacc({ dt: '2021-09-01T00:00:00' }) }), 'accept');
add('sc date only', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31' }) }), 'reject schema-invalid');
add('sc stale (10 days)', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-20T10:00:00Z' }) }), 'reject expired');
add('sc stale, leap second :60', rawHc1({ signer: es, dcc: testDcc({ sc: '2021-12-31T23:59:60Z' }) }), 'reject expired');
add('sc future, leap second :60', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-12-31T23:59:60Z' }) }), 'reject not-yet-valid');
add('sc 24:00', rawHc1({ signer: es, dcc: testDcc({ sc: '2022-05-31T24:00:00Z' }) }), 'reject schema-invalid');
add('tr detected', rawHc1({ signer: es, dcc: testDcc({ tr: '260373001' }) }), 'refer positive-test');
add('tr unknown', rawHc1({ signer: es, dcc: testDcc({ tr: '123' }) }), 'reject schema-invalid');
add('recovery inside', rawHc1({ signer: es, dcc: recDcc() }), 'accept');
add('recovery du past', rawHc1({ signer: es, dcc: recDcc({ du: '2022-05-20' }) }), 'reject expired');
add('recovery du past, as date-time :60', rawHc1({ signer: es, dcc: recDcc({ du: '2022-05-20T23:59:60Z' }) }), 'reject expired|schema-invalid');
add('recovery df future', rawHc1({ signer: es, dcc: recDcc({ df: '2022-06-10' }) }), 'reject not-yet-valid');
add('recovery du before df', rawHc1({ signer: es, dcc: recDcc({ df: '2022-05-30', du: '2022-05-12' }) }), 'reject expired|schema-invalid');
add('names Unicode', rawHc1({ signer: es, dcc: vacc({}, { nam: { fn: 'Nguyễn', fnt: 'NGUYEN', gn: 'Thị Ánh', gnt: 'THI<ANH' } }) }), 'accept');
add('fnt lower-case', rawHc1({ signer: es, dcc: vacc({}, { nam: { fnt: 'nguyen' } }) }), 'reject schema-invalid');
add('name with bidi override (shown in ICAO spelling)', rawHc1({ signer: es, dcc: vacc({}, { nam: { fn: 'Ng\u202euyen', fnt: 'NGUYEN' } }) }), 'accept');
add('name with zero-width space (shown in ICAO spelling)', rawHc1({ signer: es, dcc: vacc({}, { nam: { fn: 'Ngu\u200byen', fnt: 'NGUYEN' } }) }), 'accept');
add('group keyed "\uFEFFv" (not v)', (() => {
  const { v, ...rest } = vacc();
  return rawHc1({ signer: es, dcc: { ...rest, '\uFEFFv': v! } });
})(), 'reject schema-invalid');
add('alg as half-float -7.0 (COSE: int / tstr)', rawHc1({ signer: es, prot: Uint8Array.from([0xa2, 0x01, 0xf9, 0xc7, 0x00, 0x04, 0x48, ...kidOf(es)]) }), 'accept|reject bad-signature|reject unreadable');
add('duplicate key in DCC JSON', (() => {
  const good = Buffer.from(encodeCbor(vacc()));
  // append "dob": "2000" as a second dob: map head a4 → a5
  const extra = Buffer.from(encodeCbor({ dob: '2000' })).subarray(1);
  const dcc = Buffer.concat([Buffer.from([0xa5]), good.subarray(1), extra]);
  const claims = Buffer.concat([Buffer.from(encodeCbor(new Map<number | string, CborEncodable>([[1, 'VN'], [6, IAT], [4, EXP]]))), Buffer.from([0x39, 0x01, 0x03, 0xa1, 0x01]), dcc]);
  claims[0] = 0xa4;
  return rawHc1({ signer: es, claims });
})(), 'reject schema-invalid');
add('big but legal payload', rawHc1({ signer: es, dcc: vacc({ is: 'x'.repeat(80) }, { pad: 'y'.repeat(1500) }) }), 'accept');

// ---- birth date (schema-invalid when it cannot exist, is in the future or after the event)
add('dob 1990-02-30', rawHc1({ signer: es, dcc: vacc({}, { dob: '1990-02-30' }) }), 'reject schema-invalid');
add('dob month 13', rawHc1({ signer: es, dcc: vacc({}, { dob: '1990-13' }) }), 'reject schema-invalid');
add('dob in the future', rawHc1({ signer: es, dcc: vacc({}, { dob: '2030-01-01' }) }), 'reject schema-invalid');
add('dob after the vaccination date', rawHc1({ signer: es, dcc: vacc({ dt: '2021-09-01' }, { dob: '2021-10-01' }) }), 'reject schema-invalid');
add('dob after the sample time', rawHc1({ signer: es, dcc: { ...testDcc(), dob: '2022-06-01' } }), 'reject schema-invalid');
add('dob year only', rawHc1({ signer: es, dcc: vacc({}, { dob: '1990' }) }), 'accept');
add('dob year-month', rawHc1({ signer: es, dcc: vacc({}, { dob: '1990-05' }) }), 'accept');
add('dob unknown month 1963-00', rawHc1({ signer: es, dcc: vacc({}, { dob: '1963-00' }) }), 'accept');
add('dob empty', rawHc1({ signer: es, dcc: vacc({}, { dob: '' }) }), 'accept');

// ---- business rules and the issuing country
const invalidationDe = { Identifier: 'IR-DE-0001', Type: 'Invalidation', Country: 'DE', Version: '1.0.0', Engine: 'CERTLOGIC', CertificateType: 'General', Logic: false, Description: [{ lang: 'en', desc: 'German invalidation list' }] };
const invalidationVn = { ...invalidationDe, Identifier: 'IR-VN-0001', Country: 'VN' };
const noIssClaims = new Map<number | string, CborEncodable>([[6, IAT], [4, EXP], [-260, new Map([[1, vacc()]])]]);
add('no iss, signer without country: DE invalidation list', rawHc1({ signer: es, claims: noIssClaims }), 'accept', buildDccTrust([es.certificate], { rules: [invalidationDe] }));
add('iss "vn": VN invalidation list applies', rawHc1({ signer: es, claims: new Map([...claimsOf(vacc()), [1, 'vn']]) }), 'reject rule-failed:IR-VN-0001', buildDccTrust([es.certificate], { rules: [invalidationVn] }));
add('iss "VN": DE invalidation list does not', rawHc1({ signer: es }), 'accept', buildDccTrust([es.certificate], { rules: [invalidationDe] }));
const invalidationCh = { ...invalidationDe, Identifier: 'IR-CH-0001', Country: 'CH' };
add('iss "CH BAG" (Swiss), signer country CH: CH invalidation list applies', rawHc1({ signer: es, claims: new Map([...claimsOf(vacc()), [1, 'CH BAG']]) }), 'reject rule-failed:IR-CH-0001', buildDccTrust([{ certificate: es.certificate, country: 'CH' }], { rules: [invalidationCh] }));

// ---- text
const good = rawHc1({ signer: es });
// Base45 has capitals only: a text all in lower case is read upper-cased (README); a mixed one is
// refused naming the letter case (unreadable), never "no format recognised".
add('lower-case prefix', `hc1:${good.slice(4)}`, 'reject unreadable');
add('whole text lower case (caps lock)', good.toLowerCase(), 'accept');
add('one small letter in the body', `${good.slice(0, 20)}${good[20]!.toLowerCase() === good[20] ? 'q' : good[20]!.toLowerCase()}${good.slice(21)}`, 'reject unreadable');
add('trailing CR LF', `${good}\r\n`, 'accept');
add('trailing spaces', `${good}   `, 'accept');
add('leading space', ` ${good}`, 'accept');
add('base45 invalid char', `${good.slice(0, 20)}a${good.slice(21)}`, 'reject unreadable');
add('base45 dangling char', `${good}A`, 'reject unreadable');
add('base45 group > 0xffff', `${good.slice(0, -3)}:::`, 'reject unreadable');
add('HC1: alone', 'HC1:', 'reject unreadable');
add('HC1 without colon', `HC1${good.slice(4)}`, 'reject unknown-format|unreadable');

// ---- algorithms and keys
const rsa = makeSigner({ keyType: 'rsa' });
const trustRsa = buildDccTrust([rsa.certificate]);
add('PS256 salt 32', rawHc1({ signer: rsa }), 'accept', trustRsa);
add('PS256 salt 0', rawHc1({ signer: rsa, pssSalt: 0 }), 'reject bad-signature', trustRsa);
add('PS256 max salt', rawHc1({ signer: rsa, pssSalt: constants.RSA_PSS_SALTLEN_MAX_SIGN }), 'reject bad-signature', trustRsa);
const rsa1024 = makeSigner({ keyType: 'rsa', rsaBits: 1024 });
add('PS256 RSA-1024', rawHc1({ signer: rsa1024 }), 'reject bad-signature', buildDccTrust([rsa1024.certificate]));
const k1 = makeSigner({ keyType: 'ec-secp256k1' });
add('ES256 by a secp256k1 signer', rawHc1({ signer: { ...k1, alg: COSE_ALG.ES256 } }), 'reject bad-signature', buildDccTrust([k1.certificate]));
add('ES256 claimed by an RSA signer (alg -7, PSS signature)', rawHc1({ signer: rsa, prot: new Map<number, CborEncodable>([[1, -7], [4, kidOf(rsa)]]) }), 'reject bad-signature', trustRsa);

// ---- CKD1 (our declarations): the same COSE/CWT layer, our own claims
const issuerKey = newEcKey();
const trustCkd = declarationTrust(issuerKey);
const nowS = NOW.getTime() / 1000;
const ckd = (claims: Map<number | string, CborEncodable>) => rawDeclarationToken(claims, issuerKey.privateKey, issuerKey.declarationKid);
const decl = (over: Record<string, CborEncodable> = {}, health: Record<string, CborEncodable> = {}) => {
  const b = sampleDeclBody();
  return { ...b, ...over, health: { ...(b.health as Record<string, CborEncodable>), ...health } };
};
add('CKD1 control', ckd(claimsFor(decl(), nowS - 3600, nowS + 3600)), 'accept', trustCkd);
add('CKD1 iat float', ckd(claimsFor(decl(), nowS - 3600.5, nowS + 3600)), 'accept', trustCkd);
add('CKD1 exp before iat', ckd(claimsFor(decl(), nowS + 100, nowS + 50)), 'reject schema-invalid', trustCkd);
add('CKD1 31 days', ckd(claimsFor(decl(), nowS - 3600, nowS + 31 * 86400)), 'reject schema-invalid', trustCkd);
add('CKD1 exp uint64 max', ckd(new Map<number | string, CborEncodable>([[1, 'https://central.checkpoint.example'], [6, nowS - 3600], [4, 0xffffffffffffffffn], ['decl', decl()]])), 'reject schema-invalid', trustCkd);
add('CKD1 nbf in the future', ckd(new Map<number | string, CborEncodable>([...claimsFor(decl(), nowS - 3600, nowS + 7200), [5, nowS + 3600]])), 'reject not-yet-valid', trustCkd);
add('CKD1 expired', ckd(claimsFor(decl(), nowS - 80 * 3600, nowS - 3600)), 'reject expired', trustCkd);
add('CKD1 iat in the future', ckd(claimsFor(decl(), nowS + 3600, nowS + 7200)), 'reject not-yet-valid', trustCkd);
add('CKD1 v 2', ckd(claimsFor(decl({ v: 2 }), nowS - 3600, nowS + 3600)), 'reject schema-invalid', trustCkd);
add('CKD1 dob 1990-02-29', ckd(claimsFor(decl({ sub: { idType: 'cccd', idNo: '001090000001', name: 'An', dob: '1990-02-29' } }), nowS - 3600, nowS + 3600)), 'reject schema-invalid', trustCkd);
add('CKD1 name with U+202E', ckd(claimsFor(decl({ sub: { idType: 'cccd', idNo: '001090000001', name: 'Ng\u202euyen', dob: '1990' } }), nowS - 3600, nowS + 3600)), 'reject schema-invalid', trustCkd);
add('CKD1 positive test', ckd(claimsFor(decl({}, { test: { result: 'positive', at: '2022-05-30' } }), nowS - 3600, nowS + 3600)), 'refer positive-test', trustCkd);
add('CKD1 test at with leap second', ckd(claimsFor(decl({}, { test: { result: 'negative', at: '2021-12-31T23:59:60Z' } }), nowS - 3600, nowS + 3600)), 'accept', trustCkd);
add('CKD1 exposure as 1', ckd(claimsFor(decl({}, { exposure: 1 }), nowS - 3600, nowS + 3600)), 'reject schema-invalid', trustCkd);
add('CKD1 symptoms', ckd(claimsFor(decl({}, { symptoms: ['fever'] }), nowS - 3600, nowS + 3600)), 'refer symptoms', trustCkd);
add('CKD1 signed by a key not in the bundle under its kid', rawDeclarationToken(claimsFor(decl(), nowS - 3600, nowS + 3600), newEcKey().privateKey, issuerKey.declarationKid), 'reject bad-signature', trustCkd);
add('CKD1 unknown kid', rawDeclarationToken(claimsFor(decl(), nowS - 3600, nowS + 3600), issuerKey.privateKey, newEcKey().declarationKid), 'reject unknown-signer', trustCkd);
add('CKD1 lower-case prefix', `ckd1:${ckd(claimsFor(decl(), nowS - 3600, nowS + 3600)).slice(5)}`, 'reject unreadable', trustCkd);
add('CKD1 alone', 'CKD1:', 'reject unreadable', trustCkd);
add('CKD1 test time tomorrow', ckd(claimsFor(decl({}, { test: { result: 'negative', at: '2022-06-03' } }), nowS - 3600, nowS + 3600)), 'reject not-yet-valid', trustCkd);
add('CKD1 positive test 36 days old (a finding whatever its age)', ckd(claimsFor(decl({}, { test: { result: 'positive', at: '2022-04-26' } }), nowS - 3600, nowS + 3600)), 'refer positive-test', trustCkd);
add('CKD1 nbf as text', ckd(new Map<number | string, CborEncodable>([...claimsFor(decl(), nowS - 3600, nowS + 7200), [5, 'soon']])), 'reject schema-invalid', trustCkd);
add('CKD1 iss missing', ckd(new Map<number | string, CborEncodable>([[6, nowS - 3600], [4, nowS + 3600], ['decl', decl()]])), 'reject schema-invalid', trustCkd);

async function main(): Promise<void> {
  const all = process.argv.includes('--all');
  let disagree = 0;
  for (const c of cases) {
    const { verdict } = await assessText(c.text, c.at ?? NOW, { formats: DEFAULT_FORMATS, trust: () => c.trust, policy: () => DEFAULT_POLICY, logger: silentLogger });
    const got = `${verdict.verdict} ${[...verdict.reasons].sort().join(',')}`.trim();
    const ok = c.want.split('|').some((w) => {
      const [v, r] = w.includes(' ') ? w.split(' ') : w === 'accept' || w === 'refer' || w === 'reject' ? [w, ''] : ['reject', w];
      return got === `${v} ${(r ?? '').split(',').filter(Boolean).sort().join(',')}`.trim();
    });
    if (!ok) disagree++;
    if (!ok || all) console.log(`${ok ? 'ok  ' : 'DIFF'} ${c.name.padEnd(52)} got: ${got.padEnd(34)} want: ${c.want}   ${ok ? '' : verdict.display.messages.join(' | ')}`);
  }
  console.log(`${cases.length} cases, ${disagree} disagreements`);
}

void main();
