/**
 * The fleet part of the storage seam (`CentralStorage.fleet`): provisioning cards, revoked
 * devices, device groups, versioned configuration profiles, server settings and update releases.
 * Same rules as the rest of the seam: async, hashes instead of secrets, one transaction per
 * multi-row write, bounded results.
 *
 * Configuration versions come from one counter for the whole server: a device's effective
 * version is the highest version among the profiles that apply to it (its group's and its own),
 * so any change to either raises it.
 */
import type { NewEnrollmentCode } from './types.js';

export interface CardRecord {
  checkpoint: string;
  direction?: string;
  profile?: string;
  issuedAt: string;
  expiresAt: string;
  /** Set once a kiosk enrolled with the card's code. */
  usedAt?: string;
  /** The device that used it. */
  usedBy?: string;
}

export type ProfileScope = 'device' | 'group';

export interface ConfigProfileRecord {
  scope: ProfileScope;
  target: string;
  version: number;
  /** The validated configuration object (src/fleet/remote-config.ts). */
  config: Record<string, unknown>;
  setAt: string;
}

export interface EffectiveConfig {
  /** 0 when no profile applies. */
  version: number;
  /** Group profile overlaid by the device profile, key by key. */
  config: Record<string, unknown>;
}

/** An update release served to Electron kiosks (electron-updater generic provider). */
export interface ReleaseRecord {
  version: string;
  /** File name inside the releases dir (the AppImage). */
  file: string;
  /** base64 SHA-512 of the file, as latest-linux.yml carries it. */
  sha512: string;
  size: number;
  /** Share of the fleet offered this release, 0–100. */
  stagingPercentage: number;
  releasedAt: string;
}

/**
 * Settings a running server records for the CLI: `public-url` (written into provisioning cards),
 * `time-zone` (the `--time-zone` of the last node started: how `central trace` reads a time with no zone),
 * `retention-days` (one value for every node of the database, ../retention.ts fleetRetentionDays).
 */
export type ServerSettingKey = 'public-url' | 'time-zone' | 'retention-days';

export interface FleetStorage {
  /** Registers the card's enrollment code and the card, in one transaction. False if the code hash existed. */
  addProvisioningCard(code: NewEnrollmentCode, card: Omit<CardRecord, 'usedAt' | 'usedBy'>): Promise<boolean>;
  /** Cards, newest first, with their use. */
  provisioningCards(limit: number): Promise<CardRecord[]>;
  /**
   * Revokes the device (idempotent): from now on its token hash resolves to nothing
   * (`deviceForTokenHash`). False when no such device exists.
   */
  revokeDevice(deviceId: string, nowMs: number): Promise<boolean>;
  /** Whether an enrolled device with this id exists (revoked or not), so a command naming a device can refuse a typo. */
  deviceExists(deviceId: string): Promise<boolean>;
  /** The device's revocation (the first one: revoking again keeps it), or undefined when not revoked. */
  revocation(deviceId: string): Promise<{ revokedAt: string } | undefined>;
  revokedDevices(limit: number): Promise<{ deviceId: string; revokedAt: string }[]>;
  setDeviceGroup(deviceId: string, group: string | undefined): Promise<void>;
  /** Group of every grouped device. */
  deviceGroups(): Promise<Map<string, string>>;
  /** Stores a new version of the profile of `target`; returns the version. */
  setConfigProfile(scope: ProfileScope, target: string, config: Record<string, unknown>, nowMs: number): Promise<number>;
  /** The latest profile of each target. */
  configProfiles(limit: number): Promise<ConfigProfileRecord[]>;
  effectiveConfig(deviceId: string): Promise<EffectiveConfig>;
  setServerSetting(key: ServerSettingKey, value: string): Promise<void>;
  serverSetting(key: ServerSettingKey): Promise<string | undefined>;
  /** Records `value` unless the key has one already (two nodes starting at once: the first wins); returns the value in force. */
  initServerSetting(key: ServerSettingKey, value: string): Promise<string>;
  /** Adds or replaces a release (by version). */
  putRelease(release: ReleaseRecord): Promise<void>;
  /**
   * Adds a release atomically: under a lock that serialises every addRelease on this database
   * (SQLite: an IMMEDIATE transaction; PostgreSQL: a self-exclusive lock on the releases table),
   * `decide` gets every published release, read under that lock, and returns the record to write
   * (added or replacing its version), or undefined to write nothing; what it throws rolls back and
   * is thrown. It runs synchronously, so it may put files in place before the record is committed.
   * Two adds at once thus see each other: the second decides knowing the first's release.
   */
  addRelease(decide: (published: readonly ReleaseRecord[]) => ReleaseRecord | undefined): Promise<void>;
  /** The release the update feed serves: the highest version (semver order, not the last added), if any. */
  latestRelease(): Promise<ReleaseRecord | undefined>;
  releases(limit: number): Promise<ReleaseRecord[]>;
}
