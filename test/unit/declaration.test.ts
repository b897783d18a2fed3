import { generateKeyPairSync } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode } from '../../src/credentials/cose/base45.js';
import { CborTag, decodeCbor, encodeCbor } from '../../src/credentials/cose/cbor.js';
import type { CborEncodable, CborMap } from '../../src/credentials/cose/cbor.js';
import { COSE_ALG, parseCoseSign1 } from '../../src/credentials/cose/cose.js';
import { declarationFormat, declarationKid, issueDeclaration } from '../../src/credentials/declaration/index.js';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';
import type { VerifyResult } from '../../src/credentials/types.js';
import { newEcKey } from '../helpers/keys.js';
import { ISSUER, claimsFor, declarationTrust, rawDeclarationToken, sampleDeclBody, sampleDeclaration } from '../helpers/declaration.js';

const issuerKey = newEcKey();
const otherKey = newEcKey();
const trust = declarationTrust(issuerKey);
const issuedAt = new Date('2026-11-26T08:00:00Z');
const iatS = issuedAt.getTime() / 1000;
const signer = { privateKey: issuerKey.privateKey, kid: issuerKey.declarationKid };
const HOUR = 3600 * 1000;

function verify(text: string, at = new Date(issuedAt.getTime() + HOUR), t = trust): VerifyResult {
  const r = declarationFormat.verify(text, { now: at, trust: t });
  if (r instanceof Promise) throw new Error('expected a synchronous verify');
  return r;
}

const issue = (decl = sampleDeclaration(), now = issuedAt, validHours?: number) =>
  issueDeclaration(decl, signer, { iss: ISSUER, now, ...(validHours !== undefined ? { validHours } : {}) });

describe('CKD1: issue and verify', () => {
  it('issues a token in the contract layout', () => {
    const text = issue();
    expect(text).toMatch(/^CKD1:[0-9A-Z $%*+\-./:]+$/);
    const cose = decodeCbor(inflateSync(base45Decode(text.slice(5))));
    expect(cose).toBeInstanceOf(CborTag);
    expect((cose as CborTag).tag).toBe(18);
    const msg = parseCoseSign1(inflateSync(base45Decode(text.slice(5))));
    expect(msg.protectedHeader.get(1)).toBe(-7);
    expect(Buffer.from(msg.protectedHeader.get(4) as Uint8Array).toString('base64')).toBe(issuerKey.declarationKid);
    const claims = decodeCbor(msg.payload) as CborMap;
    expect(claims.get(1)).toBe(ISSUER);
    expect(claims.get(6)).toBe(iatS);
    expect(claims.get(4)).toBe(iatS + 72 * 3600);
    const decl = claims.get('decl') as CborMap;
    expect(decl.get('v')).toBe(1);
    expect((decl.get('sub') as CborMap).get('idNo')).toBe('001090000001');
  });

  it('computes the kid from the SubjectPublicKeyInfo DER', () => {
    expect(declarationKid(issuerKey.publicKey)).toBe(issuerKey.declarationKid);
    expect(Buffer.from(declarationKid(issuerKey.publicKey), 'base64')).toHaveLength(8);
    expect(declarationKid(otherKey.publicKey)).not.toBe(issuerKey.declarationKid);
  });

  it('verifies a fresh declaration: no failures, no findings, subject and status keys', () => {
    const r = verify(issue());
    expect(declarationFormat.detect(issue())).toBe(true);
    expect(r.format).toBe('ckd1');
    expect(r.failures).toEqual([]);
    expect(r.findings).toEqual([]);
    expect(r.identityOnly).toBe(false);
    expect(r.subject).toEqual({ idType: 'cccd', idNo: '001090000001', name: 'Nguyễn Văn An', dob: '1990-05-17' });
    expect(r.statusKeys).toEqual(['001090000001', '0190d6b2-7c1e-7000-8000-000000000001']);
    expect(r.title).toBe('Entry declaration');
    expect(r.details).toEqual([
      { label: 'Trip', value: 'Bắc Ninh → Hà Nội' },
      { label: 'Purpose', value: 'work' },
      { label: 'Valid until', value: '2026-11-29T08:00:00.000Z' },
      { label: 'Issuer', value: 'Issuer 1' },
    ]);
    expect(r.steps.map((s) => s.step)).toEqual(['decode', 'issuer', 'signature', 'validity', 'content']);
  });

  it('turns declared symptoms, exposure and a positive test into findings', () => {
    expect(verify(issue(sampleDeclaration({ symptoms: ['fever', 'cough'] }))).findings).toEqual(['symptoms']);
    expect(verify(issue(sampleDeclaration({ exposure: true }))).findings).toEqual(['exposure']);
    const positive = verify(issue(sampleDeclaration({ test: { result: 'positive', at: '2026-11-25' } })));
    expect(positive.findings).toEqual(['positive-test']);
    expect(positive.failures).toEqual([]);
    expect(positive.messages).toContain('Positive test on 2026-11-25');
    const all = verify(issue(sampleDeclaration({ symptoms: ['fever'], exposure: true, test: { result: 'positive', at: '2026-11-25T07:00:00Z' } })));
    expect(all.findings).toEqual(['symptoms', 'exposure', 'positive-test']);
    expect(verify(issue(sampleDeclaration({ test: { result: 'negative', at: '2026-11-25' } }))).findings).toEqual([]);
  });

  it('refuses to issue what kiosks would refuse', () => {
    const bad = { ...sampleDeclaration(), sub: { ...sampleDeclaration().sub, dob: '17/05/1990' } };
    expect(() => issue(bad)).toThrow('invalid declaration: decl.sub.dob: expected a date YYYY[-MM[-DD]]');
    expect(() => issue(sampleDeclaration(), issuedAt, 0)).toThrow(RangeError);
    expect(() => issueDeclaration(sampleDeclaration(), { ...signer, kid: 'abc' }, { iss: ISSUER, now: issuedAt })).toThrow('kid');
  });
});

describe('CKD1: validity period', () => {
  it('is valid for 72 hours by default, then expired (keeping the subject for the record)', () => {
    const text = issue();
    expect(verify(text, new Date(issuedAt.getTime() + 71 * HOUR)).failures).toEqual([]);
    const late = verify(text, new Date(issuedAt.getTime() + 73 * HOUR));
    expect(late.failures).toEqual(['expired']);
    expect(late.subject.idNo).toBe('001090000001');
    expect(verify(issue(sampleDeclaration(), issuedAt, 1), new Date(issuedAt.getTime() + 2 * HOUR)).failures).toEqual(['expired']);
  });

  it('is not yet valid when issued more than 5 minutes in the future', () => {
    expect(verify(issue(), new Date(issuedAt.getTime() - HOUR)).failures).toEqual(['not-yet-valid']);
    expect(verify(issue(), new Date(issuedAt.getTime() - 60_000)).failures).toEqual([]);
  });
});

describe('CKD1: forged or unknown', () => {
  it('rejects an unknown kid as unknown-signer', () => {
    const foreign = issueDeclaration(sampleDeclaration(), { privateKey: otherKey.privateKey, kid: otherKey.declarationKid }, { iss: ISSUER, now: issuedAt });
    expect(verify(foreign).failures).toEqual(['unknown-signer']);
    expect(verify(issue(), undefined, EMPTY_TRUST).failures).toEqual(['unknown-signer']);
  });

  it('rejects a token signed by another key under the trusted kid as bad-signature', () => {
    const forged = issueDeclaration(sampleDeclaration(), { privateKey: otherKey.privateKey, kid: issuerKey.declarationKid }, { iss: ISSUER, now: issuedAt });
    const r = verify(forged);
    expect(r.failures).toEqual(['bad-signature']);
    expect(r.steps.find((s) => !s.ok)?.step).toBe('signature');
  });

  it('rejects a payload edited after signing as bad-signature', () => {
    const msg = parseCoseSign1(inflateSync(base45Decode(issue().slice(5))));
    const claims = decodeCbor(msg.payload) as CborMap;
    const decl = claims.get('decl') as CborMap;
    (decl.get('health') as CborMap).set('symptoms', []);
    (decl.get('sub') as CborMap).set('idNo', '001090000002');
    const body = [msg.protectedBytes, new Map(), encodeCbor(claims as unknown as CborEncodable), msg.signature];
    const tampered = `CKD1:${base45Encode(deflateSync(encodeCbor(new CborTag(18, body as never))))}`;
    expect(verify(tampered).failures).toEqual(['bad-signature']);
  });

  it('rejects a flipped character anywhere with a reason', () => {
    const text = issue();
    for (const at of [6, Math.floor(text.length / 2), text.length - 2]) {
      const ch = text[at] === 'A' ? 'B' : 'A';
      const r = verify(text.slice(0, at) + ch + text.slice(at + 1));
      expect(r.failures.length).toBe(1);
      expect(['unreadable', 'bad-signature', 'unknown-signer']).toContain(r.failures[0]);
    }
  });

  it('rejects algorithms other than ES256 as bad-signature', () => {
    const rsa = newRsaKey();
    const token = rawDeclarationToken(claimsFor(sampleDeclBody(), iatS, iatS + 3600), rsa, issuerKey.declarationKid, COSE_ALG.PS256);
    const r = verify(token);
    expect(r.failures).toEqual(['bad-signature']);
    expect(r.steps.find((s) => !s.ok)?.detail).toContain('algorithm -37 (PS256) not allowed (ES256 only)');
  });
});

describe('CKD1: malformed and wrong types', () => {
  it.each([
    ['not base45', 'CKD1:abc', 'unreadable'],
    ['empty', 'CKD1:', 'unreadable'],
    ['base45 but not zlib', `CKD1:${base45Encode(new Uint8Array([1, 2, 3, 4]))}`, 'unreadable'],
    ['zlib but not COSE', `CKD1:${base45Encode(deflateSync(encodeCbor([1, 2])))}`, 'unreadable'],
    ['longer than a QR code', `CKD1:${'0'.repeat(4300)}`, 'too-large'],
    ['a zip bomb', `CKD1:${base45Encode(deflateSync(Buffer.alloc(1024 * 1024), { level: 9 }))}`, 'too-large'],
  ])('%s → %s', (_name, text, reason) => {
    expect(verify(text).failures).toEqual([reason]);
  });

  const mutate = (fn: (d: Record<string, CborEncodable>) => void) => {
    const d = sampleDeclBody();
    fn(d);
    return d;
  };
  const sub = (d: Record<string, CborEncodable>) => d.sub as Record<string, CborEncodable>;
  const health = (d: Record<string, CborEncodable>) => d.health as Record<string, CborEncodable>;
  it.each([
    ['v 2', mutate((d) => (d.v = 2)), 'decl.v: unsupported version'],
    ['idNo a number', mutate((d) => (sub(d).idNo = 1090000001)), 'decl.sub.idNo: expected text'],
    ['unknown idType', mutate((d) => (sub(d).idType = 'passport-ish')), 'decl.sub.idType: expected one of'],
    ['name too long', mutate((d) => (sub(d).name = 'A'.repeat(101))), 'decl.sub.name: longer than 100'],
    ['empty id', mutate((d) => (d.id = '  ')), 'decl.id: must not be empty'],
    ['trip missing', mutate((d) => delete d.trip), 'decl.trip: expected a map'],
    ['symptoms not a list', mutate((d) => (health(d).symptoms = 'fever')), 'decl.health.symptoms: expected a list'],
    ['symptom not text', mutate((d) => (health(d).symptoms = ['fever', 3])), 'decl.health.symptoms[1]: expected text'],
    ['symptom blank', mutate((d) => (health(d).symptoms = ['fever', 'cough', ' \t'])), 'decl.health.symptoms[2]: must not be empty'],
    ['symptom too long', mutate((d) => (health(d).symptoms = ['x'.repeat(65)])), 'decl.health.symptoms[0]: longer than 64 characters'],
    ['too many symptoms', mutate((d) => (health(d).symptoms = new Array(17).fill('x'))), 'more than 16 items'],
    ['exposure as text', mutate((d) => (health(d).exposure = 'no')), 'decl.health.exposure: expected true or false'],
    ['test result unknown', mutate((d) => (health(d).test = { result: 'maybe', at: '2026-11-25' })), 'decl.health.test.result'],
    ['test date bad', mutate((d) => (health(d).test = { result: 'negative', at: 'yesterday' })), 'decl.health.test.at'],
    ['name with a bidi override', mutate((d) => (sub(d).name = 'An\u202Enễugn')), 'decl.sub.name: contains the invisible or control character U+202E'],
    ['name with a NUL', mutate((d) => (sub(d).name = 'An\u0000')), 'decl.sub.name: contains the invisible or control character U+0000'],
    ['place with a zero-width space', mutate((d) => ((d.trip as Record<string, CborEncodable>).from = 'Hà\u200BNội')), 'decl.trip.from: contains the invisible or control character U+200B'],
    ['symptom with a bidi isolate', mutate((d) => (health(d).symptoms = ['fever\u2066'])), 'decl.health.symptoms[0]: contains the invisible or control character U+2066'],
    ['birth date that does not exist', mutate((d) => (sub(d).dob = '1990-02-31')), 'decl.sub.dob: "1990-02-31" is not a real date'],
    ['birth month 13', mutate((d) => (sub(d).dob = '1990-13')), 'decl.sub.dob: "1990-13" is not a real date'],
    ['test date that does not exist', mutate((d) => (health(d).test = { result: 'negative', at: '2026-02-30T08:00:00Z' })), 'decl.health.test.at: "2026-02-30T08:00:00Z" is not a real date'],
    ['test time 99:99', mutate((d) => (health(d).test = { result: 'positive', at: '2026-11-25T99:99' })), 'decl.health.test.at: "2026-11-25T99:99" is not a real time'],
    ['test time second 75', mutate((d) => (health(d).test = { result: 'negative', at: '2026-11-25T10:00:75Z' })), 'decl.health.test.at: "2026-11-25T10:00:75Z" is not a real time'],
    ['test time offset +99:99', mutate((d) => (health(d).test = { result: 'negative', at: '2026-11-25T10:00:00+99:99' })), 'is not a real time'],
    ['test time 24:00', mutate((d) => (health(d).test = { result: 'negative', at: '2026-11-25T24:00:00Z' })), 'is not a real time'],
    ['decl not a map', ['not', 'a', 'map'], 'decl: expected a map'],
  ])('%s → schema-invalid', (_name, decl, detail) => {
    const r = verify(rawDeclarationToken(claimsFor(decl, iatS, iatS + 3600), issuerKey.privateKey, issuerKey.declarationKid));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(r.messages?.[0]).toContain(detail);
    expect(r.findings).toEqual([]);
  });

  it('rejects signed claims without iss, iat or exp, or with non-numeric times, as schema-invalid', () => {
    const sign = (claims: Map<number | string, CborEncodable>) =>
      verify(rawDeclarationToken(claims, issuerKey.privateKey, issuerKey.declarationKid));
    const noIss = claimsFor(sampleDeclBody(), iatS, iatS + 3600);
    noIss.delete(1);
    expect(sign(noIss).failures).toEqual(['schema-invalid']);
    const noExp = claimsFor(sampleDeclBody(), iatS, iatS + 3600);
    noExp.delete(4);
    expect(sign(noExp).failures).toEqual(['schema-invalid']);
    expect(sign(claimsFor(sampleDeclBody(), iatS, 'tomorrow' as unknown as number)).failures).toEqual(['schema-invalid']);
    // A validity period no issuer hands out (over 30 days, or ending before it starts).
    expect(sign(claimsFor(sampleDeclBody(), iatS, 1e300)).failures).toEqual(['schema-invalid']);
    expect(sign(claimsFor(sampleDeclBody(), iatS, iatS - 1)).failures).toEqual(['schema-invalid']);
  });
});

function newRsaKey() {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
}

describe('CKD1: test times that exist', () => {
  it.each(['2026-11-25', '2026-11-25T10:00', '2026-11-25T23:59:60Z', '2026-11-25T10:00:00.123456789+0700', '2026-11-25T10:00:00-12:00'])('%s is accepted', (at) => {
    const d = sampleDeclBody();
    d.health = { symptoms: [], exposure: false, test: { result: 'negative', at } };
    expect(verify(rawDeclarationToken(claimsFor(d, iatS, iatS + 3600), issuerKey.privateKey, issuerKey.declarationKid)).failures).toEqual([]);
  });
});

/**
 * A birth date that cannot be true at the validation clock: in the future, or after the declared
 * test. A DCC and a SMART Health Card are refused for it (schema-invalid); a declaration was
 * accepted, naming a person born next year.
 */
describe('CKD1: a birth date that cannot be true', () => {
  const withDob = (dob: string, test?: { result: 'negative'; at: string }) => {
    const d = sampleDeclaration();
    return issue({ ...d, sub: { ...d.sub, dob }, health: { ...d.health, ...(test ? { test } : {}) } });
  };

  it('in the future (a partial date counting from the start of its year or month) is schema-invalid', () => {
    for (const dob of ['2027-01-01', '2027', '2026-12']) {
      const r = verify(withDob(dob));
      expect(r.failures, dob).toEqual(['schema-invalid']);
      expect(r.steps.find((s) => !s.ok)?.detail).toBe('decl.sub.dob: the birth date is in the future');
    }
    // This year, this month and today can all be a birth date already.
    for (const dob of ['2026', '2026-11', '2026-11-26']) expect(verify(withDob(dob)).failures, dob).toEqual([]);
  });

  it('after the declared test day is schema-invalid; a test on the day of birth is not', () => {
    expect(verify(withDob('2026-11-20', { result: 'negative', at: '2026-11-19T23:00:00Z' })).failures).toEqual(['schema-invalid']);
    expect(verify(withDob('2026-11-20', { result: 'negative', at: '2026-11-20' })).failures).toEqual([]);
    expect(verify(withDob('2026-11', { result: 'negative', at: '2026-11-01T00:00:00+07:00' })).failures).toEqual([]);
  });
});
