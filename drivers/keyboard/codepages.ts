/**
 * The two Windows code pages that keyboard-mode scanners use for ALT+numpad codes, and that
 * HID POS scanners fall back to for non-UTF-8 data: CP1252 ("ANSI", Alt+0nnn) and CP437 ("OEM",
 * Alt+nnn below 256). Own tables because Node's TextDecoder('windows-1252') decodes 0x80-0x9F as
 * ISO-8859-1 control characters on Node 20.
 */

/** CP1252 0x80-0x9F; the five undefined positions stay as their C1 code points (as Windows does). */
const CP1252_80_9F = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';

/** CP437 0x80-0xFF (0xFF is a no-break space). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/** Character for a CP1252 byte (0-255). Below 0x80 and from 0xA0 it equals Latin-1. */
export function cp1252Char(byte: number): string {
  if (byte >= 0x80 && byte <= 0x9f) return CP1252_80_9F.charAt(byte - 0x80);
  return String.fromCharCode(byte & 0xff);
}

/** Character for a CP437 byte (0-255). Control codes below 0x20 are kept as control characters
 *  (scanners send GS = Alt+29 inside GS1 data; the CP437 pictographs would corrupt it). */
export function cp437Char(byte: number): string {
  if (byte < 0x80) return String.fromCharCode(byte);
  return CP437_HIGH.charAt(byte - 0x80);
}

export function decodeCp1252(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += cp1252Char(b);
  return s;
}

/** Exposed for tests: both tables must cover exactly their ranges. */
export const CODEPAGE_TABLE_LENGTHS = { cp1252: CP1252_80_9F.length, cp437: CP437_HIGH.length } as const;
