/**
 * Messages between a camera driver and its QR decode worker (worker_threads). The frame buffer
 * is transferred, not copied. Points are pixels of the full frame (the ROI offset added back).
 */
import type { Roi } from './camera-uri.js';

export interface DecodeRequest {
  id: number;
  width: number;
  height: number;
  roi: Roi;
  /** width·height grey bytes; transferred to the worker. */
  frame: ArrayBuffer;
  /** Also return a thumbnail at most this wide (0 = none). */
  previewWidth: number;
}

export interface DecodedCode {
  text: string;
  /** False: a QR code was located but could not be decoded (blur, too small, damaged). */
  valid: boolean;
  /** Corner points (top-left, top-right, bottom-right, bottom-left) in frame pixels. */
  points: Array<{ x: number; y: number }>;
}

export type DecodeResponse =
  | {
      id: number;
      ok: true;
      codes: DecodedCode[];
      /** Time spent in zxing-wasm for this frame (crop + readBarcodes), milliseconds. */
      zxingMs: number;
      preview?: { width: number; height: number; pixels: Uint8Array };
    }
  | { id: number; ok: false; error: string };

/** First message of a worker: ready, or why zxing-wasm could not be loaded. */
export type WorkerHello = { ready: true } | { ready: false; error: string };
