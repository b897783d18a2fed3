/**
 * First start without a technician PIN: the technician screen sets one only with the setup code,
 * a random 8-digit number the kiosk writes to `<data-dir>/setup-code` (mode 0600) and never shows
 * on screen. Reading that file takes a shell on the machine (or its disk): the installer can, a
 * visitor touching the screen cannot. The file is removed once a PIN is set.
 */
import { randomInt } from 'node:crypto';
import { chmodSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export const SETUP_CODE_FILE = 'setup-code';
const CODE = /^\d{8}$/;

/** The setup code in `file`, created (0600) when missing or malformed. */
export function ensureSetupCode(file: string): string {
  try {
    const existing = readFileSync(file, 'utf8').trim();
    if (CODE.test(existing)) {
      chmodSync(file, 0o600);
      return existing;
    }
  } catch {
    // absent: created below
  }
  const code = Array.from({ length: 8 }, () => String(randomInt(10))).join('');
  writeFileSync(file, `${code}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return code;
}

export function removeSetupCode(file: string): void {
  rmSync(file, { force: true });
}
