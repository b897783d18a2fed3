/**
 * Text helpers shared by the pipe-delimited identity formats (CCCD chip card QR, unified
 * personal QR of Decision 1405). Pure and synchronous: they run on the scan hot path.
 */
import type { DisplayLine, FormatId, Subject } from '../shared/types.js';
import { LIMITS, failed, type VerifyResult } from './types.js';
import { StepLog } from './step-log.js';
import { DedupText } from './dedup-text.js';
import { isWhitespaceCode } from '../shared/whitespace.js';
import { codePointName } from '../shared/text-safety.js';

export { StepLog };

/** Vietnam is UTC+7 all year (no daylight saving). Card dates are Vietnamese calendar dates. */
const VIETNAM_UTC_OFFSET_MS = 7 * 60 * 60 * 1000;

/**
 * Control characters that never belong in a printed-text QR: C0 except TAB/LF/CR, DEL, C1, and
 * U+FFFD (what a decoder leaves for bytes that were not valid UTF-8).
 */
// eslint-disable-next-line no-control-regex
const GARBAGE_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFD]/u;

/** True when the text carries bytes no genuine identity QR contains (scanner garbage). */
export function hasGarbageChars(text: string): boolean {
  return GARBAGE_CHARS.test(text);
}

/**
 * Characters that change how text around them is shown without being seen themselves: controls
 * (Cc), private use (Co), lone surrogates (Cs) and format characters (Cf: bidi overrides and
 * isolates such as U+202E, zero-width space U+200B, U+FEFF …) — except ZWNJ/ZWJ (U+200C/U+200D),
 * which some scripts need inside names. A name carrying U+202E is shown reversed on a screen and
 * no longer matches the person's name when traced.
 */
const DISPLAY_SPOOF_CHARS = /[\p{Cc}\p{Co}\p{Cs}]|(?![\u200C\u200D])\p{Cf}/u;

/**
 * The first character of `text` that must not be in a shown text field (see DISPLAY_SPOOF_CHARS)
 * as `U+XXXX`, or undefined when there is none. Used by the CKD1 reader and the /declare form.
 */
export function displaySpoofChar(text: string): string | undefined {
  const m = DISPLAY_SPOOF_CHARS.exec(text);
  return m ? codePointName(m[0]) : undefined;
}

/**
 * Cleans one field: any run of whitespace (CR/LF leftovers, tabs, NBSP, BOM) becomes one space,
 * the ends are trimmed, and Vietnamese text is NFC-normalised so NFD input compares equal.
 */
export function cleanField(raw: string): string {
  const collapsed = raw.replace(/[\s\uFEFF]+/gu, ' ').trim();
  // Plain ASCII (the usual case for digits and dates) is already NFC: skip the normalise call.
  return /^[\x20-\x7E]*$/.test(collapsed) ? collapsed : collapsed.normalize('NFC');
}

/** Splits on '|' and cleans every field. The caller bounds the text length first. */
export function splitPipeFields(text: string): string[] {
  const fields: string[] = [];
  for (let start = 0; ; ) {
    const bar = text.indexOf('|', start);
    const end = bar === -1 ? text.length : bar;
    fields.push(cleanFieldAt(text, start, end));
    if (bar === -1) return fields;
    start = bar + 1;
  }
}

/**
 * cleanField(text.slice(start, end)) in one look at the characters: a field that is already clean
 * (no whitespace but single spaces between other characters) is returned as it is, or NFC-normalised
 * when it is not plain ASCII; anything else goes through cleanField. Runs for every field of every
 * identity scan: most fields (digits, dates, a plain name) take the first way.
 */
function cleanFieldAt(text: string, start: number, end: number): string {
  let ascii = true;
  // True at the start and after a space: a space there (leading, or a second one) needs collapsing.
  let afterSpace = true;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x20) {
      if (afterSpace) return cleanField(text.slice(start, end));
      afterSpace = true;
    } else if (c < 0x20 || (c > 0x7e && isWhitespaceCode(c))) {
      return cleanField(text.slice(start, end));
    } else {
      afterSpace = false;
      if (c > 0x7e) ascii = false;
    }
  }
  // A trailing space (afterSpace at the end of a non-empty field) is trimmed by cleanField.
  if (afterSpace && end > start) return cleanField(text.slice(start, end));
  const field = text.slice(start, end);
  return ascii ? field : field.normalize('NFC');
}

/** Number of Unicode code points (a Vietnamese letter in NFC is one). */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

export interface CalendarDate {
  year: number;
  /** 1..12 */
  month: number;
  /** 1..31 */
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in a month; without a year February counts 29 (a masked year could be a leap year). */
export function daysInMonth(month: number, year?: number): number {
  if (month === 2) return year === undefined || isLeapYear(year) ? 29 : 28;
  return MONTH_DAYS[month - 1] ?? 0;
}

export function isRealDate(year: number, month: number, day: number): boolean {
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(month, year);
}

/**
 * Whether the calendar date an ISO 8601 text starts with (`YYYY-MM-DD…`) exists. `Date.parse`
 * and `Date.UTC` roll an impossible date over instead of refusing it (2026-02-30 becomes
 * 2026-03-02), so a trace or a validation clock given one would silently cover another period.
 * A text that does not start with such a date is left to its own parser (true).
 */
export function startsWithRealDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!m) return true;
  return isRealDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** Sortable integer key yyyymmdd. */
export function dateKey(d: CalendarDate): number {
  return d.year * 10000 + d.month * 100 + d.day;
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** The Vietnamese day last asked for, [fromMs, toMs) in epoch ms, and its key: one day's scans share it. */
let lastDay = { fromMs: 0, toMs: 0, key: 0 };

/** Today's date in Vietnam as a yyyymmdd key, from the validation clock. */
export function vietnamTodayKey(now: Date): number {
  const ms = now.getTime();
  if (ms >= lastDay.fromMs && ms < lastDay.toMs) return lastDay.key;
  const t = new Date(ms + VIETNAM_UTC_OFFSET_MS);
  const key = t.getUTCFullYear() * 10000 + (t.getUTCMonth() + 1) * 100 + t.getUTCDate();
  const fromMs = Math.floor((ms + VIETNAM_UTC_OFFSET_MS) / DAY_MS) * DAY_MS - VIETNAM_UTC_OFFSET_MS;
  // An invalid date gives NaN bounds: never reused.
  lastDay = { fromMs, toMs: fromMs + DAY_MS, key };
  return key;
}

/** The current year in Vietnam. */
export function vietnamYear(now: Date): number {
  return Math.floor(vietnamTodayKey(now) / 10000);
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export function toIsoDate(d: CalendarDate): string {
  return `${d.year}-${pad2(d.month)}-${pad2(d.day)}`;
}

/**
 * Parses a DDMMYYYY card date. Returns the date, or a short problem description (no data in it)
 * that the caller puts after the field name.
 */
export function parseDdMmYyyy(s: string): CalendarDate | string {
  if (s.length !== 8) return 'is not 8 digits (DDMMYYYY)';
  // Read digit by digit (two scans a card, every scan): no regular expression, no substrings.
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return 'is not 8 digits (DDMMYYYY)';
    n = n * 10 + d;
  }
  const day = Math.floor(n / 1_000_000);
  const month = Math.floor(n / 10_000) % 100;
  const year = n % 10_000;
  if (!isRealDate(year, month, day)) return 'is not a real date';
  return { year, month, day };
}

/**
 * Masks an identity number for screens and details: first 3 and last 3 characters kept
 * (001******123). Shorter numbers are masked entirely except the last 2.
 */
export function maskIdNumber(id: string): string {
  if (id.length >= 9) return `${id.slice(0, 3)}${'*'.repeat(id.length - 6)}${id.slice(-3)}`;
  if (id.length <= 2) return '*'.repeat(id.length);
  return `${'*'.repeat(id.length - 2)}${id.slice(-2)}`;
}

/**
 * Unified personal QR shape (Decision 1405): an ID-like first field, then any name, then a date
 * (digits or '*') as the third field. CCCD card QRs never have a date in field 3 (it holds the
 * name), so this test alone separates the two pipe formats. The date is recognised in any
 * separated spelling (`1990-2-1`, `01/02/1990`, `1990.02.01`), so a QR that spells it wrongly is
 * refused as a unified QR with a bad birth date rather than as a CCCD card with too few fields.
 */
const UNIFIED_QR_SHAPE = /^\s*[0-9A-Za-z*]{0,20}\s*\|[^|]{0,200}\|\s*[0-9*]{1,4}[-/.][0-9*]{1,2}[-/.][0-9*]{1,4}\s*(?:\||$)/;

export function looksLikeUnifiedQr(text: string): boolean {
  return UNIFIED_QR_SHAPE.test(text);
}

/** A name: letters (any script, Vietnamese included), combining marks, spaces, ' . - */
const NAME_CHARS = /^[\p{L}\p{M}' .-]+$/u;

/**
 * A UTF-8 lead byte (0xC2–0xEF) followed by a continuation byte (0x80–0xBF), each read as the
 * character Windows-1252 (or Latin-1) gives it: what a scanner not set to UTF-8 makes of a
 * Vietnamese letter ("ễ" E1 BB 85 → "á»…", "ă" C4 83 → "Äƒ"). No Vietnamese letter lies in
 * U+0080–U+00BF or among Windows-1252's other characters there (Œ š ƒ ˜ – … €), so real text
 * never holds such a pair. NBSP (0xA0) is not listed: cleanField has already made it a space.
 */
const UTF8_READ_AS_CP1252 = /[\u00C2-\u00EF][\u0080-\u009F\u00A1-\u00BF\u0152\u0153\u0160\u0161\u0178\u017D\u017E\u0192\u02C6\u02DC\u2013\u2014\u2018-\u201A\u201C-\u201E\u2020-\u2022\u2026\u2030\u2039\u203A\u20AC\u2122]/;

/**
 * What a scanner not set to send UTF-8 (docs/SCANNERS.md) left in a field, else undefined: its
 * UTF-8 bytes read as Windows-1252 or Latin-1 ("Nguyá»…n"), or a letter it could not send
 * replaced by '?'. Worded to follow "field N (what) ".
 */
export function scannerEncodingProblem(field: string): string | undefined {
  if (UTF8_READ_AS_CP1252.test(field)) {
    return "arrived in another encoding than UTF-8 (its UTF-8 bytes read as Windows-1252 or Latin-1): set the scanner's output encoding to UTF-8 (docs/SCANNERS.md)";
  }
  if (field.includes('?')) return 'contains "?" where a letter belongs: the scanner could not send a letter (set its output encoding to UTF-8, docs/SCANNERS.md)';
  return undefined;
}

/**
 * Checks a cleaned name field against a bound in code points. Returns a problem description
 * (never the name itself) or undefined when acceptable. A name garbled by a scanner's encoding
 * (scannerEncodingProblem) is refused even when what is left is all letters ("VÄƒn HÃ" for "Văn
 * Hà"): it is not the name printed on the card, and would be shown and recorded as the person's.
 */
export function nameProblem(name: string, maxCodePoints: number): string | undefined {
  const length = codePointLength(name);
  if (length === 0) return 'is empty';
  if (length > maxCodePoints) return `is ${length} characters, over ${maxCodePoints}`;
  if (UTF8_READ_AS_CP1252.test(name)) return scannerEncodingProblem(name);
  if (!NAME_CHARS.test(name)) {
    const invisible = displaySpoofChar(name);
    return scannerEncodingProblem(name) ?? (invisible ? `contains the invisible or control character ${invisible}` : 'contains characters that are not letters');
  }
  return undefined;
}

/** Quotes a short field value for a step detail; long values are described by length only. */
export function quoteShort(value: string, max = 12): string {
  return value.length <= max ? `"${value}"` : `(${value.length} characters)`;
}

/**
 * The common start of the two pipe-separated identity formats: bound the size, refuse control
 * characters, split, and drop a stray trailing '|' beyond `maxFields`. Returns the fields, or the
 * failed result to return as it is.
 */
export function readPipeFields(format: FormatId, text: string, maxFields: number): { fields: string[] } | { result: VerifyResult } {
  if (text.length > LIMITS.maxTextChars) {
    return { result: failed(format, 'too-large', `text is ${text.length} characters, over ${LIMITS.maxTextChars}`) };
  }
  if (hasGarbageChars(text)) return { result: failed(format, 'unreadable', 'text contains control characters or undecodable bytes') };
  const fields = splitPipeFields(text);
  // A stray trailing '|' (some readers add one) is not an extra field.
  while (fields.length > maxFields && fields[fields.length - 1] === '') fields.pop();
  if (fields.every((f) => f === '')) return { result: failed(format, 'unreadable', 'no content') };
  return { fields };
}

/**
 * An identity-only result from what a format's checks collected (subject and lists filled in later
 * are seen). `dedupText`, when given, is VerifyResult.dedupText (pipeFieldsText).
 */
export function identityResult(format: FormatId, title: string, log: StepLog, subject: Subject, statusKeys: string[], details: DisplayLine[], dedupText?: DedupText): () => VerifyResult {
  if (dedupText === undefined) return () => ({ format, failures: log.failures, findings: [], identityOnly: true, subject, statusKeys, steps: log.steps, title, details });
  return () => ({ format, failures: log.failures, findings: [], identityOnly: true, subject, statusKeys, steps: log.steps, title, details, dedupText });
}

/**
 * The fields of a pipe-separated identity QR as read (readPipeFields: whitespace collapsed and
 * trimmed, each field NFC), without empty fields at the end (a stray trailing separator, an empty
 * optional EXT), joined again with '|': one text for every spelling of the same card a scanner may
 * deliver (`VerifyResult.dedupText`). For a clean card it is the scan's own text.
 */
export function pipeFieldsText(fields: readonly string[]): string {
  let n = fields.length;
  while (n > 1 && fields[n - 1] === '') n--;
  return n === fields.length ? fields.join('|') : fields.slice(0, n).join('|');
}

/**
 * VerifyResult.dedupText of a pipe-separated identity QR read from `text` into `fields`
 * (pipeFieldsText), or undefined when that would be the scan's normalised text anyway: every field
 * as it stood in the text (as long together as the text: nothing collapsed, trimmed or dropped)
 * and none empty at the end. A clean card, the usual scan, then costs nothing here. (A field whose
 * cleaning shortened it and whose NFC form lengthened it by as much would be missed: that reading
 * is keyed by its text, as before, which never folds two different cards.)
 */
export function pipeFieldsDedup(text: string, fields: readonly string[]): DedupText | undefined {
  if (fields[fields.length - 1] !== '' && fieldsSpellText(text, fields)) return undefined;
  return new DedupText(() => pipeFieldsText(fields));
}

/**
 * Whether `fields` joined by '|' is `text` exactly, compared in place (no joined copy on every
 * scan). Equal lengths are not enough: cleaning swaps a TAB or a no-break space for a space one
 * for one, and such a card must be keyed by its clean fields like any other spelling.
 */
function fieldsSpellText(text: string, fields: readonly string[]): boolean {
  let at = 0;
  for (let i = 0; i < fields.length; i++) {
    if (i > 0) {
      if (text.charCodeAt(at) !== 0x7c) return false;
      at++;
    }
    const field = fields[i]!;
    if (!text.startsWith(field, at)) return false;
    at += field.length;
  }
  return at === text.length;
}
