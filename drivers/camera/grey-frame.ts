/**
 * Pure helpers on 8-bit grey frames (width·height bytes, row by row), used by the decode worker:
 * the region of interest as a binary PGM image (Netpbm P5, which zxing-wasm's readBarcodes reads
 * directly, so no RGBA copy four times the size is made), and a box-averaged thumbnail for the
 * aiming preview.
 */
import type { Roi } from './camera-uri.js';

/**
 * The ROI of a grey frame as a P5 PGM file (header + rows). Writes into `reuse` when it has the
 * right size (a decode worker keeps one, so a stream of frames allocates nothing). Throws
 * RangeError on a bad geometry.
 */
export function roiToPgm(frame: Uint8Array, width: number, height: number, roi: Roi, reuse?: Uint8Array): Uint8Array {
  if (frame.length !== width * height) throw new RangeError(`frame has ${frame.length} bytes, expected ${width}x${height}`);
  if (roi.x < 0 || roi.y < 0 || roi.w <= 0 || roi.h <= 0 || roi.x + roi.w > width || roi.y + roi.h > height) {
    throw new RangeError('roi outside the frame');
  }
  const header = new TextEncoder().encode(`P5\n${roi.w} ${roi.h}\n255\n`);
  const size = header.length + roi.w * roi.h;
  const out = reuse?.length === size ? reuse : new Uint8Array(size);
  out.set(header, 0);
  let o = header.length;
  for (let row = roi.y; row < roi.y + roi.h; row++) {
    const start = row * width + roi.x;
    out.set(frame.subarray(start, start + roi.w), o);
    o += roi.w;
  }
  return out;
}

/** A thumbnail at most `maxWidth` wide (aspect kept), each pixel the mean of its source box. */
export function thumbnail(frame: Uint8Array, width: number, height: number, maxWidth: number): { width: number; height: number; pixels: Uint8Array } {
  const step = Math.max(1, Math.ceil(width / maxWidth));
  const tw = Math.floor(width / step);
  const th = Math.floor(height / step);
  const pixels = new Uint8Array(tw * th);
  const area = step * step;
  for (let ty = 0; ty < th; ty++) {
    for (let tx = 0; tx < tw; tx++) {
      let sum = 0;
      for (let dy = 0; dy < step; dy++) {
        const rowStart = (ty * step + dy) * width + tx * step;
        for (let dx = 0; dx < step; dx++) sum += frame[rowStart + dx] ?? 0;
      }
      pixels[ty * tw + tx] = Math.round(sum / area);
    }
  }
  return { width: tw, height: th, pixels };
}
