/**
 * DCC date-times as the EU reads them. eu-dcc-schema says RFC 3339, but `format` is only an
 * annotation in JSON Schema 2020-12, certificates issued in 2021 carry date-times without an
 * offset or with `+0200`-style offsets (the BG "VAC-NULL-DATETIME" quality-assurance case,
 * eu-dcc-business-rules #31), and the EU's CertLogic reads those, a missing offset as UTC
 * (certlogic-js dateFromString). The kiosk refused them as schema-invalid. It now reads the same
 * forms the same way, and never in its own time zone (Date.parse would read a zone-less
 * date-time as local time).
 */
import { dateFromString } from 'certlogic-js/dist/internals.js';
import { afterEach, describe, expect, it } from 'vitest';
import type { CborEncodable } from '../../src/credentials/cose/cbor.js';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { dateTimeMs } from '../../src/credentials/time-rules.js';
import { makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const NOW = new Date('2022-06-10T12:00:00Z');
const signer = makeSigner();
const trust = buildDccTrust([signer.certificate]);

function testCert(sc: string): CborEncodable {
  const { ver, nam, dob } = sampleVaccination() as Record<string, CborEncodable>;
  return { ver: ver!, nam: nam!, dob: dob!, t: [{ tg: '840539006', tt: 'LP6464-4', sc, tr: '260415000', co: 'VN', is: 'MoH', ci: 'URN:UVCI:01:VN:T#1' }] };
}
const verify = (dcc: CborEncodable) => verifyDcc(rawHc1({ signer, dcc }), { now: NOW, trust });

describe('DCC date-times as CertLogic reads them', () => {
  const tz = process.env.TZ;
  afterEach(() => {
    if (tz === undefined) delete process.env.TZ;
    else process.env.TZ = tz;
  });

  it.each([
    ['no offset', '2022-06-09T10:00:00'],
    ['offset +0200', '2022-06-09T10:00:00+0200'],
    ['offset +02', '2022-06-09T10:00:00+02'],
    ['offset -5', '2022-06-09T10:00:00-5'],
    ['offset +5:30', '2022-06-09T10:00:00+5:30'],
    ['fraction, no offset', '2022-06-09T10:00:00.5'],
  ])('a recent test sampled at a date-time with %s is accepted', (_what, sc) => {
    expect(verify(testCert(sc)).failures).toEqual([]);
  });

  it('a zone-less sample time is UTC, whatever the kiosk\'s time zone: 70 h old in UTC, 77 h if read as UTC+7', () => {
    process.env.TZ = 'Asia/Ho_Chi_Minh';
    expect(verify(testCert('2022-06-07T14:00:00')).failures).toEqual([]);
    expect(verify(testCert('2022-06-07T06:00:00')).failures).toEqual(['expired']);
    expect(dateTimeMs('2022-06-07T14:00:00')).toBe(Date.parse('2022-06-07T14:00:00Z'));
  });

  it.each([
    ['an offset beyond 23 hours', '2022-06-09T10:00:00+25'],
    ['no seconds', '2022-06-09T10:00Z'],
    ['hour 24', '2022-06-09T24:00:00Z'],
    ['a day that does not exist', '2022-02-30T10:00:00'],
    ['a space for T', '2022-06-09 10:00:00Z'],
  ])('%s is still schema-invalid', (_what, sc) => {
    expect(verify(testCert(sc)).failures).toEqual(['schema-invalid']);
  });

  it('reads each form to the instant certlogic-js (the EU rule engine the kiosk runs) gives', () => {
    for (const text of ['2022-06-09T10:00:00', '2022-06-09T10:00:00Z', '2022-06-09T10:00:00+0200', '2022-06-09T10:00:00-5', '2022-06-09T10:00:00.123456+05:30', '2022-06-09T10:00:00-02:00']) {
      expect(dateTimeMs(text), text).toBe(dateFromString(text).getTime());
    }
    // Beyond what certlogic-js reads: the leap second RFC 3339 allows, and years below 100.
    expect(new Date(dateTimeMs('2016-12-31T23:59:60Z')!).toISOString()).toBe('2017-01-01T00:00:00.000Z');
    expect(new Date(dateTimeMs('0099-01-01T00:00:00Z')!).toISOString()).toBe('0099-01-01T00:00:00.000Z');
  });
});
