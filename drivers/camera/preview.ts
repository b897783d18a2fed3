/**
 * The aiming help: what the driver tells the local screen about a decoded frame. The hint comes
 * from what zxing-wasm saw in the region of interest: a code it read ('read'), a code it located
 * but could not decode — small ('closer') or blurred by motion ('hold-still') — or nothing ('aim').
 */
import type { AimHint, CameraPreview } from '../../src/shared/types.js';
import type { Roi } from './camera-uri.js';
import type { DecodedCode } from './decode-protocol.js';

/** A located code whose longer side is below this fraction of the ROI's shorter side is "too far". */
export const CLOSER_FRACTION = 0.15;
/** Previews are at most this wide (pixels) and at most PREVIEW_FPS per second. */
export const PREVIEW_WIDTH = 160;
export const PREVIEW_INTERVAL_MS = 500;

export function aimHint(codes: readonly DecodedCode[], roi: Roi): AimHint {
  if (codes.some((c) => c.valid)) return 'read';
  if (codes.length === 0) return 'aim';
  const side = Math.max(...codes.map(longestSide));
  return side < CLOSER_FRACTION * Math.min(roi.w, roi.h) ? 'closer' : 'hold-still';
}

function longestSide(code: DecodedCode): number {
  const p = code.points;
  let best = 0;
  for (let i = 0; i < p.length; i++) {
    const a = p[i] as { x: number; y: number };
    const b = p[(i + 1) % p.length] as { x: number; y: number };
    best = Math.max(best, Math.hypot(a.x - b.x, a.y - b.y));
  }
  return best;
}

export function buildPreview(
  deviceId: string,
  frame: { width: number; height: number },
  thumb: { width: number; height: number; pixels: Uint8Array },
  roi: Roi,
  codes: readonly DecodedCode[],
  at: number,
): CameraPreview {
  const fx = (x: number) => round3(x / frame.width);
  const fy = (y: number) => round3(y / frame.height);
  return {
    deviceId,
    width: thumb.width,
    height: thumb.height,
    pixels: Buffer.from(thumb.pixels.buffer, thumb.pixels.byteOffset, thumb.pixels.byteLength).toString('base64'),
    roi: { x: fx(roi.x), y: fy(roi.y), w: fx(roi.w), h: fy(roi.h) },
    codes: codes.slice(0, 8).map((c) => ({ points: c.points.map((p) => ({ x: fx(p.x), y: fy(p.y) })), read: c.valid })),
    hint: aimHint(codes, roi),
    at: new Date(at).toISOString(),
  };
}

function round3(n: number): number {
  return Math.round(Math.min(1, Math.max(0, n)) * 1000) / 1000;
}
