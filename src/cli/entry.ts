/**
 * Process entry of the `checkpoint-kiosk` command: bin/checkpoint-kiosk.js runs the built copy
 * (dist/cli/entry.js); tests and development run this file through tsx.
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
