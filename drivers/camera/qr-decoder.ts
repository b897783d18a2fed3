/**
 * The main-thread side of the QR decode worker: starts it (with zxing-wasm loaded inside), sends
 * one frame at a time (the frame buffer is transferred, not copied) and returns what was found.
 * The camera driver keeps at most one frame in flight here and the newest one waiting; older
 * frames are dropped, never queued.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import type { Roi } from './camera-uri.js';
import type { DecodedCode, DecodeRequest, DecodeResponse, WorkerHello } from './decode-protocol.js';

export interface DecodeOutcome {
  codes: DecodedCode[];
  /** zxing-wasm's own time in the worker, ms. */
  zxingMs: number;
  /** From handing the frame over to having the answer back, ms (what the kiosk waits). */
  roundTripMs: number;
  preview?: { width: number; height: number; pixels: Uint8Array };
}

/** How long the worker may take to load zxing-wasm before start() gives up, ms. */
const START_TIMEOUT_MS = 30_000;

export class QrDecoder {
  private nextId = 1;
  private pending: { id: number; resolve: (o: DecodeOutcome) => void; reject: (e: Error) => void; t0: number } | undefined;
  private dead: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (msg: DecodeResponse) => this.onMessage(msg));
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => this.fail(new Error(`decode worker exited (code ${code})`)));
  }

  /** Starts a worker and waits until zxing-wasm is loaded in it. Rejects with the reason. */
  static start(): Promise<QrDecoder> {
    const worker = spawnDecodeWorker();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        void worker.terminate();
        reject(new Error('QR decoder did not start within 30 s'));
      }, START_TIMEOUT_MS);
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(err);
      };
      worker.once('error', onError);
      worker.once('message', (hello: WorkerHello) => {
        clearTimeout(timer);
        worker.off('error', onError);
        if (hello.ready) resolve(new QrDecoder(worker));
        else {
          void worker.terminate();
          reject(new Error(`QR decoder cannot load zxing-wasm: ${hello.error}`));
        }
      });
    });
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** The error that stopped the worker, if it stopped. */
  get failure(): Error | undefined {
    return this.dead;
  }

  /** Decodes one frame (ownership of `frame` passes to the worker). One call at a time. */
  decode(frame: Buffer, width: number, height: number, roi: Roi, previewWidth = 0): Promise<DecodeOutcome> {
    if (this.dead) return Promise.reject(this.dead);
    if (this.pending) return Promise.reject(new Error('decoder busy: one frame at a time'));
    const id = this.nextId++;
    // A Buffer may share a pooled ArrayBuffer: transfer only a buffer that is exactly this frame.
    const own = frame.byteOffset === 0 && frame.byteLength === frame.buffer.byteLength ? (frame.buffer as ArrayBuffer) : new Uint8Array(frame).buffer;
    const req: DecodeRequest = { id, width, height, roi, frame: own, previewWidth };
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject, t0: performance.now() };
      this.worker.postMessage(req, [own]);
    });
  }

  async close(): Promise<void> {
    this.fail(new Error('decoder closed'));
    await this.worker.terminate();
  }

  private onMessage(msg: DecodeResponse): void {
    const p = this.pending;
    if (!p || msg.id !== p.id) return;
    this.pending = undefined;
    if (!msg.ok) {
      p.reject(new Error(msg.error));
      return;
    }
    const out: DecodeOutcome = { codes: msg.codes, zxingMs: msg.zxingMs, roundTripMs: performance.now() - p.t0 };
    if (msg.preview) out.preview = msg.preview;
    p.resolve(out);
  }

  private fail(err: Error): void {
    this.dead ??= err;
    const p = this.pending;
    this.pending = undefined;
    p?.reject(err);
  }
}

/**
 * The built kiosk runs decode-worker.js, found next to the bundle that holds this code (or one
 * folder up, from a shared chunk); from sources (tsx, vitest) the worker first registers tsx's
 * loader, since a worker does not inherit a loader registered with register().
 */
function spawnDecodeWorker(): Worker {
  const options = { resourceLimits: { maxOldGenerationSizeMb: 96 } };
  if (!fileURLToPath(import.meta.url).endsWith('.ts')) {
    const file = ['./decode-worker.js', '../decode-worker.js'].map((rel) => new URL(rel, import.meta.url)).find((u) => existsSync(u));
    if (!file) throw new Error('decode-worker.js is missing from the built kiosk: run `npm run build`');
    return new Worker(file, options);
  }
  const require = createRequire(import.meta.url);
  const tsxApi = pathToFileURL(require.resolve('tsx/esm/api').replace(/\.cjs$/u, '.mjs')).href;
  const target = new URL('./decode-worker.ts', import.meta.url).href;
  const boot = [
    `import(${JSON.stringify(tsxApi)})`,
    `.then((m) => { m.register(); return import(${JSON.stringify(target)}); })`,
    `.catch((e) => require('node:worker_threads').parentPort.postMessage({ ready: false, error: String((e && e.message) || e) }));`,
  ].join('');
  return new Worker(boot, { ...options, eval: true });
}
