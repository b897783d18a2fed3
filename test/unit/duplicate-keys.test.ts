/**
 * A key named twice in one object of a hand-written file is an error naming the key and where it
 * is — JSON.parse would keep the last one silently (a second, empty "status" section drops the
 * blocked list). The scanner, then the real file readers on real files: policy, trust bundle
 * (kiosk and central), configuration profile.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firstDuplicateKey } from '../../src/shared/duplicate-keys.js';
import { readPolicyFile } from '../../src/core/policy-file.js';
import { readTrustFile } from '../../src/credentials/trust/load.js';
import { readBundleJson } from '../../server/trust-bundle.js';
import { runCli } from '../helpers/cli.js';

describe('firstDuplicateKey', () => {
  it.each([
    ['{"a":1,"a":2}', { key: 'a', path: '$' }],
    ['{"x":{"b":1,"c":{"b":2},"b":3}}', { key: 'b', path: '$.x' }],
    ['{"s":[{"id":"1"},{"id":"2","status":"f0","status":"blocked"}]}', { key: 'status', path: '$.s[1]' }],
    // The same key written two ways is the same key.
    ['{"ab":1,"a\\u0062":2}', { key: 'ab', path: '$' }],
    ['{"k\\"":1, "k\\"" : 2}', { key: 'k"', path: '$' }],
  ])('%s → %o', (text, expected) => {
    JSON.parse(text); // valid JSON, as the readers check first
    expect(firstDuplicateKey(text)).toEqual(expected);
  });

  it.each([
    '{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}',
    '{"a":"{\\"a\\":1,\\"a\\":2}","b":"a","c":["a","a"]}',
    '[{"a":1},{"a":1}]',
    '"a"',
    '{}',
    '{"\\\\":1,"\\\\\\"":2}',
  ])('no duplicate in %s', (text) => {
    JSON.parse(text);
    expect(firstDuplicateKey(text)).toBeUndefined();
  });
});

describe('file readers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ck-dupkeys-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const bundle = '{"version":1,"issuedAt":"2026-11-01T00:00:00Z","status":{"entries":[{"id":"079090001234","status":"blocked"}]},"status":{"entries":[]}}';

  it('policy: a key named twice is refused, naming it', () => {
    const p = file('policy.json', '{"duplicateWindowMinutes": 5, "clockSkewSeconds": 300, "duplicateWindowMinutes": 0}');
    expect(() => readPolicyFile(p)).toThrow(`${p}: duplicate key "duplicateWindowMinutes" at $`);
    expect(readPolicyFile(file('ok.json', '{"duplicateWindowMinutes": 5}')).duplicateWindowMinutes).toBe(5);
  });

  it('trust bundle, kiosk and central readers: a second "status" section is refused instead of dropping the blocked list', async () => {
    const p = file('bundle.json', bundle);
    await expect(readTrustFile(p)).rejects.toThrow(`${p}: trust bundle: duplicate key "status" at $`);
    expect(() => readBundleJson(p)).toThrow(`${p}: invalid trust bundle: duplicate key "status" at $`);
    const r = runCli(['verify', '--trust', p, '079090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('duplicate key "status" at $');
  });

  it('configuration profile (central config set --file): a key named twice is a usage error', () => {
    const p = file('profile.json', '{"heartbeatSeconds": 60, "heartbeatSeconds": 5}');
    const r = runCli(['central', 'config', 'set', '--data-dir', join(dir, 'central'), '--group', 'g1', '--file', p]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('duplicate key "heartbeatSeconds" at $');
  });
});
