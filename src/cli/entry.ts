/**
 * Process entry of the `checkpoint-kiosk` command: bin/checkpoint-kiosk.js runs the built copy
 * (dist/cli/entry.js); tests and development run this file through tsx.
 */
import { main } from './main.js';

// A reader that stops early (`export | head`) closes the pipe: that ends the output, as with any
// Unix filter, rather than a stack trace. Nothing is lost: the commands only read the database.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

process.exitCode = await main(process.argv.slice(2));
