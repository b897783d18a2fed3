/**
 * The checkpoint-kiosk command (README.md, contract). Returns the process exit code, one table for
 * every command (exit-codes.ts): 0 ok, 1 runtime failure (message on stderr), 2 usage or
 * configuration error (the message names the flag).
 */
import { HELP, kioskCommandHelp } from './help.js';
import { UsageError } from './usage.js';
import { EXIT } from './exit-codes.js';
import { VERSION } from '../app/version.js';
import { suggestion } from '../shared/known-keys.js';

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/run.js')).runCommand,
  verify: async () => (await import('./commands/verify.js')).verifyCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  audit: async () => (await import('./commands/audit.js')).auditCommand,
  devices: async () => (await import('./commands/devices.js')).devicesCommand,
  central: async () => (await import('../../server/cli.js')).centralMain,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS[name];
  // `checkpoint-kiosk run --help`: that command's own usage; `central … --help` is answered by the
  // central command itself (the stand-alone central server takes the same arguments).
  if (load && name !== 'central' && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(kioskCommandHelp(name) ?? HELP);
    return EXIT.ok;
  }
  if (!load) {
    // One line, not the whole overview: the mistake stays on screen next to its fix.
    const near = suggestion(name, Object.keys(COMMANDS));
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    process.stderr.write(`checkpoint-kiosk: unknown command "${shown}"${near === undefined ? '' : ` (did you mean "${near}"?)`}\nsee checkpoint-kiosk --help\n`);
    return EXIT.usage;
  }
  try {
    const command = await load();
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n(see checkpoint-kiosk ${name} --help)\n`);
      return EXIT.usage;
    }
    process.stderr.write(`checkpoint-kiosk ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT.failure;
  }
}
