/**
 * Test helper: a virtual serial cable made of a socat pty pair (docs/SCANNERS.md).
 *
 *   const pty = await startPtyPair();          // links in a fresh temp dir
 *   // open pty.devicePath with the real serialport (the scanner side seen by the kiosk)
 *   await pty.write('SCAN\r\n');               // bytes arrive on devicePath
 *   await pty.unplug();                        // SIGKILL socat: serialport sees close(disconnected)
 *   await pty.replug();                        // new socat on the SAME link paths
 *   await pty.close();                         // kill socat, remove links and the temp dir
 *
 * - devicePath / hostPath are symlinks to /dev/pts/N made by socat (`link=`); they stay behind
 *   after SIGKILL, so unplug() and replug() always unlink stale links first.
 * - write() goes through one fd on hostPath kept open while plugged (closing the last fd of a
 *   pty slave makes socat see EOF and quit), and writes asynchronously on libuv's threadpool so a
 *   large write never blocks the event loop of a driver under test in the same process.
 * - waitFor() polls a condition until a deadline: use it instead of fixed sleeps.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants as fsConstants, existsSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface PtyPair {
  /** The end the code under test opens (what a scanner's /dev/ttyACM0 would be). */
  readonly devicePath: string;
  /** The far end the test writes scans into. */
  readonly hostPath: string;
  /** Temp dir holding both links. */
  readonly dir: string;
  readonly plugged: boolean;
  /** Writes bytes (string = UTF-8) to the far end; resolves when the kernel took them. */
  write(data: string | Uint8Array): Promise<void>;
  /** Writes each chunk with its own write() call, in order. */
  writeChunks(chunks: Iterable<string | Uint8Array>): Promise<void>;
  /** Kills socat with SIGKILL (a yanked cable) and removes the stale links. */
  unplug(): Promise<void>;
  /** Starts socat again on the same link paths and reopens the far end. */
  replug(): Promise<void>;
  /** Unplugs if needed and deletes the temp dir. Idempotent. */
  close(): Promise<void>;
}

export interface StartPtyOptions {
  /** Directory for the links; default a fresh fs.mkdtempSync(os.tmpdir()/pty-). */
  dir?: string;
  /** How long to wait for socat to come up, ms. Default 5000. */
  startTimeoutMs?: number;
}

export async function startPtyPair(options: StartPtyOptions = {}): Promise<PtyPair> {
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? mkdtempSync(path.join(os.tmpdir(), 'pty-'));
  const devicePath = path.join(dir, 'device');
  const hostPath = path.join(dir, 'host');
  const startTimeoutMs = options.startTimeoutMs ?? 5000;
  let child: ChildProcess | undefined;
  let host: FileHandle | undefined;
  let closed = false;

  const unlinkLinks = () => {
    for (const p of [devicePath, hostPath]) {
      try {
        unlinkSync(p);
      } catch {
        // not there: fine
      }
    }
  };

  const plug = async () => {
    unlinkLinks();
    let stderr = '';
    const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${devicePath}`, `pty,raw,echo=0,link=${hostPath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child = proc;
    proc.stderr?.setEncoding('utf8');
    proc.stderr?.on('data', (s: string) => {
      // Only the start-up messages matter; keep the buffer bounded.
      if (stderr.length < 10_000) stderr += s;
    });
    let exited = false;
    proc.once('exit', () => (exited = true));
    proc.once('error', () => (exited = true));
    await waitFor(() => exited || (stderr.includes('starting data transfer loop') && existsSync(devicePath) && existsSync(hostPath)), {
      timeoutMs: startTimeoutMs,
      what: 'socat to create the pty pair',
    });
    if (exited) throw new Error(`socat exited during start-up: ${stderr.trim().slice(0, 500)}`);
    // O_NOCTTY: the pty must never become this process's controlling terminal, or killing socat
    // would hang up (SIGHUP) the test runner.
    host = await open(hostPath, fsConstants.O_RDWR | fsConstants.O_NOCTTY);
  };

  const unplug = async () => {
    const proc = child;
    child = undefined;
    const h = host;
    host = undefined;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGKILL');
      await gone;
    }
    await h?.close().catch(() => undefined);
    unlinkLinks();
  };

  await plug();

  const pair: PtyPair = {
    devicePath,
    hostPath,
    dir,
    get plugged() {
      return child !== undefined;
    },
    async write(data) {
      if (!host) throw new Error('pty is unplugged');
      const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < buf.length) {
        const { bytesWritten } = await host.write(buf, off, buf.length - off);
        off += bytesWritten;
      }
    },
    async writeChunks(chunks) {
      for (const c of chunks) await pair.write(c);
    },
    unplug,
    async replug() {
      if (child) throw new Error('pty is already plugged');
      await plug();
    },
    async close() {
      if (closed) return;
      closed = true;
      await unplug();
      if (ownDir) rmSync(dir, { recursive: true, force: true });
    },
  };
  return pair;
}

export interface WaitForOptions {
  /** Deadline in ms. Default 5000. */
  timeoutMs?: number;
  /** Poll period in ms. Default 10. */
  intervalMs?: number;
  /** Named in the timeout error: "timed out after 5000 ms waiting for <what>". */
  what?: string;
}

/**
 * Polls `condition` until it returns a truthy value (which is returned) or the deadline passes
 * (rejects naming `what`). The condition may be async; exceptions from it propagate at once.
 */
export async function waitFor<T>(condition: () => T | Promise<T>, options: WaitForOptions = {}): Promise<NonNullable<T>> {
  const timeoutMs = options.timeoutMs ?? 5000;
  const intervalMs = options.intervalMs ?? 10;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${options.what ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
