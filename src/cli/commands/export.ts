/**
 * `checkpoint-kiosk export --data-dir DIR [--reveal [--pin-file FILE]]`: the kiosk's own
 * check-ins, pending and forwarded, one JSON line each, oldest first. Safe while the kiosk runs
 * (WAL readers do not block it).
 *
 * Identity fields are personal data: without `--reveal` each line's `subject` carries only the ID
 * type and the masked name. `--reveal` prints them in full after the technician PIN (from
 * `--pin-file`, else the first line of stdin) has been checked — with the same growing waits as the
 * technician screen — and an `export-reveal` entry (no personal data) is in the audit log.
 */
import { EXIT } from '../exit-codes.js';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../store/index.js';
import type { SqliteStore } from '../../store/index.js';
import { maskSubject } from '../../shared/mask.js';
import { AccessControl } from '../../app/access/access-control.js';
import { checkPinFile, PinInputError } from '../../app/access/provision-pin.js';
import { jsonLogger, systemClock } from '../../core/system.js';
import { waitText } from './pin-wait.js';
import { parseCommand, requireOption, UsageError } from '../usage.js';

/** A PIN is a few digits; anything much longer is not a PIN file. */
const MAX_PIN_BYTES = 256;

export async function exportCommand(argv: string[]): Promise<number> {
  const { values } = parseCommand('export', argv, {
    'data-dir': { type: 'string' },
    reveal: { type: 'boolean' },
    'pin-file': { type: 'string' },
  });
  const dataDir = requireOption('export', values['data-dir'], 'data-dir');
  if (values['pin-file'] !== undefined && !values.reveal) throw new UsageError('export: --pin-file is only used with --reveal');
  if (!existsSync(join(dataDir, 'kiosk.db'))) {
    throw new UsageError(`export: no kiosk database in ${dataDir} (expected ${join(dataDir, 'kiosk.db')}); check --data-dir`);
  }
  const pin = values.reveal ? readPin(values['pin-file']) : undefined;
  const store = openStore({ dir: dataDir, logger: jsonLogger({ level: 'warn' }), clock: systemClock });
  try {
    if (pin !== undefined) await checkReveal(store, pin);
    for (const checkIn of store.all()) {
      const line = pin !== undefined ? checkIn : { ...checkIn, subject: maskSubject(checkIn.subject) };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    }
  } finally {
    store.close();
  }
  return EXIT.ok;
}

function readPin(file: string | undefined): string {
  let text: string;
  if (file !== undefined) {
    // The same rule as CHECKPOINT_KIOSK_PIN_FILE: a PIN file others can read is refused.
    try {
      checkPinFile(file, `export: --pin-file ${file}`);
    } catch (err) {
      if (err instanceof PinInputError) throw new UsageError(err.message);
      throw err;
    }
  }
  try {
    if (file !== undefined && statSync(file).size > MAX_PIN_BYTES) throw new Error('file too large for a PIN');
    text = readFileSync(file ?? 0, 'utf8').slice(0, MAX_PIN_BYTES);
  } catch (err) {
    throw new UsageError(`export: cannot read the technician PIN from ${file ? `--pin-file ${file}` : 'stdin'}: ${(err as Error).message}`);
  }
  const pin = text.split(/\r?\n/)[0]?.trim() ?? '';
  if (pin === '') throw new UsageError(`export: --reveal needs the technician PIN (on stdin or with --pin-file FILE)`);
  return pin;
}

/** Checks the PIN (counting failures toward the lockout) and records the reveal before any line is printed. */
async function checkReveal(store: SqliteStore, pin: string): Promise<void> {
  // The same attempt limiter as the screen's keypad: wrong PINs here make the next try wait too.
  const result = await new AccessControl(store, systemClock).techUnlock(pin);
  const at = new Date(systemClock.now()).toISOString();
  if (!result.ok) {
    store.audit({ at, actor: 'technician', action: 'export-reveal-refused', detail: { via: 'cli', reason: result.reason } });
    if (result.reason === 'no-pin') throw new Error('no technician PIN is set on this kiosk: set one with `run --set-pin` first');
    const now = systemClock.now();
    if (result.reason === 'wait') throw new Error(`too many wrong PINs: try again ${result.retryAt ? waitText(result.retryAt, now, store) : 'later'}`);
    throw new Error(`wrong technician PIN${result.retryAt ? `; the next try is checked ${waitText(result.retryAt, now, store)}` : ''}`);
  }
  store.audit({ at, actor: 'technician', action: 'export-reveal', detail: { via: 'cli' } });
}
