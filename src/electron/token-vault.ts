/**
 * Keeps the device token out of plain files in the Electron shell (docs/OPERATIONS.md).
 *
 * The sync layer (src/sync/enrollment.ts, used by src/app/central-link.ts) stores the whole
 * enrollment, token included, in `<dataDir>/enrollment.json` (mode 0600), and central-link reads
 * that file once, synchronously, when it is created. Under Electron we can do better: the token
 * goes into the store's settings encrypted with safeStorage (device-token.ts) and the file keeps
 * everything else with `"token": ""`. The choice, step by step:
 *
 *   - seal(): when the file holds a token and safeStorage can encrypt, save it encrypted and
 *     rewrite the file with an empty token. Called at start (a token left by `run --enroll` or by
 *     a crash), right after central-link has read the file, after every enrollment, and at quit.
 *   - unsealForStartup(): when the file holds an empty token, write the decrypted token back so
 *     central-link can read it; the caller seals again in the same synchronous tick, so the
 *     plaintext lives on disk only for the microseconds between two writes (a power cut exactly
 *     then leaves a 0600 file that the next start seals again). A token that cannot be decrypted
 *     (keyring changed) moves the file aside: the kiosk then shows "not enrolled" instead of
 *     sending an empty token forever.
 *   - Where safeStorage cannot encrypt at all, the file keeps the token (0600), as under
 *     `checkpoint-kiosk run`, and we log that once.
 *
 * A cleaner seam would let central-link take the token from a callback instead of the file; until
 * then this keeps the sync layer untouched.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import type { Logger } from '../shared/ports.js';
import { ENROLLMENT_FILE, writeFileAtomic } from '../sync/index.js';
import { loadDeviceToken, saveDeviceToken } from './device-token.js';

type Safe = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & { getSelectedStorageBackend?: SafeStorage['getSelectedStorageBackend'] };

interface Settings {
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
}

export type SealResult = 'sealed' | 'already-sealed' | 'not-enrolled' | 'unavailable';

export interface TokenVault {
  seal(): SealResult;
  unsealForStartup(): 'unsealed' | 'plain' | 'not-enrolled' | 'lost';
}

/** Largest enrollment file we read (it is ~1 KiB). */
const MAX_FILE_BYTES = 64 * 1024;

export function createTokenVault(opts: { safe: Safe | undefined; settings: Settings; dataDir: string; logger: Logger }): TokenVault {
  const log = opts.logger.child('token');
  const file = path.join(opts.dataDir, ENROLLMENT_FILE);
  let warned = false;

  const read = (): Record<string, unknown> | undefined => {
    try {
      if (fs.statSync(file).size > MAX_FILE_BYTES) return undefined;
      const json = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
      return typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const write = (e: Record<string, unknown>) => writeFileAtomic(file, `${JSON.stringify(e, null, 2)}\n`, 0o600);
  const canEncrypt = () => {
    try {
      return opts.safe?.isEncryptionAvailable() === true;
    } catch {
      return false;
    }
  };

  return {
    seal() {
      const e = read();
      if (!e || typeof e.token !== 'string') return 'not-enrolled';
      if (e.token === '') return 'already-sealed';
      if (!opts.safe || !canEncrypt()) {
        if (!warned) log.warn('safeStorage cannot encrypt here: device token kept in enrollment.json (0600)');
        warned = true;
        return 'unavailable';
      }
      saveDeviceToken(opts.safe, opts.settings, e.token, opts.logger);
      write({ ...e, token: '' });
      return 'sealed';
    },
    unsealForStartup() {
      const e = read();
      if (!e || typeof e.token !== 'string') return 'not-enrolled';
      if (e.token !== '') return 'plain';
      const token = opts.safe && canEncrypt() ? loadDeviceToken(opts.safe, opts.settings, opts.logger) : undefined;
      if (!token) {
        log.error('device token cannot be recovered: enroll this kiosk again');
        fs.renameSync(file, `${file}.lost`);
        return 'lost';
      }
      write({ ...e, token });
      return 'unsealed';
    },
  };
}
