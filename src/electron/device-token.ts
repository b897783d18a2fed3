/**
 * The device token (a secret, docs/OPERATIONS.md) kept with Electron's safeStorage: encrypted with the
 * OS keyring (libsecret/kwallet on Linux) and stored base64 in the store's settings. On a Linux
 * kiosk without a keyring safeStorage falls back to 'basic_text' (obfuscation only): we still
 * store it, and say so in the log once, because a kiosk that forgets its enrollment at every
 * boot is worse; the data dir is readable by the kiosk user only.
 */
import type { SafeStorage } from 'electron';
import type { Logger } from '../shared/ports.js';

export const TOKEN_SETTING = 'device.tokenEnc';

interface Settings {
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
}

type Safe = Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> & { getSelectedStorageBackend?: SafeStorage['getSelectedStorageBackend'] };

export function saveDeviceToken(safe: Safe, settings: Settings, token: string, logger: Logger): void {
  if (!safe.isEncryptionAvailable()) throw new Error('safeStorage is not available: cannot keep the device token');
  if (process.platform === 'linux' && safe.getSelectedStorageBackend?.() === 'basic_text') {
    logger.warn('no OS keyring: device token protected by file permissions only');
  }
  settings.setSetting(TOKEN_SETTING, safe.encryptString(token).toString('base64'));
}

/** The token, or undefined when none was saved or it cannot be decrypted (re-enroll). */
export function loadDeviceToken(safe: Safe, settings: Settings, logger: Logger): string | undefined {
  const stored = settings.getSetting(TOKEN_SETTING);
  if (!stored || !safe.isEncryptionAvailable()) return undefined;
  try {
    return safe.decryptString(Buffer.from(stored, 'base64'));
  } catch {
    logger.error('device token cannot be decrypted (keyring changed?): enroll again');
    return undefined;
  }
}
