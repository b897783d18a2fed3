/**
 * Searches files (and text) for planted personal data: every needle as UTF-8 in NFC and in NFD
 * (a name with diacritics has two byte forms; a writer might have normalised either way).
 */
import fs from 'node:fs';
import path from 'node:path';

export interface PiiHit {
  where: string;
  needle: string;
  form: 'NFC' | 'NFD';
}

function forms(needle: string): [Buffer, 'NFC' | 'NFD'][] {
  const nfc = Buffer.from(needle.normalize('NFC'), 'utf8');
  const nfd = Buffer.from(needle.normalize('NFD'), 'utf8');
  return nfc.equals(nfd) ? [[nfc, 'NFC']] : [[nfc, 'NFC'], [nfd, 'NFD']];
}

/** Every hit of every needle in `data`, at most one per needle and form. */
export function findIn(where: string, data: Buffer, needles: readonly string[]): PiiHit[] {
  const hits: PiiHit[] = [];
  for (const needle of needles) {
    for (const [bytes, form] of forms(needle)) if (data.includes(bytes)) hits.push({ where, needle, form });
  }
  return hits;
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

export function findInFiles(files: readonly string[], needles: readonly string[]): PiiHit[] {
  return files.flatMap((f) => (fs.existsSync(f) ? findIn(f, fs.readFileSync(f), needles) : []));
}

const FAMILY = ['NGUYỄN', 'TRẦN', 'LÊ', 'PHẠM', 'HOÀNG', 'HUỲNH', 'VÕ', 'ĐẶNG', 'BÙI', 'ĐỖ'];
const MIDDLE = ['VĂN', 'THỊ', 'HỮU', 'ĐỨC', 'MINH', 'NGỌC', 'QUỐC', 'THANH'];
const GIVEN = ['ANH', 'BẢO', 'CƯỜNG', 'DŨNG', 'GIANG', 'HẢI', 'HƯƠNG', 'KHOA', 'LINH', 'MỸ', 'NHUNG', 'PHƯƠNG', 'QUÂN', 'SƠN', 'THẢO', 'TRÚC', 'UYÊN', 'VIỆT', 'XUÂN', 'YẾN'];
const SYLLABLE = ['ÁI', 'ÂN', 'ĐÀO', 'HỒNG', 'KHẢI', 'LỘC', 'MẪN', 'NGHĨA', 'PHÚC', 'THƯ', 'TÚ', 'VŨ', 'ỨNG', 'ẤU', 'ỢT', 'ỸN'];

/**
 * A distinct Vietnamese name for each i < 20,000 (four syllables, diacritics in most), so that a
 * hit names exactly one planted person.
 */
export function plantedName(i: number): string {
  const a = SYLLABLE[i % SYLLABLE.length]!;
  const b = SYLLABLE[Math.floor(i / SYLLABLE.length) % SYLLABLE.length]!;
  const rest = Math.floor(i / (SYLLABLE.length * SYLLABLE.length));
  return `${FAMILY[rest % FAMILY.length]} ${MIDDLE[Math.floor(rest / FAMILY.length) % MIDDLE.length]} ${a}${b === a ? '' : ` ${b}`} ${GIVEN[i % GIVEN.length]}`;
}

/** Which of the byte strings `needles` (by index) occur in any of `files`. */
export function findBytesInFiles(files: readonly string[], needles: readonly Buffer[]): { where: string; index: number }[] {
  const hits: { where: string; index: number }[] = [];
  for (const f of files) {
    if (!fs.existsSync(f)) continue;
    const data = fs.readFileSync(f);
    needles.forEach((n, index) => {
      if (data.includes(n)) hits.push({ where: f, index });
    });
  }
  return hits;
}
