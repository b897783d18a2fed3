/**
 * A camera scanner's frame figures for its health line: frames decoded and dropped per second
 * over the last WINDOW_MS, decode time percentiles over the last DECODE_SAMPLES frames. Bounded
 * memory whatever the frame rate (fixed-size rings, no timers).
 */
import type { CameraHealth } from '../../src/shared/types.js';

const WINDOW_MS = 5_000;
const DECODE_SAMPLES = 128;
const MAX_STAMPS = 1024;

export class CameraStats {
  private frames = 0;
  private dropped = 0;
  private readonly decodeMs: number[] = [];
  private readonly frameStamps: number[] = [];
  private readonly dropStamps: number[] = [];

  /** A frame was decoded at `now` (ms) taking `ms` from hand-over to answer. */
  decoded(now: number, ms: number): void {
    this.frames++;
    push(this.frameStamps, now, MAX_STAMPS);
    push(this.decodeMs, ms, DECODE_SAMPLES);
  }

  /** A frame was skipped at `now` because a newer one replaced it while the decoder was busy. */
  drop(now: number): void {
    this.dropped++;
    push(this.dropStamps, now, MAX_STAMPS);
  }

  snapshot(now: number): CameraHealth {
    const sorted = [...this.decodeMs].sort((a, b) => a - b);
    const pick = (p: number) => (sorted.length === 0 ? 0 : round1(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0));
    return {
      framesPerSecond: rate(this.frameStamps, now),
      droppedPerSecond: rate(this.dropStamps, now),
      decodeMsP50: pick(0.5),
      decodeMsP99: pick(0.99),
      frames: this.frames,
      dropped: this.dropped,
    };
  }
}

function push(ring: number[], value: number, max: number): void {
  ring.push(value);
  if (ring.length > max) ring.shift();
}

function rate(stamps: readonly number[], now: number): number {
  const recent = stamps.filter((t) => now - t <= WINDOW_MS).length;
  return round1((recent * 1000) / WINDOW_MS);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
