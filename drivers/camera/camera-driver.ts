/**
 * Camera scanner: a webcam, an IP camera or a video file read as a QR scanner.
 *
 * ffmpeg (a child process) decodes the source into raw grey frames on a pipe (ffmpeg-args.ts);
 * FramePipe cuts them; a worker thread decodes QR codes with zxing-wasm (qr-decoder.ts), one frame
 * in flight and the newest one waiting — older frames are dropped, never queued — so memory stays
 * at a few frames whatever the stream does. PresentationTracker turns "seen in frame after frame"
 * into one scan per presentation. A finite file (no loop) is read without dropping: the pipe is
 * paused while the decoder is busy, so every sampled frame is decoded and the result is the same
 * on a fast or a slow machine; the driver becomes `closed` after its last frame.
 *
 * Live sources reconnect by themselves: when ffmpeg exits, or no frame arrives for STALL_MS (a
 * frozen stream), or the V4L2 device is absent, the driver is `disconnected` (emits
 * `disconnected` once per loss) and starts ffmpeg again with exponential backoff; a stream that
 * stopped sending frames is reported as stalled, not as ended. A video file that gives no frame at
 * all ends `closed` with an error (it must be a video), and one that disappears while in use (a
 * looping file plays on from its open descriptor) ends its source with the reason.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { CameraPreview } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import type { DriverDeps, ScannerDriver } from '../types.js';
import { Backoff, type BackoffOptions } from '../backoff.js';
import { FramedScanner } from '../framing/framed-scanner.js';
import { cameraDeviceId, type CameraUri } from './camera-uri.js';
import { ffmpegArgs, redactCredentials } from './ffmpeg-args.js';
import { FramePipe } from './frame-pipe.js';
import { QrDecoder, type DecodeOutcome } from './qr-decoder.js';
import { PresentationTracker } from './presentation.js';
import { CameraStats } from './camera-stats.js';
import { buildPreview, PREVIEW_INTERVAL_MS, PREVIEW_WIDTH } from './preview.js';

/** A live stream that delivers no frame for this long is restarted, ms. */
export const STALL_MS = 5_000;
/** ffmpeg stopped by a signal from outside: how long to wait for the kiosk's own stop before calling it a loss, ms. */
export const OUTSIDE_STOP_GRACE_MS = 1_500;
/** A live stream silent this long before ffmpeg ended is reported as stalled, not ended, ms. */
export const STALL_REPORT_MS = 3_000;
/** Frames ffmpeg flushes as it ends come within this time of its end, ms. */
const FLUSH_MS = 1_000;
/** ffmpeg must deliver its first frame within this time of starting, ms. */
export const CONNECT_TIMEOUT_MS = 20_000;
/** Longest decoded text accepted, bytes (a QR code holds at most 7,089 digits). */
export const MAX_CODE_BYTES = 8192;
const STDERR_TAIL = 2048;

export interface CameraDriverOptions {
  camera: CameraUri;
  /** Device id instead of cameraDeviceId() (another configured scanner has that one: manager/device-ids.ts). */
  deviceId?: string;
  /** The ffmpeg binary. Default 'ffmpeg' from PATH. */
  ffmpegPath?: string;
  /** Starts a decoder. Default QrDecoder.start (a worker with zxing-wasm). */
  startDecoder?: () => Promise<QrDecoder>;
  backoff?: BackoffOptions;
  /** Called as each frame arrives from ffmpeg (1-based number per ffmpeg run, clock ms): measurement only. */
  onFrame?: (frameNumber: number, at: number) => void;
}

interface Pending {
  frame: Buffer;
  frameMs: number;
}

export class CameraScannerDriver extends FramedScanner implements ScannerDriver {
  private readonly cam: CameraUri;
  private readonly opts: CameraDriverOptions;
  private readonly log: Logger;
  private readonly backoff: Backoff;
  private readonly tracker: PresentationTracker;
  private readonly stats = new CameraStats();
  /** A finite file: every frame decoded (the pipe waits), closed at the end. */
  private readonly finite: boolean;
  private decoder: QrDecoder | undefined;
  private child: ChildProcess | undefined;
  private pipe: FramePipe | undefined;
  private generation = 0;
  private inFlight = false;
  private waiting: Pending | undefined;
  private ended = false;
  private opened = false;
  private closed = false;
  private retryTimer: unknown = undefined;
  private watchTimer: unknown = undefined;
  private exitTimer: unknown = undefined;
  /** Why a finite file was not read to the end (carried into its closed status). */
  private fileError: string | undefined;
  /** Frames ffmpeg delivered, all runs together (a file giving none is no video). */
  private framesSeen = 0;
  /** Set when the watchdog killed ffmpeg for giving no frame: why, for the status. */
  private stallReason: string | undefined;
  /** The last silence of STALL_REPORT_MS or more between two frames, and when it ended. */
  private lastGap: { ms: number; endedAt: number } | undefined;
  private spawnedAt = 0;
  private lastFrameAt = 0;
  private previewSink: ((p: CameraPreview) => void) | undefined;
  private lastPreviewAt = 0;

  constructor(options: CameraDriverOptions, deps: DriverDeps) {
    // status().uri reaches the screens and the central server's heartbeat: never a password.
    super('camera', options.deviceId ?? cameraDeviceId(options.camera), redactCredentials(options.camera.uri), deps);
    this.cam = options.camera;
    this.opts = options;
    this.log = deps.logger.child('camera');
    this.backoff = new Backoff(options.backoff);
    this.tracker = new PresentationTracker();
    this.finite = this.cam.source === 'file' && !this.cam.loop;
  }

  override status() {
    const s = super.status();
    s.camera = this.stats.snapshot(this.deps.clock.now());
    return s;
  }

  setPreviewSink(sink: ((preview: CameraPreview) => void) | undefined): void {
    this.previewSink = sink;
  }

  /**
   * Starts reading. A video file that cannot be read rejects with a message naming it (and the
   * driver is `closed`); a camera that is absent or a stream that is down resolves and retries.
   */
  async open(): Promise<void> {
    if (this.closed) throw new Error(`${this.deviceId}: open() after close()`);
    if (this.opened) return;
    this.opened = true;
    if (this.cam.source === 'file') {
      const problem = fileProblem(this.cam.location);
      if (problem) {
        this.setState('closed', problem);
        throw new Error(problem);
      }
    }
    await this.connect();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.shutDown();
    this.closedOnRequest();
  }

  /**
   * Marks the source closed and releases what it holds: timers, ffmpeg (an older generation's
   * output is ignored from here on) and the decoder. For close() and a file that is gone.
   */
  private async shutDown(beforeStop?: () => void): Promise<void> {
    this.closed = true;
    this.cancelTimers();
    const child = this.child;
    this.generation++;
    this.child = undefined;
    this.waiting = undefined;
    beforeStop?.();
    if (child) await stopProcess(child);
    await this.decoder?.close().catch(() => undefined);
    this.decoder = undefined;
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    if (!this.decoder || this.decoder.failure) {
      try {
        this.decoder = await (this.opts.startDecoder ?? QrDecoder.start)();
      } catch (err) {
        this.decoder = undefined;
        this.lost(`QR decoder: ${message(err)}`);
        return;
      }
      if (this.closed) {
        await this.decoder.close();
        return;
      }
    }
    if (this.cam.source === 'v4l2' && !existsSync(this.cam.location)) {
      this.lost(`camera ${this.cam.location} is not present (unplugged?)`);
      return;
    }
    // A file does not come back by itself: one that is gone ends its source (README).
    const gone = this.cam.source === 'file' ? fileProblem(this.cam.location) : undefined;
    if (gone) {
      void this.endFile(gone);
      return;
    }
    this.startFfmpeg();
  }

  /** A video file that disappeared (or cannot be read any more) while in use: the source ends with the reason. */
  private async endFile(problem: string): Promise<void> {
    if (this.closed) return;
    const reason = `${problem}; the source has ended`;
    // Said before ffmpeg is stopped, as the reason the source ends (not what stopping it caused).
    await this.shutDown(() => {
      this.log.warn('video file gone; camera source ended', { deviceId: this.deviceId, error: reason });
      this.reportError(new Error(reason));
    });
    this.setState('closed', reason);
  }

  private startFfmpeg(): void {
    const gen = ++this.generation;
    // Its own process group: a Ctrl-C in the terminal or `timeout` signalling the kiosk's group
    // reaches the kiosk only, which then stops ffmpeg itself (a signalled ffmpeg looked like a lost
    // stream, or a video file read only in part). If the kiosk dies outright, ffmpeg's next write
    // to the closed pipe ends it.
    const child = spawn(this.opts.ffmpegPath ?? 'ffmpeg', ffmpegArgs(this.cam), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    this.spawnedAt = this.deps.clock.now();
    this.lastFrameAt = 0;
    this.lastGap = undefined;
    let stderr = '';
    let spawnError: Error | undefined;
    const pipe: FramePipe = new FramePipe({
      frameBytes: this.cam.width * this.cam.height,
      accept: (frame): boolean => this.offer(gen, frame, pipe.count),
      onStall: () => child.stdout?.pause(),
      onResume: () => child.stdout?.resume(),
    });
    this.pipe = pipe;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (gen === this.generation) pipe.push(chunk);
    });
    child.stderr?.setEncoding('utf8').on('data', (text: string) => {
      stderr = (stderr + text).slice(-STDERR_TAIL);
    });
    child.on('error', (err) => (spawnError = err));
    child.on('close', (code, signal) => {
      if (gen !== this.generation || this.closed) return;
      this.child = undefined;
      if (!stoppedFromOutside(code, signal, stderr)) {
        this.onExit(code, signal, spawnError, stderr);
        return;
      }
      // A stop signal this driver did not send: the whole service is being stopped (systemd
      // signals every process of it). The kiosk's close() normally follows at once; only if it
      // does not is this a lost stream (or a file not read to the end).
      this.exitTimer = this.deps.timers.setTimeout(() => {
        this.exitTimer = undefined;
        if (gen !== this.generation || this.closed) return;
        this.onExit(code, signal, spawnError, `ffmpeg was stopped from outside the kiosk (${signal ?? `exit code ${code}`})`);
      }, OUTSIDE_STOP_GRACE_MS);
    });
    if (!this.finite) this.watch(gen);
  }

  /** A complete frame from the pipe; false = hold it (finite file, decoder busy). */
  private offer(gen: number, frame: Buffer, index: number): boolean {
    if (gen !== this.generation || this.closed) return true;
    const now = this.deps.clock.now();
    // A long silence between two frames: remembered, since ffmpeg flushes its last frames when it
    // gives up on a frozen stream, so the silence is over just before it ends (see onExit).
    if (this.lastFrameAt > 0 && now - this.lastFrameAt >= STALL_REPORT_MS) this.lastGap = { ms: now - this.lastFrameAt, endedAt: now };
    this.lastFrameAt = now;
    this.framesSeen++;
    this.opts.onFrame?.(index, now);
    if (this.currentState !== 'connected') {
      this.backoff.reset();
      this.log.info('camera connected', { deviceId: this.deviceId, width: this.cam.width, height: this.cam.height, fps: this.cam.fps });
      this.setState('connected');
    }
    // A file's frames carry their own time (frame number / fps): the same result on any machine.
    const frameMs = this.finite ? ((index - 1) * 1000) / this.cam.fps : now;
    if (!this.inFlight) {
      this.send({ frame, frameMs });
      return true;
    }
    if (this.finite) {
      if (this.waiting) return false;
      this.waiting = { frame, frameMs };
      return true;
    }
    if (this.waiting) this.stats.drop(now);
    this.waiting = { frame, frameMs };
    return true;
  }

  private send(p: Pending): void {
    const decoder = this.decoder;
    if (!decoder) return;
    this.inFlight = true;
    const now = this.deps.clock.now();
    const wantPreview = this.previewSink !== undefined && now - this.lastPreviewAt >= PREVIEW_INTERVAL_MS;
    if (wantPreview) this.lastPreviewAt = now;
    const gen = this.generation;
    decoder
      .decode(p.frame, this.cam.width, this.cam.height, this.cam.roi, wantPreview ? PREVIEW_WIDTH : 0)
      .then(
        (out) => this.onDecoded(out, p.frameMs),
        (err: unknown) => this.onDecodeFailed(gen, err),
      )
      .finally(() => {
        this.inFlight = false;
        this.next();
      });
  }

  private next(): void {
    if (this.closed) return;
    const waiting = this.waiting;
    this.waiting = undefined;
    if (waiting) this.send(waiting);
    this.pipe?.retry();
    if (this.ended && !this.inFlight && !this.waiting) void this.finishFile();
  }

  private onDecoded(out: DecodeOutcome, frameMs: number): void {
    if (this.closed) return;
    const now = this.deps.clock.now();
    this.stats.decoded(now, out.roundTripMs);
    // Reading order on the picture: top to bottom, then left to right.
    const texts = out.codes
      .filter((c) => c.valid)
      .sort((a, b) => (a.points[0]?.y ?? 0) - (b.points[0]?.y ?? 0) || (a.points[0]?.x ?? 0) - (b.points[0]?.x ?? 0))
      .map((c) => c.text);
    for (const text of this.tracker.observe(frameMs, texts)) {
      const bytes = new TextEncoder().encode(text);
      if (bytes.length > MAX_CODE_BYTES) this.deliver({ text: '', receivedAt: now, fault: 'too-large', byteLength: bytes.length }, 'qr');
      else this.deliver({ text, bytes, receivedAt: now, byteLength: bytes.length }, 'qr');
    }
    if (out.preview && this.previewSink) {
      const preview = buildPreview(this.deviceId, this.cam, out.preview, this.cam.roi, out.codes, now);
      try {
        this.previewSink(preview);
      } catch (err) {
        this.log.warn('preview sink threw', { deviceId: this.deviceId, error: message(err) });
      }
    }
  }

  private onDecodeFailed(gen: number, err: unknown): void {
    if (this.closed || gen !== this.generation) return;
    const msg = `QR decoder failed: ${message(err)}`;
    this.reportError(new Error(msg));
    if (!this.decoder?.failure) return; // one bad frame: go on with the next
    // The worker is gone: restart everything (a new worker comes with the next connect).
    const child = this.child;
    this.generation++;
    this.child = undefined;
    if (child) void stopProcess(child);
    if (this.finite) {
      this.ended = true;
      this.setState('closed', msg);
      return;
    }
    this.lost(msg);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null, spawnError: Error | undefined, stderr: string): void {
    this.cancelWatch();
    const detail = exitProblem(code, signal, spawnError, stderr);
    if (this.finite) {
      this.ended = true;
      if (detail) {
        this.log.warn('video file could not be read to the end', { deviceId: this.deviceId, error: detail });
        this.reportError(new Error(detail));
        // Kept for the closed status (a connected state would drop it): a run must hear that the
        // file was not read to the end.
        this.fileError = detail;
        if (this.currentState !== 'connected') this.setState(this.currentState, detail);
      }
      if (!this.inFlight && !this.waiting) void this.finishFile();
      return;
    }
    const stalled = this.stallReason;
    this.stallReason = undefined;
    if (stalled) {
      this.lost(stalled);
      return;
    }
    // ffmpeg gives up on a silent network stream by itself (its I/O timeout, the same 5 s) and may
    // call that a clean end: a stream that gave no frame for a while before it ended has stalled.
    const now = this.deps.clock.now();
    const gap = this.lastGap && now - this.lastGap.endedAt <= FLUSH_MS ? this.lastGap.ms : 0;
    const silentMs = Math.max(now - Math.max(this.lastFrameAt, this.spawnedAt), gap);
    if (this.cam.source !== 'file' && this.currentState === 'connected' && silentMs >= STALL_REPORT_MS) {
      this.lost(`stream stalled: no frame for ${Math.round(silentMs / 1000)} s${detail ? ` (${detail})` : ''}`);
      return;
    }
    this.lost(detail ?? 'stream ended');
  }

  /** The end of a finite file: every frame was decoded and every scan emitted. */
  private async finishFile(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelTimers();
    await this.decoder?.close().catch(() => undefined);
    this.decoder = undefined;
    this.log.info('video file done', { deviceId: this.deviceId, frames: this.stats.snapshot(this.deps.clock.now()).frames });
    if (this.framesSeen === 0 && this.fileError === undefined) {
      // ffmpeg read it without an error but gave no frame: a still picture, a video of one frame …
      const problem = `camera: no frame could be read from "${this.cam.location}": it must be a video (a still picture such as a PNG, or a video of a single frame, gives none)`;
      this.log.warn('video file gave no frame', { deviceId: this.deviceId, file: this.cam.location, error: problem });
      this.reportError(new Error(problem));
      this.fileError = problem;
    }
    this.setState('closed', this.fileError);
  }

  /** The source went away or never came: report once per loss, retry with backoff. */
  private lost(reason: string): void {
    if (this.closed) return;
    const wasConnected = this.currentState === 'connected';
    this.waiting = undefined;
    this.pipe = undefined;
    if (wasConnected || this.backoff.attempts === 0) this.log.warn('camera disconnected; retrying', { deviceId: this.deviceId, error: reason });
    this.setState('disconnected', reason);
    if (wasConnected) this.safeEmit('disconnected');
    if (this.retryTimer !== undefined) return;
    this.retryTimer = this.deps.timers.setTimeout(() => {
      this.retryTimer = undefined;
      void this.connect();
    }, this.backoff.next());
  }

  /** Kills an ffmpeg that hangs while connecting or stopped delivering frames. */
  private watch(gen: number): void {
    this.cancelWatch();
    this.watchTimer = this.deps.timers.setTimeout(() => {
      this.watchTimer = undefined;
      if (gen !== this.generation || this.closed) return;
      // A looping file keeps playing from its open descriptor after it was deleted: look for it.
      const gone = this.cam.source === 'file' ? fileProblem(this.cam.location) : undefined;
      if (gone) {
        void this.endFile(gone);
        return;
      }
      const now = this.deps.clock.now();
      const connected = this.currentState === 'connected';
      const silentSince = connected ? Math.max(this.lastFrameAt, this.spawnedAt) : this.spawnedAt;
      const limit = connected ? STALL_MS : CONNECT_TIMEOUT_MS;
      if (now - silentSince >= limit) {
        const secs = Math.round((now - silentSince) / 1000);
        this.stallReason = connected ? `stream stalled: no frame for ${secs} s; restarting it` : `no frame within ${secs} s of connecting; restarting it`;
        this.log.warn('camera stream stalled; restarting it', { deviceId: this.deviceId, silentMs: now - silentSince });
        this.child?.kill('SIGKILL');
        return;
      }
      this.watch(gen);
    }, 1000);
  }

  private cancelWatch(): void {
    if (this.watchTimer !== undefined) this.deps.timers.clearTimeout(this.watchTimer);
    this.watchTimer = undefined;
  }

  private cancelTimers(): void {
    this.cancelWatch();
    if (this.exitTimer !== undefined) this.deps.timers.clearTimeout(this.exitTimer);
    this.exitTimer = undefined;
    if (this.retryTimer !== undefined) this.deps.timers.clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
  }
}

function fileProblem(file: string): string | undefined {
  try {
    if (!statSync(file).isFile()) return `camera: video file "${file}" is not a regular file`;
    return undefined;
  } catch (err) {
    return `camera: cannot read video file "${file}": ${(err as NodeJS.ErrnoException).code ?? message(err)}`;
  }
}

/**
 * ffmpeg ended by a stop signal (SIGTERM, SIGINT, SIGHUP) it was sent from outside: killed by it,
 * or — ffmpeg catches them — exit code 255 with nothing on stderr. The driver's own kills happen
 * after it has moved on (a new generation) or are SIGKILL.
 */
function stoppedFromOutside(code: number | null, signal: NodeJS.Signals | null, stderr: string): boolean {
  if (signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGHUP') return true;
  return code === 255 && stderr.trim() === '';
}

/** Why ffmpeg ended, for the status line and the log (credentials removed); undefined = clean end. */
function exitProblem(code: number | null, signal: NodeJS.Signals | null, spawnError: Error | undefined, stderr: string): string | undefined {
  if (spawnError) {
    if ((spawnError as NodeJS.ErrnoException).code === 'ENOENT') return 'ffmpeg not found: install it (Debian: apt install ffmpeg)';
    return `ffmpeg could not start: ${spawnError.message}`;
  }
  if (code === 0) return undefined;
  const last = redactCredentials(stderr.trim().split('\n').pop() ?? '').slice(0, 300);
  const why = last || (signal ? `ffmpeg stopped by ${signal}` : `ffmpeg exited with code ${code}`);
  return /permission denied/iu.test(why) ? `${why} (is the kiosk user in the video group?)` : why;
}

/** SIGTERM, then SIGKILL after a second; resolves when the process is gone. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 1000);
    child.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
