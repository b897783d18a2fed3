/**
 * Bounded zlib (RFC 1950) inflate. node:zlib's `maxOutputLength` makes inflateSync stop as soon
 * as the output would exceed the bound, so a zlib bomb costs at most `maxBytes` of memory and
 * the time to produce them (about a millisecond for 64 KiB), not the size it claims.
 */
import { inflateSync } from 'node:zlib';

export type InflateErrorCode = 'too-large' | 'not-zlib' | 'corrupt';

export class InflateError extends Error {
  override readonly name = 'InflateError';
  constructor(
    readonly code: InflateErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * True when the bytes start with a valid zlib header (CMF/FLG check, RFC 1950 §2.2): method 8
 * (deflate), window ≤ 32 KiB, and the header checksum divisible by 31.
 */
export function looksLikeZlib(bytes: Uint8Array): boolean {
  if (bytes.length < 2) return false;
  const cmf = bytes[0]!;
  const flg = bytes[1]!;
  return (cmf & 0x0f) === 8 && cmf >> 4 <= 7 && (cmf * 256 + flg) % 31 === 0;
}

/**
 * Output chunk size for `n` compressed bytes: one chunk just large enough for the usual payload.
 * A QR payload barely compresses (the 489 EU DCC test vectors inflate to at most 1.43 times their
 * compressed size), and every chunk is taken from Node's shared 8 KiB Buffer pool: a chunk far
 * larger than the output used the pool up every few scans, and each new pool cost more than the
 * inflating itself (a 2 KiB chunk about 0.5 µs per scan over one of 600 bytes). A payload that
 * inflates to more just takes further chunks (zlib's minimum is 64 bytes, its default 16 KiB).
 */
function firstChunkSize(n: number): number {
  return Math.min(16 * 1024, Math.max(64, n + (n >> 1) + 64));
}

/**
 * Inflates a zlib stream to at most `maxBytes` bytes (inclusive). Throws InflateError only:
 * `too-large` when the output would exceed the bound, `not-zlib` without a zlib header,
 * `corrupt` for a damaged or truncated stream, or for bytes after its end (its Adler-32): zlib
 * stops there and node:zlib drops the rest without a word, so one credential would have any
 * number of spellings, each a "new" scan for the duplicate window, all carrying bytes nobody
 * signed or checked.
 */
export function inflateBounded(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (!looksLikeZlib(bytes)) throw new InflateError('not-zlib', 'payload is not zlib-compressed');
  let out: Buffer;
  let consumed: number;
  try {
    // `info` also returns the engine, whose bytesWritten is the input the stream took.
    const r = inflateSync(bytes, { maxOutputLength: maxBytes, chunkSize: firstChunkSize(bytes.length), info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    out = r.buffer;
    consumed = r.engine.bytesWritten;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InflateError('too-large', `inflated payload larger than ${maxBytes} bytes`);
    }
    throw new InflateError('corrupt', 'compressed payload is damaged or truncated');
  }
  if (consumed !== bytes.length) {
    throw new InflateError('corrupt', `${bytes.length - consumed} bytes after the end of the compressed payload`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}
