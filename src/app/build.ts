/**
 * Builds a KioskService from command-line style options: opens the store in the data dir,
 * loads trust bundle and policy, creates the scanners and settles this device's identity.
 */
import type { Direction } from '../shared/types.js';
import type { Profile } from '../shared/api.js';
import { UI_SETTINGS } from './ui-settings.js';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import type { TrustIndex } from '../credentials/trust/types.js';
import { readTrustFile } from '../credentials/trust/load.js';
import { readPolicyFile } from '../core/policy-file.js';
import { DEFAULT_POLICY } from '../core/policy.js';
import { uuidv7Source } from '../core/system.js';
import { openStore } from '../store/index.js';
import type { DataKeyProvider } from '../store/data-key.js';
import { DeviceManager } from '../../drivers/manager/device-manager.js';
import { createOutputs } from '../../drivers/outputs/factory.js';
import { KioskService } from './kiosk.js';
import { lockDataDir } from './data-dir-lock.js';
import { prepareDataDir } from './data-dir.js';
import { SETTINGS } from './settings.js';

export interface KioskOptions {
  dataDir: string;
  scanners: string[];
  trustFile?: string;
  policyFile?: string;
  checkpoint?: string;
  direction?: Direction;
  /** Remembered in the store: later runs without the flag keep it (the technician may change it). */
  profile?: Profile;
  /** IANA time zone for the screens, remembered like the profile. */
  timeZone?: string;
  /** Gate relays and beepers (drivers/outputs URIs). */
  outputs?: string[];
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /**
   * Where the data key sealing identity fields comes from; default the 0600 data-key.json in the
   * data dir. The Electron shell passes one sealed by safeStorage (src/electron/data-key-vault.ts).
   */
  dataKey?: DataKeyProvider;
}

export { SETTINGS };

export async function buildKiosk(opts: KioskOptions): Promise<KioskService> {
  const ids = uuidv7Source(opts.clock);
  // Validate everything that can be wrong in the configuration before touching devices or the
  // disk: a bad --trust or --policy leaves no empty data dir behind.
  const trust: TrustIndex | undefined = opts.trustFile ? await readTrustFile(opts.trustFile) : undefined;
  const policy = opts.policyFile ? readPolicyFile(opts.policyFile) : DEFAULT_POLICY;
  // The data dir holds personal data and secrets: owner only (openStore tightens an existing one).
  // A path that cannot be a data dir throws DataDirError (the path, the problem, the fix).
  prepareDataDir(opts.dataDir);
  const lock = lockDataDir(opts.dataDir);
  let store;
  try {
    store = openStore({ dir: opts.dataDir, logger: opts.logger, clock: opts.clock, ...(opts.dataKey ? { dataKey: opts.dataKey } : {}) });
  } catch (err) {
    lock.release();
    throw err;
  }
  const deps = { clock: opts.clock, timers: opts.timers, logger: opts.logger };
  // Several scanners, hot-plug and `auto` are the device manager's job; the kiosk sees one
  // scanner that emits every device's scans and statuses.
  const devices = new DeviceManager({ uris: opts.scanners, deps });
  let outputs;
  try {
    await devices.prepare();
    outputs = await createOutputs(opts.outputs ?? [], deps, { scanners: () => devices.drivers() });
  } catch (err) {
    await devices.close();
    store.close();
    lock.release();
    throw err;
  }

  let deviceId = store.getSetting(SETTINGS.deviceId);
  if (!deviceId) {
    // A local identity until enrollment gives the central one.
    deviceId = `local-${ids.next()}`;
    store.setSetting(SETTINGS.deviceId, deviceId);
  }
  if (opts.checkpoint) store.setSetting(SETTINGS.checkpoint, opts.checkpoint);
  if (opts.direction) store.setSetting(SETTINGS.direction, opts.direction);
  if (opts.profile) store.setSetting(UI_SETTINGS.profile, opts.profile);
  if (opts.timeZone) store.setSetting(UI_SETTINGS.timeZone, opts.timeZone);
  const direction = (store.getSetting(SETTINGS.direction) ?? 'in') as Direction;
  const formerDeviceId = store.getSetting(SETTINGS.formerDeviceId);

  return new KioskService({
    store,
    onStopped: () => lock.release(),
    scanners: [devices.asScannerDriver()],
    devices,
    outputs,
    ...(trust ? { trust } : {}),
    policy,
    config: { deviceId, ...(formerDeviceId ? { formerDeviceId } : {}), checkpointId: store.getSetting(SETTINGS.checkpoint) ?? 'unassigned', direction },
    clock: opts.clock,
    timers: opts.timers,
    ids,
    logger: opts.logger,
  });
}

