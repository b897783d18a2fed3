import { describe, expect, it } from 'vitest';
import { decide, DEFAULT_POLICY } from '../../src/core/policy.js';
import { parsePolicy, PolicyError, readPolicyFile } from '../../src/core/policy-file.js';
import type { VerifyResult } from '../../src/credentials/types.js';

const valid = (over: Partial<VerifyResult> = {}): VerifyResult => ({
  format: 'ckd1',
  failures: [],
  findings: [],
  identityOnly: false,
  subject: {},
  statusKeys: [],
  steps: [],
  ...over,
});

describe('default policy (docs/POLICY.md)', () => {
  it('accepts a valid signed credential with no reasons', () => {
    expect(decide(valid(), [], DEFAULT_POLICY)).toEqual({ verdict: 'accept', reasons: [] });
  });
  it('accepts a consistent identity-only credential with reason identity-only', () => {
    expect(decide(valid({ format: 'cccd', identityOnly: true }), [], DEFAULT_POLICY)).toEqual({ verdict: 'accept', reasons: ['identity-only'] });
  });
  it('rejects with the failures, whatever else is true', () => {
    const r = valid({ failures: ['expired', 'expired', 'bad-signature'], findings: ['symptoms'] });
    expect(decide(r, [{ id: 'x', status: 'f0' }], DEFAULT_POLICY)).toEqual({ verdict: 'reject', reasons: ['expired', 'bad-signature'] });
  });
  it('refers health findings and status-list hits', () => {
    expect(decide(valid({ findings: ['symptoms', 'exposure'] }), [], DEFAULT_POLICY)).toEqual({ verdict: 'refer', reasons: ['symptoms', 'exposure'] });
    expect(decide(valid({ format: 'cccd', identityOnly: true }), [{ id: 'x', status: 'f1' }], DEFAULT_POLICY)).toEqual({
      verdict: 'refer',
      reasons: ['identity-only', 'status:f1'],
    });
  });
  it('refers a status-list hit whose status is named like an Object.prototype member (constructor, toString, __proto__ …)', () => {
    // Status words are letters, digits, ".", "-", "_" (docs/TRUST-BUNDLE.md): these are valid ones,
    // and an inherited lookup once found Object.prototype's function and fell through to accept.
    for (const status of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf']) {
      expect(decide(valid({ format: 'cccd', identityOnly: true }), [{ id: 'x', status }], DEFAULT_POLICY), status).toEqual({
        verdict: 'refer',
        reasons: ['identity-only', `status:${status}`],
      });
    }
    const strict = parsePolicy({ statusActions: { '*': 'reject' } });
    expect(decide(valid(), [{ id: 'x', status: 'constructor' }], strict).verdict).toBe('reject');
  });
  it('takes a policy entry for a status named like an Object.prototype member as that status\'s own action', () => {
    const policy = parsePolicy(JSON.parse('{"statusActions": {"*": "accept", "__proto__": "reject", "constructor": "refer"}}'));
    expect(decide(valid(), [{ id: 'x', status: '__proto__' }], policy).verdict).toBe('reject');
    expect(decide(valid(), [{ id: 'x', status: 'constructor' }], policy).verdict).toBe('refer');
    expect(decide(valid(), [{ id: 'x', status: 'toString' }], policy).verdict).toBe('accept');
  });
  it('turns a "revoked" status hit into the reason revoked and a reject, unless the policy names revoked itself', () => {
    expect(decide(valid(), [{ id: 'x', status: 'revoked' }], DEFAULT_POLICY)).toEqual({ verdict: 'reject', reasons: ['revoked'] });
    const lenient = parsePolicy({ statusActions: { '*': 'accept' } });
    expect(decide(valid({ format: 'cccd', identityOnly: true }), [{ id: 'x', status: 'revoked' }, { id: 'y', status: 'f1' }], lenient)).toEqual({
      verdict: 'reject',
      reasons: ['identity-only', 'revoked', 'status:f1'],
    });
    expect(decide(valid(), [{ id: 'x', status: 'revoked' }], parsePolicy({ statusActions: { revoked: 'refer' } })).verdict).toBe('refer');
    // A failure still rejects with the failures alone.
    expect(decide(valid({ failures: ['expired'] }), [{ id: 'x', status: 'revoked' }], DEFAULT_POLICY)).toEqual({ verdict: 'reject', reasons: ['expired'] });
  });
  it('rejects a format the checkpoint does not accept', () => {
    const policy = { ...DEFAULT_POLICY, acceptFormats: ['ckd1' as const] };
    expect(decide(valid({ format: 'cccd', identityOnly: true }), [], policy)).toEqual({ verdict: 'reject', reasons: ['unknown-format'] });
  });
});

describe('policy file', () => {
  it('applies settings over the defaults', () => {
    const p = parsePolicy({ declarationRequired: true, statusActions: { blocked: 'reject' }, duplicateWindowMinutes: 10 });
    expect(p.declarationRequired).toBe(true);
    expect(p.duplicateWindowMinutes).toBe(10);
    expect(p.statusActions).toEqual({ '*': 'refer', blocked: 'reject' });
    expect(decide(valid({ format: 'cccd', identityOnly: true }), [], p).verdict).toBe('refer');
    expect(decide(valid(), [{ id: 'x', status: 'blocked' }], p)).toEqual({ verdict: 'reject', reasons: ['status:blocked'] });
  });
  it('reads the time settings, and defaults them (300 s tolerance, tests valid 72 h)', () => {
    expect(parsePolicy({})).toMatchObject({ clockSkewSeconds: 300, testMaxAgeHours: 72 });
    expect(parsePolicy({ clockSkewSeconds: 60, testMaxAgeHours: 48 })).toMatchObject({ clockSkewSeconds: 60, testMaxAgeHours: 48 });
  });
  it.each([
    [{ acceptFormats: ['dcc', 'pdf'] }, /acceptFormats\[1\]/],
    [{ acceptFormats: [] }, /acceptFormats.*non-empty/],
    [{ identityOnly: 'maybe' }, /identityOnly.*accept\|refer\|reject/],
    [{ duplicateWindowMinutes: -1 }, /duplicateWindowMinutes/],
    [{ statusActions: { f0: 'jail' } }, /statusActions\.f0/],
    [{ declarationRequired: 'yes' }, /declarationRequired/],
    // A key near no valid one gets the list of accepted keys, not a far-fetched guess.
    [{ colour: 'red' }, /^p\.json: unknown key "colour" at \$ \(accepted keys: acceptFormats, identityOnly, declarationRequired, healthFindings, statusActions, duplicateWindowMinutes, clockSkewSeconds, testMaxAgeHours\)$/],
    [{ version: 1 }, /^p\.json: unknown key "version" at \$ \(accepted keys: acceptFormats, identityOnly, /],
    [{ identityOnyl: 'accept' }, /^p\.json: unknown key "identityOnyl" at \$ \(did you mean "identityOnly"\?\)$/],
    [{ duplicateWindowMinute: 3 }, /^p\.json: unknown key "duplicateWindowMinute" at \$ \(did you mean "duplicateWindowMinutes"\?\)$/],
    [{ healthFinding: 'reject' }, /unknown key "healthFinding" at \$ \(did you mean "healthFindings"\?\)/],
    [{ clockSkewSeconds: -5 }, /clockSkewSeconds/],
    [{ clockSkewSeconds: 100_000 }, /clockSkewSeconds.*86400/],
    [{ testMaxAgeHours: 0 }, /testMaxAgeHours/],
    [[1, 2], /must be a JSON object/],
  ])('names the bad key in %j', (json, message) => {
    expect(() => parsePolicy(json, 'p.json')).toThrow(PolicyError);
    expect(() => parsePolicy(json, 'p.json')).toThrow(message);
  });
});

describe('readPolicyFile', () => {
  it('names a missing file and what to check, not a bare errno', () => {
    expect(() => readPolicyFile('/nonexistent/policy.json')).toThrow('/nonexistent/policy.json: cannot read the policy file: no such file (check the path)');
  });
  it('checks the 64 KiB limit without reading the whole file: a source that never ends (/dev/zero) is refused at once', () => {
    expect(() => readPolicyFile('/dev/zero')).toThrow('/dev/zero: larger than 65536 bytes');
  });
  it('names a directory given as the policy file', () => {
    expect(() => readPolicyFile('/tmp')).toThrow('it is a directory, not a JSON file');
  });
});
