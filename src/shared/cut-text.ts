/**
 * `text` cut to at most `max` UTF-16 code units, ending in "…" when cut, and never between the two
 * halves of a surrogate pair (a lone half is not well-formed Unicode: stored as U+FFFD, refused by
 * strict readers). Shared by the kiosk, which bounds what it reports, and the server, which bounds
 * what it stores. `max` ≥ 2.
 */
export function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\uD800-\uDBFF]/.test(text.charAt(end - 1))) end--;
  return `${text.slice(0, end)}…`;
}
