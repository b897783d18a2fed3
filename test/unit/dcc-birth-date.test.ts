/**
 * The DCC birth date `dob`: a date the schema's pattern lets through but that cannot exist
 * (1990-02-30, month 13), one in the future, or one after the certificate's own event (vaccination
 * date, sample time, first positive test) is schema-invalid, as the other formats refuse them and
 * the EU NL test vectors with a future dob expect. Partial dates (`1990`, `1990-05`, `1963-00`)
 * and the empty dob stay valid.
 */
import { describe, expect, it } from 'vitest';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { dobSpan } from '../../src/credentials/dcc/birth-date.js';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-10T12:00:00Z');
const signer = makeSigner();
const trust = buildDccTrust([signer.certificate]);
const sec = (ms: number) => Math.floor(ms / 1000);
const H = 3_600_000;

type Dcc = { [key: string]: CborEncodable };

function vaccination(dob: string, dt = '2022-05-01'): Dcc {
  const base = sampleVaccination() as Dcc & { v: Dcc[] };
  return { ...base, dob, v: [{ ...base.v[0], dt }] };
}

function testCert(dob: string, sc: string): Dcc {
  const { ver, nam } = sampleVaccination() as Dcc;
  return { ver: ver!, nam: nam!, dob, t: [{ tg: '840539006', tt: 'LP6464-4', sc, tr: '260415000', co: 'VN', is: 'MoH', ci: 'URN:UVCI:01:VN:T#1' }] };
}

function recovery(dob: string, fr: string): Dcc {
  const { ver, nam } = sampleVaccination() as Dcc;
  return { ver: ver!, nam: nam!, dob, r: [{ tg: '840539006', fr, co: 'VN', is: 'MoH', df: '2022-05-12', du: '2022-10-28', ci: 'URN:UVCI:01:VN:R#1' }] };
}

function verify(dcc: Dcc) {
  const r = verifyDcc(issueHc1({ dcc, signer, iat: sec(NOW.getTime() - 24 * H), exp: sec(NOW.getTime() + 300 * 24 * H) }), { now: NOW, trust });
  return { failures: r.failures, failed: r.steps.filter((s) => !s.ok).map((s) => s.detail) };
}

describe('DCC birth date', () => {
  it.each([
    ['1990-02-30', 'dob: 1990-02-30 is not a day of the calendar'],
    ['1991-02-29', 'dob: 1991-02-29 is not a day of the calendar'],
    ['1990-13', 'dob: month 13 does not exist'],
    ['1990-13-01', 'dob: month 13 does not exist'],
    ['1990-00-15', 'dob: a day is given without its month'],
  ])('%s cannot exist: schema-invalid', (dob, detail) => {
    expect(verify(vaccination(dob))).toEqual({ failures: ['schema-invalid'], failed: [detail] });
  });

  it.each(['2030-01-01', '2030', '2022-07'])('%s is in the future: schema-invalid', (dob) => {
    expect(verify(vaccination(dob))).toEqual({ failures: ['schema-invalid'], failed: ['dob: the birth date is in the future'] });
  });

  it('a dob after the event the certificate is about is schema-invalid', () => {
    expect(verify(vaccination('2022-05-03', '2022-05-01')).failed).toEqual(['dob: the birth date is after the vaccination date v[0].dt']);
    expect(verify(testCert('2022-06-10', '2022-06-09T23:30:00+02:00')).failed).toEqual(['dob: the birth date is after the sample collection time t[0].sc']);
    expect(verify(recovery('2022-05-02', '2022-05-01')).failed).toEqual(['dob: the birth date is after the first positive test date r[0].fr']);
  });

  it.each([
    ['', '2022-05-01'],
    ['1990', '2022-05-01'],
    ['1990-05', '2022-05-01'],
    ['1963-00', '2022-05-01'],
    ['1963-00-00', '2022-05-01'],
    ['2000-02-29', '2022-05-01'],
    // A vaccination on the day of birth, and a partial dob covering the event's month or year.
    ['2022-05-01', '2022-05-01'],
    ['2022-05', '2022-05-01'],
    ['2022', '2022-05-01'],
  ])('dob %j with a vaccination on %s stays valid', (dob, dt) => {
    expect(verify(vaccination(dob, dt))).toEqual({ failures: [], failed: [] });
  });

  it('spans a partial date over its year or month, in every time zone', () => {
    const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d);
    expect(dobSpan('1990')).toEqual({ startMs: day(1990, 1, 1) - 14 * H, endMs: day(1991, 1, 1) + 12 * H - 1, firstDayUtc: day(1990, 1, 1) });
    expect(dobSpan('1990-12')).toEqual({ startMs: day(1990, 12, 1) - 14 * H, endMs: day(1991, 1, 1) + 12 * H - 1, firstDayUtc: day(1990, 12, 1) });
    expect(dobSpan('1990-05-04')).toEqual({ startMs: day(1990, 5, 4) - 14 * H, endMs: day(1990, 5, 5) + 12 * H - 1, firstDayUtc: day(1990, 5, 4) });
    expect(dobSpan('')).toBeUndefined();
  });
});
