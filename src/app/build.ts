/**
 * Builds a KioskService from command-line style options: opens the store in the data dir,
 * loads trust bundle and policy, creates the scanners and settles this device's identity.
 */
import { mkdirSync } from 'node:fs';
import type { Direction } from '../shared/types.js';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import type { TrustIndex } from '../credentials/trust/types.js';
import { readTrustFile } from '../credentials/trust/load.js';
import { readPolicyFile } from '../core/policy-file.js';
import { DEFAULT_POLICY } from '../core/policy.js';
import { uuidv7Source } from '../core/system.js';
import { openStore } from '../store/index.js';
import { createScanner } from '../../drivers/factory.js';
import { resolveAutoScanners } from '../../drivers/discovery/auto.js';
import type { ScannerDriver } from '../../drivers/types.js';
import { KioskService } from './kiosk.js';

export interface KioskOptions {
  dataDir: string;
  scanners: string[];
  trustFile?: string;
  policyFile?: string;
  checkpoint?: string;
  direction?: Direction;
  clock: Clock;
  timers: Timers;
  logger: Logger;
}

export const SETTINGS = {
  deviceId: 'device.id',
  checkpoint: 'device.checkpoint',
  direction: 'device.direction',
} as const;

export async function buildKiosk(opts: KioskOptions): Promise<KioskService> {
  mkdirSync(opts.dataDir, { recursive: true });
  const ids = uuidv7Source(opts.clock);
  // Validate everything that can be wrong in the configuration before touching devices.
  const trust: TrustIndex | undefined = opts.trustFile ? await readTrustFile(opts.trustFile) : undefined;
  const policy = opts.policyFile ? readPolicyFile(opts.policyFile) : DEFAULT_POLICY;
  const store = openStore({ dir: opts.dataDir, logger: opts.logger, clock: opts.clock });
  const scanners: ScannerDriver[] = [];
  try {
    for (const uri of await expandAuto(opts.scanners, opts.logger)) {
      scanners.push(await createScanner(uri, { clock: opts.clock, timers: opts.timers, logger: opts.logger }));
    }
  } catch (err) {
    store.close();
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
  const direction = (store.getSetting(SETTINGS.direction) ?? 'in') as Direction;

  return new KioskService({
    store,
    scanners,
    ...(trust ? { trust } : {}),
    policy,
    config: { deviceId, checkpointId: store.getSetting(SETTINGS.checkpoint) ?? 'unassigned', direction },
    clock: opts.clock,
    timers: opts.timers,
    ids,
    logger: opts.logger,
  });
}

/** Replaces `auto` by the scanners discovery recommends (DESIGN §7 `--scanner auto`). */
async function expandAuto(uris: readonly string[], logger: Logger): Promise<string[]> {
  if (!uris.includes('auto')) return [...uris];
  const { uris: found, discovery } = await resolveAutoScanners();
  for (const e of discovery.errors) logger.warn('discovery lister failed', { source: e.source, error: e.message });
  if (found.length === 0) {
    throw new Error('--scanner auto found no scanner: plug one in, or run `checkpoint-kiosk devices` to see what is attached and name it explicitly');
  }
  logger.info('auto-selected scanners', { uris: found.join(' ') });
  return [...new Set([...uris.filter((u) => u !== 'auto'), ...found])];
}
