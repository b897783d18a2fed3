/**
 * The hcert CBOR → JSON conversion (src/credentials/dcc/json.ts): what passes, and that a value
 * with no JSON equivalent is named by its path, however deep, as the `claims` step reports it.
 */
import { describe, expect, it } from 'vitest';
import { CborTag } from '../../src/credentials/cose/cbor.js';
import type { CborValue } from '../../src/credentials/cose/cbor.js';
import { DccJsonError, cborToJson } from '../../src/credentials/dcc/json.js';

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
