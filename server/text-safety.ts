/**
 * Text a kiosk sends that people read later (the fleet page, the operations room, logs, CSVs) or
 * that PostgreSQL stores in a `text` column. Four rules:
 *
 * - an identifier (device id, checkpoint id, reason code) holds no control character and no lone
 *   surrogate: a check-in with one is refused alone, naming the field (`problemOfIdentifier`);
 * - free text (names, an officer's id) may hold anything printable, but never U+0000 (which a
 *   PostgreSQL `text` value cannot hold, so one would fail the whole batch) nor a lone surrogate
 *   (which UTF-8 cannot carry: it would be stored as U+FFFD, not as sent) (`problemOfFreeText`);
 * - an officer's override reason (`problemOfOfficerReason`) is free text without control or
 *   bidirectional control characters and with at least a few visible characters;
 * - status text a kiosk reports about itself (heartbeat: scanner errors, version, update state;
 *   enrollment: device name) is accepted and cleaned (`cleanReportedText`): refusing it would cost
 *   the whole heartbeat of an old kiosk that reports a driver's raw message, so each control
 *   character is replaced instead (whitespace by a space, the rest by U+FFFD).
 *
 * "Control character" is Unicode's general category Cc (C0, DEL, C1), plus U+2028/U+2029 (line
 * and paragraph separators, which end a line in many log viewers and in JavaScript source).
 */

import { replaceControlCharacters } from '../src/shared/control-characters.js';

// The rules the kiosk applies too live in src/shared/text-safety.ts (one function, not a copy).
export { MIN_REASON_VISIBLE, problemOfFreeText, problemOfIdentifier, problemOfOfficerReason } from '../src/shared/text-safety.js';

/** `value` with each control character replaced (src/shared/control-characters.ts): a space for whitespace ones, else U+FFFD. */
export function cleanReportedText(value: string): string {
  return replaceControlCharacters(value);
}

/** Deepest nesting of arrays and objects `cleanReportedValue` walks (a heartbeat's own shape is 3 deep). */
export const MAX_REPORTED_DEPTH = 32;

/**
 * A JSON value with every string in it (keys too) cleaned by `cleanReportedText`, or undefined when
 * it nests arrays and objects deeper than `maxDepth` levels (no kiosk sends that; walking it would
 * exhaust the stack, as would storing it with JSON.stringify).
 */
export function cleanReportedValue<T>(value: T, maxDepth = MAX_REPORTED_DEPTH): T | undefined {
  if (typeof value === 'string') return cleanReportedText(value) as T;
  if (!value || typeof value !== 'object') return value;
  if (maxDepth <= 0) return undefined;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const v of value as unknown[]) {
      const c = cleanReportedValue(v, maxDepth - 1);
      if (c === undefined && v !== undefined) return undefined;
      out.push(c);
    }
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    const c = cleanReportedValue(v, maxDepth - 1);
    if (c === undefined && v !== undefined) return undefined;
    out[cleanReportedText(k)] = c;
  }
  return out as T;
}
