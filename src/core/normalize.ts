/**
 * First look at what a scanner delivered: bound its size and strip transport artefacts
 * (BOM, AIM symbology prefix, surrounding whitespace and CR/LF leftovers) before any format
 * sees it.
 */
import type { ReasonCode } from '../shared/reasons.js';
import { LIMITS } from '../credentials/types.js';
import { codeName } from '../shared/text-safety.js';

export type Normalized = { ok: true; text: string; aimId?: string } | { ok: false; reason: ReasonCode; detail: string };

// AIM symbology identifier some scanners prepend (`]Q1` = QR); only ever 3 characters.
const AIM_PREFIX = /^\][A-Za-z][0-9A-Za-z]/;
// C0 controls other than TAB/CR/LF, and DEL, never occur in any supported payload.
// eslint-disable-next-line no-control-regex
const STRAY_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/**
 * `maxChars` bounds the text: one QR code's LIMITS.maxTextChars, or N times that for a SMART
 * Health Card assembled from N chunks (ScanEvent.assembledFrom).
 */
export function normalizeScanText(raw: string, maxChars: number = LIMITS.maxTextChars): Normalized {
  // Checked before trimming so a multi-megabyte line costs nothing more.
  if (raw.length > maxChars + 64) {
    return { ok: false, reason: 'too-large', detail: `scan is ${raw.length} characters; the largest QR code holds ${LIMITS.maxTextChars}` };
  }
  let text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  // Most scans have no whitespace at either end: trim() only when an end could be whitespace.
  if (mayBeSpace(text.charCodeAt(0)) || mayBeSpace(text.charCodeAt(text.length - 1))) text = text.trim();
  let aimId: string | undefined;
  // Most scans carry no prefix: the regex runs only on text starting with ']'.
  if (text.charCodeAt(0) === 0x5d && AIM_PREFIX.test(text)) {
    aimId = text.slice(0, 3);
    text = text.slice(3).trim();
  }
  if (text.length === 0) return { ok: false, reason: 'unreadable', detail: 'scan is empty' };
  if (text.length > maxChars) {
    return { ok: false, reason: 'too-large', detail: `scan is ${text.length} characters; the largest QR code holds ${LIMITS.maxTextChars}` };
  }
  if (STRAY_CONTROL.test(text)) return { ok: false, reason: 'unreadable', detail: controlCharacterDetail(text) };
  text = unfoldBase45Case(text);
  return aimId ? { ok: true, text, aimId } : { ok: true, text };
}

// A base45 credential (EU DCC, our declarations and provisioning cards) typed in lower case: a
// scanner set to lower-case output, or a keyboard-wedge scanner typing while the host's Caps Lock
// is on (Shift+letter then gives the small letter; digits and symbols are unchanged).
const LOWER_BASE45_PREFIX = /^(?:hc1|ckd1|ckp1):/i;
const UPPER_LETTER = /[A-Z]/;

/**
 * `hc1:6bfox…` → `HC1:6BFOX…`. The base45 alphabet (RFC 9285 §4) has capital letters only, so a
 * text with a base45 prefix and no capital letter anywhere is recovered exactly by upper-casing;
 * text already holding a capital, or without such a prefix, is returned as it is.
 */
export function unfoldBase45Case(text: string): string {
  const c = text.charCodeAt(0);
  // Only text starting with h/c (either case) can carry such a prefix; the common upper-case one costs a compare.
  if ((c !== 0x68 && c !== 0x63) || !LOWER_BASE45_PREFIX.test(text) || UPPER_LETTER.test(text)) return text;
  return text.toUpperCase();
}

/** C0 control names (ASCII), for messages. */
const C0_NAMES = ['NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI', 'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US'];

/**
 * Which control character a refused scan holds and where: "scan contains control characters:
 * U+001D (GS) at offset 3, and 2 more". A scanner's GS1 separator (GS), a prefix or suffix set up
 * in it (STX/ETX, ESC), or UTF-16 read as UTF-8 (NUL after every character) then shows for what it
 * is. Only for a scan already refused.
 */
function controlCharacterDetail(text: string): string {
  const first = STRAY_CONTROL.exec(text)!;
  const code = first[0].charCodeAt(0);
  let more = 0;
  for (let i = first.index + 1; i < text.length; i++) if (STRAY_CONTROL.test(text[i]!)) more++;
  const name = code === 0x7f ? 'DEL' : C0_NAMES[code]!;
  return `scan contains control characters: ${codeName(code)} (${name}) at offset ${first.index}${more > 0 ? `, and ${more} more` : ''}`;
}

/** False only for code units trim() never removes (printable ASCII); NaN (an empty text) is false. */
function mayBeSpace(c: number): boolean {
  return c <= 0x20 || c >= 0x7f;
}
