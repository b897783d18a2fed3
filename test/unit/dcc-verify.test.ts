/**
 * EU DCC verification with our own signers (test/helpers/dcc-issuer.ts): every step, every
 * failure reason, what the screen gets, and the benchmark helper.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deflateSync } from 'node:zlib';
import { decodeHc1, dccFormat, extractDccSignatureInput, verifyDcc } from '../../src/credentials/dcc/index.js';
import { base45Encode } from '../../src/credentials/cose/base45.js';
import { CborTag, encodeCbor } from '../../src/credentials/cose/cbor.js';
import { verifySignature } from '../../src/credentials/cose/cose.js';
import { EMPTY_TRUST } from '../../src/credentials/trust/types.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { DCC_EKU, issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const now = new Date('2022-06-01T00:00:00Z');
const ec = makeSigner({ eku: [DCC_EKU.vaccination, DCC_EKU.test, DCC_EKU.recovery] });
const rsa = makeSigner({ keyType: 'rsa' });
const trust = buildDccTrust([ec.certificate, rsa.certificate]);
const sec = (iso: string) => Date.parse(iso) / 1000;

function verify(text: string, at = now, t = trust) {
  return verifyDcc(text, { now: at, trust: t });
}

describe('EU DCC: accepted credentials', () => {
  it('ES256: every step passes, with the subject and display the screen needs', () => {
    const r = verify(issueHc1({ dcc: sampleVaccination(), signer: ec }));
    expect(r.failures).toEqual([]);
    expect(r.format).toBe('dcc');
    expect(r.title).toBe('EU DCC');
    expect(r.subject).toEqual({ idType: 'other', name: 'Nguyễn Văn An', dob: '1990-05-04' });
    expect(r.details).toEqual([
      { label: 'type', value: 'vaccination 2/2' },
      { label: 'country', value: 'VN' },
      { label: 'issuer', value: 'Ministry of Health of Viet Nam' },
    ]);
    expect(r.steps.map((s) => s.step)).toEqual(['prefix', 'base45', 'inflate', 'cose', 'kid', 'signature', 'claims', 'eku', 'validity', 'schema', 'content', 'rules']);
    expect(r.steps.every((s) => s.ok)).toBe(true);
  });

  it('PS256 and untagged COSE_Sign1', () => {
    expect(verify(issueHc1({ dcc: sampleVaccination(), signer: rsa, tagged: false })).failures).toEqual([]);
  });

  it('falls back to the standardised name and joins ICAO words', () => {
    const dcc = { ...sampleVaccination(), nam: { fnt: 'TRAN', gnt: 'THI<BICH' } };
    expect(verify(issueHc1({ dcc, signer: ec })).subject.name).toBe('TRAN THI BICH');
  });

  it('tries every certificate that shares a kid', () => {
    const other = makeSigner();
    const shared = buildDccTrust([{ certificate: other.certificate, kid: ec.kid }, { certificate: ec.certificate }]);
    expect(verify(issueHc1({ dcc: sampleVaccination(), signer: ec }), now, shared).failures).toEqual([]);
  });

  it('kid and signature steps name this scan’s kid, certificate count, algorithm and country, whatever came before', () => {
    const detail = (r: ReturnType<typeof verify>, step: string) => r.steps.find((s) => s.step === step)?.detail;
    const ecText = issueHc1({ dcc: sampleVaccination(), signer: ec });
    const rsaText = issueHc1({ dcc: sampleVaccination(), signer: rsa });
    expect(detail(verify(ecText), 'kid')).toBe(`${ec.kid} (1 certificate)`);
    expect(detail(verify(ecText), 'signature')).toBe('alg -7');
    // One signer list handed out for every kid (an index is not bound to return one list per kid).
    const signers = buildDccTrust([{ certificate: ec.certificate, country: 'VN' }, { certificate: rsa.certificate, country: 'AT' }]);
    const all = [...signers.dccSigners(ec.kid), ...signers.dccSigners(rsa.kid)];
    const anyKid = { ...signers, dccSigners: () => all };
    for (let round = 0; round < 2; round++) {
      const byEc = verify(ecText, now, anyKid);
      expect([detail(byEc, 'kid'), detail(byEc, 'signature')]).toEqual([`${ec.kid} (2 certificates)`, 'alg -7, signer VN']);
      const byRsa = verify(rsaText, now, anyKid);
      expect([detail(byRsa, 'kid'), detail(byRsa, 'signature')]).toEqual([`${rsa.kid} (2 certificates)`, 'alg -37, signer AT']);
    }
    // A list or a signer changed in place is described as it is now.
    expect(detail(verify(ecText, now, anyKid), 'kid')).toBe(`${ec.kid} (2 certificates)`);
    all.pop();
    (all[0] as { country?: string }).country = 'FR';
    const changed = verify(ecText, now, anyKid);
    expect([detail(changed, 'kid'), detail(changed, 'signature')]).toEqual([`${ec.kid} (1 certificate)`, 'alg -7, signer FR']);
  });

  it('detect() claims only HC1 payloads, the prefix in any letter case (the verifier then names the case)', () => {
    expect(dccFormat.id).toBe('dcc');
    expect(dccFormat.detect('HC1:NCF')).toBe(true);
    expect(dccFormat.detect('shc:/56')).toBe(false);
    expect(dccFormat.detect('hc1:NCF')).toBe(true);
    expect(dccFormat.detect('Hc1:NCF')).toBe(true);
    expect(dccFormat.detect('HC1')).toBe(false);
    expect(dccFormat.detect('HC2:NCF')).toBe(false);
  });
});

describe('EU DCC: failure reasons', () => {
  it('unknown kid → unknown-signer; wrong certificate under the kid → bad-signature', () => {
    const text = issueHc1({ dcc: sampleVaccination(), signer: ec });
    expect(verify(text, now, EMPTY_TRUST).failures).toEqual(['unknown-signer']);
    const impostor = buildDccTrust([{ certificate: makeSigner().certificate, kid: ec.kid }]);
    expect(verify(text, now, impostor).failures).toEqual(['bad-signature']);
  });

  it('a tampered payload under a valid signature → bad-signature', () => {
    const good = decodeHc1(issueHc1({ dcc: sampleVaccination(), signer: ec }));
    const forged = decodeHc1(issueHc1({ dcc: { ...sampleVaccination(), dob: '1970-01-01' }, signer: ec }));
    if (!good.ok || !forged.ok) throw new Error('fixtures must decode');
    const spliced = encodeCbor(
      new CborTag(18, [good.cose.protectedBytes, new Map(), forged.cose.payload, good.cose.signature]),
    );
    const text = `HC1:${base45Encode(deflateSync(spliced))}`;
    expect(verify(text).failures).toEqual(['bad-signature']);
  });

  it('no kid at all → unknown-signer', () => {
    const r = verify(issueHc1({ dcc: sampleVaccination(), signer: ec, kid: new Uint8Array(0) }));
    expect(r.failures).toEqual(['unknown-signer']);
  });

  it('expired at the clock, signer certificate not yet valid or expired at the clock', () => {
    const text = issueHc1({ dcc: sampleVaccination(), signer: ec, iat: sec('2022-01-01T00:00:00Z'), exp: sec('2023-01-01T00:00:00Z') });
    // exp with the 300 s clock tolerance (RFC 7519: valid while now < exp + leeway).
    expect(verify(text, new Date('2023-01-01T00:04:59Z')).failures).toEqual([]);
    expect(verify(text, new Date('2023-01-01T00:05:00Z')).failures).toEqual(['expired']);
    expect(verify(text, new Date('2020-12-31T23:54:59Z')).failures).toEqual(['not-yet-valid']);
    const young = makeSigner({ notBefore: new Date('2022-03-01T00:00:00Z') });
    const early = issueHc1({ dcc: sampleVaccination(), signer: young, iat: sec('2022-01-01T00:00:00Z') });
    expect(verify(early, new Date('2022-02-01T00:00:00Z'), buildDccTrust([young.certificate])).failures).toEqual(['not-yet-valid']);
    // Issued before the signer became valid but checked while it is valid: accepted, as the EU vectors (BG/4) require.
    expect(verify(early, now, buildDccTrust([young.certificate])).failures).toEqual([]);
    const short = makeSigner({ notAfter: new Date('2022-12-01T00:00:00Z') });
    const long = issueHc1({ dcc: sampleVaccination(), signer: short, exp: sec('2023-01-01T00:00:00Z') });
    expect(verify(long, now, buildDccTrust([short.certificate])).failures).toEqual([]);
    expect(verify(long, new Date('2022-12-15T00:00:00Z'), buildDccTrust([short.certificate])).failures).toEqual(['expired']);
  });

  it('iat after the clock: within the tolerance accepted, beyond it not-yet-valid (72 h ahead is not "check the clock")', () => {
    const iat = sec('2022-06-01T00:00:00Z');
    const text = issueHc1({ dcc: sampleVaccination(), signer: ec, iat, exp: sec('2023-06-01T00:00:00Z') });
    expect(verify(text, new Date((iat - 299) * 1000)).failures).toEqual([]);
    const r = verify(text, new Date((iat - 72 * 3600) * 1000));
    expect(r.failures).toEqual(['not-yet-valid']);
    expect(r.steps.find((s) => s.step === 'validity')?.detail).toMatch(/issued in the future.*check the kiosk clock/);
    // The tolerance is the policy's: with 0 s even one second ahead is refused.
    expect(verifyDcc(text, { now: new Date((iat - 1) * 1000), trust: buildDccTrust([ec.certificate]), time: { skewMs: 0 } }).failures).toEqual(['not-yet-valid']);
  });

  it('EKU restricts the types a signer may sign; no DCC EKU allows all', () => {
    const testOnly = makeSigner({ eku: [DCC_EKU.test] });
    const r = verify(issueHc1({ dcc: sampleVaccination(), signer: testOnly }), now, buildDccTrust([testOnly.certificate]));
    expect(r.failures).toEqual(['signer-not-allowed']);
    expect(r.steps.find((s) => s.step === 'eku')?.detail).toMatch(/vaccination/);
    const tlsOnly = makeSigner({ eku: ['1.3.6.1.5.5.7.3.2'] });
    expect(verify(issueHc1({ dcc: sampleVaccination(), signer: tlsOnly }), now, buildDccTrust([tlsOnly.certificate])).failures).toEqual([]);
    const legacy = makeSigner({ eku: ['1.3.6.1.4.1.0.1847.2021.1.2'] });
    expect(verify(issueHc1({ dcc: sampleVaccination(), signer: legacy }), now, buildDccTrust([legacy.certificate])).failures).toEqual([]);
  });

  const base = sampleVaccination();
  const entry = (base['v'] as { [k: string]: CborEncodable }[])[0]!;
  it.each<[string, CborEncodable, string]>([
    ['two groups', { ...base, t: [entry] }, 'v/t'],
    ['no group', { ver: '1.3.0', nam: base['nam']!, dob: '1990' }, 'v/t/r'],
    ['two vaccination entries', { ...base, v: [entry, entry] }, 'v'],
    ['dose as text', { ...base, v: [{ ...entry, dn: '2' }] }, 'v[0].dn'],
    ['dose 0', { ...base, v: [{ ...entry, dn: 0 }] }, 'v[0].dn'],
    ['impossible date', { ...base, v: [{ ...entry, dt: '2021-02-30' }] }, 'v[0].dt'],
    ['missing issuer', { ...base, v: [{ ...entry, is: undefined }] }, 'v[0].is'],
    ['issuer over 80 characters', { ...base, v: [{ ...entry, is: 'x'.repeat(81) }] }, 'v[0].is'],
    ['dob out of range', { ...base, dob: '1815-01-01' }, 'dob'],
    ['lower-case standardised name', { ...base, nam: { fnt: 'nguyen' } }, 'nam.fnt'],
    ['no standardised name', { ...base, nam: { fn: 'Nguyễn' } }, 'nam'],
    ['nam as a string', { ...base, nam: 'NGUYEN' }, 'nam'],
    ['a number as the DCC', 42, '$'],
    ['version with letters', { ...base, ver: 'one' }, 'ver'],
  ])('schema: %s → schema-invalid naming %s', (_what, dcc, field) => {
    const clean = JSON.parse(JSON.stringify(dcc, (_k, v: unknown) => v)) as CborEncodable;
    const r = verify(issueHc1({ dcc: clean, signer: ec }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(r.steps.find((s) => s.step === 'schema')?.detail?.startsWith(`${field}: `)).toBe(true);
  });

  it('test and recovery entries are validated too', () => {
    const test = {
      ver: '1.3.0', nam: { fnt: 'A' }, dob: '',
      t: [{ tg: '840539006', tt: 'LP6464-4', sc: '2022-05-31T10:00:00+07:00', tr: '260415000', co: 'VN', is: 'MoH', ci: 'X' }],
    };
    expect(verify(issueHc1({ dcc: test, signer: ec })).failures).toEqual([]);
    const badSc = { ...test, t: [{ ...test.t[0]!, sc: '2022-05-31 10:00' }] };
    expect(verify(issueHc1({ dcc: badSc, signer: ec })).steps.find((s) => s.step === 'schema')?.detail).toMatch(/^t\[0\]\.sc/);
    const rec = {
      ver: '1.3.0', nam: { gnt: 'B' }, dob: '1990-01',
      r: [{ tg: '840539006', fr: '2022-01-01', co: 'VN', is: 'MoH', df: '2022-01-12', du: '2022-06-30', ci: 'Y' }],
    };
    const ok = verify(issueHc1({ dcc: rec, signer: ec }));
    expect(ok.failures).toEqual([]);
    expect(ok.details?.[0]).toEqual({ label: 'type', value: 'recovery' });
  });

  it('claims without a DCC, or with byte strings in it → unreadable', () => {
    const noDcc = issueHc1({ dcc: null, signer: ec, claims: new Map([[1, 'VN']]) });
    expect(verify(noDcc).failures).toEqual(['unreadable']);
    const bytes = issueHc1({ dcc: { ...sampleVaccination(), dob: Uint8Array.from([1]) }, signer: ec });
    expect(verify(bytes).failures).toEqual(['unreadable']);
  });

  it('claims the one-pass read gives up on are named as before: path of the value, CBOR error, missing DCC', () => {
    const detail = (text: string) => verify(text).steps.find((s) => s.step === 'claims')?.detail;
    const deep = sampleVaccination();
    (deep.v as { [key: string]: CborEncodable }[])[0]!.ci = new Uint8Array([1]);
    expect(detail(issueHc1({ dcc: deep, signer: ec }))).toBe('v[0].ci: value has no JSON equivalent');
    const intKey = new Map<number | string, CborEncodable>([['ver', '1.3.0'], [5, 'x']]);
    expect(detail(issueHc1({ dcc: intKey, signer: ec }))).toBe('$: map key is not text');
    const bigClaim = new Map<number, CborEncodable>([[1, 7], [-260, new Map([[1, sampleVaccination()]])]]);
    expect(detail(issueHc1({ dcc: null, signer: ec, claims: bigClaim }))).toBe('CWT claims: CWT claim iss is not text');
    const elsewhere = new Map<number, CborEncodable>([[1, 'VN'], [-260, new Map([[2, sampleVaccination()]])]]);
    expect(detail(issueHc1({ dcc: null, signer: ec, claims: elsewhere }))).toBe('no EU DCC in claim -260/1');
  });

  it('missing exp → schema-invalid with a clear detail', () => {
    const claims = new Map<number, CborEncodable>([[6, sec('2022-01-01T00:00:00Z')], [-260, new Map([[1, sampleVaccination()]])]]);
    const r = verify(issueHc1({ dcc: null, signer: ec, claims }));
    expect(r.failures).toEqual(['schema-invalid']);
    expect(r.steps.find((s) => s.step === 'validity')?.detail).toMatch(/exp missing/);
  });

  it('an uncompressed payload, a wrong prefix, bad base45 → unreadable', () => {
    expect(verify(issueHc1({ dcc: sampleVaccination(), signer: ec, uncompressed: true })).failures).toEqual(['unreadable']);
    expect(verify('HC2:6BF').failures).toEqual(['unreadable']);
    expect(verify('HC1:6bf').failures).toEqual(['unreadable']);
    expect(verify('HC1:').failures).toEqual(['unreadable']);
  });
});

describe('benchmark helper', () => {
  it('extracts exactly what the bare signature check needs', () => {
    const text = issueHc1({ dcc: sampleVaccination(), signer: ec });
    const input = extractDccSignatureInput(text, trust);
    expect(input).toBeDefined();
    expect(input!.alg).toBe(-7);
    expect(verifySignature(input!.alg, input!.publicKey, input!.sigStructure, input!.signature)).toBe(true);
    expect(extractDccSignatureInput(text, EMPTY_TRUST)).toBeUndefined();
    expect(extractDccSignatureInput('HC1:???', trust)).toBeUndefined();
  });

  it('works on a real EU vector', () => {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const v = JSON.parse(fs.readFileSync(path.resolve(repoRoot, '../shared/testdata/dgc/DE/2DCode/raw/1.json'), 'utf8')) as {
      PREFIX: string;
      TESTCTX: { CERTIFICATE: string };
    };
    const input = extractDccSignatureInput(v.PREFIX, buildDccTrust([v.TESTCTX.CERTIFICATE]));
    expect(input && verifySignature(input.alg, input.publicKey, input.sigStructure, input.signature)).toBe(true);
  });
});
