/**
 * The Electron shell's link to the central server: the same linkToCentral as `checkpoint-kiosk
 * run` (forwarder, trust sync, heartbeat, enrollment), with the device token kept encrypted by
 * safeStorage between runs (token-vault.ts explains how and why).
 *
 * Enrollment from `--server URL --enroll CODE` runs here rather than inside linkToCentral, so the
 * token can be sealed the moment it is saved. Like `run`, a code is used only when the kiosk is
 * not yet enrolled with that server (a one-time code in an autostart entry is never replayed),
 * and it is retried while the server is unreachable but not after the server refused it.
 */
import type { Clock, Logger, Timers } from '../shared/ports.js';
import { linkToCentral, type CentralLink } from '../app/central-link.js';
import type { KioskService } from '../app/kiosk.js';
import { EnrollmentError, readEnrollment } from '../sync/index.js';
import { createTokenVault, type TokenVault } from './token-vault.js';
import type { SafeStorage } from 'electron';

export interface ElectronCentralOptions {
  kiosk: KioskService;
  dataDir: string;
  safe: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> | undefined;
  serverUrl?: string;
  enrollCode?: string;
  ca?: string;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Retry delay for a start-up enrollment while the server is unreachable, ms. Default 30 s. */
  enrollRetryMs?: number;
}

export interface ElectronCentral {
  link: CentralLink;
  vault: TokenVault;
  /** Enrolls (technician screen or start-up flags), then seals the new token. */
  enroll(serverUrl: string, code: string): Promise<void>;
  stop(): Promise<void>;
}

export function connectElectronCentral(opts: ElectronCentralOptions): ElectronCentral {
  const log = opts.logger.child('central');
  const vault = createTokenVault({ safe: opts.safe, settings: opts.kiosk.store, dataDir: opts.dataDir, logger: opts.logger });
  // A token left in the file (enrolled by `run`, or a crash between two writes) is sealed first.
  vault.seal();
  const unsealed = vault.unsealForStartup();
  let link: CentralLink;
  try {
    // linkToCentral reads enrollment.json synchronously, here; the token goes back into the
    // vault before this function returns (no await in between).
    link = linkToCentral({
      kiosk: opts.kiosk,
      dataDir: opts.dataDir,
      ...(opts.ca ? { ca: opts.ca } : {}),
      clock: opts.clock,
      timers: opts.timers,
      logger: opts.logger,
      onProblem: (p) => log.warn('central link problem', { reason: p.reason, message: p.message }),
    });
  } finally {
    if (unsealed === 'unsealed') vault.seal();
  }

  let stopped = false;
  let retry: unknown;
  const enrollAndSeal = async (serverUrl: string, code: string) => {
    try {
      await link.enroll(serverUrl, code);
    } finally {
      // Sealed even when enroll failed after saving (it saves before starting the services).
      vault.seal();
    }
  };

  const enrollAtStart = (serverUrl: string, code: string) => {
    enrollAndSeal(serverUrl, code).catch((err: unknown) => {
      if (stopped) return;
      const permanent = err instanceof EnrollmentError && err.status !== undefined && err.status >= 400 && err.status < 500;
      log.warn('enrollment failed', { error: err instanceof Error ? err.message : String(err), retry: !permanent });
      if (!permanent) retry = opts.timers.setTimeout(() => enrollAtStart(serverUrl, code), opts.enrollRetryMs ?? 30_000);
    });
  };
  const current = readEnrollment(opts.dataDir);
  if (opts.serverUrl && opts.enrollCode && (!current || current.serverUrl !== opts.serverUrl)) enrollAtStart(opts.serverUrl, opts.enrollCode);

  return {
    link,
    vault,
    enroll: enrollAndSeal,
    async stop() {
      stopped = true;
      opts.timers.clearTimeout(retry);
      await link.stop();
      vault.seal();
    },
  };
}
