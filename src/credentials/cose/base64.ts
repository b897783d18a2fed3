/**
 * Standard base64 (RFC 4648 §4, padded) of a short byte string, written in JavaScript: a key id
 * (8 bytes for EU DCC and CKD1) is turned into text on every scan to look its key up, and
 * `Buffer.from(view).toString('base64')` made a Buffer object and a native call for 12 characters.
 */
import { Buffer } from 'node:buffer';

/** Longest input written here; longer ones (never a kid in practice) go through Buffer. */
const MAX_JS_BYTES = 96;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const CODE = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));
const PAD = 61; // '='

/** `Buffer.from(bytes).toString('base64')` for any bytes, without a Buffer for short ones. */
export function base64Text(bytes: Uint8Array): string {
  const n = bytes.length;
  if (n > MAX_JS_BYTES) return Buffer.from(bytes.buffer, bytes.byteOffset, n).toString('base64');
  let out = '';
  let i = 0;
  for (; i + 3 <= n; i += 3) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += String.fromCharCode(CODE[v >> 18]!, CODE[(v >> 12) & 63]!, CODE[(v >> 6) & 63]!, CODE[v & 63]!);
  }
  if (n - i === 1) {
    const v = bytes[i]! << 16;
    out += String.fromCharCode(CODE[v >> 18]!, CODE[(v >> 12) & 63]!, PAD, PAD);
  } else if (n - i === 2) {
    const v = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += String.fromCharCode(CODE[v >> 18]!, CODE[(v >> 12) & 63]!, CODE[(v >> 6) & 63]!, PAD);
  }
  return out;
}
