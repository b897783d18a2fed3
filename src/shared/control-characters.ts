/**
 * Control characters in text a device reports (a driver's error message, a version string), which
 * must not reach a page, a log line or a database raw. "Control character" is Unicode's general
 * category Cc (C0, DEL, C1) plus U+2028/U+2029 (line and paragraph separators, which end a line in
 * many log viewers and in JavaScript source); a lone surrogate (not well-formed UTF-16, so not
 * UTF-8 either) is treated the same way.
 */

const UNSAFE = /[\p{Cc}\u2028\u2029\p{Cs}]/u;
const UNSAFE_ALL = /[\p{Cc}\u2028\u2029\p{Cs}]/gu;
/** Whitespace among them: replaced by a space. */
const WHITESPACE_CONTROL = /[\t\n\v\f\r\u0085\u2028\u2029]/;

/** The first control character or lone surrogate of `text`, if any. */
export function firstControlCharacter(text: string): string | undefined {
  return UNSAFE.exec(text)?.[0];
}

/**
 * `text` with each control character and lone surrogate replaced: whitespace ones (tab, line
 * feed, carriage return, U+0085, U+2028, U+2029 …) by a space, the others by U+FFFD. Same length
 * in UTF-16 code units, so a length bound checked before still holds.
 */
export function replaceControlCharacters(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, (ch) => (WHITESPACE_CONTROL.test(ch) ? ' ' : '\uFFFD')) : text;
}
