/**
 * Command-line parsing on node:util parseArgs in strict mode, with every problem turned into a
 * UsageError whose message names the bad flag (exit code 2, README.md).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { distance } from 'fastest-levenshtein';
import { nearestKey } from '../shared/known-keys.js';

export class UsageError extends Error {
  override name = 'UsageError';
}

export type Options = NonNullable<ParseArgsConfig['options']>;

export function parseCommand<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals, allowNegative: false });
  } catch (err) {
    const code = (err as { code?: string }).code;
    const message = (err as Error).message;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`${command}: ${unknownOptionMessage(message, options)}`);
    throw new UsageError(`${command}: ${message}`);
  }
}

/**
 * `Unknown option '--expalin' (did you mean '--explain'?)`. parseArgs words it differently when
 * positionals are allowed (advice about '--' with an unclosed quote), so the message is rebuilt
 * from the option's name; the suggestion is the nearest flag within two edits.
 */
function unknownOptionMessage(message: string, options: Options): string {
  const flag = /^Unknown option '(-{1,2}[^']*)'/.exec(message)?.[1];
  if (flag === undefined) return message;
  const name = flag.replace(/^-+/, '');
  const near = flag.startsWith('--') ? nearestKey(name, Object.keys(options)) : undefined;
  const hint = near !== undefined && distance(name, near) <= 2 ? ` (did you mean '--${near}'?)` : '';
  return `Unknown option '${flag}'${hint}`;
}

export function requireOption(command: string, value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`${command}: missing required option --${flag}`);
  return value;
}

export function oneOf<T extends string>(command: string, flag: string, value: string | undefined, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(`${command}: --${flag} must be one of ${allowed.join('|')}, got "${value}"`);
  }
  return value as T;
}

/**
 * Checks every value of a repeatable flag with its parser; a problem the parser reports (an
 * error of class `expected`) becomes a UsageError naming the flag. Anything else is a bug and
 * propagates as it is.
 */
export function checkEach(command: string, flag: string, values: readonly string[], parse: (value: string) => unknown, expected: new (...args: never[]) => Error): void {
  for (const value of values) {
    try {
      parse(value);
    } catch (err) {
      if (err instanceof expected) throw new UsageError(`${command}: --${flag} ${err.message}`);
      throw err;
    }
  }
}

export function portNumber(command: string, flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d{1,5}$/.test(value) || n > 65535) throw new UsageError(`${command}: --${flag} must be a port number 0-65535, got "${value}"`);
  return n;
}
