/**
 * What `run` says when a serial scanner cannot be used, on real ptys (socat) and the real
 * serialport binding: a port another program holds (serialport's flock), a path that does not
 * exist, and a scanner whose far end goes away. Each `error` is a plain message with the fix;
 * `errorCode` keeps the original errno name.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliProcess, type JsonLine } from '../helpers/cli.js';
import { startPtyPair, type PtyPair } from '../helpers/pty.js';

let dir: string;
const stops: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-serial-err-'));
});
afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  rmSync(dir, { recursive: true, force: true });
});

function run(name: string, scanner: string): CliProcess {
  const p = startCli(['run', '--data-dir', join(dir, name), '--scanner', scanner]);
  stops.push(async () => {
    p.child.kill('SIGTERM');
    await p.exited;
  });
  return p;
}

const disconnected = (l: JsonLine) => l.event === 'scanner' && l.state === 'disconnected' && typeof l.error === 'string';

describe('run: serial errors in plain words', () => {
  it('a port held by another program: says so and what to stop (EAGAIN), then connects once it is free', async () => {
    const pty: PtyPair = await startPtyPair();
    stops.push(() => pty.close());
    const holder = new SerialPort({ path: pty.devicePath, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => holder.open((err) => (err ? reject(err) : resolve())));
    const p = run('held', `serial:${pty.devicePath}`);
    const line = await p.waitFor(disconnected, 20_000);
    expect(line.error).toBe(`cannot open ${pty.devicePath}: another program holds it (the port is locked): stop that program (a second kiosk, screen, minicom, ModemManager) or choose another port; retrying`);
    expect(line.errorCode).toBe('EAGAIN');
    await new Promise<void>((resolve) => holder.close(() => resolve()));
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'connected', 20_000);
  });

  it('a path that does not exist: unplugged or another name, with where to look (ENOENT)', async () => {
    const missing = join(dir, 'ttyNOTHERE');
    const p = run('missing', `serial:${missing}`);
    const line = await p.waitFor(disconnected, 20_000);
    expect(line.error).toBe(`cannot open ${missing}: it does not exist: the scanner is unplugged or has another name (\`checkpoint-kiosk devices\` lists them; /dev/serial/by-id/… names stay the same); retrying until it appears`);
    expect(line.errorCode).toBe('ENOENT');
  });

  it('a scanner whose far end goes away: unplugged or a loose cable, reconnecting by itself', async () => {
    const pty: PtyPair = await startPtyPair();
    stops.push(() => pty.close());
    const p = run('unplug', `serial:${pty.devicePath}`);
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'connected', 20_000);
    await pty.unplug();
    const line = await p.waitFor(disconnected, 20_000);
    expect(line.error).toBe(`${pty.devicePath} went away: the scanner was unplugged or its cable came loose; it reconnects by itself when plugged back`);
    // serialport's close on a pty (EBADF) or the presence watchdog (ENOENT), whichever sees it first.
    expect(line.errorCode).toMatch(/^(EBADF|ENOENT|EIO)$/);
  });
});
