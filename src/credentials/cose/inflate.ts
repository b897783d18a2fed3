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
 * Inflates a zlib stream to at most `maxBytes` bytes (inclusive). Throws InflateError only:
 * `too-large` when the output would exceed the bound, `not-zlib` without a zlib header,
 * `corrupt` for a damaged or truncated stream.
 */
export function inflateBounded(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (!looksLikeZlib(bytes)) throw new InflateError('not-zlib', 'payload is not zlib-compressed');
  try {
    // QR payloads inflate to a few hundred bytes: a small first output chunk (instead of zlib's
    // 16 KiB default) saves an allocation per scan; larger payloads just take more chunks.
    const chunkSize = Math.min(16 * 1024, Math.max(1024, bytes.length * 4));
    const out = inflateSync(bytes, { maxOutputLength: maxBytes, chunkSize });
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw new InflateError('too-large', `inflated payload larger than ${maxBytes} bytes`);
    }
    throw new InflateError('corrupt', 'compressed payload is damaged or truncated');
  }
}
