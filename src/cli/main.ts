/**
 * The checkpoint-kiosk command (README.md, contract). Returns the process exit code:
 * 0 success, 1 runtime failure (message on stderr), 2 usage error.
 */
import { HELP } from './help.js';
import { UsageError } from './usage.js';

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
    return name === undefined ? 2 : 0;
  }
  // `checkpoint-kiosk run --help`, `central trace --help`: the same complete text.
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`checkpoint-kiosk: unknown command "${name}"\n\n${HELP}`);
    return 2;
  }
  try {
    const command = await load();
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n(see checkpoint-kiosk --help)\n`);
      return 2;
    }
    process.stderr.write(`checkpoint-kiosk ${name}: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}
