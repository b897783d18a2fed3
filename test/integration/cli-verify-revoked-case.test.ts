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

describe('several status entries for one id', () => {
  it('all apply whatever their order, and --explain names each with its status and until', () => {
    const entries = [
      { id: '001090001234', status: 'quarantine', until: '2099-01-01T00:00:00Z' },
      { id: '001090001234', status: 'Revoked' },
    ];
    for (const list of [entries, [...entries].reverse()]) {
      const r = runCli(['verify', '--at', AT, '--explain', '--trust', trust(list), CCCD]);
      const line = r.lines[0] as { verdict: string; reasons: string[]; steps: { step: string; ok: boolean; detail?: string }[] };
      expect(line.verdict).toBe('reject');
      expect([...line.reasons].sort()).toEqual(['identity-only', 'revoked', 'status:quarantine']);
      expect(line.steps.filter((s) => s.step === 'status-list')).toEqual(
        expect.arrayContaining([
          { step: 'status-list', ok: false, detail: '001090001234 is listed as quarantine until 2099-01-01T00:00:00Z' },
          { step: 'status-list', ok: false, detail: '001090001234 is listed as Revoked' },
        ]),
      );
    }
    // A policy that rejects "blocked" sees a blocked entry listed after an f1 one.
    const policy = join(dir, 'blocked.json');
    writeFileSync(policy, JSON.stringify({ statusActions: { '*': 'refer', blocked: 'reject' } }));
    const both = trust([{ id: '001090001234', status: 'f1' }, { id: '001090001234', status: 'blocked' }]);
    expect(verify(['--trust', both, '--policy', policy], CCCD)).toMatchObject({ verdict: 'reject', reasons: ['identity-only', 'status:f1', 'status:blocked'] });
  });
  it('--explain says how many ids were looked up when none is listed; --at takes an offset of whole hours', () => {
    const r = runCli(['verify', '--at', '2022-06-01T07:00:00+07', '--explain', '--trust', trust([]), CCCD]);
    expect(r.code, r.stderr).toBe(0);
    expect((r.lines[0] as { steps: unknown[] }).steps).toContainEqual({ step: 'status-list', ok: true, detail: 'not listed (2 ids looked up)' });
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
