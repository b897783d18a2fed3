/**
 * A fake `electron` module for unit tests of src/electron (the real binary cannot be downloaded
 * on our build machines, README.md). Records what the wiring asked for; the IPC pieces are
 * connected so a preload-side call reaches main-side handlers like the real thing.
 */
import { EventEmitter } from 'node:events';

export class FakeEvent {
  defaultPrevented = false;
  constructor(readonly url = '') {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  windowOpenHandler: ((d: { url: string }) => { action: string }) | undefined;
  reloads = 0;
  devToolsClosed = 0;
  sent: unknown[][] = [];
  mainFrame: FakeFrame = { url: 'app://kiosk/index.html', parent: null };
  onSend: ((channel: string, ...args: unknown[]) => void) | undefined;
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  reload(): void {
    this.reloads++;
  }
  closeDevTools(): void {
    this.devToolsClosed++;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push([channel, ...args]);
    this.onSend?.(channel, ...args);
  }
  isDestroyed(): boolean {
    return false;
  }
}

export class FakeSession {
  permissionRequest: ((c: unknown, permission: string, cb: (ok: boolean) => void) => void) | undefined;
  permissionCheck: ((...a: unknown[]) => boolean) | undefined;
  devicePermission: ((...a: unknown[]) => boolean) | undefined;
  setPermissionRequestHandler(h: FakeSession['permissionRequest']): void {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: FakeSession['permissionCheck']): void {
    this.permissionCheck = h;
  }
  setDevicePermissionHandler(h: FakeSession['devicePermission']): void {
    this.devicePermission = h;
  }
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export class FakeIpcMain {
  handlers = new Map<string, Handler>();
  handle(channel: string, fn: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, fn);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  /** What ipcRenderer.invoke does: calls the handler with an event naming the sender. */
  async invoke(event: { sender: FakeWebContents; senderFrame: FakeFrame | null }, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h(event, ...args);
  }
}

/** The renderer side of one window: invoke goes to ipcMain as that window's main frame. */
export class FakeIpcRenderer extends EventEmitter {
  constructor(
    private readonly ipcMain: FakeIpcMain,
    private readonly contents: FakeWebContents,
  ) {
    super();
    contents.onSend = (channel, ...args) => this.emit(channel, { sender: 'main-event-object' }, ...args);
  }
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    // Structured clone, like Electron's IPC: nothing but data crosses.
    const cloned = structuredClone(args);
    return this.ipcMain.invoke({ sender: this.contents, senderFrame: this.contents.mainFrame }, channel, ...cloned);
  }
}

export class FakeContextBridge {
  exposed = new Map<string, unknown>();
  exposeInMainWorld(key: string, api: unknown): void {
    this.exposed.set(key, api);
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: string[] = [];
  shown = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    return Promise.resolve();
  }
  show(): void {
    this.shown = true;
  }
  isMinimized(): boolean {
    return false;
  }
  restore(): void {}
  focus(): void {}
}

export function fakeElectron(opts: { singleInstance?: boolean; userData?: string } = {}) {
  const calls: string[] = [];
  const app = Object.assign(new EventEmitter(), {
    quitCalls: 0,
    relaunchCalls: 0,
    exitCodes: [] as (number | undefined)[],
    version: '1.0.0',
    switches: [] as string[][],
    requestSingleInstanceLock: () => opts.singleInstance ?? true,
    quit() {
      app.quitCalls++;
    },
    exit(code?: number) {
      app.exitCodes.push(code);
    },
    relaunch() {
      app.relaunchCalls++;
    },
    getVersion: () => app.version,
    whenReady: () => {
      calls.push('ready');
      return Promise.resolve();
    },
    getPath: (name: string) => `${opts.userData ?? '/tmp/fake-electron'}/${name}`,
    getAppPath: () => '/app',
    commandLine: { appendSwitch: (...a: string[]) => app.switches.push(a) },
  });
  const protocol = {
    schemes: [] as unknown[],
    handlers: new Map<string, (r: Request) => Promise<Response>>(),
    registerSchemesAsPrivileged(s: unknown[]) {
      calls.push('registerSchemes');
      protocol.schemes.push(...s);
    },
    handle(scheme: string, h: (r: Request) => Promise<Response>) {
      protocol.handlers.set(scheme, h);
    },
  };
  const powerSaveBlocker = {
    started: [] as string[],
    stopped: [] as number[],
    start(type: string) {
      powerSaveBlocker.started.push(type);
      return 7;
    },
    stop(id: number) {
      powerSaveBlocker.stopped.push(id);
    },
  };
  const defaultSession = new FakeSession();
  const ipcMain = new FakeIpcMain();
  FakeBrowserWindow.instances = [];
  return { app, protocol, powerSaveBlocker, session: { defaultSession }, ipcMain, BrowserWindow: FakeBrowserWindow, calls };
}

/** safeStorage stand-in: reversible, clearly not plaintext. */
export function fakeSafeStorage(available = true) {
  return {
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => 'gnome_libsecret' as const,
    encryptString: (s: string) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
    decryptString: (b: Buffer) => {
      const t = b.toString();
      if (!t.startsWith('enc:')) throw new Error('cannot decrypt');
      return Buffer.from(t.slice(4), 'hex').toString();
    },
  };
}
