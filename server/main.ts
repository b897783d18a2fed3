/**
 * Stand-alone entry of the central server (a separate deployable):
 *   node --import tsx server/main.ts --data-dir DIR [--port N] ...
 * Same arguments as `checkpoint-kiosk central`.
 */
import { centralMain } from './cli.js';

process.exitCode = await centralMain(process.argv.slice(2));
