/** When an unknown key (or command) gets a "did you mean", and when the accepted keys instead. */
import { describe, expect, it } from 'vitest';
import { suggestion, unknownKeyMessage } from '../../src/shared/known-keys.js';

const POLICY = ['acceptFormats', 'identityOnly', 'declarationRequired', 'healthFindings', 'statusActions', 'duplicateWindowMinutes', 'clockSkewSeconds', 'testMaxAgeHours'];

describe('suggestion', () => {
  it.each([
    ['stauts', ['version', 'issuedAt', 'dcc', 'shc', 'declaration', 'status'], 'status'],
    ['entry', ['entries'], 'entries'],
    ['duplicateWindowMinute', POLICY, 'duplicateWindowMinutes'],
    ['verfiy', ['run', 'verify', 'export', 'audit', 'devices', 'central'], 'verify'],
  ])('%s → %s', (word, known, expected) => {
    expect(suggestion(word, known)).toBe(expected);
  });
  it.each([
    ['version', POLICY],
    ['etag', ['version', 'issuedAt', 'dcc', 'shc', 'declaration', 'status']],
    ['frobnicate', ['run', 'verify', 'export', 'audit', 'devices', 'central']],
  ])('%s: nothing close, no guess', (word, known) => {
    expect(suggestion(word, known)).toBeUndefined();
  });
});

it('unknownKeyMessage lists the accepted keys when no key is close', () => {
  expect(unknownKeyMessage('version', '$', ['identityOnly', 'statusActions'])).toBe('unknown key "version" at $ (accepted keys: identityOnly, statusActions)');
  expect(unknownKeyMessage('x', '$.a', [])).toBe('unknown key "x" at $.a (no keys are allowed here)');
});
