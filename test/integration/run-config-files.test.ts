/**
 * `run` refuses a bad --trust, --policy or --ca (exit 2, naming the flag, the problem and the fix)
 * before it creates anything: no data dir is left behind, as for a bad --scanner. Through the
 * real command.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-run-config-'));
  mkdirSync(join(dir, 'a-folder'));
  writeFileSync(join(dir, 'bad-trust.json'), JSON.stringify({ bogus: 1 }));
  writeFileSync(join(dir, 'bad-policy.json'), JSON.stringify({ nope: true }));
  writeFileSync(join(dir, 'not-pem.crt'), 'this is not a certificate\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('run: a bad configuration file → exit 2 with the problem, and no data dir created', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a trust bundle with an unknown key', () => ['--trust', join(dir, 'bad-trust.json')], /^run: --trust .*bogus/m],
    ['a trust file that does not exist', () => ['--trust', join(dir, 'none.json')], /^run: --trust /m],
    ['a policy with an unknown key', () => ['--policy', join(dir, 'bad-policy.json')], /^run: --policy .*nope/m],
    ['a policy file that does not exist', () => ['--policy', join(dir, 'none.json')], /^run: --policy \S*none\.json: cannot read the policy file: no such file/m],
    ['a --ca file that does not exist', () => ['--server', 'http://127.0.0.1:9', '--ca', '/nonexist'], /^run: --ca \/nonexist: no such file; fix the path \(a PEM file holding the CA certificate/m],
    ['a --ca that is a folder', () => ['--server', 'http://127.0.0.1:9', '--ca', join(dir, 'a-folder')], /^run: --ca .*a-folder: is a folder; name a PEM file holding the CA certificate .* inside it/m],
    ['a --ca that is not PEM', () => ['--server', 'http://127.0.0.1:9', '--ca', join(dir, 'not-pem.crt')], /^run: --ca .*not-pem\.crt: holds no PEM certificate .*openssl x509 -inform der/m],
    ['a relative --ca path, named with the folder it was read from', () => ['--server', 'http://127.0.0.1:9', '--ca', 'no-such-ca.pem'], /^run: --ca no-such-ca\.pem \(read from \/.*\): no such file/m],
  ];
  it.each(cases)('%s', (_what, args, message) => {
    const data = join(dir, `data-${Math.random().toString(36).slice(2)}`);
    const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin', ...args()]);
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 2, stderr: expect.stringMatching(message) });
    expect(r.stderr).not.toContain('ENOENT');
    expect(existsSync(data)).toBe(false);
  });
});
