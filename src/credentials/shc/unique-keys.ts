/**
 * Whether a parsed JSON text named a key twice in one object, cheaply enough for every scan.
 * JSON.parse keeps the last of two equal keys without a word (RFC 8259 §4 leaves it to the
 * parser). Counting is enough to tell: in valid JSON every member has exactly one ':' outside
 * strings, so the text held more members than the parsed objects exactly when some key repeated.
 * One pass over the characters and one walk of the objects, no allocation: a fraction of
 * shared/duplicate-keys.ts's scan, which keeps a set per object and is run only to name the key.
 */
import { firstDuplicateKey } from '../../shared/duplicate-keys.js';
import type { DuplicateKey } from '../../shared/duplicate-keys.js';

/** Members in `text` (valid JSON): its ':' outside strings. Strings are skipped with indexOf. */
function membersInText(text: string): number {
  let members = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x3a /* : */) {
      members++;
    } else if (c === 0x22 /* " */) {
      // The closing quote: the next one not escaped (preceded by an even number of backslashes).
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end < 0) return members;
        let slashes = 0;
        for (let j = end - 1; text.charCodeAt(j) === 0x5c; j--) slashes++;
        if (slashes % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
    }
  }
  return members;
}

/** Members of every object in a value JSON.parse returned (only plain objects and arrays). */
function membersIn(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let members = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) members += membersIn(value[i]);
    return members;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) members += 1 + membersIn(obj[key]);
  return members;
}

/**
 * The first key named twice in one object of `text`, or undefined. `parsed` must be what
 * JSON.parse(text) returned (text valid JSON). Nesting is bounded by the caller's size bound.
 */
export function repeatedKey(text: string, parsed: unknown): DuplicateKey | undefined {
  if (membersInText(text) === membersIn(parsed)) return undefined;
  return firstDuplicateKey(text);
}
