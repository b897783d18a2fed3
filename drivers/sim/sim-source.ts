/**
 * Scanner simulator: `sim:FILE` replays a text file of scans, one per line.
 *
 * File format: UTF-8, one scan per line (CR, LF or CRLF). Blank lines and lines whose first
 * non-blank character is '#' are comments and are skipped (a real scan starting with '#' cannot be
 * simulated; no credential format we read starts with one). Each line goes through the same
 * LineFramer as a real scanner, so an over-long line or invalid UTF-8 in the file produces the same
 * `too-large` / `unreadable` scan a real scanner would.
 *
 * Timing: the first scan is emitted right after open() (on the next timer tick), then one every
 * `intervalMs` milliseconds. With `loop` the file starts over after the last scan; otherwise the
 * state becomes `closed` when all scans were emitted. receivedAt is stamped when a scan is emitted.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DriverDeps, ScannerDriver } from '../types.js';
import { FramedScanner } from '../framing/framed-scanner.js';
import { LineFramer, type Frame } from '../framing/line-framer.js';

/** Largest simulator file accepted, in bytes. */
export const MAX_SIM_FILE_BYTES = 16 * 1024 * 1024;

export interface SimSourceOptions {
  file: string;
  /** Delay between scans in ms (0: as fast as the event loop allows). */
  intervalMs: number;
  loop: boolean;
  maxLineBytes: number;
  /** Default `sim:<file>`. */
  uri?: string;
  /** Device id instead of `sim:BASENAME` (another configured scanner has that one). */
  deviceId?: string;
}

export class SimScanSource extends FramedScanner implements ScannerDriver {
  private readonly options: SimSourceOptions;
  private frames: Frame[] = [];
  private next = 0;
  private timer: unknown = undefined;
  private started = false;
  private done = false;

  constructor(options: SimSourceOptions, deps: DriverDeps) {
    super('sim', options.deviceId ?? `sim:${path.basename(options.file)}`, options.uri ?? `sim:${options.file}`, deps);
    this.options = options;
  }

  /**
   * Reads the file; rejects with a message naming the file when it cannot be used, and the source
   * is then `closed` with that message (a file never appears by itself: nothing to retry).
   */
  async open(): Promise<void> {
    if (this.started) return;
    this.started = true;
    try {
      this.frames = await loadScans(this.options.file, this.options.maxLineBytes, this.deps);
    } catch (err) {
      if (!this.done) {
        this.done = true;
        this.setState('closed', (err as Error).message);
      }
      throw err;
    }
    if (this.done) return;
    this.setState('connected');
    this.deps.logger.child('sim').info('simulator ready', { deviceId: this.deviceId, scans: this.frames.length, loop: this.options.loop });
    this.schedule(0);
  }

  close(): Promise<void> {
    this.finish();
    return Promise.resolve();
  }

  /** Number of scans the file holds (comments excluded). */
  get scanCount(): number {
    return this.frames.length;
  }

  private schedule(delayMs: number): void {
    if (this.done) return;
    if (this.next >= this.frames.length) {
      if (!this.options.loop || this.frames.length === 0) {
        this.finish();
        return;
      }
      this.next = 0;
    }
    this.timer = this.deps.timers.setTimeout(() => {
      this.timer = undefined;
      const frame = this.frames[this.next++] as Frame;
      // A fresh copy of the bytes per emission: a consumer may keep or wipe them.
      const copy: Frame = { ...frame, receivedAt: this.deps.clock.now() };
      if (frame.bytes) copy.bytes = frame.bytes.slice();
      this.deliver(copy);
      this.schedule(this.options.intervalMs);
    }, delayMs);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    if (this.timer !== undefined) this.deps.timers.clearTimeout(this.timer);
    this.timer = undefined;
    this.setState('closed');
  }
}

async function loadScans(file: string, maxLineBytes: number, deps: DriverDeps): Promise<Frame[]> {
  let data: Buffer;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > MAX_SIM_FILE_BYTES) throw new Error(`larger than ${MAX_SIM_FILE_BYTES} bytes`);
    data = await readFile(file);
  } catch (err) {
    const detail = err instanceof Error ? ((err as NodeJS.ErrnoException).code ?? err.message) : String(err);
    throw new Error(`sim: cannot read scan file "${file}": ${detail}`, { cause: err });
  }
  const frames: Frame[] = [];
  const framer = new LineFramer({ clock: deps.clock, timers: deps.timers, maxLineBytes, idleMs: 0, onFrame: (f) => frames.push(f) });
  framer.push(data);
  framer.flush();
  framer.close();
  return frames.filter((f) => f.fault !== undefined || !isComment(f.text));
}

function isComment(text: string): boolean {
  const t = text.trim();
  return t === '' || t.startsWith('#');
}
