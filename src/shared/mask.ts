/**
 * Masks a name for the public screen (docs/OPERATIONS.md): first and last letter of each word kept,
 * the rest replaced, e.g. "NGUYỄN VĂN AN" → "N****N V*N A*". Works on grapheme-ish code points so
 * Vietnamese letters with diacritics count as one letter.
 */
export function maskName(name: string): string {
  return name
    .trim()
    .split(/\s+/u)
    .filter((w) => w.length > 0)
    .map((word) => {
      const chars = Array.from(word.normalize('NFC'));
      if (chars.length <= 1) return chars.join('');
      if (chars.length === 2) return `${chars[0]}*`;
      return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars[chars.length - 1]}`;
    })
    .join(' ');
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
