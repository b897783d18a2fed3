/**
 * Cuts ffmpeg's raw grey stdout into frames of exactly `frameBytes` bytes, holding at most one
 * frame being filled. A finished frame is offered to `accept`; when it is refused (the decoder is
 * busy and the caller wants every frame, e.g. a finite file), the pipe keeps that one frame and the
 * rest of the current chunk, asks for the stream to be paused (`onStall`), and goes on after
 * `retry()`. So memory is one frame in progress, one held frame and one chunk, whatever the source.
 */
export interface FramePipeOptions {
  frameBytes: number;
  /** Takes ownership of a complete frame; false = not now (the pipe holds it and stalls). */
  accept: (frame: Buffer) => boolean;
  /** The pipe holds a refused frame: pause the source until retry(). */
  onStall: () => void;
  /** The held frame was taken: resume the source. */
  onResume: () => void;
}

export class FramePipe {
  private current: Buffer;
  private filled = 0;
  private held: Buffer | undefined;
  private rest: Buffer | undefined;
  private frames = 0;

  constructor(private readonly opts: FramePipeOptions) {
    if (!Number.isInteger(opts.frameBytes) || opts.frameBytes <= 0) throw new RangeError('frameBytes must be a positive integer');
    this.current = Buffer.allocUnsafe(opts.frameBytes);
  }

  /** Frames completed so far. */
  get count(): number {
    return this.frames;
  }

  /** True while a refused frame is held (the source should be paused). */
  get stalled(): boolean {
    return this.held !== undefined;
  }

  /** Bytes received after the last complete frame (a partial frame at the end of a stream). */
  get partialBytes(): number {
    return this.filled;
  }

  push(chunk: Buffer): void {
    if (this.held) {
      // The source ignored the pause: keep nothing beyond one chunk (the newest wins).
      this.rest = chunk;
      return;
    }
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, this.opts.frameBytes - this.filled);
      chunk.copy(this.current, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === this.opts.frameBytes) {
        const frame = this.current;
        this.current = Buffer.allocUnsafe(this.opts.frameBytes);
        this.filled = 0;
        this.frames++;
        if (!this.opts.accept(frame)) {
          this.held = frame;
          this.rest = offset < chunk.length ? chunk.subarray(offset) : undefined;
          this.opts.onStall();
          return;
        }
      }
    }
  }

  /** Offers the held frame again; on success goes on with the held chunk and resumes the source. */
  retry(): void {
    if (!this.held) return;
    if (!this.opts.accept(this.held)) return;
    this.held = undefined;
    const rest = this.rest;
    this.rest = undefined;
    if (rest) this.push(rest);
    if (!this.held) this.opts.onResume();
  }
}
