/**
 * Duplicate keys in files people write by hand (policy, trust bundle, configuration profiles).
 * JSON.parse keeps the last of two equal keys without a word (RFC 8259 §4 leaves it to the
 * parser), so a bundle with a second, empty `"status"` section — a merge of two files, a pasted
 * block — would silently drop the blocked list, and a policy naming `duplicateWindowMinutes`
 * twice would run with whichever came last. Like an unknown key, that is an error naming the key.
 */

/** Where a key occurs twice: the key and its object's `$`-rooted path (`$.dcc.signers[3]`). */
export interface DuplicateKey {
  key: string;
  path: string;
}

interface Frame {
  /** Keys seen so far (objects only). */
  keys?: Set<string>;
  /** Next array index (arrays only). */
  index: number;
  /** The path of this container. */
  path: string;
  /** The key whose value is being read next (objects only). */
  pending?: string;
  /** An object expects a key next (after `{` or `,`). */
  expectKey: boolean;
}

/**
 * The first key that occurs twice in one object of `text`, or undefined. `text` must be valid
 * JSON (call it after JSON.parse succeeded): the scan does not check the grammar. One linear pass;
 * a 50 MiB bundle takes a fraction of a second.
 */
export function firstDuplicateKey(text: string): DuplicateKey | undefined {
  const stack: Frame[] = [];
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '$';
    if (top.keys) return `${top.path}.${top.pending ?? ''}`;
    return `${top.path}[${top.index}]`;
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const end = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const raw = text.slice(i, end + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) return { key, path: top.path };
        top.keys.add(key);
        top.pending = key;
        top.expectKey = false;
      }
      i = end + 1;
      continue;
    }
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const path = childPath();
      stack.push(c === 0x7b ? { keys: new Set(), index: 0, path, expectKey: true } : { index: 0, path, expectKey: false });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    }
    i++;
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start` (escapes skipped). */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  for (;;) {
    const quote = text.indexOf('"', at);
    if (quote < 0) return text.length - 1;
    // The quote is escaped when an odd number of backslashes precede it.
    let slashes = 0;
    for (let j = quote - 1; j > start && text.charCodeAt(j) === 0x5c; j--) slashes++;
    if (slashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** `duplicate key "status" at $ (…)`: the message the file readers put after the file name. */
export function duplicateKeyMessage(dup: DuplicateKey): string {
  const shown = dup.key.length > 64 ? `${dup.key.slice(0, 64)}…` : dup.key;
  return `duplicate key ${JSON.stringify(shown)} at ${dup.path} (each key may appear once in an object: JSON keeps only the last, silently)`;
}

/**
 * The first member named twice in the protected header of a compact JWS (RFC 7515 §4: member names
 * must be unique; jose's JSON.parse would keep the last). Call it once the header has decoded as
 * JSON (jose's decodeProtectedHeader), as firstDuplicateKey requires valid JSON.
 */
export function jwsHeaderDuplicateKey(compact: string): DuplicateKey | undefined {
  return firstDuplicateKey(Buffer.from(compact.slice(0, compact.indexOf('.')), 'base64url').toString('utf8'));
}
