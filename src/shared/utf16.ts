/**
 * Input that looks like UTF-16 where UTF-8 is expected (Windows Notepad's "Unicode", PowerShell
 * 5's `>`): ASCII text in UTF-16 is a NUL byte at every other position. Only asked about input
 * already refused or about to be, to name the cause instead of "bytes that are not text" or a
 * count of lines split by the NULs.
 */

/** What to say: fixed words, never anything of the input. */
export const UTF16_HINT = 'looks like UTF-16 (many NUL bytes at every other position); send it as UTF-8';

/** The byte order a UTF-16 byte order mark at the start of `bytes` names (FF FE little, FE FF big), if any. */
export function utf16ByteOrder(bytes: Uint8Array): 'le' | 'be' | undefined {
  if (bytes.length < 2) return undefined;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'le';
  return bytes[0] === 0xfe && bytes[1] === 0xff ? 'be' : undefined;
}

/**
 * Whether `bytes` look like UTF-16: after a UTF-16 byte order mark (if any), NUL bytes at one
 * parity (every other position) — at least 2 (1 after a byte order mark) and at least half of
 * those positions — and few at the other.
 */
export function looksLikeUtf16(bytes: Uint8Array): boolean {
  const bom = utf16ByteOrder(bytes) !== undefined;
  const start = bom ? 2 : 0;
  const counts = [0, 0];
  for (let i = start; i < bytes.length; i++) if (bytes[i] === 0) counts[(i - start) & 1]! += 1;
  const best = Math.max(counts[0]!, counts[1]!);
  const other = Math.min(counts[0]!, counts[1]!);
  const slots = Math.ceil((bytes.length - start) / 2);
  return best >= (bom ? 1 : 2) && best * 2 >= slots && other * 4 <= best;
}
