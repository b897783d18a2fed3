/**
 * A pure, size-bounded line framer for barcode scanners that talk bytes (serial, stdin, sim).
 *
 * Contract:
 * - `push(chunk)` any number of times with any split; complete lines come out through `onFrame`
 *   synchronously, in order. onFrame should not throw; if it does, the whole chunk is still
 *   framed and the first error is rethrown from push() afterwards.
 * - CR, LF and CRLF all end a line; CRLF counts once even when split across chunks. Lines that are
 *   empty after trimming (see below) are ignored, so blank lines and doubled terminators vanish.
 * - At most `maxLineBytes` bytes of one line are ever held. A longer line is dropped: its excess is
 *   never buffered, exactly one `too-large` frame is emitted when that line ends, and framing
 *   resynchronises at the next terminator (or idle timeout).
 * - Inter-byte timeout (`idleMs`, 0 disables): for scanners configured without a terminator, a
 *   silence of `idleMs` after the last byte ends the line.
 * - Text is decoded with a fatal UTF-8 decoder. Bytes that are not valid UTF-8 become one
 *   `unreadable` frame that keeps the bytes — never a silent U+FFFD.
 * - A leading UTF-8 BOM is removed; leading/trailing ASCII control bytes (0x00–0x1F, 0x7F: NUL
 *   padding, TAB suffixes, stray CR/LF/ESC) are trimmed. Spaces, interior bytes and everything
 *   non-ASCII (Vietnamese diacritics etc.) are kept untouched.
 *
 * No I/O: time comes from the injected clock and timers (src/shared/ports.ts).
 */
import type { Clock, Timers } from '../../src/shared/ports.js';

/** What the framer delivers. `text` is '' when `fault` is set. */
export interface Frame {
  text: string;
  /** The line's bytes after trimming; absent for `too-large` (the truncated prefix is useless). */
  bytes?: Uint8Array;
  /** Milliseconds since the epoch (injected clock) when the line's last byte arrived. */
  receivedAt: number;
  fault?: 'too-large' | 'unreadable';
  /** Length of the line in bytes as received (before trimming; for too-large: the full length). */
  byteLength: number;
}

export interface LineFramerOptions {
  clock: Clock;
  timers: Timers;
  onFrame: (frame: Frame) => void;
  /**
   * Maximum line length in bytes, terminator excluded. Default 8192: every QR code fits (at most
   * 7089 numeric / 4296 alphanumeric / 2953 binary bytes), so do PDF417, Data Matrix and Aztec.
   */
  maxLineBytes?: number;
  /** Inter-byte timeout in milliseconds; 0 disables. Default 0 (see DEFAULT_SERIAL_IDLE_MS). */
  idleMs?: number;
}

export const DEFAULT_MAX_LINE_BYTES = 8192;
/** Bounds accepted for `maxLineBytes` (bytes). */
export const MIN_MAX_LINE_BYTES = 16;
export const MAX_MAX_LINE_BYTES = 1024 * 1024;

/**
 * Recommended inter-byte timeout for serial scanners, in milliseconds. A scanner sends one scan as
 * a single burst: at 9600 baud a byte takes ~1 ms, and USB-serial adapters add at most ~16 ms of
 * latency (FTDI latency timer), so gaps inside a scan stay far below 100 ms. A person cannot
 * present the next code within 100 ms (presentation scanners also enforce a same-code delay of
 * ~300 ms or more), so 100 ms never merges two scans and still ends an unterminated scan quickly.
 */
export const DEFAULT_SERIAL_IDLE_MS = 100;
/** Inter-byte timeout once the scanner has shown it terminates lines (ms); see effectiveIdleMs. */
export const TERMINATED_IDLE_MS = 2000;

const CR = 0x0d;
const LF = 0x0a;

function isAsciiControl(byte: number): boolean {
  return byte < 0x20 || byte === 0x7f;
}

export class LineFramer {
  private readonly clock: Clock;
  private readonly timers: Timers;
  private readonly onFrame: (frame: Frame) => void;
  readonly maxLineBytes: number;
  readonly idleMs: number;

  /** Holds the current line; never grows: allocated once at maxLineBytes. */
  private readonly buf: Uint8Array;
  private len = 0;
  /** Bytes seen for the current line, including dropped excess. */
  private lineBytes = 0;
  private overflow = false;
  /** The previous byte was CR: an LF right after it belongs to the same terminator. */
  private afterCR = false;
  private lastByteAt = 0;
  private idleTimer: unknown = undefined;
  /** A CR or LF has ended a line on this connection (see effectiveIdleMs). */
  private sawTerminator = false;
  /** The source sends line noise: end lines after idleMs even once terminators were seen. */
  private noisy = false;
  private closed = false;
  /** First error thrown by onFrame during the current push; rethrown once the chunk is framed. */
  private listenerError: unknown = undefined;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(options: LineFramerOptions) {
    this.clock = options.clock;
    this.timers = options.timers;
    this.onFrame = options.onFrame;
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.idleMs = options.idleMs ?? 0;
    if (!Number.isInteger(this.maxLineBytes) || this.maxLineBytes < MIN_MAX_LINE_BYTES || this.maxLineBytes > MAX_MAX_LINE_BYTES) {
      throw new RangeError(`maxLineBytes must be an integer in ${MIN_MAX_LINE_BYTES}..${MAX_MAX_LINE_BYTES}, got ${String(this.maxLineBytes)}`);
    }
    if (!Number.isInteger(this.idleMs) || this.idleMs < 0) {
      throw new RangeError(`idleMs must be a non-negative integer, got ${String(this.idleMs)}`);
    }
    this.buf = new Uint8Array(this.maxLineBytes);
  }

  /** Feeds bytes. Emits every line that this chunk completes. Ignored after close(). */
  push(chunk: Uint8Array): void {
    if (this.closed || chunk.length === 0) return;
    this.listenerError = undefined;
    this.lastByteAt = this.clock.now();
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i] as number;
      if (byte !== CR && byte !== LF) continue;
      this.append(chunk, start, i);
      start = i + 1;
      if (byte === LF && this.afterCR && this.lineBytes === 0) {
        // Second half of a CRLF: not a new terminator.
        this.afterCR = false;
        continue;
      }
      this.endLine();
      this.afterCR = byte === CR;
      this.sawTerminator = true;
    }
    if (start < chunk.length) {
      this.append(chunk, start, chunk.length);
      this.afterCR = false;
    }
    this.armIdleTimer();
    this.rethrowListenerError();
  }

  /** Ends the pending line as if a terminator arrived (end of stream). */
  flush(): void {
    if (this.closed) return;
    this.listenerError = undefined;
    this.cancelIdleTimer();
    this.endLine();
    this.rethrowListenerError();
  }

  /** Drops the pending line without emitting it (e.g. the device went away mid-line). */
  reset(): void {
    this.cancelIdleTimer();
    this.clearLine();
    this.afterCR = false;
    this.sawTerminator = false;
  }

  /** Drops pending bytes, cancels the idle timer; later pushes are ignored. Idempotent. */
  close(): void {
    this.reset();
    this.closed = true;
  }

  /**
   * While the source sends line noise (noise-gate.ts), a silence of idleMs ends the line even on a
   * connection that terminates its lines: the tail of the noise then cannot glue itself onto the
   * next real scan. Takes effect from the next chunk.
   */
  setNoisy(noisy: boolean): void {
    this.noisy = noisy;
  }

  /**
   * True when the line held now would be ended by a silence of `idleMs` (a scanner configured
   * without a terminator, or one sending line noise): those bytes are a whole scan once the bytes
   * stop. False when nothing is held, the timeout is off, or the connection terminates its lines
   * (the bytes held are then the head of a line still arriving).
   */
  get holdsLineEndedBySilence(): boolean {
    return this.lineBytes > 0 && this.idleMs > 0 && (!this.sawTerminator || this.noisy);
  }

  /** Bytes currently held for the unfinished line (≤ maxLineBytes). */
  get pendingBytes(): number {
    return this.len;
  }

  private append(chunk: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    this.lineBytes += n;
    const room = this.maxLineBytes - this.len;
    if (n > room) this.overflow = true;
    const take = Math.min(n, room);
    if (take > 0) {
      this.buf.set(chunk.subarray(from, from + take), this.len);
      this.len += take;
    }
  }

  private clearLine(): void {
    this.len = 0;
    this.lineBytes = 0;
    this.overflow = false;
  }

  private endLine(): void {
    if (this.lineBytes === 0) return;
    const frame = this.overflow ? this.tooLarge() : this.decode();
    this.clearLine();
    this.cancelIdleTimer();
    if (!frame) return;
    // State is consistent before the callback runs; a throwing listener must not lose the rest
    // of the chunk, so its error is held and rethrown after framing finishes.
    try {
      this.onFrame(frame);
    } catch (err) {
      this.listenerError ??= err;
    }
  }

  private rethrowListenerError(): void {
    const err = this.listenerError;
    this.listenerError = undefined;
    if (err !== undefined) throw err;
  }

  private tooLarge(): Frame {
    return { text: '', receivedAt: this.lastByteAt, fault: 'too-large', byteLength: this.lineBytes };
  }

  private decode(): Frame | undefined {
    let from = 0;
    let to = this.len;
    // Trim control bytes around the payload, and a BOM that follows leading padding.
    for (;;) {
      while (from < to && isAsciiControl(this.buf[from] as number)) from++;
      if (to - from >= 3 && this.buf[from] === 0xef && this.buf[from + 1] === 0xbb && this.buf[from + 2] === 0xbf) {
        from += 3;
        continue;
      }
      break;
    }
    while (to > from && isAsciiControl(this.buf[to - 1] as number)) to--;
    if (to === from) return undefined;
    const bytes = this.buf.slice(from, to);
    const base = { receivedAt: this.lastByteAt, byteLength: this.lineBytes };
    try {
      return { ...base, text: this.decoder.decode(bytes), bytes };
    } catch {
      return { ...base, text: '', bytes, fault: 'unreadable' };
    }
  }

  /**
   * Once this connection has shown that the scanner ends its lines, a silence mid-line is the
   * host stalling (GC, a busy CPU), not the end of a scan: waiting only `idleMs` would cut one
   * scan in two. The timeout then only clears a line whose terminator was lost.
   */
  private effectiveIdleMs(): number {
    return this.sawTerminator && !this.noisy ? Math.max(this.idleMs, TERMINATED_IDLE_MS) : this.idleMs;
  }

  private armIdleTimer(): void {
    this.cancelIdleTimer();
    if (this.idleMs === 0 || this.lineBytes === 0) return;
    this.idleTimer = this.timers.setTimeout(() => {
      this.idleTimer = undefined;
      this.listenerError = undefined;
      this.endLine();
      this.rethrowListenerError();
    }, this.effectiveIdleMs());
  }

  private cancelIdleTimer(): void {
    if (this.idleTimer === undefined) return;
    this.timers.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}
