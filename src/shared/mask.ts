import { isWhitespaceCode } from './whitespace.js';

/**
 * Masks a name for the public screen (docs/OPERATIONS.md): first and last letter of each word kept,
 * the rest replaced, e.g. "NGUYỄN VĂN AN" → "N****N V*N A*". Works on grapheme-ish code points so
 * Vietnamese letters with diacritics count as one letter.
 */
export function maskName(name: string): string {
  // One pass over the name, words found by index: no arrays of words or of letters. This runs
  // for every scan shown. Words are runs of anything but whitespace (as `\s` and trim() know it).
  let out = '';
  const n = name.length;
  for (let i = 0; i < n; ) {
    while (i < n && isWhitespaceCode(name.charCodeAt(i))) i++;
    if (i === n) break;
    let end = i;
    let ascii = true;
    for (; end < n; end++) {
      const c = name.charCodeAt(end);
      if (isWhitespaceCode(c)) break;
      if (c > 0x7e) ascii = false;
    }
    const word = ascii ? name.slice(i, end) : name.slice(i, end).normalize('NFC');
    const masked = maskWord(word);
    out = out === '' ? masked : `${out} ${masked}`;
    i = end;
  }
  return out;
}

/** First and last code point kept, each one between them a '*' (a surrogate pair is one letter). */
function maskWord(word: string): string {
  let count = 0;
  let lastStart = 0;
  for (let i = 0; i < word.length; i += (word.codePointAt(i) as number) > 0xffff ? 2 : 1) {
    count++;
    lastStart = i;
  }
  if (count <= 1) return word;
  const first = word.slice(0, (word.codePointAt(0) as number) > 0xffff ? 2 : 1);
  return count === 2 ? `${first}*` : `${first}${'*'.repeat(count - 2)}${word.slice(lastStart)}`;
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
