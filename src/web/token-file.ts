/**
 * The web-mode URL token, kept in `<data-dir>/web-token` (mode 0600) so the kiosk URL a browser
 * in `--kiosk` mode was started with stays valid across restarts and power cuts. Rotated with
 * `run --rotate-web-token` or from the technician screen; every page on the old URL then shows
 * the wrong-token screen.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../sync/atomic-file.js';

export const WEB_TOKEN_FILE = 'web-token';
const TOKEN = /^[0-9a-f]{64}$/;

export function newWebToken(): string {
  return randomBytes(32).toString('hex');
}

/** The stored token (the file tightened to 0600), or a new one written when absent, malformed or `rotate`. */
export function loadWebToken(dataDir: string, rotate = false): string {
  const file = path.join(dataDir, WEB_TOKEN_FILE);
  if (!rotate) {
    try {
      const token = readFileSync(file, 'utf8').trim();
      if (TOKEN.test(token)) {
        chmodSync(file, 0o600);
        return token;
      }
    } catch {
      // absent: written below
    }
  }
  return saveWebToken(dataDir, newWebToken());
}

export function saveWebToken(dataDir: string, token: string): string {
  writeFileAtomic(path.join(dataDir, WEB_TOKEN_FILE), `${token}\n`, 0o600);
  return token;
}
