/**
 * The kiosk-side decisions of self-update (Electron AppImage installs), kept pure so they can be
 * tested without the Electron binary:
 *
 * - eligible: a packaged AppImage, a feed configured, a newer version that was not rolled back
 *   here before, and this kiosk inside the release's staged rollout. The rollout share of a kiosk
 *   is stable: SHA-256 of its device id mapped to [0, 1), compared with stagingPercentage / 100 —
 *   the same rule as electron-updater's own staging check, with a key the server also knows.
 * - idle: install only when no verdict is on screen (the last outcome is older than the result
 *   timeout), no scan is being processed, and every check-in is committed (the queue is either
 *   drained or safely persisted — SQLite commits before anything is shown, so "persisted" holds
 *   whenever no scan is in flight).
 * - rollback: after an install, the new version must report a heartbeat within a deadline; if it
 *   does not, the previous AppImage is put back and the failed version is never offered again.
 */
import { createHash } from 'node:crypto';

/** Stable rollout share of a device in [0, 1). */
export function rolloutShare(deviceId: string): number {
  return createHash('sha256').update(`rollout:${deviceId}`).digest().readUInt32BE(0) / 0x1_0000_0000;
}

/** Whether `deviceId` is inside a rollout of `stagingPercentage` (absent = 100). */
export function withinRollout(deviceId: string, stagingPercentage: number | undefined): boolean {
  if (stagingPercentage === undefined || !Number.isFinite(stagingPercentage)) return true;
  return rolloutShare(deviceId) < Math.max(0, Math.min(100, stagingPercentage)) / 100;
}

/** Numeric semver comparison of x.y.z (pre-release parts sort before the release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core = '', pre] = v.split('-', 2);
    return { nums: core.split('.').map((n) => Number(n) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.nums[i] ?? 0) - (y.nums[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre === y.pre) return 0;
  if (x.pre === undefined) return 1;
  if (y.pre === undefined) return -1;
  return x.pre < y.pre ? -1 : 1;
}

export type Ineligible = 'not-appimage' | 'no-feed' | 'not-newer' | 'rolled-back-before' | 'outside-rollout' | 'no-device-id';

export interface EligibilityInput {
  /** process.env.APPIMAGE: set only when running from an AppImage (the only self-updating install). */
  appImagePath: string | undefined;
  feedUrl: string | undefined;
  currentVersion: string;
  offeredVersion: string;
  stagingPercentage: number | undefined;
  deviceId: string | undefined;
  /** Versions rolled back on this kiosk before. */
  blocked: readonly string[];
}

export function updateEligibility(i: EligibilityInput): { eligible: true } | { eligible: false; why: Ineligible } {
  if (!i.appImagePath) return { eligible: false, why: 'not-appimage' };
  if (!i.feedUrl) return { eligible: false, why: 'no-feed' };
  if (compareVersions(i.offeredVersion, i.currentVersion) <= 0) return { eligible: false, why: 'not-newer' };
  if (i.blocked.includes(i.offeredVersion)) return { eligible: false, why: 'rolled-back-before' };
  // Before enrollment the device id is local and may change: wait for the central one.
  if (!i.deviceId || i.deviceId.startsWith('local-')) return { eligible: false, why: 'no-device-id' };
  if (!withinRollout(i.deviceId, i.stagingPercentage)) return { eligible: false, why: 'outside-rollout' };
  return { eligible: true };
}

export interface IdleInput {
  nowMs: number;
  /** When the last verdict was shown (ms), if any. */
  lastOutcomeAtMs?: number | undefined;
  /** How long a verdict stays on screen (ms). */
  resultTimeoutMs: number;
  /** Scans received but not yet committed. */
  scansInFlight: number;
  /** Extra quiet time after the verdict left the screen before installing (ms). */
  quietMs: number;
}

export function isIdle(i: IdleInput): boolean {
  if (i.scansInFlight > 0) return false;
  if (i.lastOutcomeAtMs === undefined) return true;
  return i.nowMs - i.lastOutcomeAtMs >= i.resultTimeoutMs + i.quietMs;
}

/** Written just before installing; read by the new version at start. */
export interface PendingUpdate {
  fromVersion: string;
  toVersion: string;
  /** Copy of the previous AppImage to put back on rollback. */
  backupPath: string;
  installedAtMs: number;
  /** The new version must have reported a heartbeat by then (ms). */
  deadlineMs: number;
}

export type StartupVerdict =
  /** No update pending. */
  | { action: 'none' }
  /** Running the new version: wait for a heartbeat until the deadline. */
  | { action: 'verify'; deadlineMs: number }
  /** The new version reported in: keep it, drop the backup. */
  | { action: 'commit' }
  /** The new version did not report in time (or we are not running it): put the previous one back. */
  | { action: 'rollback'; why: string }
  /** The install never happened (still the old version): forget the marker. */
  | { action: 'abandon' };

/**
 * What to do about a pending update. `heartbeatSinceInstall`: a heartbeat was accepted by the
 * server since this process started the new version.
 */
export function startupVerdict(pending: PendingUpdate | undefined, currentVersion: string, nowMs: number, heartbeatSinceInstall: boolean): StartupVerdict {
  if (!pending) return { action: 'none' };
  if (currentVersion === pending.fromVersion) return { action: 'abandon' };
  if (currentVersion !== pending.toVersion) return { action: 'abandon' };
  if (heartbeatSinceInstall) return { action: 'commit' };
  if (nowMs >= pending.deadlineMs) return { action: 'rollback', why: `version ${pending.toVersion} reported no heartbeat by ${new Date(pending.deadlineMs).toISOString()}` };
  return { action: 'verify', deadlineMs: pending.deadlineMs };
}

/** States reported in the heartbeat (`updateState`) and on the dashboard. */
export type UpdateState =
  | 'manual'
  | 'idle'
  | 'checking'
  | 'downloading'
  | 'waiting-idle'
  | 'installing'
  | 'verifying'
  | 'committed'
  | 'rolled-back'
  | 'outside-rollout'
  | 'error';
