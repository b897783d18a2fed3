/**
 * The prefix of a base45 credential (`HC1:`, `CKD1:`), told apart from the same prefix in another
 * letter case. Base45 (RFC 9285 §4) has capital letters only. A scan entirely in lower case
 * (`hc1:6bfox…`) has been upper-cased before any format sees it (core/normalize.ts
 * unfoldBase45Case); a text that still carries the prefix in another case mixes cases, and is
 * recognised as the format it names so the officer is told the letter case is wrong instead of
 * "no supported credential format recognised".
 */

/** Whether `text` starts with `prefix` (upper case) in any letter case. */
export function hasPrefixAnyCase(text: string, prefix: string): boolean {
  if (text.startsWith(prefix)) return true;
  return text.length >= prefix.length && text.slice(0, prefix.length).toUpperCase() === prefix;
}

/**
 * Why the text after a prefix matched by hasPrefixAnyCase cannot be read as base45, for the
 * problems the prefix itself shows: the prefix in another letter case, or nothing after it.
 * Undefined when neither applies (the base45 decoder then names any other problem).
 */
export function base45PrefixProblem(text: string, prefix: string): string | undefined {
  if (!text.startsWith(prefix)) {
    return `the prefix is written ${JSON.stringify(text.slice(0, prefix.length))} and the text mixes letter cases: base45 has capital letters only (a scan entirely in lower case is read upper-cased)`;
  }
  if (text.length === prefix.length) return `no data after ${prefix}`;
  return undefined;
}
