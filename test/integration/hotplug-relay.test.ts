/**
 * The LC-Tech serial relay through a real socat pty pair with the real serialport binding: the
 * exact frames read on the far end, and a relay unplugged and replugged (the next pulse reopens
 * it; the pulse while it is away is counted, never thrown).
 */
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutput } from '../../drivers/outputs/factory.js';
import type { DriverDeps } from '../../drivers/types.js';
import type { Logger } from '../../src/shared/ports.js';
import { startPtyPair, waitFor } from '../helpers/pty.js';

const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => logger };
const deps: DriverDeps = {
  clock: { now: () => Date.now() },
  timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  logger,
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** Opens the far end of the cable and collects every byte the relay output sends. */
async function farEnd(path: string): Promise<{ bytes: number[]; close: () => Promise<void> }> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const bytes: number[] = [];
  port.on('data', (chunk: Buffer) => bytes.push(...chunk));
  port.on('error', () => undefined);
  return {
    bytes,
    close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}

const hex = (bytes: number[]) => bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');

describe('serial relay on a real pty', () => {
  it('sends OFF at start, then ON and OFF frames for a pulse; survives an unplug and reopens after the replug', async () => {
    const pty = await startPtyPair();
    cleanups.push(() => pty.close());
    let far = await farEnd(pty.hostPath);
    cleanups.push(() => far.close());
    const relay = await createOutput(`serial-relay:${pty.devicePath}?channel=2&pulseMs=50&protocol=lctech`, deps);
    cleanups.push(() => relay.close());

    await relay.open();
    await waitFor(() => far.bytes.length >= 4, { what: 'the OFF frame at start' });
    await relay.pulse('reject'); // not configured: no frame
    await relay.pulse('accept');
    await waitFor(() => far.bytes.length >= 12, { what: 'ON and OFF frames' });
    expect(hex(far.bytes)).toBe('a0 02 00 a2 a0 02 01 a3 a0 02 00 a2');
    expect(relay.stats()).toMatchObject({ pulses: 1, errors: 0 });

    await far.close();
    await pty.unplug();
    await expect(relay.pulse('accept')).resolves.toBeUndefined();
    await waitFor(() => relay.stats().errors >= 1, { what: 'the failed pulse to be counted' });

    await pty.replug();
    far = await farEnd(pty.hostPath);
    await relay.pulse('accept');
    await waitFor(() => far.bytes.length >= 8, { what: 'frames after the replug' });
    expect(hex(far.bytes)).toBe('a0 02 01 a3 a0 02 00 a2');
    expect(relay.stats().lastError).toBeDefined();
  });

  it('says in plain words why it cannot open: a port another program holds, a path that does not exist', async () => {
    const pty = await startPtyPair();
    cleanups.push(() => pty.close());
    // Another program holds the relay's port (serialport's flock).
    const holder = await farEnd(pty.devicePath);
    cleanups.push(() => holder.close());
    const relay = await createOutput(`serial-relay:${pty.devicePath}?pulseMs=50`, deps);
    cleanups.push(() => relay.close());
    await relay.open();
    await relay.pulse('accept');
    await waitFor(() => relay.stats().errors >= 1, { what: 'the refused open to be counted' });
    expect(relay.stats().lastError).toBe(`cannot open ${pty.devicePath}: another program holds it (the port is locked): stop that program (a second kiosk, screen, minicom, ModemManager) or choose another port; tried again at each pulse`);

    const missing = `${pty.dir}/ttyNOTHERE`;
    const gone = await createOutput(`serial-relay:${missing}?pulseMs=50`, deps);
    cleanups.push(() => gone.close());
    await gone.open();
    await gone.pulse('accept');
    await waitFor(() => gone.stats().errors >= 1, { what: 'the missing port to be counted' });
    expect(gone.stats().lastError).toMatch(new RegExp(`^cannot open ${missing}: it does not exist: the relay board is unplugged or has another name`));
  });
});
