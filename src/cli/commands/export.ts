/**
 * `checkpoint-kiosk export --data-dir DIR`: the kiosk's own check-ins, pending and forwarded,
 * one JSON line each, oldest first. Safe while the kiosk runs (WAL readers do not block it).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../store/index.js';
import { jsonLogger, systemClock } from '../../core/system.js';
import { parseCommand, requireOption } from '../usage.js';

export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand('export', argv, { 'data-dir': { type: 'string' } });
  const dataDir = requireOption('export', values['data-dir'], 'data-dir');
  if (!existsSync(join(dataDir, 'kiosk.db'))) {
    throw new Error(`no kiosk database in ${dataDir} (expected ${join(dataDir, 'kiosk.db')}); check --data-dir`);
  }
  const store = openStore({ dir: dataDir, logger: jsonLogger({ level: 'warn' }), clock: systemClock });
  try {
    for (const checkIn of store.all()) process.stdout.write(`${JSON.stringify(checkIn)}\n`);
  } finally {
    store.close();
  }
  return 0;
}
