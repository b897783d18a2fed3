/**
 * The kiosk window and its hardening (docs/OPERATIONS.md). Pure wiring over the parts of the `electron`
 * module it is given, so tests pass a fake (test/fakes/fake-electron.ts).
 *
 * Checklist implemented here: contextIsolation, sandbox, no nodeIntegration (also not in workers
 * or subframes), webSecurity on, no <webview>, no devtools in production, navigation away from
 * app://kiosk refused, new windows refused, every permission request and check refused, a crashed
 * or hung renderer reloaded.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import type { Logger } from '../shared/ports.js';

export const APP_SCHEME = 'app';
export const APP_HOST = 'kiosk';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/index.html`;

type WindowCtor<W> = new (options: BrowserWindowConstructorOptions) => W;

/**
 * The kiosk window. The options are written out here, at the constructor call, so that a reader
 * (and electronegativity, which only sees literals passed to `new BrowserWindow`) can check every
 * security switch in one place. `BrowserWindow` is a parameter so tests pass a fake.
 */
export function createKioskWindow<W>(BrowserWindow: WindowCtor<W>, opts: { preload: string; production: boolean }): W {
  return new BrowserWindow({
    kiosk: opts.production,
    fullscreen: opts.production,
    width: 1280,
    height: 800,
    minWidth: 600,
    minHeight: 600,
    show: false,
    autoHideMenuBar: true,
    backgroundColor: '#f6f7f9',
    title: 'Checkpoint kiosk',
    webPreferences: {
      // The only preload: it exposes the API method by method through contextBridge (preload.ts).
      preload: opts.preload, // eng-disable PRELOAD_JS_CHECK
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      // Middle-click (auxclick) would try to open links in a new window: refused anyway, and off.
      disableBlinkFeatures: 'Auxclick',
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      devTools: !opts.production,
      autoplayPolicy: 'no-user-gesture-required',
    },
  });
}

/** True for URLs of our own renderer (app://kiosk/...). */
export function isAppUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
  } catch {
    return false;
  }
}

type Contents = Pick<WebContents, 'on' | 'setWindowOpenHandler' | 'reload' | 'closeDevTools'>;

/** Navigation, new windows, webviews and crashes of one window's contents. */
export function hardenContents(contents: Contents, opts: { production: boolean; logger: Logger }): void {
  const log = opts.logger.child('window');
  const refuseNavigation = (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url)) return;
    event.preventDefault();
    log.warn('navigation refused', { scheme: safeScheme(url) });
  };
  contents.on('will-navigate', (event, url) => refuseNavigation(event, url));
  contents.on('will-redirect', (event, url) => refuseNavigation(event, url));
  contents.on('will-frame-navigate', (event) => refuseNavigation(event, event.url));
  contents.setWindowOpenHandler(({ url }) => {
    log.warn('new window refused', { scheme: safeScheme(url) });
    return { action: 'deny' };
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log.warn('webview refused');
  });
  contents.on('render-process-gone', (_event, details) => {
    log.error('renderer gone, reloading', { reason: details.reason, exitCode: details.exitCode });
    if (details.reason !== 'clean-exit') contents.reload();
  });
  contents.on('unresponsive', () => {
    log.error('renderer unresponsive, reloading');
    contents.reload();
  });
  if (opts.production) contents.on('devtools-opened', () => contents.closeDevTools());
}

/** Every permission (camera, notifications, geolocation, HID, serial, USB...) is refused. */
export function hardenSession(session: Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>, logger: Logger): void {
  const log = logger.child('window');
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn('permission refused', { permission });
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

function safeScheme(url: string): string {
  const m = /^([a-z][a-z0-9+.-]{0,20}):/i.exec(url);
  return m ? m[1]!.toLowerCase() : 'invalid';
}
