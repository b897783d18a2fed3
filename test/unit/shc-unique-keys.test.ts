/**
 * The SMART Health Card payload's repeated-key check (src/credentials/shc/unique-keys.ts) counts
 * members instead of keeping a set per object; it must answer exactly as the project's reference
 * scanner (shared/duplicate-keys.ts) whatever the JSON: colons, quotes and backslashes inside
 * strings, keys containing them, non-ASCII text, whitespace, nesting.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { firstDuplicateKey } from '../../src/shared/duplicate-keys.js';
import { repeatedKey } from '../../src/credentials/shc/unique-keys.js';

const check = (text: string) => repeatedKey(Buffer.from(text, 'utf8'), text, JSON.parse(text));

describe('repeatedKey', () => {
  it('finds a key named twice at any depth, and names it as the reference scanner does', () => {
    expect(check('{"a":1,"a":2}')).toEqual({ key: 'a', path: '$' });
    expect(check('{"vc":{"x":[{"status":"entered-in-error","status":"completed"}]}}')).toEqual({ key: 'status', path: '$.vc.x[0]' });
    expect(check('{"a" :1, "a"\n:\t2}')).toEqual({ key: 'a', path: '$' });
    expect(check('{"k:\\"":1,"k:\\"":2}')).toEqual({ key: 'k:"', path: '$' });
  });

  // A signed 64 KiB payload can nest 30,000 levels: the recursive count overflowed the stack and the
  // scan ended as an internal verifier error. Deep values are now left to the iterative scan.
  it('answers for any nesting depth, a repeated key deep inside included', () => {
    const deep = `{"a":${'['.repeat(30000)}${']'.repeat(30000)},"b":${'{"c":'.repeat(10000)}1${'}'.repeat(10000)}}`;
    expect(check(deep)).toBeUndefined();
    const deepDup = `{"a":${'['.repeat(20000)}{"x":1,"x":2}${']'.repeat(20000)}}`;
    expect(check(deepDup)).toEqual({ key: 'x', path: `$.a${'[0]'.repeat(20000)}` });
  });

  it('finds none where every key is once per object, colons and escapes in strings included', () => {
    for (const text of ['{}', '[]', '"a:b"', '{"a":"x:y:z","b":{"a":"\\":"}}', '{"u":"Ünï:","ü:":[{"a":1},{"a":2}]}', '[{"a":1},{"a":1}]', '{"\\\\":":"}']) {
      expect(check(text)).toBeUndefined();
    }
  });

  it('agrees with the reference scanner on any JSON (2000 runs)', () => {
    const key = fc.oneof(fc.constantFrom('a', 'b', 'status', 'k:"', '\\', ':'), fc.string({ maxLength: 4 }));
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 6 }),
        fc.integer(),
        fc.constant(null),
        fc.array(tie('node'), { maxLength: 3 }),
        fc.array(fc.tuple(key, tie('node')), { maxLength: 4 }),
      ),
    })).node;
    /** Serialises tuple lists as objects, keeping repeated keys, with random spacing. */
    const write = (v: unknown, space: string): string => {
      if (Array.isArray(v) && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')) {
        return `{${(v as [string, unknown][]).map(([k, x]) => `${JSON.stringify(k)}${space}:${space}${write(x, space)}`).join(',')}}`;
      }
      if (Array.isArray(v)) return `[${v.map((x) => write(x, space)).join(`,${space}`)}]`;
      return JSON.stringify(v);
    };
    fc.assert(
      fc.property(value, fc.constantFrom('', ' ', '\n'), (v, space) => {
        const text = write(v, space);
        expect(check(text)).toEqual(firstDuplicateKey(text));
      }),
      { numRuns: 2000 },
    );
  });
});
