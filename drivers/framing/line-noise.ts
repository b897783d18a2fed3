/**
 * Line noise: a frame that is not text a barcode scanner sends. A wrong baud rate, a flaky cable
 * or a ground fault on an RS-232 line turns into random bytes, which the line framer cuts at every
 * stray CR/LF into a stream of short garbage frames (about one per 128 random bytes).
 *
 * What a scanner sends is UTF-8 text (configured so for this kiosk: README Troubleshooting) whose
 * only control characters are
 * - TAB (some scanners put it between fields),
 * - GS 0x1D (GS1 FNC1, the ISO/IEC 15434 data element separator), RS 0x1E (ISO/IEC 15434 format
 *   header and trailer) and EOT 0x04 (its message trailer),
 * - FS 0x1C and US 0x1F (separators that the EDI formats carried in an ISO/IEC 15434 envelope may
 *   declare).
 * Everything else in C0 (NUL, BEL, ESC …), DEL, bytes that are not UTF-8 and U+FFFD (what a lenient
 * decoder makes of them) is noise. CR and LF never reach a frame (they end it).
 */
import type { Frame } from './line-framer.js';

/** C0 control characters a scanner may legitimately send inside a scan (see the file comment). */
const ALLOWED_CONTROLS: ReadonlySet<number> = new Set([0x04, 0x09, 0x1c, 0x1d, 0x1e, 0x1f]);
const DEL = 0x7f;
const REPLACEMENT_CHARACTER = 0xfffd;

/**
 * Fewer characters than this is a fragment, not a scan: the shortest retail barcode (EAN-8, UPC-E)
 * has 8 and every credential the kiosk reads is far longer. Only used while a burst of noise is on
 * (see LineNoiseGate): random bytes yield short printable pieces now and then.
 */
export const MIN_SCAN_CHARS = 8;

/**
 * True when `frame` is line noise: the framer found invalid UTF-8 (`unreadable`), or the text holds
 * U+FFFD, DEL or a C0 control character other than TAB, EOT, FS, GS, RS, US. A `too-large` frame is
 * not judged (its bytes were not kept) and an ordinary text frame never is noise.
 */
export function isLineNoise(frame: Pick<Frame, 'text' | 'fault'>): boolean {
  if (frame.fault === 'unreadable') return true;
  if (frame.fault !== undefined) return false;
  const text = frame.text;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === REPLACEMENT_CHARACTER || c === DEL) return true;
    if (c < 0x20 && !ALLOWED_CONTROLS.has(c)) return true;
  }
  return false;
}

/** True when a clean frame is too short to be a scan (fewer than MIN_SCAN_CHARS code points). */
export function isFragment(frame: Pick<Frame, 'text' | 'fault'>): boolean {
  if (frame.fault !== undefined) return false;
  let n = 0;
  for (const _ of frame.text) if (++n >= MIN_SCAN_CHARS) return false;
  return true;
}
