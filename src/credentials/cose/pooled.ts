/**
 * Short-lived byte arrays for the per-scan path, carved from Node's shared Buffer pool.
 *
 * A `new Uint8Array(n)` above 64 bytes gets a backing store of its own: allocated and zero-filled
 * outside the JS heap and freed only by a later garbage collection. Per scan (base45 output, the
 * COSE Sig_structure) that measured about 4 µs each once the bytes went to zlib or node:crypto.
 * Buffer.allocUnsafe takes sizes below 4 KiB from an 8 KiB slab that many arrays share.
 */
import { Buffer } from 'node:buffer';

/**
 * A Uint8Array of `n` bytes (a plain Uint8Array view, not a Buffer, so `slice` still copies) whose
 * content is UNINITIALISED: the caller must write every byte before anything reads it.
 */
export function pooledBytes(n: number): Uint8Array {
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}
