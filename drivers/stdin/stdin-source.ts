/**
 * Scans from a byte stream, normally process.stdin: one scan per line (CR, LF or CRLF), framed by
 * the same LineFramer as the serial driver, so oversize and undecodable lines get the same faults.
 * Useful for scripting (`printf 'QR\n' | checkpoint-kiosk run --scanner stdin`) and for scanners
 * exposed as a character device piped in. At end of stream a last unterminated line is delivered,
 * then the state becomes `closed`. close() detaches and pauses the stream; it never destroys
 * process.stdin (other code may own it).
 */
import type { Readable } from 'node:stream';
import type { DriverDeps, ScannerDriver } from '../types.js';
import { FramedScanner } from '../framing/framed-scanner.js';
import { LineFramer } from '../framing/line-framer.js';

export interface StdinSourceOptions {
  /** Default process.stdin. */
  input?: Readable;
  maxLineBytes: number;
  /** Inter-byte timeout in ms, 0 (default for stdin) disables: pipes deliver lines whole. */
  idleMs: number;
  /** Default 'stdin'. */
  uri?: string;
}

export class StdinScanSource extends FramedScanner implements ScannerDriver {
  private readonly input: Readable;
  private readonly framer: LineFramer;
  private started = false;
  private ended = false;
  private readonly onData = (chunk: Buffer | string): void => {
    this.framer.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  };
  private readonly onEnd = (): void => {
    this.framer.flush();
    this.finish();
  };
  private readonly onError = (err: Error): void => {
    this.reportError(err);
    this.finish();
  };

  constructor(options: StdinSourceOptions, deps: DriverDeps) {
    super('stdin', 'stdin', options.uri ?? 'stdin', deps);
    this.input = options.input ?? process.stdin;
    this.framer = new LineFramer({
      clock: deps.clock,
      timers: deps.timers,
      maxLineBytes: options.maxLineBytes,
      idleMs: options.idleMs,
      onFrame: (frame) => this.deliver(frame),
    });
  }

  open(): Promise<void> {
    if (this.started || this.ended) return Promise.resolve();
    this.started = true;
    this.input.on('data', this.onData);
    this.input.once('end', this.onEnd);
    this.input.on('error', this.onError);
    this.setState('connected');
    this.input.resume();
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.ended) {
      this.framer.close();
      this.finish();
    }
    return Promise.resolve();
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.framer.close();
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onError);
    // Keep an error sink so a late stream error is not an uncaught exception.
    this.input.on('error', () => undefined);
    this.input.pause();
    this.setState('closed');
  }
}
