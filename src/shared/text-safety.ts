/**
 * Text rules the kiosk and the central server share, so the kiosk refuses what the server would
 * refuse (server/text-safety.ts re-exports these; one function, never a copy):
 *
 * - an identifier (device id, checkpoint id, reason code) holds no control character and no lone
 *   surrogate (`problemOfIdentifier`);
 * - free text (names, an officer's id and reason) may hold anything printable, but never U+0000 (which a
 *   PostgreSQL `text` value cannot hold) nor a lone surrogate (which UTF-8 cannot carry)
 *   (`problemOfFreeText`);
 */

import { firstControlCharacter } from './control-characters.js';

/** `U+001B`-style name of a code unit (for messages; never the character itself). */
export function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Why `value` cannot be an identifier (undefined when it can): `"<field>: contains a control
 * character (U+001B)"` or `"<field>: contains a lone surrogate (U+D800), not well-formed Unicode"`.
 */
export function problemOfIdentifier(field: string, value: string): string | undefined {
  const ch = firstControlCharacter(value);
  if (ch === undefined) return undefined;
  const name = codePointName(ch);
  return /\p{Cs}/u.test(ch) ? `${field}: contains a lone surrogate (${name}), not well-formed Unicode` : `${field}: contains a control character (${name})`;
}

/** Why `value` cannot be stored as free text (undefined when it can): a NUL or a lone surrogate. */
export function problemOfFreeText(field: string, value: string): string | undefined {
  if (value.includes('\u0000')) return `${field}: contains a NUL character (U+0000)`;
  const m = /\p{Cs}/u.exec(value);
  return m ? `${field}: contains a lone surrogate (${codePointName(m[0])}), not well-formed Unicode` : undefined;
}
