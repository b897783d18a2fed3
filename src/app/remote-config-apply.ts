/**
 * Applies a configuration profile from the central server (or the `config` of a provisioning
 * card) to the running kiosk. Everything that can fail (policy validation) is computed first;
 * then every change is made in one synchronous step, so no scan ever sees half a profile.
 *
 * Precedence between the technician and the fleet (documented in the README):
 * - policy, duplicate window, heartbeat period, result timeout, language and clock tolerance come
 *   from the profile whenever it sets them (the local `--policy` file is the base it overrides);
 * - checkpoint, direction and profile are stored settings of the device: a new profile *version*
 *   sets the ones it names *whose central value changed* since the last one this kiosk applied
 *   (remembered per key, REMOTE_SETTINGS.central); a technician (or `run --checkpoint/--direction/
 *   --profile`, or a provisioning card) may change them afterwards, and that local change stands
 *   until the central value of THAT key changes. A new version that carries the same value for the
 *   key (a group profile changed the language; the device joined a group) leaves the local change
 *   alone: the profile is the server's merge of group and device, so its version moves for any key.
 *   Every remote change is recorded in the audit log (actor "central").
 */
import type { Logger, Clock } from '../shared/ports.js';
import type { Policy } from '../core/policy.js';
import { policyOf } from '../fleet/remote-config.js';
import type { RemoteConfig } from '../fleet/remote-config.js';
import type { KioskService } from './kiosk.js';
import { SETTINGS } from './settings.js';

/** Store settings written by remote configuration. */
export const REMOTE_SETTINGS = {
  appliedVersion: 'config.appliedVersion',
  resultTimeoutSeconds: 'ui.resultTimeoutSeconds',
  language: 'ui.language',
  clockToleranceSeconds: 'config.clockToleranceSeconds',
} as const;

/** The device settings a profile sets only when their central value changes. */
const DEVICE_KEYS = ['checkpoint', 'direction', 'profile'] as const;
type DeviceKey = (typeof DEVICE_KEYS)[number];
/** Store setting holding the central value of `key` last applied ('' or absent: none yet). */
const centralValueSetting = (key: DeviceKey) => `config.central.${key}`;

export interface ConfigApplierDeps {
  kiosk: KioskService;
  /** The local policy (`--policy FILE` or the default) that a profile's policy replaces. */
  basePolicy: Policy;
  clock: Clock;
  logger: Logger;
  /** A new heartbeat period (ms) from the profile. */
  onHeartbeatPeriod?: (ms: number) => void;
}

export interface ConfigApplier {
  /**
   * Applies `config` as version `version` (source: 'central' or 'provisioning-card'). `stored`: the
   * profile already in force before a restart (only the in-memory parts are re-applied). Throws
   * (RemoteConfigError/PolicyError) without changing anything when the profile is unusable.
   */
  apply(config: RemoteConfig, version: number, opts: { stored: boolean; source: string }): void;
  appliedVersion(): number;
}

export function createConfigApplier(deps: ConfigApplierDeps): ConfigApplier {
  const { kiosk } = deps;
  const store = kiosk.store;
  const log = deps.logger.child('remote-config');
  const applied = () => Number(store.getSetting(REMOTE_SETTINGS.appliedVersion) ?? 0) || 0;
  return {
    appliedVersion: applied,
    apply(config, version, { stored, source }) {
      // 1. Everything that can fail.
      const policy: Policy = policyOf(config, deps.basePolicy);
      const newVersion = !stored && version > applied();
      // 2. The swap: synchronous, no await between the parts.
      kiosk.setPolicy(policy);
      if (config.heartbeatSeconds !== undefined) deps.onHeartbeatPeriod?.(config.heartbeatSeconds * 1000);
      if (newVersion || source === 'provisioning-card') {
        // A central profile sets a device key only when its value differs from the central value
        // last applied (a local change made since stands otherwise); a card sets what it names.
        const central = source !== 'provisioning-card';
        const changed = (key: DeviceKey): boolean => {
          const value = config[key];
          if (value === undefined) return false;
          if (!central) return true;
          if (store.getSetting(centralValueSetting(key)) === value) return false;
          store.setSetting(centralValueSetting(key), value);
          return true;
        };
        const patch: Parameters<KioskService['setConfig']>[0] = {};
        if (changed('checkpoint') && config.checkpoint !== undefined) {
          store.setSetting(SETTINGS.checkpoint, config.checkpoint);
          patch.checkpointId = config.checkpoint;
        }
        if (changed('direction') && config.direction !== undefined) {
          store.setSetting(SETTINGS.direction, config.direction);
          patch.direction = config.direction;
        }
        if (changed('profile') && config.profile !== undefined) store.setSetting(SETTINGS.profile, config.profile);
        kiosk.setConfig(patch);
      } else if (stored && source === 'central') {
        // The profile in force at a start was applied whole when it came: its values are the
        // central ones (this seeds kiosks upgraded from a version that did not remember them).
        for (const key of DEVICE_KEYS) {
          const value = config[key];
          if (value !== undefined && !store.getSetting(centralValueSetting(key))) store.setSetting(centralValueSetting(key), value);
        }
      }
      if (config.resultTimeoutSeconds !== undefined) store.setSetting(REMOTE_SETTINGS.resultTimeoutSeconds, String(config.resultTimeoutSeconds));
      if (config.language !== undefined) store.setSetting(REMOTE_SETTINGS.language, config.language);
      if (config.clockToleranceSeconds !== undefined) store.setSetting(REMOTE_SETTINGS.clockToleranceSeconds, String(config.clockToleranceSeconds));
      if (!stored && version !== applied()) {
        store.setSetting(REMOTE_SETTINGS.appliedVersion, String(version));
        store.audit({ at: new Date(deps.clock.now()).toISOString(), actor: source === 'provisioning-card' ? 'provisioning-card' : 'central', action: 'remote-config', detail: { version, keys: Object.keys(config) } });
        log.info('configuration applied', { version, keys: Object.keys(config).join(','), duplicateWindowMinutes: policy.duplicateWindowMinutes });
      }
    },
  };
}
