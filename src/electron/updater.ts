/**
 * Self-update of the Electron kiosk from the central server's feed (electron-updater, generic
 * provider, `<server>/updates`): check periodically, download in the background when eligible,
 * install only while idle, and after the restart verify that the new version reports a heartbeat —
 * otherwise put the previous AppImage back and relaunch it. Decisions are in
 * src/app/update-decision.ts; this module only wires them to electron-updater and the file system.
 *
 * Only AppImage installs update themselves (electron-updater replaces the file at $APPIMAGE);
 * deb/headless/web installs report `updateState: 'manual'` and the dashboard shows a notice.
 * A new version that crashes before this module runs cannot roll itself back: the launcher
 * (launcher.ts, the script the autostart entry runs) does it after repeated failed starts. Under
 * the launcher the updater never relaunches the app itself: it asks the launcher to (restart file)
 * and tells it which backup to restore (rollback hint).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import { clearRollbackHint, readBlockedVersions, requestRestart, writeRollbackHint } from './launcher.js';
import { isIdle, startupVerdict, updateEligibility, withinRollout } from '../app/update-decision.js';
import type { IdleInput, PendingUpdate, UpdateState } from '../app/update-decision.js';

/** The part of electron-updater's AppUpdater this module uses. */
export interface AutoUpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  isUserWithinRollout: (info: { stagingPercentage?: number }) => boolean | Promise<boolean>;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<unknown>;
  downloadUpdate(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
  // electron-updater's listener arguments: UpdateInfo for the update events, Error for 'error'.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  on(event: 'update-available' | 'update-not-available' | 'update-downloaded' | 'error', listener: (...args: any[]) => void): unknown;
}

export interface UpdaterDeps {
  autoUpdater: AutoUpdaterLike;
  app: { getVersion(): string; relaunch(): void; exit(code?: number): void };
  /** $APPIMAGE (undefined: not an AppImage, no self-update). */
  appImagePath: string | undefined;
  /** Where the marker, the backup and the blocklist live (e.g. <userData>/updates). */
  stateDir: string;
  /** `<server>/updates`, or undefined while not enrolled. */
  feedUrl(): string | undefined;
  deviceId(): string | undefined;
  /** The idle inputs except the clock. */
  activity(): Omit<IdleInput, 'nowMs' | 'quietMs'>;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Between update checks (ms, default 1 h). */
  checkEveryMs?: number;
  /** Between idle checks while an update waits (ms, default 15 s). */
  idlePollMs?: number;
  /** Quiet time after a verdict before installing (ms, default 30 s). */
  quietMs?: number;
  /** Time the new version has to report a heartbeat (ms, default 15 min). */
  verifyWindowMs?: number;
  /** Started by the launcher (launcher.ts): it restarts the app, which must not relaunch itself. */
  underLauncher?: boolean;
}

const MARKER = 'pending-update.json';
const BLOCKED = 'rolled-back.json';

export class KioskUpdater {
  private st: UpdateState = 'idle';
  private timer: unknown;
  private verifyTimer: unknown;
  private heartbeats = 0;
  private stopped = false;
  private downloadedVersion: string | undefined;
  private readonly log: Logger;

  constructor(private readonly d: UpdaterDeps) {
    this.log = d.logger.child('updater');
  }

  state(): UpdateState {
    return this.d.appImagePath ? this.st : 'manual';
  }

  /** Call with every heartbeat the server accepted. */
  heartbeatAccepted(): void {
    this.heartbeats++;
    if (this.st === 'verifying') this.settle();
  }

  /** Settles a pending install (commit or rollback), then starts the periodic check. */
  start(): void {
    if (!this.d.appImagePath) return;
    fs.mkdirSync(this.d.stateDir, { recursive: true });
    const u = this.d.autoUpdater;
    u.autoDownload = false;
    u.autoInstallOnAppQuit = false;
    // electron-updater's own staging check, with the device-id share the server can reason about.
    u.isUserWithinRollout = (info) => withinRollout(this.d.deviceId() ?? '', info.stagingPercentage);
    u.on('update-available', (info: { version: string; stagingPercentage?: number }) => void this.onAvailable(info));
    u.on('update-not-available', () => this.set('idle'));
    u.on('update-downloaded', (info: { version: string }) => this.onDownloaded(info.version));
    u.on('error', (err: Error) => {
      this.log.warn('update failed', { error: String(err?.message ?? err).slice(0, 200) });
      if (this.st !== 'verifying') this.set('error');
    });
    this.settle();
    this.scheduleCheck(Math.min(60_000, this.d.checkEveryMs ?? 3_600_000));
  }

  stop(): void {
    this.stopped = true;
    this.d.timers.clearTimeout(this.timer);
    this.d.timers.clearTimeout(this.verifyTimer);
  }

  /** One check now (also what the timer does). */
  async checkNow(): Promise<void> {
    const url = this.d.feedUrl();
    if (!url || this.stopped || this.st === 'verifying' || this.st === 'waiting-idle' || this.st === 'installing') return;
    this.d.autoUpdater.setFeedURL({ provider: 'generic', url });
    this.set('checking');
    try {
      await this.d.autoUpdater.checkForUpdates();
    } catch (err) {
      this.log.warn('update check failed', { error: err instanceof Error ? err.message.slice(0, 200) : 'unknown' });
      this.set('error');
    }
  }

  private set(s: UpdateState): void {
    if (s !== this.st) this.log.info('update state', { state: s });
    this.st = s;
  }

  /** Versions rolled back before, by this updater (rolled-back.json) or by the launcher. */
  private blocked(): string[] {
    let own: string[];
    try {
      const list = JSON.parse(fs.readFileSync(path.join(this.d.stateDir, BLOCKED), 'utf8')) as unknown;
      own = Array.isArray(list) ? list.filter((v): v is string => typeof v === 'string').slice(0, 100) : [];
    } catch {
      own = [];
    }
    return [...new Set([...own, ...readBlockedVersions(this.d.stateDir)])];
  }

  private pending(): PendingUpdate | undefined {
    try {
      return JSON.parse(fs.readFileSync(path.join(this.d.stateDir, MARKER), 'utf8')) as PendingUpdate;
    } catch {
      return undefined;
    }
  }

  private settle(): void {
    const pending = this.pending();
    const verdict = startupVerdict(pending, this.d.app.getVersion(), this.d.clock.now(), this.heartbeats > 0);
    switch (verdict.action) {
      case 'none':
        return;
      case 'abandon':
        fs.rmSync(path.join(this.d.stateDir, MARKER), { force: true });
        clearRollbackHint(this.d.stateDir);
        return;
      case 'commit':
        this.d.timers.clearTimeout(this.verifyTimer);
        fs.rmSync(path.join(this.d.stateDir, MARKER), { force: true });
        clearRollbackHint(this.d.stateDir);
        if (pending) fs.rmSync(pending.backupPath, { force: true });
        this.log.info('update verified', { version: pending?.toVersion });
        this.set('committed');
        return;
      case 'verify':
        this.set('verifying');
        this.d.timers.clearTimeout(this.verifyTimer);
        this.verifyTimer = this.d.timers.setTimeout(() => this.settle(), Math.max(0, verdict.deadlineMs - this.d.clock.now()));
        return;
      case 'rollback':
        if (pending) this.rollback(pending, verdict.why);
        return;
    }
  }

  private rollback(pending: PendingUpdate, why: string): void {
    this.log.error('rolling back update', { from: pending.toVersion, to: pending.fromVersion, why });
    const target = this.d.appImagePath as string;
    fs.copyFileSync(pending.backupPath, `${target}.rollback`);
    fs.chmodSync(`${target}.rollback`, 0o755);
    fs.renameSync(`${target}.rollback`, target);
    fs.writeFileSync(path.join(this.d.stateDir, BLOCKED), JSON.stringify([...new Set([...this.blocked(), pending.toVersion])]));
    fs.rmSync(path.join(this.d.stateDir, MARKER), { force: true });
    clearRollbackHint(this.d.stateDir);
    this.set('rolled-back');
    if (this.d.underLauncher) {
      requestRestart(this.d.stateDir);
    } else {
      this.d.app.relaunch();
    }
    this.d.app.exit(0);
  }

  private async onAvailable(info: { version: string; stagingPercentage?: number }): Promise<void> {
    const e = updateEligibility({
      appImagePath: this.d.appImagePath,
      feedUrl: this.d.feedUrl(),
      currentVersion: this.d.app.getVersion(),
      offeredVersion: info.version,
      stagingPercentage: info.stagingPercentage,
      deviceId: this.d.deviceId(),
      blocked: this.blocked(),
    });
    if (!e.eligible) {
      this.log.info('update not taken', { version: info.version, why: e.why });
      this.set(e.why === 'outside-rollout' ? 'outside-rollout' : 'idle');
      return;
    }
    this.set('downloading');
    try {
      await this.d.autoUpdater.downloadUpdate();
    } catch (err) {
      this.log.warn('update download failed', { error: err instanceof Error ? err.message.slice(0, 200) : 'unknown' });
      this.set('error');
    }
  }

  private onDownloaded(version: string): void {
    this.downloadedVersion = version;
    this.set('waiting-idle');
    this.d.timers.clearTimeout(this.timer);
    this.waitForIdle();
  }

  private waitForIdle(): void {
    if (this.stopped) return;
    const idle = isIdle({ ...this.d.activity(), nowMs: this.d.clock.now(), quietMs: this.d.quietMs ?? 30_000 });
    if (!idle) {
      this.timer = this.d.timers.setTimeout(() => this.waitForIdle(), this.d.idlePollMs ?? 15_000);
      return;
    }
    this.install();
  }

  private install(): void {
    const from = this.d.app.getVersion();
    const now = this.d.clock.now();
    const backupPath = path.join(this.d.stateDir, `previous-${from}.AppImage`);
    fs.copyFileSync(this.d.appImagePath as string, backupPath);
    const marker: PendingUpdate = { fromVersion: from, toVersion: this.downloadedVersion as string, backupPath, installedAtMs: now, deadlineMs: now + (this.d.verifyWindowMs ?? 15 * 60_000) };
    fs.writeFileSync(path.join(this.d.stateDir, MARKER), JSON.stringify(marker));
    writeRollbackHint(this.d.stateDir, backupPath, marker.toVersion);
    this.set('installing');
    this.log.info('installing update while idle', { from, to: marker.toVersion });
    if (this.d.underLauncher) {
      // The launcher starts the new version (and counts its failed starts); electron-updater must not.
      requestRestart(this.d.stateDir);
      this.d.autoUpdater.quitAndInstall(true, false);
    } else {
      this.d.autoUpdater.quitAndInstall(true, true);
    }
  }

  private scheduleCheck(ms: number): void {
    if (this.stopped) return;
    this.timer = this.d.timers.setTimeout(() => {
      void this.checkNow().finally(() => {
        if (this.st !== 'waiting-idle' && this.st !== 'installing') this.scheduleCheck(this.d.checkEveryMs ?? 3_600_000);
      });
    }, ms);
  }
}
