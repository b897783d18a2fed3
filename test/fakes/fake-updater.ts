/**
 * electron-updater's autoUpdater stand-in (the real one needs the Electron binary): records what
 * the kiosk asked for and lets a test play the feed's answers as events.
 */
import { EventEmitter } from 'node:events';
import type { AutoUpdaterLike } from '../../src/electron/updater.js';

export class FakeAutoUpdater extends EventEmitter implements AutoUpdaterLike {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  isUserWithinRollout: AutoUpdaterLike['isUserWithinRollout'] = () => true;
  feedUrls: string[] = [];
  checks = 0;
  downloads = 0;
  installs: [boolean | undefined, boolean | undefined][] = [];
  /** What the next check finds: a release, or nothing. */
  offer: { version: string; stagingPercentage?: number } | undefined;

  setFeedURL(options: { provider: 'generic'; url: string }): void {
    this.feedUrls.push(options.url);
  }

  /** Like electron-updater: consults isUserWithinRollout, then emits update-available / not-available. */
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    const offer = this.offer;
    if (offer && (await this.isUserWithinRollout(offer))) this.emit('update-available', offer);
    else this.emit('update-not-available', {});
    return offer;
  }

  async downloadUpdate(): Promise<unknown> {
    this.downloads++;
    queueMicrotask(() => this.emit('update-downloaded', { version: this.offer?.version }));
    return [];
  }

  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}
