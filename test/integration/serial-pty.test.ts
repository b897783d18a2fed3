/**
 * The serial driver on real ptys (socat) with the real serialport 13 binding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createScanner } from '../../drivers/factory.js';
import type { DriverDeps, ScannerDriver } from '../../drivers/types.js';
import type { ScanEvent } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import { startPtyPair, waitFor, type PtyPair } from '../helpers/pty.js';

const logLines: string[] = [];
const logger: Logger = {
  debug: () => undefined,
  info: (msg) => void logLines.push(msg),
  warn: (msg) => void logLines.push(msg),
  error: (msg) => void logLines.push(msg),
  child: () => logger,
};
const deps: DriverDeps = {
  clock: { now: () => Date.now() },
  timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  logger,
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function setup(query = 'idleMs=0') {
  const pty = await startPtyPair();
  cleanups.push(() => pty.close());
  const driver = await createScanner(`serial:${pty.devicePath}?baud=115200&${query}`, deps);
  cleanups.push(() => driver.close());
  const scans: ScanEvent[] = [];
  let disconnects = 0;
  driver.on('scan', (s) => scans.push(s));
  driver.on('disconnected', () => disconnects++);
  await driver.open();
  expect(driver.status().state).toBe('connected');
  const shown = () => scans.map((s) => (s.fault ? `<${s.fault}>` : s.text));
  const waitScans = (n: number, what = `${n} scans`) => waitFor(() => scans.length >= n, { what, timeoutMs: 10_000 });
  return { pty, driver, scans, shown, waitScans, disconnects: () => disconnects };
}

/** Deterministic PRNG (mulberry32) so a failing random split can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomSplits(bytes: Buffer, random: () => number): Buffer[] {
  const out: Buffer[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = 1 + Math.floor(random() * 12);
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

const SCANS = ['079203012345|123456789|Nguyễn Văn Ánh|01011990|Nam|Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội|15082021', 'HC1:NCFOXN%TS3DH3ZSUZK+.V0ETD%65NL-AH', 'plain-ascii-0001'];

describe('serial driver on a real pty', () => {
  it('delivers scans with status and source fields', async () => {
    const { pty, driver, scans, waitScans } = await setup();
    await pty.write(`${SCANS[0]}\r\n`);
    await waitScans(1);
    expect(scans[0]).toMatchObject({ source: 'serial', deviceId: `serial:${pty.devicePath}`, text: SCANS[0] });
    expect(Buffer.from(scans[0]?.bytes ?? []).toString('utf8')).toBe(SCANS[0]);
    expect(driver.status()).toMatchObject({ state: 'connected', reads: 1, errors: 0 });
    expect(Date.parse(driver.status().lastReadAt ?? '')).toBe(scans[0]?.receivedAt);
  });

  it('frames writes split byte by byte and at random offsets, with mixed terminators', async () => {
    const { pty, shown, waitScans } = await setup();
    const message = Buffer.from(`${SCANS[0]}\r${SCANS[1]}\n${SCANS[2]}\r\n\r\n${SCANS[0]}\n`, 'utf8');
    await pty.writeChunks([...message].map((b) => Uint8Array.of(b)));
    await waitScans(4, 'byte-by-byte scans');
    const random = rng(20210915);
    for (let round = 0; round < 5; round++) await pty.writeChunks(randomSplits(message, random));
    await waitScans(24, 'randomly split scans');
    const once = [SCANS[0], SCANS[1], SCANS[2], SCANS[0]];
    expect(shown()).toEqual(Array.from({ length: 6 }, () => once).flat());
  });

  it('a 64 KiB line without terminator gives one too-large fault, then the next scan arrives', async () => {
    const { pty, shown, waitScans, scans } = await setup();
    await pty.write(Buffer.alloc(64 * 1024, 0x41));
    await pty.write(`\r\n${SCANS[2]}\r\n`);
    await waitScans(2);
    expect(shown()).toEqual(['<too-large>', SCANS[2]]);
    expect(scans[0]?.text).toBe('');
  });

  it('ends unterminated scans by the inter-byte timeout, including an oversize one', async () => {
    const { pty, shown, waitScans } = await setup('idleMs=150');
    await pty.write(Buffer.alloc(64 * 1024, 0x42));
    await waitScans(1, 'the too-large fault');
    await pty.write(SCANS[1] as string);
    await waitScans(2, 'the unterminated scan');
    expect(shown()).toEqual(['<too-large>', SCANS[1]]);
  });

  it('reports binary garbage as unreadable and keeps working', async () => {
    const { pty, driver, shown, waitScans, scans } = await setup();
    const garbage = Buffer.from([0x80, 0xff, 0xfe, 0x00, 0x11, 0x13, 0xc3, 0x28, 0xe2, 0x82]);
    await pty.write(Buffer.concat([garbage, Buffer.from(`\n${SCANS[2]}\n`)]));
    await waitScans(2);
    expect(shown()).toEqual(['<unreadable>', SCANS[2]]);
    // Trimming removed the NUL and XON/XOFF only at the edges; the bad bytes are kept as they came.
    expect([...(scans[0]?.bytes ?? [])]).toEqual([...garbage]);
    expect(driver.status()).toMatchObject({ state: 'connected', reads: 2, errors: 1 });
  });

  it('after an unplug reports disconnected, reconnects by itself on replug, and scans resume', async () => {
    const { pty, driver, shown, waitScans, disconnects } = await setup();
    await pty.write('before\r\n');
    await waitScans(1);
    for (let cycle = 1; cycle <= 2; cycle++) {
      await pty.write('half-a-scan-from-a-yanked-cable');
      await pty.unplug();
      await waitFor(() => driver.status().state === 'disconnected', { what: 'disconnected state' });
      expect(disconnects()).toBe(cycle);
      await pty.replug();
      await waitFor(() => driver.status().state === 'connected', { what: 'reconnect after replug', timeoutMs: 15_000 });
      expect(driver.status().lastError).toBeUndefined();
      await pty.write(`after-replug-${cycle}\r\n`);
      await waitScans(1 + cycle, `scan after replug ${cycle}`);
    }
    expect(shown()).toEqual(['before', 'after-replug-1', 'after-replug-2']);
    expect(disconnects()).toBe(2);
  });

  it('starts without the device, keeps retrying, and connects when it appears', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pty-late-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const driver: ScannerDriver = await createScanner(`serial:${path.join(dir, 'device')}?idleMs=0`, deps);
    cleanups.push(() => driver.close());
    const texts: string[] = [];
    driver.on('scan', (s) => texts.push(s.text));
    await driver.open();
    expect(driver.status().state).toBe('disconnected');
    expect(driver.status().lastError).toMatch(/no such file|ENOENT|cannot open/i);
    const pty: PtyPair = await startPtyPair({ dir });
    cleanups.push(() => pty.close());
    await waitFor(() => driver.status().state === 'connected', { what: 'connect once the device exists', timeoutMs: 15_000 });
    await pty.write('late-device-scan\n');
    await waitFor(() => texts.length === 1, { what: 'the scan' });
    expect(texts).toEqual(['late-device-scan']);
  });

  it('close() releases the port: another opener can take it, and no reconnect follows', async () => {
    const { pty, driver } = await setup();
    await driver.close();
    expect(driver.status().state).toBe('closed');
    const again = await createScanner(`serial:${pty.devicePath}?idleMs=0`, deps);
    cleanups.push(() => again.close());
    const texts: string[] = [];
    again.on('scan', (s) => texts.push(s.text));
    await again.open();
    expect(again.status().state).toBe('connected');
    await pty.write('second-owner\n');
    await waitFor(() => texts.length === 1, { what: 'scan on the second driver' });
    expect(driver.status().state).toBe('closed');
  });
});
