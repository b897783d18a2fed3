/**
 * A mistyped command gets one line naming it and the nearest command when it looks like a typo,
 * and where the help is; exit 2. The whole overview would push the mistake off the screen.
 */
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('unknown commands', () => {
  it('a typo of a command: one line with the suggestion, then where the help is', () => {
    const r = runCli(['verfiy', 'abc']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('checkpoint-kiosk: unknown command "verfiy" (did you mean "verify"?)\nsee checkpoint-kiosk --help\n');
  });

  it('a word near no command: no guess', () => {
    const r = runCli(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('checkpoint-kiosk: unknown command "frobnicate"\nsee checkpoint-kiosk --help\n');
  });

  it('central subcommands the same, with or without --help', () => {
    for (const args of [['central', 'exprot', '--data-dir', '/nonexistent'], ['central', 'exprot', '--help']]) {
      const r = runCli(args);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe('central: unknown subcommand "exprot" (did you mean "export"?)\nsee checkpoint-kiosk central --help\n');
    }
    const far = runCli(['central', 'frobnicate']);
    expect(far.code).toBe(2);
    expect(far.stderr.split('\n')[0]).toBe('central: unknown subcommand "frobnicate" (one of export, enroll-code, admin-token, retention-days, trace, trust-bundle, audit, provision-card, revoke-device, config, group, release)');
  });
});
