/**
 * Command-line parsing on node:util parseArgs in strict mode, with every problem turned into a
 * UsageError whose message names the bad flag (exit code 2, DESIGN §7).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

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
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      throw new UsageError(`${command}: ${message}`);
    }
    throw new UsageError(`${command}: ${message}`);
  }
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

export const HELP = `checkpoint-kiosk — QR check-in kiosk

Usage:
  checkpoint-kiosk run --data-dir DIR --scanner URI [--scanner URI ...] [--server URL [--server URL ...] --enroll CODE]
                       [--trust FILE] [--policy FILE] [--checkpoint ID] [--direction in|out]
                       [--ui none|web] [--port N] [--ca FILE] [--relay URI ...] [--beeper]
                       [--heartbeat-seconds N]
  checkpoint-kiosk verify [--trust FILE] [--policy FILE] [--at ISO-TIME] [--explain] (PAYLOAD | -)
  checkpoint-kiosk export --data-dir DIR
  checkpoint-kiosk devices
  checkpoint-kiosk central (--data-dir DIR | --database postgres://USER@HOST:PORT/DB) [--port N] [--host H]
                           [--trust FILE] [--enrollment-code CODE ...]
  checkpoint-kiosk central export|enroll-code|admin-token (--data-dir DIR | --database URL)
  checkpoint-kiosk central trace (--data-dir DIR | --database URL) --id ID --from ISO --to ISO [--window-minutes N]

Scanner URIs: serial:/dev/ttyUSB0?baud=9600  hid:VID:PID  hid-pos:auto  sim:FILE  stdin  auto
Relay URIs:   hid-relay[:VID:PID]?channel=1&pulseMs=800  serial-relay:/dev/ttyUSB1?channel=1  none
`;
