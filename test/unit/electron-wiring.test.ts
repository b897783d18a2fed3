import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type * as Electron from 'electron';
import { APP_START_URL, createKioskWindow, hardenContents, hardenSession, isAppUrl } from '../../src/electron/window.js';
import { ELECTRON_CSP, appProtocolHandler, registerAppScheme, resolveAppPath } from '../../src/electron/protocol.js';
import { IPC_CALL, IPC_EVENT, handleCall, registerIpc } from '../../src/electron/ipc.js';
import { exposeKioskApi } from '../../src/electron/preload.js';
import { loadDeviceToken, saveDeviceToken, TOKEN_SETTING } from '../../src/electron/device-token.js';
import { startElectronKiosk, type ElectronMain } from '../../src/electron/main.js';
import { ApiError } from '../../src/app/api.js';
import { API_METHODS, type KioskApi } from '../../src/shared/api.js';
import { silentLogger } from '../../src/core/system.js';
import { FakeBrowserWindow, FakeContextBridge, FakeEvent, FakeIpcMain, FakeIpcRenderer, FakeSession, FakeWebContents, fakeElectron, fakeSafeStorage } from '../fakes/fake-electron.js';

function fakeApi() {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const calls: unknown[][] = [];
  const api = new Proxy({} as Record<string, unknown>, {
    get(_t, prop: string) {
      if (prop === 'on') {
        return (event: string, l: (p: unknown) => void) => {
          if (!listeners.has(event)) listeners.set(event, new Set());
          listeners.get(event)!.add(l);
          return () => listeners.get(event)!.delete(l);
        };
      }
      // Not a KioskApi method: the transports' session check (KioskApiService.sessionLive) is left out here.
      if (prop === 'sessionLive') return undefined;
      return async (...args: unknown[]) => {
        calls.push([prop, ...args]);
        if (prop === 'techInfo') throw new ApiError('unauthorized', 'enter the PIN again');
        if (prop === 'recentScans') throw new Error('/var/secret path leaked');
        return { called: prop };
      };
    },
  }) as unknown as KioskApi;
  const emit = (event: string, payload: unknown) => listeners.get(event)?.forEach((l) => l(payload));
  return { api, calls, emit };
}

describe('kiosk window options', () => {
  it('isolates and sandboxes the renderer, with no Node and no devtools in production', () => {
    const o = createKioskWindow(FakeBrowserWindow as unknown as new (o: Electron.BrowserWindowConstructorOptions) => FakeBrowserWindow, { preload: '/app/preload.cjs', production: true }).options;
    expect(o.webPreferences).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      disableBlinkFeatures: 'Auxclick',
      devTools: false,
    });
    expect(o.kiosk).toBe(true);
    const dev = createKioskWindow(FakeBrowserWindow as unknown as new (o: Electron.BrowserWindowConstructorOptions) => FakeBrowserWindow, { preload: 'p', production: false }).options as { kiosk: boolean; webPreferences: { devTools: boolean } };
    expect(dev.webPreferences.devTools).toBe(true);
    expect(dev.kiosk).toBe(false);
  });

  it('knows its own origin', () => {
    expect(APP_START_URL).toBe('app://kiosk/index.html');
    expect(isAppUrl('app://kiosk/assets/x.js')).toBe(true);
    expect(isAppUrl('app://evil/index.html')).toBe(false);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('https://kiosk/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
  });
});

describe('window hardening', () => {
  const contents = () => {
    const wc = new FakeWebContents();
    hardenContents(wc as unknown as Electron.WebContents, { production: true, logger: silentLogger });
    return wc;
  };

  it('refuses navigation and redirects away from app://kiosk, allows its own pages', () => {
    const wc = contents();
    for (const [event, url] of [['will-navigate', 'https://evil.example/'], ['will-navigate', 'file:///etc/passwd'], ['will-redirect', 'http://127.0.0.1:8080/']] as const) {
      const e = new FakeEvent();
      wc.emit(event, e, url);
      expect(e.defaultPrevented, `${event} ${url}`).toBe(true);
    }
    const frameNav = new FakeEvent('https://evil.example/frame');
    wc.emit('will-frame-navigate', frameNav);
    expect(frameNav.defaultPrevented).toBe(true);
    const own = new FakeEvent();
    wc.emit('will-navigate', own, 'app://kiosk/index.html?screen=booth');
    expect(own.defaultPrevented).toBe(false);
  });

  it('swallows browser shortcuts in production (reload, zoom, history, devtools) but lets a scanner type', () => {
    const wc = contents();
    const key = (key: string, mods: Partial<{ control: boolean; alt: boolean; meta: boolean; shift: boolean }> = {}) => {
      const e = new FakeEvent();
      wc.emit('before-input-event', e, { type: 'keyDown', key, control: false, alt: false, meta: false, shift: false, ...mods });
      return e.defaultPrevented;
    };
    expect(key('r', { control: true })).toBe(true);
    expect(key('=', { control: true })).toBe(true);
    expect(key('ArrowLeft', { alt: true })).toBe(true);
    expect(key('F5')).toBe(true);
    expect(key('F12')).toBe(true);
    expect(key('I', { control: true, shift: true })).toBe(true);
    for (const k of ['H', 'C', '1', '|', 'Enter', 'Tab']) expect(key(k, { shift: k === 'H' || k === '|' })).toBe(false);
  });

  it('refuses new windows and webviews', () => {
    const wc = contents();
    expect(wc.windowOpenHandler?.({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(wc.windowOpenHandler?.({ url: 'app://kiosk/index.html' })).toEqual({ action: 'deny' });
    const e = new FakeEvent();
    wc.emit('will-attach-webview', e, {}, {});
    expect(e.defaultPrevented).toBe(true);
  });

  it('reloads a crashed or hung renderer, not one that exited cleanly, and closes devtools', () => {
    const wc = contents();
    wc.emit('render-process-gone', new FakeEvent(), { reason: 'crashed', exitCode: 139 });
    wc.emit('render-process-gone', new FakeEvent(), { reason: 'oom', exitCode: 1 });
    wc.emit('unresponsive');
    wc.emit('render-process-gone', new FakeEvent(), { reason: 'clean-exit', exitCode: 0 });
    expect(wc.reloads).toBe(3);
    wc.emit('devtools-opened');
    expect(wc.devToolsClosed).toBe(1);
  });

  it('refuses every permission request and check', () => {
    const s = new FakeSession();
    hardenSession(s as unknown as Electron.Session, silentLogger);
    for (const permission of ['media', 'geolocation', 'notifications', 'hid', 'serial', 'clipboard-read']) {
      let answer: boolean | undefined;
      s.permissionRequest?.({}, permission, (ok) => (answer = ok));
      expect(answer, permission).toBe(false);
    }
    expect(s.permissionCheck?.({}, 'media')).toBe(false);
    expect(s.devicePermission?.({})).toBe(false);
  });
});

describe('IPC validation in main', () => {
  const trusted = new FakeWebContents();
  const event = (over: Partial<{ sender: FakeWebContents; url: string; parent: unknown }> = {}) => ({
    sender: over.sender ?? trusted,
    senderFrame: { url: over.url ?? 'app://kiosk/index.html', parent: over.parent ?? null },
  });
  const opts = (api: KioskApi) => ({ api, logger: silentLogger, trustedContentsId: () => trusted.id });
  const call = (api: KioskApi, ev: ReturnType<typeof event>, method: unknown, args: unknown) => handleCall(ev as unknown as Electron.IpcMainInvokeEvent, method, args, opts(api));

  it('refuses calls from other contents, subframes and pages that are not app://kiosk', async () => {
    const { api, calls } = fakeApi();
    expect(await call(api, event({ sender: new FakeWebContents() }), 'getStatus', [])).toEqual({ ok: false, error: 'refused', code: 'refused' });
    expect(await call(api, event({ parent: { url: 'app://kiosk/' } }), 'getStatus', [])).toMatchObject({ code: 'refused' });
    expect(await call(api, event({ url: 'https://evil.example/' }), 'getStatus', [])).toMatchObject({ code: 'refused' });
    expect(calls).toHaveLength(0);
  });

  it('refuses unknown methods and bad arguments with the specific problem', async () => {
    const { api, calls } = fakeApi();
    expect(await call(api, event(), 'constructor', [])).toMatchObject({ ok: false, code: 'invalid', error: 'unknown method "constructor"' });
    expect(await call(api, event(), 'setDirection', ['a'.repeat(64), 'sideways'])).toMatchObject({ code: 'invalid', error: 'setDirection: argument 2 must be one of in, out' });
    expect(await call(api, event(), 'submitScan', [{ text: 'x', source: 'wedge', evil: true }])).toMatchObject({ code: 'invalid' });
    expect(await call(api, event(), 'getStatus', 'not-an-array')).toMatchObject({ code: 'invalid' });
    expect(calls).toHaveLength(0);
  });

  it('calls the API for a valid call, passes refusals through and hides internal errors', async () => {
    const { api, calls } = fakeApi();
    expect(await call(api, event(), 'setDirection', ['a'.repeat(64), 'out'])).toEqual({ ok: true, value: { called: 'setDirection' } });
    expect(calls).toEqual([['setDirection', 'a'.repeat(64), 'out']]);
    expect(await call(api, event(), 'techInfo', ['a'.repeat(64)])).toEqual({ ok: false, error: 'enter the PIN again', code: 'unauthorized' });
    expect(await call(api, event(), 'recentScans', ['a'.repeat(64), 5])).toEqual({ ok: false, error: 'internal error', code: 'internal' });
  });
});

describe('preload bridge', () => {
  function wire() {
    const { api, calls, emit } = fakeApi();
    const ipcMain = new FakeIpcMain();
    const contents = new FakeWebContents();
    registerIpc(ipcMain as unknown as Electron.IpcMain, () => contents, { api, logger: silentLogger, trustedContentsId: () => contents.id });
    const bridge = new FakeContextBridge();
    exposeKioskApi({ contextBridge: bridge, ipcRenderer: new FakeIpcRenderer(ipcMain, contents) as unknown as Electron.IpcRenderer });
    return { exposed: bridge.exposed.get('kioskApi') as Record<string, (...a: unknown[]) => unknown>, calls, emit, contents, ipcMain, bridge };
  }

  it('exposes exactly the API methods and on(), never ipcRenderer', () => {
    const { exposed, bridge } = wire();
    expect([...bridge.exposed.keys()]).toEqual(['kioskApi']);
    expect(Object.keys(exposed).sort()).toEqual([...API_METHODS, 'on'].sort());
    expect(Object.values(exposed).every((v) => typeof v === 'function')).toBe(true);
    expect(JSON.stringify(Object.keys(exposed))).not.toMatch(/ipc|invoke|send/i);
  });

  it('round-trips a call through main and rebuilds refusals as errors with their code', async () => {
    const { exposed, calls } = wire();
    expect(await exposed.setDirection!('a'.repeat(64), 'in')).toEqual({ called: 'setDirection' });
    expect(calls).toEqual([['setDirection', 'a'.repeat(64), 'in']]);
    await expect(exposed.techInfo!('a'.repeat(64))).rejects.toMatchObject({ message: 'enter the PIN again', code: 'unauthorized' });
    await expect(exposed.setDirection!('a'.repeat(64), 'up')).rejects.toMatchObject({ code: 'invalid' });
    expect(calls).toHaveLength(2);
  });

  it('delivers only the payload of known events, and unsubscribes', () => {
    const { exposed, emit } = wire();
    const got: unknown[] = [];
    const off = exposed.on!('status', (p: unknown) => got.push(p)) as () => void;
    emit('status', { queue: 1 });
    emit('outcome', { verdict: 'accept' });
    off();
    emit('status', { queue: 2 });
    expect(got).toEqual([{ queue: 1 }]);
    expect(() => exposed.on!('ipc-message', () => undefined)).toThrow(/unknown event/);
  });
});

describe('app:// protocol', () => {
  let dir: string;
  afterEach(() => void (dir && rmSync(dir, { recursive: true, force: true })));

  it('registers app:// as a standard secure scheme', () => {
    const fake = fakeElectron();
    registerAppScheme(fake.protocol as unknown as Electron.Protocol);
    expect(fake.protocol.schemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('serves files of the renderer folder with the CSP, and nothing else', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'proto-'));
    mkdirSync(path.join(dir, 'dist', 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'dist', 'index.html'), '<p>kiosk</p>');
    writeFileSync(path.join(dir, 'secret.txt'), 'secret');
    const root = path.join(dir, 'dist');
    const serve = appProtocolHandler(root);
    const ok = await serve(new Request('app://kiosk/index.html'));
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('<p>kiosk</p>');
    expect(ok.headers.get('content-security-policy')).toBe(ELECTRON_CSP);
    expect(ELECTRON_CSP).toContain("connect-src 'none'");
    expect((await serve(new Request('app://kiosk/'))).status).toBe(200);
    expect((await serve(new Request('app://kiosk/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await serve(new Request('app://other/index.html'))).status).toBe(404);
    expect((await serve(new Request('app://kiosk/missing.js'))).status).toBe(404);
    expect(resolveAppPath('app://kiosk/..%2fsecret.txt', root)).toBeUndefined();
    expect(resolveAppPath('app://kiosk/assets/a.js', root)).toBe(path.join(root, 'assets', 'a.js'));
  });
});

describe('device token', () => {
  it('is stored encrypted with safeStorage and read back', () => {
    const settings = new Map<string, string>();
    const s = { getSetting: (k: string) => settings.get(k), setSetting: (k: string, v: string) => void settings.set(k, v) };
    saveDeviceToken(fakeSafeStorage(), s, 'tok-secret-123', silentLogger);
    expect(settings.get(TOKEN_SETTING)).toBeDefined();
    expect(Buffer.from(settings.get(TOKEN_SETTING)!, 'base64').toString()).not.toContain('tok-secret-123');
    expect(loadDeviceToken(fakeSafeStorage(), s, silentLogger)).toBe('tok-secret-123');
    expect(() => saveDeviceToken(fakeSafeStorage(false), s, 'x', silentLogger)).toThrow(/not available/);
    settings.set(TOKEN_SETTING, Buffer.from('garbage').toString('base64'));
    expect(loadDeviceToken(fakeSafeStorage(), s, silentLogger)).toBeUndefined();
  });
});

describe('startElectronKiosk', () => {
  let dir: string;
  afterEach(() => void (dir && rmSync(dir, { recursive: true, force: true })));

  it('quits without a window when another instance holds the lock', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'el-'));
    const fake = fakeElectron({ singleInstance: false });
    await startElectronKiosk(fake as unknown as ElectronMain, { argv: [], env: {}, appRoot: dir });
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.BrowserWindow.instances).toHaveLength(0);
  });

  it('opens one hardened window on app://, keeps the display awake and serves the API over IPC', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'el-'));
    const fake = fakeElectron({ userData: dir });
    await startElectronKiosk(fake as unknown as ElectronMain, { argv: ['--data-dir', path.join(dir, 'data')], env: { CHECKPOINT_KIOSK_LOG: 'silent' }, appRoot: '/app' });
    expect(fake.calls.indexOf('registerSchemes')).toBeLessThan(fake.calls.indexOf('ready'));
    const [win] = fake.BrowserWindow.instances;
    expect(win!.options).toMatchObject({ kiosk: true, webPreferences: { sandbox: true, contextIsolation: true, preload: '/app/dist/src/electron/preload.cjs' } });
    expect(win!.loaded).toEqual(['app://kiosk/index.html']);
    expect(fake.powerSaveBlocker.started).toEqual(['prevent-display-sleep']);
    expect(fake.protocol.handlers.has('app')).toBe(true);
    expect(fake.session.defaultSession.permissionRequest).toBeDefined();
    const status = (await fake.ipcMain.invoke({ sender: win!.webContents, senderFrame: win!.webContents.mainFrame }, IPC_CALL, 'getStatus', [])) as { ok: boolean; value: { needsSetup: boolean } };
    expect(status).toMatchObject({ ok: true, value: { needsSetup: true } });
    expect(IPC_EVENT).toBe('kiosk:event');
    // Quit: the kiosk is stopped before the app goes.
    const quitEvent = new FakeEvent();
    fake.app.emit('before-quit', quitEvent);
    expect(quitEvent.defaultPrevented).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.app.quitCalls).toBe(1);
    expect(fake.powerSaveBlocker.stopped).toEqual([7]);
  });
});

describe('AppImage autostart', () => {
  it('writes an XDG autostart entry for the AppImage only when asked, idempotently', async () => {
    const { ensureAppImageAutostart } = await import('../../src/electron/autostart.js');
    const home = mkdtempSync(path.join(os.tmpdir(), 'home-'));
    try {
      const state = path.join(home, 'updates');
      expect(ensureAppImageAutostart({ APPIMAGE: '/opt/k.AppImage' }, home, state)).toBeUndefined();
      expect(ensureAppImageAutostart({ CHECKPOINT_KIOSK_AUTOSTART: '1' }, home, state)).toBeUndefined();
      const file = ensureAppImageAutostart({ APPIMAGE: '/opt/Kiosk "x".AppImage', CHECKPOINT_KIOSK_AUTOSTART: '1' }, home, state)!;
      expect(file).toBe(path.join(home, '.config', 'autostart', 'checkpoint-kiosk.desktop'));
      const { readFileSync, statSync } = await import('node:fs');
      // The entry runs the launcher (kept outside the AppImage) with the AppImage.
      expect(readFileSync(file, 'utf8')).toContain(`Exec="/bin/sh" "${path.join(state, 'launch.sh')}" "/opt/Kiosk \\"x\\".AppImage"`);
      expect(statSync(path.join(state, 'launch.sh')).mode & 0o777).toBe(0o755);
      expect(ensureAppImageAutostart({ APPIMAGE: '/opt/Kiosk "x".AppImage', CHECKPOINT_KIOSK_AUTOSTART: '1' }, home, state)).toBe(file);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
