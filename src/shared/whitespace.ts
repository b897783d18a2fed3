/**
 * Whitespace as JavaScript's `\s`, String.prototype.trim() and trimStart() know it (ECMA-262
 * WhiteSpace and LineTerminator), tested one UTF-16 code unit at a time. For the scan hot path:
 * code that must find where a text's words or content start without making a trimmed copy.
 */
export function isWhitespaceCode(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}
