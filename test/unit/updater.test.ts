/**
 * The kiosk side of self-update without the Electron binary: the pure decisions (rollout share,
 * eligibility, idle, the startup verdict) and the updater wired to the fake electron app and a
 * fake electron-updater, on real files in a temp dir (the AppImage, its backup, the marker).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isIdle, rolloutShare, startupVerdict, updateEligibility, withinRollout } from '../../src/app/update-decision.js';
import { KioskUpdater } from '../../src/electron/updater.js';
import { silentLogger } from '../../src/core/system.js';
import { fakeElectron } from '../fakes/fake-electron.js';
import { FakeAutoUpdater } from '../fakes/fake-updater.js';
import { FakeTime, settle } from '../fakes/fake-time.js';

const DEVICE = '7f1c2a4e-0000-4000-8000-000000000001';

describe('update decisions', () => {
  it('gives each device a stable rollout share and honours the staged percentage', () => {
    expect(rolloutShare(DEVICE)).toBe(rolloutShare(DEVICE));
    const ids = Array.from({ length: 2000 }, (_, i) => `device-${i}`);
    const inside = ids.filter((id) => withinRollout(id, 30)).length / ids.length;
    expect(inside).toBeGreaterThan(0.25);
    expect(inside).toBeLessThan(0.35);
    expect(ids.every((id) => withinRollout(id, 100))).toBe(true);
    expect(ids.some((id) => withinRollout(id, 0))).toBe(false);
    // Raising the percentage only adds devices: who had it keeps it.
    expect(ids.filter((id) => withinRollout(id, 30)).every((id) => withinRollout(id, 60))).toBe(true);
  });

  it('is eligible only as an enrolled AppImage offered a newer, never rolled-back version inside the rollout', () => {
    const base = { appImagePath: '/opt/k.AppImage', feedUrl: 'http://c/updates', currentVersion: '1.2.0', offeredVersion: '1.3.0', stagingPercentage: 100, deviceId: DEVICE, blocked: [] };
    expect(updateEligibility(base)).toEqual({ eligible: true });
    expect(updateEligibility({ ...base, appImagePath: undefined })).toMatchObject({ why: 'not-appimage' });
    expect(updateEligibility({ ...base, feedUrl: undefined })).toMatchObject({ why: 'no-feed' });
    expect(updateEligibility({ ...base, offeredVersion: '1.2.0' })).toMatchObject({ why: 'not-newer' });
    expect(updateEligibility({ ...base, offeredVersion: '1.10.0', currentVersion: '1.9.3' })).toEqual({ eligible: true });
    expect(updateEligibility({ ...base, offeredVersion: '1.3.0-rc.1', currentVersion: '1.3.0' })).toMatchObject({ why: 'not-newer' });
    expect(updateEligibility({ ...base, blocked: ['1.3.0'] })).toMatchObject({ why: 'rolled-back-before' });
    expect(updateEligibility({ ...base, deviceId: 'local-0190' })).toMatchObject({ why: 'no-device-id' });
    expect(updateEligibility({ ...base, stagingPercentage: 0 })).toMatchObject({ why: 'outside-rollout' });
  });

  it('is idle only with no scan in flight and no verdict on screen (plus a quiet time)', () => {
    const i = { nowMs: 100_000, lastOutcomeAtMs: undefined, resultTimeoutMs: 8000, scansInFlight: 0, quietMs: 30_000 };
    expect(isIdle(i)).toBe(true);
    expect(isIdle({ ...i, scansInFlight: 1 })).toBe(false);
    expect(isIdle({ ...i, lastOutcomeAtMs: 100_000 - 5000 })).toBe(false);
    expect(isIdle({ ...i, lastOutcomeAtMs: 100_000 - 37_999 })).toBe(false);
    expect(isIdle({ ...i, lastOutcomeAtMs: 100_000 - 38_000 })).toBe(true);
  });

  it('commits after a heartbeat, rolls back after the deadline without one, abandons a marker of an install that did not happen', () => {
    const p = { fromVersion: '1.0.0', toVersion: '1.1.0', backupPath: '/b', installedAtMs: 0, deadlineMs: 1000 };
    expect(startupVerdict(undefined, '1.1.0', 0, false)).toEqual({ action: 'none' });
    expect(startupVerdict(p, '1.1.0', 500, false)).toEqual({ action: 'verify', deadlineMs: 1000 });
    expect(startupVerdict(p, '1.1.0', 500, true)).toEqual({ action: 'commit' });
    expect(startupVerdict(p, '1.1.0', 1000, false)).toMatchObject({ action: 'rollback' });
    expect(startupVerdict(p, '1.1.0', 1000, true)).toEqual({ action: 'commit' });
    expect(startupVerdict(p, '1.0.0', 5000, false)).toEqual({ action: 'abandon' });
  });
});

describe('KioskUpdater with the fake electron app', () => {
  let dir: string;
  let appImage: string;
  let time: FakeTime;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ck-upd-'));
    appImage = join(dir, 'checkpoint-kiosk.AppImage');
    writeFileSync(appImage, 'version 1.0.0 bytes');
    time = new FakeTime();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function updater(app: ReturnType<typeof fakeElectron>['app'], auto: FakeAutoUpdater, activity: { lastOutcomeAtMs?: number; scansInFlight: number }) {
    return new KioskUpdater({
      autoUpdater: auto,
      app,
      appImagePath: appImage,
      stateDir: join(dir, 'updates'),
      feedUrl: () => 'http://central.test/updates',
      deviceId: () => DEVICE,
      activity: () => ({ resultTimeoutMs: 8000, ...activity }),
      clock: time,
      timers: time,
      logger: silentLogger,
      checkEveryMs: 3_600_000,
      idlePollMs: 5000,
      quietMs: 10_000,
      verifyWindowMs: 600_000,
    });
  }

  it('downloads in the background, waits for idle, installs, then rolls back a version that never reports a heartbeat', async () => {
    const { app } = fakeElectron();
    const auto = new FakeAutoUpdater();
    auto.offer = { version: '1.1.0', stagingPercentage: 100 };
    const activity: { lastOutcomeAtMs?: number; scansInFlight: number } = { scansInFlight: 1 };
    const u = updater(app, auto, activity);
    u.start();
    expect(auto.autoDownload).toBe(false);
    await u.checkNow();
    await settle();
    expect(auto.feedUrls).toEqual(['http://central.test/updates']);
    expect(auto.downloads).toBe(1);
    expect(u.state()).toBe('waiting-idle');
    // A scan is being processed, then a verdict is on screen: no install.
    await time.advance(5000);
    activity.scansInFlight = 0;
    activity.lastOutcomeAtMs = time.now();
    await time.advance(15_000);
    expect(auto.installs).toEqual([]);
    await time.advance(10_000);
    expect(auto.installs).toEqual([[true, true]]);
    expect(u.state()).toBe('installing');
    expect(readFileSync(join(dir, 'updates', 'previous-1.0.0.AppImage'), 'utf8')).toBe('version 1.0.0 bytes');
    u.stop();

    // electron-updater replaced the AppImage and restarted it: the new version runs.
    writeFileSync(appImage, 'version 1.1.0 bytes');
    const next = fakeElectron();
    next.app.version = '1.1.0';
    const auto2 = new FakeAutoUpdater();
    const v2 = updater(next.app, auto2, { scansInFlight: 0 });
    v2.start();
    expect(v2.state()).toBe('verifying');
    await time.advance(600_000);
    expect(v2.state()).toBe('rolled-back');
    expect(readFileSync(appImage, 'utf8')).toBe('version 1.0.0 bytes');
    expect(next.app.relaunchCalls).toBe(1);
    expect(next.app.exitCodes).toEqual([0]);
    v2.stop();

    // Back on 1.0.0, the version that failed is not taken again.
    const third = fakeElectron();
    const auto3 = new FakeAutoUpdater();
    auto3.offer = { version: '1.1.0', stagingPercentage: 100 };
    const v3 = updater(third.app, auto3, { scansInFlight: 0 });
    v3.start();
    await v3.checkNow();
    await settle();
    expect(auto3.downloads).toBe(0);
    v3.stop();
  });

  it('keeps a new version that reports a heartbeat, and drops the backup', async () => {
    const updates = join(dir, 'updates');
    const { app } = fakeElectron();
    app.version = '1.1.0';
    const u0 = updater(app, new FakeAutoUpdater(), { scansInFlight: 0 });
    u0.start();
    u0.stop();
    writeFileSync(join(updates, 'previous-1.0.0.AppImage'), 'old');
    writeFileSync(join(updates, 'pending-update.json'), JSON.stringify({ fromVersion: '1.0.0', toVersion: '1.1.0', backupPath: join(updates, 'previous-1.0.0.AppImage'), installedAtMs: time.now(), deadlineMs: time.now() + 600_000 }));
    const u = updater(app, new FakeAutoUpdater(), { scansInFlight: 0 });
    u.start();
    expect(u.state()).toBe('verifying');
    await time.advance(60_000);
    u.heartbeatAccepted();
    expect(u.state()).toBe('committed');
    expect(existsSync(join(updates, 'previous-1.0.0.AppImage'))).toBe(false);
    await time.advance(600_000);
    expect(app.relaunchCalls).toBe(0);
    u.stop();
  });

  it('does not download outside the staged rollout, and reports manual without an AppImage', async () => {
    const { app } = fakeElectron();
    const auto = new FakeAutoUpdater();
    auto.offer = { version: '1.1.0', stagingPercentage: 0 };
    const u = updater(app, auto, { scansInFlight: 0 });
    u.start();
    await u.checkNow();
    await settle();
    expect(auto.downloads).toBe(0);
    u.stop();
    const manual = new KioskUpdater({ autoUpdater: auto, app, appImagePath: undefined, stateDir: dir, feedUrl: () => undefined, deviceId: () => DEVICE, activity: () => ({ resultTimeoutMs: 1, scansInFlight: 0 }), clock: time, timers: time, logger: silentLogger });
    manual.start();
    expect(manual.state()).toBe('manual');
  });
});
