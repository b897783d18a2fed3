/**
 * Process entry of the `checkpoint-kiosk` command: bin/checkpoint-kiosk.js runs the built copy
 * (dist/cli/entry.js); tests and development run this file through tsx.
 */
import { main } from './main.js';
import { latchStopSignals } from './stop-signals.js';

// `run` catches SIGTERM/SIGINT from its first moment: a stop during the start is carried out
// gracefully once the kiosk can stop (stop-signals.ts), never a silent exit 143 mid-start.
if (process.argv[2] === 'run') latchStopSignals();

// A reader that stops early (`export | head`) closes the pipe: that ends the output, as with any
// Unix filter, rather than a stack trace. Nothing is lost: the commands only read the database.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
