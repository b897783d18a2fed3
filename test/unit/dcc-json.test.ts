/**
 * The hcert CBOR → JSON conversion (src/credentials/dcc/json.ts): what passes, and that a value
 * with no JSON equivalent is named by its path, however deep, as the `claims` step reports it.
 */
import { describe, expect, it } from 'vitest';
import { CborTag } from '../../src/credentials/cose/cbor.js';
import type { CborValue } from '../../src/credentials/cose/cbor.js';
import { DccJsonError, cborToJson } from '../../src/credentials/dcc/json.js';
import { verifyDcc } from '../../src/credentials/dcc/index.js';
import { makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';
import { rawHc1 } from '../helpers/dcc-raw.js';
import { buildDccTrust } from '../helpers/dcc-trust.js';

const map = (entries: [string | number, CborValue][]) => new Map<string | number, CborValue>(entries);

function failure(value: CborValue): { field: string; message: string } {
  try {
    cborToJson(value);
  } catch (err) {
    expect(err).toBeInstanceOf(DccJsonError);
    return { field: (err as DccJsonError).field, message: (err as DccJsonError).message };
  }
  throw new Error('expected a DccJsonError');
}

describe('cborToJson', () => {
  it('converts text-keyed maps, arrays, text, numbers, booleans, null and the two date tags', () => {
    const value = map([
      ['nam', map([['fn', 'Nguyễn'], ['gnt', 'VAN<AN']])],
      ['v', [map([['dn', 2], ['x', 1.5], ['ok', true], ['none', null]])]],
      ['t0', new CborTag(0, '2021-06-01T10:00:00Z')],
      ['t1', new CborTag(1, 1622541600)],
    ]);
    expect(cborToJson(value)).toEqual({
      nam: { fn: 'Nguyễn', gnt: 'VAN<AN' },
      v: [{ dn: 2, x: 1.5, ok: true, none: null }],
      t0: '2021-06-01T10:00:00Z',
      t1: '2021-06-01T10:00:00Z',
    });
  });

  it('keeps a "__proto__" key as data', () => {
    const out = cborToJson(map([['__proto__', map([['polluted', true]])]])) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each<[string, CborValue, { field: string; message: string }]>([
    ['a byte string deep in an entry', map([['v', [map([['dn', 1], ['xx', Uint8Array.of(1)]])]]]), { field: 'v[0].xx', message: 'value has no JSON equivalent' }],
    ['an integer key in the name', map([['nam', map([[7, 'x']])]]), { field: 'nam', message: 'map key is not text' }],
    ['an integer key at the top', map([[1, 'x']]), { field: '', message: 'map key is not text' }],
    ['an unknown tag in a list', map([['v', [1, new CborTag(55, 'x')]]]), { field: 'v[1]', message: 'unsupported CBOR tag 55' }],
    ['tag 1 with text', map([['d', new CborTag(1, 'x')]]), { field: 'd', message: 'unsupported CBOR tag 1' }],
    ['an infinite number', map([['n', [0, Infinity]]]), { field: 'n[1]', message: 'number is not finite' }],
    ['undefined', map([['u', undefined]]), { field: 'u', message: 'value has no JSON equivalent' }],
    ['the first of two problems (map order)', map([['a', [Uint8Array.of(1)]], ['b', 10n]]), { field: 'a[0]', message: 'value has no JSON equivalent' }],
  ])('names %s by its path', (_what, value, expected) => {
    expect(failure(value)).toEqual(expected);
  });
});

/**
 * RFC 8943's date tags, which CBOR libraries may write for a date value and the EU verifiers read
 * past: 1004 (full-date text) and 100 (days since 1970). A DCC whose `dob` or
 * `dt` was so tagged was unreadable here, where 0 and 1 were read.
 */
describe('RFC 8943 date tags in a signed DCC', () => {
  it('tag 1004 and tag 100 read as the ISO date; out of range or not a whole day count is unreadable', () => {
    const signer = makeSigner();
    const trust = buildDccTrust([signer.certificate]);
    const base = sampleVaccination() as Record<string, unknown> & { v: Record<string, unknown>[] };
    const judge = (dob: unknown, dt: unknown) =>
      verifyDcc(rawHc1({ signer, dcc: { ...base, dob, v: [{ ...base.v[0]!, dt }] } as never }), { now: new Date('2022-06-01T00:00:00Z'), trust });
    const ok = judge(new CborTag(1004, '1990-05-04'), new CborTag(100, 18871)); // 2021-09-01
    expect(ok.failures).toEqual([]);
    expect(ok.subject.dob).toBe('1990-05-04');
    expect(judge('1990-05-04', new CborTag(100, 1.5)).failures).toEqual(['unreadable']);
    expect(judge('1990-05-04', new CborTag(100, 3_000_000)).failures).toEqual(['unreadable']);
    expect(judge(new CborTag(1004, 7), '2021-09-01').failures).toEqual(['unreadable']);
  });
});
