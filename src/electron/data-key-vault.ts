/**
 * The data key that seals identity fields in kiosk.db, kept by the Electron shell with
 * safeStorage (the OS keyring: libsecret/kwallet on Linux, Keychain, DPAPI) — the same pattern as
 * the device token (token-vault.ts). data-key.json then holds `{"kind":"safe-storage","sealed":…}`:
 * an image of the whole disk, key file included, yields nothing without the kiosk user's keyring.
 *
 *   - A new data dir gets a random key, sealed at once.
 *   - A key file written by `checkpoint-kiosk run` (kind "plain") is read and rewritten sealed
 *     (atomic rename) the first time the Electron kiosk opens the data dir.
 *   - Without a usable safeStorage (no keyring at all) the key stays in the 0600 file, as under
 *     plain Node, and the log says so once. On Linux without a keyring safeStorage may fall back to
 *     'basic_text' (obfuscation only): still used, with a warning, like the device token.
 *   - A sealed key that safeStorage can no longer open (keyring reset, another user) is an error
 *     naming the file: the identity fields cannot be read, and a new key is never made silently.
 */
import { randomBytes } from 'node:crypto';
import type { SafeStorage } from 'electron';
import type { Logger } from '../shared/ports.js';
import {
  DATA_KEY_BYTES,
  DataKeyError,
  type DataKeyProvider,
  dataKeyPath,
  decodeKey,
  missingKey,
  readDataKeyFile,
  unreadable,
  writeDataKeyFile,
} from '../store/data-key.js';

type Safe = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & { getSelectedStorageBackend?: SafeStorage['getSelectedStorageBackend'] };

export function safeStorageDataKey(opts: { safe: Safe | undefined; dataDir: string; logger: Logger }): DataKeyProvider {
  const file = dataKeyPath(opts.dataDir);
  const log = opts.logger.child('data-key');
  const canEncrypt = (): boolean => {
    try {
      return opts.safe?.isEncryptionAvailable() === true;
    } catch {
      return false;
    }
  };
  const warnBackend = () => {
    if (process.platform === 'linux' && opts.safe?.getSelectedStorageBackend?.() === 'basic_text') {
      log.warn('no OS keyring: data key protected by file permissions only');
    }
  };
  const sealed = (key: Buffer) => ({ v: 1 as const, kind: 'safe-storage' as const, sealed: opts.safe!.encryptString(key.toString('base64')).toString('base64') });

  const load = (create: boolean, attempt: number): Buffer => {
    const found = readDataKeyFile(file, log);
    if (found?.kind === 'safe-storage') {
      if (!canEncrypt()) {
        throw new DataKeyError('locked', file, `The data key ${file} is sealed by the OS keyring, which is not available now; unlock the keyring (log in as the kiosk user) and restart.`);
      }
      let b64: string;
      try {
        b64 = opts.safe!.decryptString(Buffer.from(found.sealed, 'base64'));
      } catch {
        throw unreadable(file, 'the OS keyring cannot decrypt it (keyring reset or another user?)');
      }
      return decodeKey(b64, file);
    }
    if (found?.kind === 'plain') {
      const key = decodeKey(found.key, file);
      if (canEncrypt()) {
        warnBackend();
        writeDataKeyFile(file, sealed(key), true);
        log.info('data key sealed with safeStorage');
      } else {
        log.warn('safeStorage cannot encrypt here: data key kept in data-key.json (0600)');
      }
      return key;
    }
    if (!create) throw missingKey(file);
    const key = randomBytes(DATA_KEY_BYTES);
    const encrypt = canEncrypt();
    if (encrypt) warnBackend();
    else log.warn('safeStorage cannot encrypt here: data key kept in data-key.json (0600)');
    try {
      writeDataKeyFile(file, encrypt ? sealed(key) : { v: 1, kind: 'plain', key: key.toString('base64') });
    } catch (err) {
      // Another process made one first: use that one.
      if ((err as { code?: string }).code === 'EEXIST' && attempt === 0) return load(create, 1);
      throw err;
    }
    return key;
  };

  return { kind: 'safe-storage', load: ({ create }) => load(create, 0) };
}
