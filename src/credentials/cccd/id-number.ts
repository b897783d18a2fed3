/**
 * The structure of the 12-digit personal identification number (Circular 07/2016/TT-BCA, Decree
 * 137/2015): digits 1–3 province of birth registration, digit 4 century + sex, digits 5–6 the
 * last two digits of the birth year, digits 7–12 random. Shared by the CCCD card format and the
 * unified personal QR (which may mask some of the first 6 characters with '*').
 */
import { provinceName } from './provinces.js';

export type Sex = 'M' | 'F';

/**
 * Digit 4: 0/1 = born 1900–1999 male/female, 2/3 = 2000s, 4/5 = 2100s, 6/7 = 2200s, 8/9 = 2300s.
 * Returns the first year of the century and the sex.
 */
export function centuryAndSex(digit: number): { centuryStart: number; sex: Sex } {
  return { centuryStart: 1900 + Math.floor(digit / 2) * 100, sex: digit % 2 === 0 ? 'M' : 'F' };
}

function isDigitAt(id: string, i: number): boolean {
  const c = id.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/**
 * Province check of a 12-character number whose first 3 characters may be masked.
 * Returns a problem description, or undefined when the code is known or masked.
 */
export function checkProvinceCode(id: string): string | undefined {
  if (!(isDigitAt(id, 0) && isDigitAt(id, 1) && isDigitAt(id, 2))) return undefined;
  const code = id.slice(0, 3);
  return provinceName(code) === undefined ? `province code ${code} is not a Vietnamese province` : undefined;
}

/**
 * Cross-checks what a 12-character ID number encodes against a birth year and sex, as far as the
 * data allows: a masked ('*') digit, an unknown year or an unknown sex skips that part.
 * Returns mismatch descriptions (they name digits and centuries, never the number itself);
 * an empty array means consistent.
 */
export function crossCheckIdNumber(id: string, birthYear?: number, sex?: Sex): string[] {
  const problems: string[] = [];
  if (id.length !== 12 || !isDigitAt(id, 3)) return problems;
  const coded = centuryAndSex(id.charCodeAt(3) - 48);
  if (sex !== undefined && coded.sex !== sex) {
    problems.push(`ID digit 4 says ${coded.sex === 'M' ? 'male' : 'female'}, the card says ${sex === 'M' ? 'male' : 'female'}`);
  }
  if (birthYear === undefined) return problems;
  const birthCentury = Math.floor(birthYear / 100) * 100;
  if (birthCentury !== coded.centuryStart) {
    problems.push(`ID digit 4 says born in the ${coded.centuryStart}s, the birth date is in the ${birthCentury}s`);
  }
  if (isDigitAt(id, 4) && isDigitAt(id, 5)) {
    const yy = Number(id.slice(4, 6));
    if (yy !== birthYear % 100) problems.push('ID digits 5-6 do not match the last two digits of the birth year');
  }
  return problems;
}
