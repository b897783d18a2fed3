/**
 * The Electron shell's data key (safeStorage-sealed data-key.json) with the fake safeStorage and
 * real kiosk.db files: sealed at creation, a plain key from `checkpoint-kiosk run` upgraded in
 * place, the 0600 fallback without a keyring, clear errors when the keyring cannot open it, and the
 * wiring in startElectronKiosk.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { safeStorageDataKey } from '../../src/electron/data-key-vault.js';
import { startElectronKiosk, type ElectronMain } from '../../src/electron/main.js';
import { DATA_KEY_FILE } from '../../src/store/data-key.js';
import { openStore, StoreError } from '../../src/store/index.js';
import { jsonLogger, silentLogger, systemClock } from '../../src/core/system.js';
import { FakeEvent, fakeElectron, fakeSafeStorage } from '../fakes/fake-electron.js';
import { waitFor } from '../helpers/pty.js';

const dirs: string[] = [];
const tmp = () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'el-key-'));
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
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const keyFile = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, DATA_KEY_FILE), 'utf8')) as Record<string, string>;
const subject = { idType: 'cccd' as const, idNo: '079090000042', name: 'PHẠM THỊ HƯƠNG' };
const checkIn = (id: string) => ({ id, deviceId: 'd', checkpointId: 'c', direction: 'in' as const, scannedAt: '2026-11-25T08:00:00.000Z', format: 'cccd' as const, verdict: 'accept' as const, reasons: [], subject });

function openWith(dir: string, safe: ReturnType<typeof fakeSafeStorage> | undefined, logs?: string[]) {
  const logger = logs ? jsonLogger({ level: 'info', write: (l) => logs.push(l) }) : silentLogger;
  return openStore({ dir, logger, clock: systemClock, dataKey: safeStorageDataKey({ safe, dataDir: dir, logger }) });
}

describe('safeStorageDataKey', () => {
  it('creates the key sealed by safeStorage and reads it back across restarts', () => {
    const dir = tmp();
    const s1 = openWith(dir, fakeSafeStorage());
    s1.record(checkIn('a'));
    s1.close();
    const file = keyFile(dir);
    expect(file.kind).toBe('safe-storage');
    expect(file.key).toBeUndefined();
    expect(fs.statSync(path.join(dir, DATA_KEY_FILE)).mode & 0o777).toBe(0o600);
    const s2 = openWith(dir, fakeSafeStorage());
    expect(s2.get('a')?.subject).toEqual(subject);
    s2.close();
    // Plain Node cannot use a keyring-sealed key: a clear refusal, not a new key.
    expect(() => openStore({ dir, logger: silentLogger, clock: systemClock })).toThrow(/sealed by the desktop keyring/);
  });

  it('seals a plain key left by `checkpoint-kiosk run` on first use, keeping the data readable', () => {
    const dir = tmp();
    const plain = openStore({ dir, logger: silentLogger, clock: systemClock });
    plain.record(checkIn('b'));
    plain.close();
    const before = keyFile(dir);
    expect(before.kind).toBe('plain');
    const logs: string[] = [];
    const s = openWith(dir, fakeSafeStorage(), logs);
    expect(s.get('b')?.subject).toEqual(subject);
    s.close();
    const after = keyFile(dir);
    expect(after.kind).toBe('safe-storage');
    expect(JSON.stringify(after)).not.toContain(before.key!);
    expect(logs.some((l) => l.includes('data key sealed with safeStorage'))).toBe(true);
  });

  it('keeps a 0600 plain key when safeStorage cannot encrypt, and says so', () => {
    const dir = tmp();
    const logs: string[] = [];
    openWith(dir, fakeSafeStorage(false), logs).close();
    expect(keyFile(dir).kind).toBe('plain');
    expect(fs.statSync(path.join(dir, DATA_KEY_FILE)).mode & 0o777).toBe(0o600);
    expect(logs.some((l) => l.includes('data key kept in data-key.json'))).toBe(true);
  });

  it('refuses, naming the file, when the keyring is unavailable or cannot decrypt the key', () => {
    const dir = tmp();
    openWith(dir, fakeSafeStorage()).close();
    const locked = (() => {
      try {
        openWith(dir, fakeSafeStorage(false));
      } catch (err) {
        return err;
      }
    })();
    expect(locked).toBeInstanceOf(StoreError);
    expect(locked).toMatchObject({ code: 'key' });
    expect((locked as Error).message).toMatch(/not available now/);

    const otherKeyring = { ...fakeSafeStorage(), decryptString: () => { throw new Error('bad'); } };
    expect(() => openWith(dir, otherKeyring)).toThrow(/cannot decrypt it/);
    // Nothing was replaced on the way.
    expect(keyFile(dir).kind).toBe('safe-storage');
  });
});

describe('startElectronKiosk', () => {
  it('opens the store with the safeStorage-sealed data key', async () => {
    const userData = tmp();
    const dataDir = path.join(userData, 'kiosk');
    const fake = { ...fakeElectron({ userData }), safeStorage: fakeSafeStorage() };
    await startElectronKiosk(fake as unknown as ElectronMain, { argv: ['--data-dir', dataDir], env: {}, appRoot: '/app' });
    fake.app.emit('before-quit', new FakeEvent());
    await waitFor(() => fake.app.quitCalls > 0, { timeoutMs: 10_000, what: 'the app to quit' });
    expect(keyFile(dataDir).kind).toBe('safe-storage');
  });
});
