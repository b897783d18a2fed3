/**
 * The technician PIN as the installer sets it, outside the kiosk's screen:
 *   - `checkpoint-kiosk run --data-dir DIR --set-pin` reading the PIN from stdin, or
 *   - the file named by CHECKPOINT_KIOSK_PIN_FILE (e.g. a systemd credential), read at every
 *     start and applied when its PIN is new: at the first start with it, and whenever the
 *     installer changes it (rotating the file rotates the PIN). A PIN set since on the technician
 *     panel (or with --set-pin) stands while the file keeps the PIN it had: before, the unchanged
 *     file silently put its PIN back at every restart (applyPinFile). The file must not be
 *     readable by group or others.
 * A PIN is 6-12 digits.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CheckInStore } from '../../store/types.js';
import { API_LIMITS } from '../../shared/api.js';
import { weakPinProblem } from '../../shared/weak-pin.js';
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

/** Refuses a PIN too easy to guess (weak-pin.ts) when it is being set. */
export function refuseWeakPin(pin: string, where: string): void {
  const weak = weakPinProblem(pin);
  if (weak) throw new PinInputError(`${where}: this PIN is too easy to guess (${weak}); choose another`);
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
  store.setSetting(PIN_SETTINGS.source, via);
  store.audit({ at, actor: 'installer', action: 'pin-set', detail: { via } });
  return true;
}

/** Logged at a start when the PIN file is not applied. */
export const PANEL_PIN_STANDS = `technician PIN: the PIN set on the technician panel (or with --set-pin) stands; ${PIN_FILE_ENV} is applied again once its PIN changes`;

export type PinFileResult = 'applied' | 'unchanged' | 'panel-pin-stands';

/**
 * CHECKPOINT_KIOSK_PIN_FILE at a start: its PIN is applied when it is new (never applied, or the
 * file changed since it last was); a PIN set since by other means (the technician panel,
 * --set-pin) stands while the file is unchanged. 'panel-pin-stands' is for the caller to log.
 */
export async function applyPinFile(store: CheckInStore, pin: string, dataDir: string, at: string, scryptN = DEFAULT_SCRYPT_N): Promise<PinFileResult> {
  const lastFile = store.getSetting(PIN_SETTINGS.fileHash);
  const source = store.getSetting(PIN_SETTINGS.source);
  const fileUnchanged = lastFile !== undefined && lastFile !== '' && (await checkPin(pin, lastFile));
  if (fileUnchanged && source !== undefined && source !== 'pin-file' && store.getSetting(PIN_SETTINGS.hash) !== undefined) {
    removeSetupCode(path.join(dataDir, SETUP_CODE_FILE));
    return 'panel-pin-stands';
  }
  const stored = store.getSetting(PIN_SETTINGS.hash);
  // A weak PIN is refused only when it would be set: one already in force keeps working.
  if (stored === undefined || !(await checkPin(pin, stored))) refuseWeakPin(pin, `${PIN_FILE_ENV}`);
  const changed = await applyPin(store, pin, dataDir, at, 'pin-file', scryptN);
  if (!fileUnchanged) store.setSetting(PIN_SETTINGS.fileHash, await hashPin(pin, scryptN));
  if (!changed) store.setSetting(PIN_SETTINGS.source, 'pin-file');
  return changed ? 'applied' : 'unchanged';
}
