/**
 * Release files that `central release add` accepts: an AppImage starts with the ELF magic
 * (0x7F 'E' 'L' 'F') and carries the AppImage magic 'A' 'I' and its type (0x02) at offset 8
 * (AppImage specification, type 2 image format). The rest is the caller's bytes.
 */
import { randomBytes } from 'node:crypto';

/** The first 16 bytes of a type-2 AppImage (an ELF64 little-endian header's identification). */
export const APPIMAGE_HEADER = Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x41, 0x49, 0x02, 0, 0, 0, 0, 0]);

/** The AppImage header followed by `body` (a string is written as UTF-8). */
export function appImageBytes(body: Buffer | string): Buffer {
  return Buffer.concat([APPIMAGE_HEADER, typeof body === 'string' ? Buffer.from(body) : body]);
}

/** The AppImage header followed by random bytes, `size` bytes in all (distinct each call). */
export function randomAppImage(size: number): Buffer {
  return appImageBytes(randomBytes(Math.max(0, size - APPIMAGE_HEADER.length)));
}
