/**
 * Through the real `verify` CLI: a status-list entry `revoked` withdraws the credential itself
 * (reason `revoked`, reject), and a base45 credential typed in lower case (a scanner set to lower
 * case, or a keyboard-wedge scanner typing while Caps Lock is on) reads as the credential it is.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { issueHc1, makeSigner, sampleVaccination } from '../helpers/dcc-issuer.js';

const AT = '2022-06-01T00:00:00Z';
const CCCD = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';
let dir: string;
let hc1: string;
let trust: (entries: { id: string; status: string }[]) => string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-revoked-'));
  const signer = makeSigner();
  hc1 = issueHc1({ dcc: sampleVaccination(), signer });
  const certificate = Buffer.from(signer.certificate.raw).toString('base64');
  let n = 0;
  trust = (entries) => {
    const file = join(dir, `trust-${n++}.json`);
    writeFileSync(file, JSON.stringify({ version: 1, issuedAt: '2022-01-01T00:00:00Z', dcc: { signers: [{ certificate, country: 'VN' }] }, status: { entries } }));
    return file;
  };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function verify(args: string[], text: string): { verdict: string; reasons: string[]; format: string } {
  const r = runCli(['verify', '--at', AT, ...args, text]);
  expect(r.code, r.stderr).toBe(0);
  return r.lines[0] as { verdict: string; reasons: string[]; format: string };
}

describe('status entry "revoked"', () => {
  it('rejects a DCC whose certificate identifier is revoked, with the reason revoked', () => {
    const file = trust([{ id: 'URN:UVCI:01:VN:TEST0001#X', status: 'revoked' }]);
    expect(verify(['--trust', file], hc1)).toMatchObject({ format: 'dcc', verdict: 'reject', reasons: ['revoked'] });
    // Another status on the same identifier stays a status hit for the policy (refer by default).
    const other = trust([{ id: 'URN:UVCI:01:VN:TEST0001#X', status: 'quarantine' }]);
    expect(verify(['--trust', other], hc1)).toMatchObject({ verdict: 'refer', reasons: ['status:quarantine'] });
  });
  it('rejects an ID card reported revoked even when the policy accepts every other status', () => {
    const file = trust([{ id: '001090001234', status: 'revoked' }]);
    const policy = join(dir, 'lenient.json');
    writeFileSync(policy, JSON.stringify({ statusActions: { '*': 'accept' } }));
    expect(verify(['--trust', file, '--policy', policy], CCCD)).toMatchObject({ format: 'cccd', verdict: 'reject', reasons: ['identity-only', 'revoked'] });
    // A policy that names "revoked" itself decides it.
    const own = join(dir, 'own.json');
    writeFileSync(own, JSON.stringify({ statusActions: { '*': 'accept', revoked: 'refer' } }));
    expect(verify(['--trust', file, '--policy', own], CCCD)).toMatchObject({ verdict: 'refer', reasons: ['identity-only', 'revoked'] });
  });
});

describe('a base45 credential in lower case', () => {
  it('reads as the credential it is (upper-casing recovers base45 exactly)', () => {
    const file = trust([]);
    const upper = verify(['--trust', file], hc1);
    expect(upper).toMatchObject({ format: 'dcc', verdict: 'accept', reasons: [] });
    expect(verify(['--trust', file], hc1.toLowerCase())).toEqual(upper);
  });
  it('is not guessed at when it also holds a capital letter (not a case-folded base45 text): refused naming the letter case', () => {
    const file = trust([]);
    const mixed = `hc1:${hc1.slice(4, 10).toLowerCase()}${hc1.slice(10)}`;
    expect(verify(['--trust', file], mixed)).toMatchObject({
      format: 'dcc',
      verdict: 'reject',
      reasons: ['unreadable'],
      messages: [expect.stringMatching(/^the prefix is written "hc1:" and the text mixes letter cases: base45 has capital letters only/)],
    });
  });
});
