/**
 * Text rules the kiosk and the central server share, so the kiosk refuses what the server would
 * refuse (server/text-safety.ts re-exports these; one function, never a copy):
 *
 * - an identifier (device id, checkpoint id, reason code) holds no control character and no lone
 *   surrogate (`problemOfIdentifier`);
 * - free text (names, an officer's id) may hold anything printable, but never U+0000 (which a
 *   PostgreSQL `text` value cannot hold) nor a lone surrogate (which UTF-8 cannot carry)
 *   (`problemOfFreeText`);
 * - an officer's reason for an override (`problemOfOfficerReason`) is free text that also holds
 *   no control character (Cc, U+2028/U+2029) and no bidirectional control (U+202A-U+202E,
 *   U+2066-U+2069, U+200E/U+200F, U+061C: they reorder what a reader sees), and keeps at least
 *   MIN_REASON_VISIBLE visible characters once white space, format characters (zero-width space
 *   and the like), combining marks alone and other invisible fillers are taken out: a reason
 *   that reads as empty is no reason.
 */

import { firstControlCharacter } from './control-characters.js';

/** `U+001B`-style name of a code point (for messages; never the character itself). */
export function codeName(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** codeName of the first code point of `ch`. */
export function codePointName(ch: string): string {
  return codeName(ch.codePointAt(0) ?? 0);
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

/** Fewest visible characters an officer's override reason must keep (see problemOfOfficerReason). */
export const MIN_REASON_VISIBLE = 3;

const BIDI_CONTROL = /\p{Bidi_Control}/u;
/**
 * What does not count as visible: white space, format characters (Cf: zero-width space and
 * joiners, soft hyphen, word joiner, BOM…), marks (a combining accent alone shows nothing of its
 * own; the combining grapheme joiner is one), and the blank letters that render as nothing (Hangul
 * fillers, the braille blank). Written as alternatives: the fillers combine with each other.
 */
const INVISIBLE = /[\p{White_Space}\p{Cf}\p{M}]|\u115F|\u1160|\u3164|\uFFA0|\u2800/gu;

/**
 * Why `value` cannot be an officer's override reason (undefined when it can), checked on the
 * kiosk before the override is recorded and on the server for every received override.
 */
export function problemOfOfficerReason(field: string, value: string): string | undefined {
  const free = problemOfFreeText(field, value);
  if (free) return free;
  const control = problemOfIdentifier(field, value);
  if (control) return control;
  const bidi = BIDI_CONTROL.exec(value);
  if (bidi) return `${field}: contains a bidirectional control character (${codePointName(bidi[0])})`;
  const visible = [...value.replace(INVISIBLE, '')].length;
  if (visible < MIN_REASON_VISIBLE) return `${field}: needs at least ${MIN_REASON_VISIBLE} visible characters`;
  return undefined;
}
