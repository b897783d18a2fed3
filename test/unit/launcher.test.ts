/**
 * The AppImage launcher (src/electron/launcher.ts) run for real by /bin/sh, with shell scripts
 * standing in for the AppImage versions: it restarts a kiosk that exits with an error, starts it
 * again when the app asks (install), stops on a clean exit, and puts the previous version back
 * when a freshly installed one keeps failing before it could report; the updater then refuses
 * that version. The updater's side (hint, restart request, no self-relaunch) uses the fake
 * electron app and a fake electron-updater.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readBlockedVersions, writeLauncher, writeRollbackHint } from '../../src/electron/launcher.js';
import { KioskUpdater } from '../../src/electron/updater.js';
import { silentLogger } from '../../src/core/system.js';
import { fakeElectron } from '../fakes/fake-electron.js';
import { FakeAutoUpdater } from '../fakes/fake-updater.js';
import { FakeTime, settle } from '../fakes/fake-time.js';

let dir: string;
let state: string;
let app: string;
let runs: string;

/** A stand-in AppImage: appends its name to the run log, then runs `body` (sh). */
function version(name: string, body: string): string {
  return `#!/bin/sh\necho ${name} >> "${runs}"\n${body}\n`;
}

function install(file: string, text: string): void {
  writeFileSync(file, text);
  chmodSync(file, 0o755);
}

function launch(extraEnv: Record<string, string> = {}) {
  const launcher = writeLauncher(state);
  const r = spawnSync('/bin/sh', [launcher, app, '--scanner', 'stdin'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', CHECKPOINT_KIOSK_MAX_BACKOFF: '0', ...extraEnv },
    encoding: 'utf8',
    timeout: 20_000,
  });
  const log = existsSync(runs) ? readFileSync(runs, 'utf8').trim().split('\n') : [];
  return { status: r.status, stderr: r.stderr, log };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-launch-'));
  state = join(dir, 'updates');
  mkdirSync(state);
  app = join(dir, 'checkpoint-kiosk.AppImage');
  runs = join(dir, 'runs.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the AppImage launcher', () => {
  it('puts the previous version back after three failed starts of a fresh install, and the updater never takes that version again', async () => {
    const backup = join(state, 'previous-1.0.0.AppImage');
    install(backup, version('v1', 'exit 0'));
    install(app, version('v2', 'exit 139'));
    writeFileSync(join(state, 'pending-update.json'), '{}');
    writeRollbackHint(state, backup, '1.1.0');
    const r = launch();
    expect(r.log).toEqual(['v2', 'v2', 'v2', 'v1']);
    expect(r.status).toBe(0);
    expect(readFileSync(app, 'utf8')).toBe(version('v1', 'exit 0'));
    expect(readBlockedVersions(state)).toEqual(['1.1.0']);
    for (const f of ['launcher-rollback', 'launch-failures', 'pending-update.json', 'previous-1.0.0.AppImage']) expect(existsSync(join(state, f)), f).toBe(false);
    expect(r.stderr).toContain('"component":"launcher"');
    expect(r.stderr).toContain('previous version restored');

    // Back on 1.0.0 the updater refuses 1.1.0 when the feed offers it again.
    const { app: electronApp } = fakeElectron();
    const auto = new FakeAutoUpdater();
    auto.offer = { version: '1.1.0', stagingPercentage: 100 };
    const time = new FakeTime();
    const u = new KioskUpdater({ autoUpdater: auto, app: electronApp, appImagePath: app, stateDir: state, feedUrl: () => 'http://central.test/updates', deviceId: () => '7f1c2a4e-0000-4000-8000-000000000001', activity: () => ({ resultTimeoutMs: 8000, scansInFlight: 0 }), clock: time, timers: time, logger: silentLogger });
    u.start();
    await u.checkNow();
    await settle();
    expect(auto.downloads).toBe(0);
    u.stop();
  });

  it('restarts a kiosk that exits with an error, and stops on a clean exit, touching nothing without a pending update', () => {
    const count = join(dir, 'count');
    // Fails twice, then quits cleanly (an officer closed it).
    install(app, version('v1', `n=$(cat "${count}" 2>/dev/null || echo 0); echo $((n+1)) > "${count}"; [ "$n" -ge 2 ] && exit 0; exit 1`));
    const r = launch();
    expect(r.log).toEqual(['v1', 'v1', 'v1']);
    expect(r.status).toBe(0);
    expect(readBlockedVersions(state)).toEqual([]);
    expect(r.stderr).toContain('kiosk exited with status 1: starting it again');
  });

  it('starts the app again when it asks (an install), passing its options and the launcher flag', () => {
    const seen = join(dir, 'seen');
    // First run: "installs" (asks for a restart, exits 0). Second run: records its arguments and env.
    install(app, version('v1', `if [ ! -f "${seen}" ]; then : > "${state}/restart-requested"; echo first > "${seen}"; exit 0; fi; echo "$* $CHECKPOINT_KIOSK_LAUNCHER" >> "${seen}"; exit 0`));
    const r = launch();
    expect(r.log).toEqual(['v1', 'v1']);
    expect(readFileSync(seen, 'utf8')).toBe('first\n--scanner stdin 1\n');
    expect(existsSync(join(state, 'restart-requested'))).toBe(false);
  });

  it('a fresh install that starts and reports is left alone', () => {
    const backup = join(state, 'previous-1.0.0.AppImage');
    install(backup, version('v1', 'exit 0'));
    // Crashes once, then the app's updater commits (clears the hint) and the officer quits.
    install(app, version('v2', `if [ -f "${dir}/crashed" ]; then rm -f "${state}/launcher-rollback"; exit 0; fi; : > "${dir}/crashed"; exit 1`));
    writeRollbackHint(state, backup, '1.1.0');
    const r = launch();
    expect(r.log).toEqual(['v2', 'v2']);
    expect(readFileSync(app, 'utf8')).toContain('v2');
    expect(readBlockedVersions(state)).toEqual([]);
  });
});

describe('KioskUpdater under the launcher', () => {
  it('leaves the restart to the launcher: install without run-after, rollback without relaunch, the hint written and cleared', async () => {
    const time = new FakeTime();
    writeFileSync(app, 'version 1.0.0 bytes');
    const make = (electronApp: ReturnType<typeof fakeElectron>['app'], auto: FakeAutoUpdater) =>
      new KioskUpdater({ autoUpdater: auto, app: electronApp, appImagePath: app, stateDir: state, feedUrl: () => 'http://central.test/updates', deviceId: () => '7f1c2a4e-0000-4000-8000-000000000001', activity: () => ({ resultTimeoutMs: 8000, scansInFlight: 0 }), clock: time, timers: time, logger: silentLogger, quietMs: 0, verifyWindowMs: 600_000, underLauncher: true });
    const first = fakeElectron();
    const auto = new FakeAutoUpdater();
    auto.offer = { version: '1.1.0', stagingPercentage: 100 };
    const u = make(first.app, auto);
    u.start();
    await u.checkNow();
    await settle();
    await time.advance(20_000);
    expect(auto.installs).toEqual([[true, false]]);
    expect(readFileSync(join(state, 'launcher-rollback'), 'utf8')).toBe(`${join(state, 'previous-1.0.0.AppImage')}\n1.1.0\n`);
    expect(existsSync(join(state, 'restart-requested'))).toBe(true);
    u.stop();

    // The new version starts but never reports: it rolls back in-app and lets the launcher restart it.
    writeFileSync(app, 'version 1.1.0 bytes');
    const next = fakeElectron();
    next.app.version = '1.1.0';
    const v2 = make(next.app, new FakeAutoUpdater());
    v2.start();
    await time.advance(600_000);
    expect(v2.state()).toBe('rolled-back');
    expect(readFileSync(app, 'utf8')).toBe('version 1.0.0 bytes');
    expect(next.app.relaunchCalls).toBe(0);
    expect(next.app.exitCodes).toEqual([0]);
    expect(existsSync(join(state, 'launcher-rollback'))).toBe(false);
    expect(existsSync(join(state, 'restart-requested'))).toBe(true);
    v2.stop();
  });
});
