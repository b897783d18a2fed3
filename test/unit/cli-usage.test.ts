/**
 * A mistyped flag gets one clear line naming it, and the nearest real flag when it is close
 * (parseArgs' own text, with positionals allowed, advises about '--' and leaves a quote open).
 */
import { describe, expect, it } from 'vitest';
import { UsageError, parseCommand } from '../../src/cli/usage.js';

const OPTIONS = { explain: { type: 'boolean' }, trust: { type: 'string' }, at: { type: 'string' } } as const;

function problem(argv: string[], positionals = true): string {
  try {
    parseCommand('verify', argv, OPTIONS, positionals);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error('parsed without a problem');
}

describe('parseCommand: unknown options', () => {
  it('names the flag and suggests the nearest one within two edits, with or without positionals', () => {
    expect(problem(['--expalin', 'x'])).toBe("verify: Unknown option '--expalin' (did you mean '--explain'?)");
    expect(problem(['--trsut', 'f.json'], false)).toBe("verify: Unknown option '--trsut' (did you mean '--trust'?)");
  });

  it('suggests nothing for a flag far from every real one, nor for an unknown short flag', () => {
    expect(problem(['--zzzzzzzz', 'x'])).toBe("verify: Unknown option '--zzzzzzzz'");
    expect(problem(['-q', 'x'])).toBe("verify: Unknown option '-q'");
  });

  it('keeps parseArgs wording for other problems (a value missing)', () => {
    expect(problem(['--trust'])).toMatch(/^verify: Option '--trust <value>' argument missing/);
  });
});
