/**
 * Unknown keys in files people write by hand (trust bundle, policy, configuration) are errors, not
 * silently ignored: a typo such as `"stauts"` for `"status"` would otherwise drop a whole section
 * and let a blocked person through. The error names the key, where it is, and the nearest valid
 * key (Levenshtein distance, npm fastest-levenshtein).
 */
import { closest, distance } from 'fastest-levenshtein';

/** The valid key nearest to `key` (ties: the first listed). Undefined when `known` is empty. */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  return known.length === 0 ? undefined : closest(key, known as string[]);
}

/**
 * The known word close enough to `word` to be a typo of it: within 2 edits, within a third of
 * `word`'s length (long keys take more slips), or starting with the same 4 or more characters
 * (`entry` → `entries`, a singular or a cut-short key). Undefined when none is that close: the
 * nearest word is then a guess, and naming it misleads ("version" is not a typo of "identityOnly").
 */
export function suggestion(word: string, known: readonly string[]): string | undefined {
  const near = nearestKey(word, known);
  if (near === undefined) return undefined;
  const d = distance(word, near);
  return d <= 2 || d <= word.length / 3 || commonPrefix(word, near) >= 4 ? near : undefined;
}

function commonPrefix(a: string, b: string): number {
  let n = 0;
  while (n < a.length && n < b.length && a[n] === b[n]) n++;
  return n;
}

/**
 * `unknown key "stauts" at $ (did you mean "status"?)` when a valid key is close enough to be what
 * was meant (see suggestion), else `unknown key "version" at $ (accepted keys: a, b, …)`. `path`
 * is a JSONPath-like location, `$` for the top level (`$.dcc.signers[2]`).
 */
export function unknownKeyMessage(key: string, path: string, known: readonly string[]): string {
  const shown = key.length > 64 ? `${key.slice(0, 64)}…` : key;
  if (known.length === 0) return `unknown key ${JSON.stringify(shown)} at ${path} (no keys are allowed here)`;
  const near = suggestion(key, known);
  const hint = near === undefined ? `accepted keys: ${known.join(', ')}` : `did you mean ${JSON.stringify(near)}?`;
  return `unknown key ${JSON.stringify(shown)} at ${path} (${hint})`;
}

/** The first own key of `obj` not in `known`, or undefined when every key is known. */
export function firstUnknownKey(obj: object, known: readonly string[]): string | undefined {
  for (const key of Object.keys(obj)) if (!known.includes(key)) return key;
  return undefined;
}

/** A path in the `$`-rooted form from a dotted one (`''` → `$`, `dcc.signers[0]` → `$.dcc.signers[0]`). */
export function dollarPath(path: string): string {
  return path === '' ? '$' : `$.${path}`;
}
