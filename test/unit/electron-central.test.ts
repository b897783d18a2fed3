/**
 * The Electron main wiring around the central server, with the fake electron module: no
 * configuration opens the technician setup, a broken configuration still opens it, enrollment
 * from --server/--enroll keeps the token encrypted (safeStorage) and not in enrollment.json, and
 * the next start forwards with the decrypted token. Uses the reference central server in-process
 * on 127.0.0.1 and real SQLite files in temp dirs.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseElectronArgs, startElectronKiosk, type ElectronMain } from '../../src/electron/main.js';
import { createTokenVault } from '../../src/electron/token-vault.js';
import { safeStorageDataKey } from '../../src/electron/data-key-vault.js';
import { TOKEN_SETTING } from '../../src/electron/device-token.js';
import { IPC_CALL } from '../../src/electron/ipc.js';
import { openStore } from '../../src/store/index.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { startCentral, type CentralServer } from '../../server/app.js';
import { FakeEvent, fakeElectron, fakeSafeStorage } from '../fakes/fake-electron.js';
import { waitFor } from '../helpers/pty.js';

const dirs: string[] = [];
const tmp = (prefix: string) => {
  const d = mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(d);
  return d;
};
let savedLog: string | undefined;

beforeAll(() => {
  savedLog = process.env.CHECKPOINT_KIOSK_LOG;
  process.env.CHECKPOINT_KIOSK_LOG = 'silent';
});
afterAll(() => {
  if (savedLog === undefined) delete process.env.CHECKPOINT_KIOSK_LOG;
  else process.env.CHECKPOINT_KIOSK_LOG = savedLog;
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Fake = ReturnType<typeof fakeElectron> & { safeStorage?: ReturnType<typeof fakeSafeStorage> };

async function start(fake: Fake, argv: string[]) {
  await startElectronKiosk(fake as unknown as ElectronMain, { argv, env: {}, appRoot: '/app' });
  const win = fake.BrowserWindow.instances.at(-1)!;
  const call = async (method: string, args: unknown[] = []) =>
    (await fake.ipcMain.invoke({ sender: win.webContents, senderFrame: win.webContents.mainFrame }, IPC_CALL, method, args)) as { ok: boolean; value: Record<string, unknown> };
  const quit = async () => {
    fake.app.emit('before-quit', new FakeEvent());
    await waitFor(() => fake.app.quitCalls > 0, { timeoutMs: 10_000, what: 'the app to quit' });
  };
  return { win, call, quit };
}

describe('npm start without configuration', () => {
  it('opens the window on the technician setup with a fresh data dir under userData', async () => {
    const userData = tmp('el-user-');
    const fake: Fake = fakeElectron({ userData });
    const k = await start(fake, []);
    expect(k.win.loaded).toEqual(['app://kiosk/index.html']);
    const status = await k.call('getStatus');
    expect(status).toMatchObject({ ok: true, value: { needsSetup: true, delivery: { state: 'unknown' } } });
    expect(existsSync(path.join(userData, 'userData', 'data'))).toBe(true);
    await k.quit();
  });

  it('still opens the setup when the configured trust file and scanner cannot be used', async () => {
    const userData = tmp('el-user-');
    const fake: Fake = fakeElectron({ userData });
    const k = await start(fake, ['--trust', path.join(userData, 'missing.json'), '--scanner', 'sim:/nonexistent/scans.txt']);
    const status = await k.call('getStatus');
    expect(status).toMatchObject({ ok: true, value: { needsSetup: true, scanners: [] } });
    await k.quit();
  });
});

describe('token vault', () => {
  afterEach(() => undefined);
  const enrollmentJson = (token: string) => JSON.stringify({ serverUrl: 'http://127.0.0.1:1', deviceId: 'dev-1', token, trustKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, enrolledAt: '' });

  it('moves a plain token into safeStorage and back for exactly one read', () => {
    const dir = tmp('vault-');
    const settings = new Map<string, string>();
    const s = { getSetting: (k: string) => settings.get(k), setSetting: (k: string, v: string) => void settings.set(k, v) };
    const file = path.join(dir, 'enrollment.json');
    writeFileSync(file, enrollmentJson('secret-token-42'));
    const vault = createTokenVault({ safe: fakeSafeStorage(), settings: s, dataDir: dir, logger: silentLogger });
    expect(vault.seal()).toBe('sealed');
    expect(readFileSync(file, 'utf8')).not.toContain('secret-token-42');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ deviceId: 'dev-1', token: '' });
    expect(settings.get(TOKEN_SETTING)).toBeDefined();
    expect(vault.seal()).toBe('already-sealed');
    expect(vault.unsealForStartup()).toBe('unsealed');
    expect(JSON.parse(readFileSync(file, 'utf8')).token).toBe('secret-token-42');
    expect(vault.seal()).toBe('sealed');
    expect((readFileSync(file, 'utf8').match(/secret/g) ?? []).length).toBe(0);
  });

  it('keeps the 0600 file when safeStorage cannot encrypt, and sets a lost token aside', () => {
    const dir = tmp('vault-');
    const settings = new Map<string, string>();
    const s = { getSetting: (k: string) => settings.get(k), setSetting: (k: string, v: string) => void settings.set(k, v) };
    const file = path.join(dir, 'enrollment.json');
    writeFileSync(file, enrollmentJson('plain-token'));
    expect(createTokenVault({ safe: fakeSafeStorage(false), settings: s, dataDir: dir, logger: silentLogger }).seal()).toBe('unavailable');
    expect(createTokenVault({ safe: undefined, settings: s, dataDir: dir, logger: silentLogger }).seal()).toBe('unavailable');
    expect(JSON.parse(readFileSync(file, 'utf8')).token).toBe('plain-token');
    // Sealed, then the keyring forgets the key: the kiosk is no longer enrolled (not a 401 loop).
    writeFileSync(file, enrollmentJson(''));
    settings.set(TOKEN_SETTING, Buffer.from('not-decryptable').toString('base64'));
    expect(createTokenVault({ safe: fakeSafeStorage(), settings: s, dataDir: dir, logger: silentLogger }).unsealForStartup()).toBe('lost');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.lost`)).toBe(true);
  });
});

describe('enrollment from --server/--enroll under Electron', () => {
  let central: CentralServer;
  let centralDir: string;
  beforeAll(async () => {
    centralDir = tmp('el-central-');
    central = await startCentral({ dataDir: centralDir, port: 0, enrollmentCodes: ['EL-CODE-1', 'EL-CODE-2'], logger: silentLogger, clock: systemClock });
  });
  afterAll(async () => {
    await central?.close();
  });

  it('enrolls, keeps the token only encrypted, and forwards with it after a restart', async () => {
    const userData = tmp('el-user-');
    const dataDir = path.join(userData, 'kiosk');
    const scans = path.join(userData, 'scans.txt');
    writeFileSync(scans, '001085012345|123456789|Nguyen Van An|15031985|Nam|Ha Noi|10072021\n');
    const argv = ['--data-dir', dataDir, '--server', central.url, '--enroll', 'EL-CODE-1'];

    const first: Fake = { ...fakeElectron({ userData }), safeStorage: fakeSafeStorage() };
    const k1 = await start(first, argv);
    await waitFor(async () => (await k1.call('getStatus')).value.deviceId !== undefined && existsSync(path.join(dataDir, 'enrollment.json')) && JSON.parse(readFileSync(path.join(dataDir, 'enrollment.json'), 'utf8')).token === '', {
      timeoutMs: 10_000,
      what: 'enrollment and sealing',
    });
    await k1.quit();
    const file = JSON.parse(readFileSync(path.join(dataDir, 'enrollment.json'), 'utf8')) as { token: string; deviceId: string; serverUrl: string };
    expect(file).toMatchObject({ token: '', serverUrl: central.url });
    const store = openStore({ dir: dataDir, logger: silentLogger, clock: systemClock, dataKey: safeStorageDataKey({ safe: fakeSafeStorage(), dataDir, logger: silentLogger }) });
    const sealed = store.getSetting(TOKEN_SETTING);
    store.close();
    expect(sealed).toBeDefined();
    expect(fakeSafeStorage().decryptString(Buffer.from(sealed!, 'base64'))).toMatch(/\S{16,}/);

    // Second start: the same (spent) code is not replayed; a scan reaches the server with the sealed token.
    const second: Fake = { ...fakeElectron({ userData }), safeStorage: fakeSafeStorage() };
    const k2 = await start(second, [...argv, '--scanner', `sim:${scans}?intervalMs=0`]);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'enrollment.json'), 'utf8')).token).toBe('');
    const admin = { authorization: `Bearer ${readFileSync(path.join(centralDir, 'admin-token'), 'utf8').trim()}` };
    const received = async () => ((await (await fetch(`${central.url}/api/v1/stats`, { headers: admin })).json()) as { checkinsToday: number }).checkinsToday;
    await waitFor(async () => (await received()) === 1, { timeoutMs: 15_000, intervalMs: 100, what: 'the scan to reach the central server' });
    expect((await k2.call('getStatus')).value.delivery).toMatchObject({ state: 'online', queueDepth: 0 });
    await k2.quit();
  }, 40_000);

  it('takes several --server nodes, like run, and fails over past one that is down', async () => {
    const userData = tmp('el-user-');
    const dataDir = path.join(userData, 'kiosk');
    const scans = path.join(userData, 'scans.txt');
    writeFileSync(scans, '001085012399|123456789|Nguyen Van Binh|15031985|Nam|Ha Noi|10072021\n');
    const admin = { authorization: `Bearer ${readFileSync(path.join(centralDir, 'admin-token'), 'utf8').trim()}` };
    const received = async () => ((await (await fetch(`${central.url}/api/v1/stats`, { headers: admin })).json()) as { checkinsToday: number }).checkinsToday;
    const before = await received();
    // The first node refuses connections (port 1); the second is the real server (comma form).
    const argv = ['--data-dir', dataDir, '--server', `http://127.0.0.1:1,${central.url}`, '--enroll', 'EL-CODE-2', '--scanner', `sim:${scans}?intervalMs=0`];
    const fake: Fake = { ...fakeElectron({ userData }), safeStorage: fakeSafeStorage() };
    const k = await start(fake, argv);
    await waitFor(async () => (await received()) === before + 1, { timeoutMs: 20_000, intervalMs: 100, what: 'the scan to reach the second node' });
    await k.quit();
  }, 40_000);
});

describe('Electron command line', () => {
  it('reads repeated and comma-separated --server values in order, without repeats, and sets aside what is not a URL', () => {
    const a = parseElectronArgs(['--server', 'http://a.example:8080', '--server', 'https://b.example, http://a.example:8080', '--server', 'ftp://c.example'], {});
    expect(a.servers).toEqual(['http://a.example:8080', 'https://b.example']);
    expect(a.badServers).toEqual(['ftp://c.example']);
    expect(parseElectronArgs([], {}).servers).toEqual([]);
    const many = Array.from({ length: 18 }, (_, i) => `--server=http://n${i}.example`);
    const m = parseElectronArgs(many, {});
    expect(m.servers).toHaveLength(16);
    expect(m.badServers).toEqual(['http://n16.example', 'http://n17.example']);
  });
});
