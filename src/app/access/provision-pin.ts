/**
 * The technician PIN as the installer sets it, outside the kiosk's screen:
 *   - `checkpoint-kiosk run --data-dir DIR --set-pin` reading the PIN from stdin, or
 *   - the file named by CHECKPOINT_KIOSK_PIN_FILE (e.g. a systemd credential), applied at every
 *     start: when the stored PIN differs from the file's, the file wins (rotating the file
 *     rotates the PIN). The file must not be readable by group or others.
 * A PIN is 6-12 digits.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CheckInStore } from '../../store/types.js';
import { API_LIMITS } from '../../shared/api.js';
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

/** Reads a PIN file; refuses one that group or others may read (chmod 600 fixes it). */
export function readPinFile(file: string): string {
  let mode: number;
  try {
    mode = statSync(file).mode;
  } catch (err) {
    throw new PinInputError(`${PIN_FILE_ENV}=${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  if ((mode & 0o077) !== 0) throw new PinInputError(`${PIN_FILE_ENV}=${file}: readable by group or others (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`);
  const text = readFileSync(file, 'utf8');
  if (text.length > 64) throw new PinInputError(`${PIN_FILE_ENV}=${file}: larger than a PIN`);
  return parsePin(text, `${PIN_FILE_ENV}=${file}`);
}

/**
 * Stores `pin` as the technician PIN unless it already is; returns true when it changed.
 * Removes the first-start setup code of `dataDir`: a PIN exists now.
 */
export async function applyPin(store: CheckInStore, pin: string, dataDir: string, at: string, via: string, scryptN = DEFAULT_SCRYPT_N): Promise<boolean> {
  const stored = store.getSetting(PIN_SETTINGS.hash);
  removeSetupCode(path.join(dataDir, SETUP_CODE_FILE));
  if (stored !== undefined && (await checkPin(pin, stored))) return false;
  store.setSetting(PIN_SETTINGS.hash, await hashPin(pin, scryptN));
  store.setSetting('access.failures', '0');
  store.setSetting('access.nextAt', '0');
  store.audit({ at, actor: 'installer', action: 'pin-set', detail: { via } });
  return true;
}
