/**
 * scripts/demo-npm-flags.ts: flags npm kept for itself (`npm run demo --json`, `--data-dir=X`,
 * no `--`) are named with the command that was meant, from the environment npm gives a script.
 */
import { describe, expect, it } from 'vitest';
import { npmKeptFlagsHint, npmSwallowedFlagsHint } from '../../scripts/demo-npm-flags.js';

const npm = (config: Record<string, string>) => ({ npm_lifecycle_event: 'demo', ...config });

describe('npmKeptFlagsHint', () => {
  it('names a switch npm kept (--json), so a script waiting for JSON lines is not fed the banner', () => {
    expect(npmKeptFlagsHint({}, npm({ npm_config_json: 'true' }))).toBe('npm kept --json for itself: run `npm run demo -- --json`');
  });
  it('names a value flag npm kept whole (--data-dir=X), with a switch beside it', () => {
    expect(npmKeptFlagsHint({}, npm({ npm_config_data_dir: '/tmp/d', npm_config_json: 'true' }))).toBe('npm kept --data-dir and --json for itself: run `npm run demo -- --data-dir /tmp/d --json`');
  });
  it('says nothing when the demo got its flags, or was not started by npm', () => {
    expect(npmKeptFlagsHint({ json: true }, npm({ npm_config_json: 'true' }))).toBeUndefined();
    expect(npmKeptFlagsHint({}, npm({ npm_config_json: 'false' }))).toBeUndefined();
    expect(npmKeptFlagsHint({}, { npm_config_json: 'true' })).toBeUndefined();
  });
});

describe('npmSwallowedFlagsHint', () => {
  it('rebuilds `npm run demo --data-dir X` (npm took the flag, left the value)', () => {
    expect(npmSwallowedFlagsHint(['X'], npm({ npm_config_data_dir: 'true' }))).toBe('npm keeps flags before `--` for itself: run `npm run demo -- --data-dir X`');
  });
});
