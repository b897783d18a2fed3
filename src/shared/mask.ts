/**
 * Masks a name for the public screen (docs/OPERATIONS.md): first and last letter of each word kept,
 * the rest replaced, e.g. "NGUYỄN VĂN AN" → "N****N V*N A*". Works on grapheme-ish code points so
 * Vietnamese letters with diacritics count as one letter.
 */
export function maskName(name: string): string {
  // One pass per word, no intermediate arrays of words: this runs for every scan shown.
  let out = '';
  for (const word of name.trim().split(/\s+/u)) {
    if (word.length === 0) continue;
    const chars = Array.from(word.normalize('NFC'));
    const n = chars.length;
    const masked = n <= 1 ? chars.join('') : n === 2 ? `${chars[0]}*` : `${chars[0]}${'*'.repeat(n - 2)}${chars[n - 1]}`;
    out = out === '' ? masked : `${out} ${masked}`;
  }
  return out;
}

/** What an export without `--reveal` shows of a subject: the kind of ID and the masked name only. */
export interface MaskedSubject {
  idType?: string;
  maskedName?: string;
}

/** Drops every identity field but the ID type; the name only masked (as on the public screen). */
export function maskSubject(subject: { idType?: string; name?: string }): MaskedSubject {
  const out: MaskedSubject = {};
  if (subject.idType) out.idType = subject.idType;
  if (subject.name) out.maskedName = maskName(subject.name);
  return out;
}
