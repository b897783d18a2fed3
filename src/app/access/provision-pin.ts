/**
 * The technician PIN as the installer sets it, outside the kiosk's screen:
 *   - `checkpoint-kiosk run --data-dir DIR --set-pin` reading the PIN from stdin, or
 *   - the file named by CHECKPOINT_KIOSK_PIN_FILE (e.g. a systemd credential), applied at every
 *     start: when the stored PIN differs from the file's, the file wins (rotating the file
 *     rotates the PIN). The file must not be readable by group or others.
 * A PIN is 6-12 digits.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckInStore } from '../../store/types.js';
import { API_LIMITS } from '../../shared/api.js';
import { checkRegularFile } from '../../../drivers/file-check.js';
import { DEFAULT_SCRYPT_N, PIN_SETTINGS, checkPin, hashPin } from '../tech-pin.js';
import { SETUP_CODE_FILE, removeSetupCode } from './setup-code.js';

export const PIN_FILE_ENV = 'CHECKPOINT_KIOSK_PIN_FILE';

/** Thrown for a PIN or PIN file that cannot be used; the message names the problem and the fix. */
export class PinInputError extends Error {
  override name = 'PinInputError';
}

/** Checks a PIN's shape: 6-12 digits, nothing else (a trailing newline is the caller's to trim). */
export function parsePin(text: string, where: string): string {
  const pin = text.trim();
  const { min, max } = API_LIMITS.newPin;
  if (!new RegExp(`^\\d{${min},${max}}$`).test(pin)) throw new PinInputError(`${where}: the PIN must be ${min}-${max} digits`);
  return pin;
}

/**
 * Checks a file meant to hold the technician PIN before it is read: it must exist, be a regular
 * file, and be readable by its owner only (a PIN others can read is no secret; `chmod 600` fixes
 * it). `where` names the setting in the message (`CHECKPOINT_KIOSK_PIN_FILE=F`, `--pin-file F`).
 * Throws PinInputError saying what is wrong and what to check.
 */
export function checkPinFile(file: string, where: string): void {
  const c = checkRegularFile(file);
  if (!c.ok) {
    if (c.problem === 'missing') throw new PinInputError(`${where}: the PIN file does not exist; check the path (a systemd credential is read from $CREDENTIALS_DIRECTORY)`);
    if (c.problem === 'no-access') throw new PinInputError(`${where}: the PIN file cannot be reached by this user (permission denied on a folder); check the folder's permissions`);
    if (c.problem === 'other') throw new PinInputError(`${where}: the PIN file cannot be read (${c.code})`);
    throw new PinInputError(`${where}: ${c.problem === 'folder' ? 'a directory' : 'not a regular file'}; name the file that holds the PIN`);
  }
  if ((c.mode & 0o077) !== 0) throw new PinInputError(`${where}: readable by group or others (mode ${(c.mode & 0o777).toString(8)}); run chmod 600 on it`);
}

/** Reads a PIN file; refuses one that group or others may read (chmod 600 fixes it). */
export function readPinFile(file: string): string {
  const where = `${PIN_FILE_ENV}=${file}`;
  checkPinFile(file, where);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new PinInputError(`${where}: the PIN file cannot be read by this user (${code ?? String(err)}); check its owner`);
  }
  if (text.length > 64) throw new PinInputError(`${where}: larger than a PIN`);
  return parsePin(text, where);
}

/**
 * Stores `pin` as the technician PIN unless it already is; returns true when it changed.
 * Removes the first-start setup code of `dataDir`: a PIN exists now.
 */
export async function applyPin(store: CheckInStore, pin: string, dataDir: string, at: string, via: string, scryptN = DEFAULT_SCRYPT_N): Promise<boolean> {
  const stored = store.getSetting(PIN_SETTINGS.hash);
  removeSetupCode(path.join(dataDir, SETUP_CODE_FILE));
  if (stored !== undefined && (await checkPin(pin, stored))) return false;
  // The wrong-PIN count and wait stay: only the correct PIN typed clears them (a new PIN does not
  // wipe the record of guesses made at the keypad).
  store.setSetting(PIN_SETTINGS.hash, await hashPin(pin, scryptN));
  store.audit({ at, actor: 'installer', action: 'pin-set', detail: { via } });
  return true;
}
