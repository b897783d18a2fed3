/**
 * The Electron shell's link to the central server: the same linkToCentral as `checkpoint-kiosk
 * run` (forwarder, trust sync, heartbeat, enrollment), with the device token kept encrypted by
 * safeStorage between runs (token-vault.ts explains how and why).
 *
 * Enrollment (start-up flags or the technician screen) is linkToCentral's, like `run`'s: a code
 * is never replayed and is retried only while the server is unreachable. Its onEnrolled hook
 * seals the token the moment it is saved.
 */
import type { Clock, Logger, Timers } from '../shared/ports.js';
import { linkToCentral, type CentralLink } from '../app/central-link.js';
import type { KioskService } from '../app/kiosk.js';
import { createTokenVault, type TokenVault } from './token-vault.js';
import type { SafeStorage } from 'electron';

export interface ElectronCentralOptions {
  kiosk: KioskService;
  dataDir: string;
  safe: Pick<SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'> | undefined;
  /** One URL, or the nodes of one central server tried in order (failover, as `run --server` ×N). */
  serverUrl?: string | readonly string[];
  enrollCode?: string;
  ca?: string;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Retry delay for a start-up enrollment while the server is unreachable, ms. Default 30 s. */
  enrollRetryMs?: number;
  /** The updater's state for the heartbeat. */
  updateState?: () => string;
  /** Each heartbeat the server accepted (the updater verifies a new version with it). */
  onHeartbeat?: () => void;
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
      ...(opts.serverUrl ? { serverUrl: opts.serverUrl } : {}),
      ...(opts.enrollCode ? { enrollCode: opts.enrollCode } : {}),
      ...(opts.enrollRetryMs !== undefined ? { enrollRetryMs: opts.enrollRetryMs } : {}),
      clock: opts.clock,
      timers: opts.timers,
      logger: opts.logger,
      onEnrolled: () => vault.seal(),
      ...(opts.updateState ? { updateState: opts.updateState } : {}),
      ...(opts.onHeartbeat ? { onHeartbeat: opts.onHeartbeat } : {}),
      onProblem: (p) => log.warn('central link problem', { reason: p.reason, message: p.message }),
    });
  } finally {
    if (unsealed === 'unsealed') vault.seal();
  }

  return {
    link,
    vault,
    enroll: (serverUrl, code) => link.enroll(serverUrl, code),
    async stop() {
      await link.stop();
      vault.seal();
    },
  };
}
