/**
 * Hot-plug through the DeviceManager on real ptys (socat) with the real serialport binding and
 * real timers: two serial scanners, one unplugged and replugged while the other keeps scanning;
 * and a scanner plugged in after start found by rediscovery (`auto`), closed when gone, found again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DeviceManager } from '../../drivers/manager/device-manager.js';
import type { DriverDeps } from '../../drivers/types.js';
import type { ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import { startPtyPair, waitFor } from '../helpers/pty.js';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };
const deps: DriverDeps = {
  clock: { now: () => Date.now() },
  timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  logger,
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

function record(manager: DeviceManager) {
  const scans = new Map<string, string[]>();
  const statuses: ScannerStatus[] = [];
  manager.on('scan', (s: ScanEvent) => {
    const list = scans.get(s.deviceId) ?? [];
    list.push(s.fault ? `<${s.fault}>` : s.text);
    scans.set(s.deviceId, list);
  });
  manager.on('status', (s) => statuses.push(s));
  return { scans: (id: string) => scans.get(id) ?? [], statuses };
}

describe('hot-plug through the device manager (socat ptys)', () => {
  it('one scanner unplugged and replugged while the other keeps scanning: both streams complete and in order', async () => {
    const a = await startPtyPair();
    cleanups.push(() => a.close());
    const b = await startPtyPair();
    cleanups.push(() => b.close());
    const manager = new DeviceManager({ uris: [`serial:${a.devicePath}?baud=115200&idleMs=0`, `serial:${b.devicePath}?baud=115200&idleMs=0`], deps });
    cleanups.push(() => manager.close());
    const rec = record(manager);
    const idA = `serial:${a.devicePath}`;
    const idB = `serial:${b.devicePath}`;
    const stateOf = (id: string) => manager.health().find((h) => h.deviceId === id)?.state;
    await manager.open();
    expect(manager.health().map((h) => [h.deviceId, h.state])).toEqual([
      [idA, 'connected'],
      [idB, 'connected'],
    ]);

    // Scanner A scans steadily (with a Vietnamese ID card QR among them) for the whole test.
    const writtenA: string[] = [];
    let stopA = false;
    const writerA = (async () => {
      for (let i = 0; !stopA || i < 40; i++) {
        const text = i % 10 === 3 ? `079203012345|Nguyễn Văn Ánh|${i}` : `A-${String(i).padStart(4, '0')}`;
        writtenA.push(text);
        await a.write(`${text}\r\n`);
        await sleep(15);
      }
    })();

    const before = ['B-pre-1', 'B-pre-2', 'B-pre-3'];
    for (const t of before) await b.write(`${t}\r`);
    await waitFor(() => rec.scans(idB).length === before.length, { what: 'B scans before the unplug', timeoutMs: 10_000 });

    await b.unplug();
    await waitFor(() => stateOf(idB) === 'disconnected', { what: 'B seen as disconnected', timeoutMs: 10_000 });
    const aWhenBLeft = writtenA.length;
    await sleep(300); // stay unplugged a moment while A goes on
    await b.replug();
    await waitFor(() => stateOf(idB) === 'connected', { what: 'B reconnected by itself', timeoutMs: 15_000 });
    const aWhenBCame = writtenA.length;

    const after = Array.from({ length: 10 }, (_, i) => `B-post-${i + 1}`);
    for (const t of after) await b.write(`${t}\n`);
    await waitFor(() => rec.scans(idB).length === before.length + after.length, { what: 'B scans after the replug', timeoutMs: 10_000 });

    stopA = true;
    await writerA;
    await waitFor(() => rec.scans(idA).length === writtenA.length, { what: `all ${writtenA.length} A scans`, timeoutMs: 10_000 });

    expect(rec.scans(idA)).toEqual(writtenA);
    expect(rec.scans(idB)).toEqual([...before, ...after]);
    // A never flickered; B went away once and came back, and the manager counted the loss.
    // A kept scanning while B was away.
    expect(aWhenBCame).toBeGreaterThan(aWhenBLeft);
    // (A status is re-sent when only its lastError changes: compare the state sequences.)
    const states = (id: string) => rec.statuses.filter((s) => s.deviceId === id).map((s) => s.state).filter((st, i, all) => st !== all[i - 1]);
    expect(states(idA)).toEqual(['connected']);
    expect(states(idB)).toEqual(['connected', 'disconnected', 'connected']);
    const healthB = manager.health().find((h) => h.deviceId === idB);
    expect(healthB?.errorsPerMinute).toBeGreaterThanOrEqual(1);
    expect(healthB?.reads).toBe(before.length + after.length);
    expect(manager.health().find((h) => h.deviceId === idA)?.reads).toBe(writtenA.length);
  });

  it('auto: a scanner plugged in after start is found by rediscovery, closed when gone, found again', async () => {
    const pty = await startPtyPair();
    cleanups.push(() => pty.close());
    await pty.unplug(); // not there when the kiosk starts
    let plugged = false;
    const uri = `serial:${pty.devicePath}?idleMs=0`;
    const manager = new DeviceManager({
      uris: ['auto'],
      deps,
      rediscoverMs: 100,
      retireAfterMisses: 3,
      discover: async () => ({ uris: plugged ? [uri] : [] }),
    });
    cleanups.push(() => manager.close());
    const rec = record(manager);
    const id = `serial:${pty.devicePath}`;
    await manager.open();
    expect(manager.health()).toEqual([]);
    expect(manager.status().state).toBe('disconnected');

    await pty.replug();
    plugged = true;
    await waitFor(() => manager.health()[0]?.state === 'connected', { what: 'the new scanner opened', timeoutMs: 10_000 });
    expect(manager.health()[0]).toMatchObject({ deviceId: id, origin: 'auto' });
    await pty.write('first\r\n');
    await waitFor(() => rec.scans(id).length === 1, { what: 'a scan from the new scanner', timeoutMs: 10_000 });

    await pty.unplug();
    plugged = false;
    await waitFor(() => manager.health().length === 0, { what: 'the vanished scanner to be closed', timeoutMs: 15_000 });

    await pty.replug();
    plugged = true;
    await waitFor(() => manager.health()[0]?.state === 'connected', { what: 'the scanner found again', timeoutMs: 10_000 });
    await pty.write('second\r\n');
    await waitFor(() => rec.scans(id).length === 2, { what: 'a scan after it was found again', timeoutMs: 10_000 });
    expect(rec.scans(id)).toEqual(['first', 'second']);
    expect(manager.health()).toHaveLength(1);
  });
});
