/**
 * Electron main process (README.md): hosts the kiosk service and one locked-down window showing
 * renderer/dist through app://. Thin: the service comes from buildKiosk (src/app), the UI API
 * from createKioskApi, the hardening from window.ts / protocol.ts / ipc.ts. `startElectronKiosk`
 * takes the electron module as a parameter so its wiring is testable with a fake.
 *
 * Configuration (no configuration is fine: the technician setup opens):
 *   --data-dir DIR (default <userData>/data), --scanner URI (repeatable; or CHECKPOINT_KIOSK_SCANNERS,
 *   comma-separated), --trust FILE, --policy FILE, --checkpoint ID, --server URL (repeatable or
 *   comma-separated: nodes of one central server, tried in order as `run` does) --enroll CODE
 *   (enroll once, like `run`), --ca FILE (PEM of a private CA), --profile venue|booth (remembered),
 *   --dev (window, devtools); CHECKPOINT_KIOSK_PIN_FILE sets the technician PIN as for `run`.
 * A configuration that cannot be used (a scanner that cannot be created, an unreadable trust or
 * policy file) does not stop the kiosk: it starts without it, logs why, and the technician
 * screen shows the log.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type * as Electron from 'electron';
import { buildKiosk } from '../app/build.js';
import { createKioskApi } from '../app/api.js';
import { logRing } from '../app/log-ring.js';
import type { KioskService } from '../app/kiosk.js';
import type { Logger } from '../shared/ports.js';
import type { DataKeyProvider } from '../store/data-key.js';
import { jsonLogger, systemClock, systemTimers } from '../core/system.js';
import { APP_START_URL, createKioskWindow, hardenContents, hardenSession } from './window.js';
import { connectElectronCentral } from './central-wiring.js';
import { safeStorageDataKey } from './data-key-vault.js';
import { handleAppProtocol, registerAppScheme } from './protocol.js';
import { registerIpc } from './ipc.js';
import { ensureAppImageAutostart } from './autostart.js';
import { underLauncher } from './launcher.js';
import type { Profile } from '../shared/api.js';
import { PANEL_PIN_STANDS, PIN_FILE_ENV, applyPinFile, readPinFile } from '../app/access/provision-pin.js';
import { SETUP_CODE_FILE } from '../app/access/setup-code.js';
import { KioskUpdater, type AutoUpdaterLike } from './updater.js';
import { API_SETTINGS } from '../app/api.js';
import { REMOTE_SETTINGS } from '../app/remote-config-apply.js';

/** The parts of the electron module main uses; safeStorage may be missing (tests, odd builds). */
export type ElectronMain = Pick<typeof Electron, 'app' | 'BrowserWindow' | 'ipcMain' | 'protocol' | 'powerSaveBlocker' | 'session'> & {
  safeStorage?: Pick<Electron.SafeStorage, 'isEncryptionAvailable' | 'encryptString' | 'decryptString'>;
};

export interface ElectronKioskOptions {
  argv: string[];
  env: Record<string, string | undefined>;
  /** Folder holding renderer/dist and dist/src/electron/preload.cjs (the app path). */
  appRoot: string;
}

export function parseElectronArgs(argv: string[], env: Record<string, string | undefined>) {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: {
      'data-dir': { type: 'string' },
      scanner: { type: 'string', multiple: true },
      trust: { type: 'string' },
      policy: { type: 'string' },
      checkpoint: { type: 'string' },
      server: { type: 'string', multiple: true },
      enroll: { type: 'string' },
      ca: { type: 'string' },
      profile: { type: 'string' },
      dev: { type: 'boolean' },
    },
  });
  const fromEnv = (env.CHECKPOINT_KIOSK_SCANNERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const scanners = ((values.scanner as string[] | undefined) ?? []).concat(fromEnv);
  const { servers, badServers } = serverUrls(values.server);
  return {
    dataDir: typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined,
    scanners,
    trust: typeof values.trust === 'string' ? values.trust : undefined,
    policy: typeof values.policy === 'string' ? values.policy : undefined,
    checkpoint: typeof values.checkpoint === 'string' ? values.checkpoint : undefined,
    servers,
    /** --server values that are not http(s) URLs: logged and left out, never a reason not to start. */
    badServers,
    enroll: typeof values.enroll === 'string' ? values.enroll : undefined,
    ca: typeof values.ca === 'string' ? values.ca : undefined,
    profile: values.profile === 'venue' || values.profile === 'booth' ? (values.profile as Profile) : undefined,
    pinFile: env[PIN_FILE_ENV],
    production: values.dev !== true && env.NODE_ENV !== 'development',
  };
}

/** Same bound as `run`: at most this many central server nodes. */
const MAX_SERVERS = 16;

/**
 * --server values (repeatable, each may be comma-separated) → the node list in order, without
 * repeats, and the values that are not http(s) URLs (or beyond MAX_SERVERS) for the log.
 */
function serverUrls(raw: unknown): { servers: string[]; badServers: string[] } {
  const values = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((v): v is string => typeof v === 'string');
  const servers: string[] = [];
  const badServers: string[] = [];
  for (const url of values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean)) {
    if (!/^https?:\/\/\S+$/.test(url) || servers.length >= MAX_SERVERS) badServers.push(url);
    else if (!servers.includes(url)) servers.push(url);
  }
  return { servers, badServers };
}

export async function startElectronKiosk(electron: ElectronMain, opts: ElectronKioskOptions): Promise<void> {
  const { app, BrowserWindow, ipcMain, protocol, powerSaveBlocker } = electron;
  const args = parseElectronArgs(opts.argv, opts.env);
  const ring = logRing(jsonLogger(), systemClock);
  const logger = ring.logger;

  if (!app.requestSingleInstanceLock()) {
    logger.warn('another kiosk instance is running: quitting');
    app.quit();
    return;
  }
  registerAppScheme(protocol);
  app.commandLine.appendSwitch('autoplay-policy', 'no-user-gesture-required');

  // Filled in once ready; the event handlers below may run before that.
  const state: { win?: Electron.BrowserWindow; kiosk?: KioskService } = {};
  app.on('second-instance', () => {
    const { win } = state;
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });
  // Belt and braces: every webContents ever created gets the same navigation rules.
  app.on('web-contents-created', (_e, contents) => hardenContents(contents, { production: args.production, logger }));

  await app.whenReady();
  try {
    const written = ensureAppImageAutostart(opts.env, app.getPath('home'), path.join(app.getPath('userData'), 'updates'));
    if (written) logger.info('autostart entry written');
  } catch (err) {
    logger.warn('autostart entry not written', { error: err instanceof Error ? err.message : String(err) });
  }
  hardenSession(electron.session.defaultSession, logger);
  handleAppProtocol(protocol, path.join(opts.appRoot, 'renderer', 'dist'));

  const dataDir = args.dataDir ?? path.join(app.getPath('userData'), 'data');
  for (const url of args.badServers) logger.error('--server ignored: not an http:// or https:// URL, or more than 16 servers', { url });
  const ca = args.ca ? readCa(args.ca, logger) : undefined;
  const dataKey = safeStorageDataKey({ safe: electron.safeStorage, dataDir, logger });
  const kiosk = await buildKioskOrBare(args, dataDir, logger, dataKey);
  if (args.pinFile) {
    try {
      const applied = await applyPinFile(kiosk.store, readPinFile(args.pinFile), dataDir, new Date(systemClock.now()).toISOString());
      if (applied === 'panel-pin-stands') logger.info(PANEL_PIN_STANDS);
    } catch (err) {
      logger.error('PIN file not used', { error: err instanceof Error ? err.message : String(err) });
    }
  }
  const updates: { updater?: KioskUpdater } = {};
  const central = connectElectronCentral({
    updateState: () => updates.updater?.state() ?? 'manual',
    onHeartbeat: () => updates.updater?.heartbeatAccepted(),
    kiosk,
    dataDir,
    safe: electron.safeStorage,
    ...(args.servers.length ? { serverUrl: args.servers } : {}),
    ...(args.enroll ? { enrollCode: args.enroll } : {}),
    ...(ca ? { ca } : {}),
    clock: systemClock,
    timers: systemTimers,
    logger,
  });
  const api = createKioskApi({
    kiosk,
    clock: systemClock,
    timers: systemTimers,
    logger,
    logs: ring.lines,
    exportDir: path.join(app.getPath('documents'), 'checkpoint-kiosk-exports'),
    delivery: () => central.link.delivery(),
    clockOffsetMs: () => central.link.clockOffsetMs(),
    enroll: (serverUrl, code) => central.enroll(serverUrl, code),
    reprovision: (sessionOpen) => central.link.armReprovision(sessionOpen),
    disarmReprovision: () => central.link.disarmReprovision(),
    provisioning: () => central.link.provisioningNotice(),
    policy: () => kiosk.currentPolicy(),
    ...(args.policy ? { policyName: args.policy } : {}),
    pin: { setupCodeFile: path.join(dataDir, SETUP_CODE_FILE) },
  });

  state.kiosk = kiosk;
  const win = createKioskWindow(BrowserWindow, { preload: path.join(opts.appRoot, 'dist', 'src', 'electron', 'preload.cjs'), production: args.production });
  const contentsId = win.webContents.id;
  state.win = win;
  registerIpc(ipcMain, () => win.webContents, { api, logger, trustedContentsId: () => contentsId });
  win.once('ready-to-show', () => win.show());
  const blocker = powerSaveBlocker.start('prevent-display-sleep');

  await kiosk.start();
  await win.loadURL(APP_START_URL);
  updates.updater = await startUpdater(opts.env, app, kiosk, path.join(app.getPath('userData'), 'updates'), logger);

  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    powerSaveBlocker.stop(blocker);
    updates.updater?.stop();
    api.close();
    // Finish every scan already received (and stop forwarding) before the process goes away.
    central
      .stop()
      .catch((err: unknown) => logger.error('central link stop failed', { error: String(err) }))
      .then(() => kiosk.stop())
      .finally(() => app.quit());
  });
  app.on('window-all-closed', () => app.quit());
}

type ElectronArgs = ReturnType<typeof parseElectronArgs>;

/**
 * The configured kiosk, or, when that configuration cannot be used, a kiosk without scanners,
 * trust or policy file (the technician fixes it on screen) instead of a process that exits.
 */
async function buildKioskOrBare(args: ElectronArgs, dataDir: string, logger: Logger, dataKey: DataKeyProvider): Promise<KioskService> {
  const base = { dataDir, clock: systemClock, timers: systemTimers, logger, dataKey, ...(args.checkpoint ? { checkpoint: args.checkpoint } : {}), ...(args.profile ? { profile: args.profile } : {}) };
  try {
    return await buildKiosk({
      ...base,
      scanners: args.scanners,
      ...(args.trust ? { trustFile: args.trust } : {}),
      ...(args.policy ? { policyFile: args.policy } : {}),
    });
  } catch (err) {
    logger.error('configuration not usable, starting without scanners, trust or policy file', { error: err instanceof Error ? err.message : String(err) });
    return buildKiosk({ ...base, scanners: [] });
  }
}

/**
 * Self-update from `<server>/updates` for AppImage installs only (electron-updater replaces the
 * file at $APPIMAGE); other installs report 'manual' and get a dashboard notice instead.
 */
async function startUpdater(env: Record<string, string | undefined>, app: ElectronMain['app'], kiosk: KioskService, stateDir: string, logger: Logger): Promise<KioskUpdater | undefined> {
  if (!env.APPIMAGE) return undefined;
  try {
    const { autoUpdater } = await import('electron-updater');
    let lastOutcomeAtMs: number | undefined;
    kiosk.on('outcome', () => (lastOutcomeAtMs = systemClock.now()));
    const updater = new KioskUpdater({
      autoUpdater: autoUpdater as unknown as AutoUpdaterLike,
      app,
      appImagePath: env.APPIMAGE,
      stateDir,
      feedUrl: () => {
        const server = kiosk.store.getSetting(API_SETTINGS.serverUrl);
        return server && kiosk.store.getSetting(API_SETTINGS.enrolled) ? `${server.replace(/\/+$/, '')}/updates` : undefined;
      },
      deviceId: () => kiosk.currentConfig().deviceId,
      activity: () => ({
        lastOutcomeAtMs,
        resultTimeoutMs: (Number(kiosk.store.getSetting(REMOTE_SETTINGS.resultTimeoutSeconds)) || 8) * 1000,
        scansInFlight: kiosk.scansInFlight(),
      }),
      clock: systemClock,
      timers: systemTimers,
      logger,
      underLauncher: underLauncher(env),
    });
    updater.start();
    return updater;
  } catch (err) {
    logger.error('updater not started', { error: err instanceof Error ? err.message : String(err) });
    return undefined;
  }
}

function readCa(file: string, logger: Logger): string | undefined {
  try {
    const pem = readFileSync(file, 'utf8');
    if (pem.includes('-----BEGIN CERTIFICATE-----') && pem.length < 256 * 1024) return pem;
    logger.error('--ca file holds no PEM certificate: ignored', { file });
  } catch (err) {
    logger.error('--ca file unreadable: ignored', { file, error: err instanceof Error ? err.message : String(err) });
  }
  return undefined;
}

// Runs only inside Electron (process.versions.electron is set there); importing this module
// from tests does nothing.
if (process.versions.electron) {
  const electron = await import('electron');
  const appRoot = electron.app.getAppPath();
  startElectronKiosk(electron, { argv: process.argv.slice(1), env: process.env, appRoot }).catch((err: unknown) => {
    process.stderr.write(`checkpoint-kiosk: ${err instanceof Error ? err.message : String(err)}\n`);
    electron.app.exit(1);
  });
}
