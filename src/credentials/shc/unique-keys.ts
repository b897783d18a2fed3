/**
 * Whether a parsed JSON text named a key twice in one object, cheaply enough for every scan.
 * JSON.parse keeps the last of two equal keys without a word (RFC 8259 §4 leaves it to the
 * parser). Counting is enough to tell: in valid JSON every member has exactly one ':' outside
 * strings, so the text held more members than the parsed objects exactly when some key repeated.
 * One pass over the bytes and one walk of the objects, no allocation: a fraction of
 * shared/duplicate-keys.ts's scan, which keeps a set per object and is run only to name the key.
 */
import { firstDuplicateKey } from '../../shared/duplicate-keys.js';
import type { DuplicateKey } from '../../shared/duplicate-keys.js';

/**
 * Members in `json` (the UTF-8 bytes of valid JSON): its ':' outside strings. Read as bytes, as
 * inflated: a multi-byte UTF-8 sequence never holds a byte below 0x80, so '"', ':' and '\' are
 * only ever themselves, and a byte loop is about twice as fast as the same loop over the text.
 */
function membersInJson(json: Uint8Array): number {
  let members = 0;
  let inString = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i]!;
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x3a /* : */) {
      members++;
    }
  }
  return members;
}

/**
 * Deepest nesting membersIn walks. A card's FHIR bundle nests about ten levels; a signed payload of
 * 64 KiB can nest 30,000 (`[[[…]]]`), which overflowed the stack of this recursive walk and ended
 * the scan as an internal error. Deeper than this, the count gives up and the iterative scan
 * (firstDuplicateKey) decides.
 */
const MAX_WALK_DEPTH = 256;

/**
 * Members of every object in a value JSON.parse returned (only plain objects and arrays), or NaN
 * when it nests deeper than MAX_WALK_DEPTH (NaN equals no count, so the caller scans the text).
 */
function membersIn(value: unknown, depth = 0): number {
  if (typeof value !== 'object' || value === null) return 0;
  if (depth > MAX_WALK_DEPTH) return Number.NaN;
  let members = 0;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) members += membersIn(value[i], depth + 1);
    return members;
  }
  const obj = value as Record<string, unknown>;
  for (const key in obj) members += 1 + membersIn(obj[key], depth + 1);
  return members;
}

/**
 * The first key named twice in one object of the JSON `text`, or undefined. `json` is its UTF-8
 * bytes and `parsed` what JSON.parse(text) returned (text valid JSON). Any nesting: a value deeper
 * than MAX_WALK_DEPTH is left to the iterative scan.
 */
export function repeatedKey(json: Uint8Array, text: string, parsed: unknown): DuplicateKey | undefined {
  if (membersInJson(json) === membersIn(parsed)) return undefined;
  return firstDuplicateKey(text);
}
