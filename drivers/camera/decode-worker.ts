/**
 * The QR decode worker (worker_threads): takes one grey frame at a time, decodes the region of
 * interest with zxing-wasm and answers with the codes found, so a slow frame never blocks the
 * kiosk's event loop. Started by qr-decoder.ts; speaks decode-protocol.ts.
 */
import { parentPort } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { DecodedCode, DecodeRequest, DecodeResponse, WorkerHello } from './decode-protocol.js';
import { roiToPgm, thumbnail } from './grey-frame.js';
import { loadZxingReader, QR_READER_OPTIONS, type ZxingReader } from './zxing-loader.js';

const port = parentPort;
if (!port) throw new Error('decode-worker must run in a worker thread');

/** One PGM buffer reused frame after frame (same geometry): no allocation per frame. */
let pgmBuffer: Uint8Array | undefined;

async function decode(reader: ZxingReader, req: DecodeRequest): Promise<DecodeResponse> {
  const frame = new Uint8Array(req.frame);
  const t0 = performance.now();
  const pgm = roiToPgm(frame, req.width, req.height, req.roi, pgmBuffer);
  pgmBuffer = pgm;
  const results = await reader.readBarcodes(pgm, { ...QR_READER_OPTIONS, formats: [...QR_READER_OPTIONS.formats] });
  const zxingMs = performance.now() - t0;
  const codes: DecodedCode[] = results.map((r) => {
    const p = r.position;
    const points = [p.topLeft, p.topRight, p.bottomRight, p.bottomLeft].map((pt) => ({ x: pt.x + req.roi.x, y: pt.y + req.roi.y }));
    return { text: r.isValid ? r.text : '', valid: r.isValid && r.text.length > 0, points };
  });
  const response: DecodeResponse = { id: req.id, ok: true, codes, zxingMs };
  if (req.previewWidth > 0) response.preview = thumbnail(frame, req.width, req.height, req.previewWidth);
  return response;
}

void loadZxingReader().then(
  (reader) => {
    port.on('message', (req: DecodeRequest) => {
      decode(reader, req).then(
        (res) => port.postMessage(res, res.ok && res.preview ? [res.preview.pixels.buffer as ArrayBuffer] : []),
        (err: unknown) => port.postMessage({ id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) } satisfies DecodeResponse),
      );
    });
    port.postMessage({ ready: true } satisfies WorkerHello);
  },
  (err: unknown) => port.postMessage({ ready: false, error: err instanceof Error ? err.message : String(err) } satisfies WorkerHello),
);
