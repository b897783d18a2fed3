import { describe, expect, it } from 'vitest';
import { altCodeChar, BootKeyboardDecoder, type DecodedKey } from '../../drivers/keyboard/boot-decoder.js';
import { CODEPAGE_TABLE_LENGTHS, cp1252Char, cp437Char } from '../../drivers/keyboard/codepages.js';
import { BUILT_IN_LAYOUTS, defineLayout, type KeyboardLayout } from '../../drivers/keyboard/layouts.js';
import { ScanLineAssembler } from '../../drivers/keyboard/scan-line.js';

const R = (mods: number, ...keys: number[]) => Uint8Array.from([mods, 0, ...keys, 0, 0, 0, 0, 0, 0].slice(0, 8));
const UP = R(0);
const ENTER = [R(0, 0x28), UP];
const KEYPAD: Record<string, number> = { '1': 0x59, '2': 0x5a, '3': 0x5b, '4': 0x5c, '5': 0x5d, '6': 0x5e, '7': 0x5f, '8': 0x60, '9': 0x61, '0': 0x62 };

/** How a scanner types `char` on a host with `layout`: press + release, or an ALT+numpad code. */
function typeChar(layout: KeyboardLayout, char: string): Uint8Array[] {
  for (const [usage, chars] of layout.keys) {
    if (usage >= 0x54) continue; // keypad: scanners use the main keys
    if (chars[0] === char) return [R(0, usage), UP];
    if (chars[1] === char) return [R(0x02, usage), UP];
    if (chars[2] === char) return [R(0x40, usage), UP];
  }
  // Scanners send Latin-1 range characters as CP1252 (Alt+0nnn), the rest as Unicode (Alt+nnnn).
  const cp = char.codePointAt(0)!;
  return altCode(cp < 256 ? `0${cp}` : String(cp));
}

function altCode(digits: string): Uint8Array[] {
  const out = [R(0x04)];
  for (const d of digits) out.push(R(0x04, KEYPAD[d]!), R(0x04));
  out.push(UP);
  return out;
}

function decodeAll(reports: Uint8Array[], layout = BUILT_IN_LAYOUTS.us, capsLock = false): DecodedKey[] {
  const dec = new BootKeyboardDecoder({ layout, capsLock });
  return reports.flatMap((r) => dec.feed(r) ?? []);
}
const text = (keys: DecodedKey[]) => keys.map((k) => (k.kind === 'char' ? k.char : k.kind === 'end' ? `<${k.key}>` : `<${k.reason}>`)).join('');

describe('BootKeyboardDecoder, US layout', () => {
  it('decodes every printable ASCII character', () => {
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    const reports = [...ascii].flatMap((c) => typeChar(BUILT_IN_LAYOUTS.us, c));
    // None of them needed an ALT code on a US host.
    expect(reports.some((r) => r[0] === 0x04)).toBe(false);
    expect(text(decodeAll([...reports, ...ENTER]))).toBe(`${ascii}<enter>`);
  });

  it('uses both shift keys (0x02 left, 0x20 right)', () => {
    expect(text(decodeAll([R(0x02, 0x04), UP, R(0x20, 0x1e), UP, R(0x22, 0x38), UP]))).toBe('A!?');
  });

  it('Caps Lock upper-cases letters only, Shift reverses it, and a second press turns it off', () => {
    const caps = [R(0, 0x39), UP];
    const reports = [...caps, R(0, 0x04), UP, R(0x02, 0x05), UP, R(0, 0x1e), UP, R(0x02, 0x1e), UP, ...caps, R(0, 0x06), UP];
    expect(text(decodeAll(reports))).toBe('Ab1!c');
    expect(text(decodeAll([R(0, 0x04), UP], BUILT_IN_LAYOUTS.us, true))).toBe('A');
  });

  it('types a doubled character only with a release report in between', () => {
    expect(text(decodeAll([R(0, 0x04), UP, R(0, 0x04), UP]))).toBe('aa');
    expect(text(decodeAll([R(0, 0x04), R(0, 0x04), R(0, 0x04), UP]))).toBe('a');
  });

  it('finds presses by diffing: several new keys in one report come in slot order, held keys do not repeat', () => {
    expect(text(decodeAll([R(0, 0x04, 0x05), R(0, 0x05, 0x06), UP]))).toBe('abc');
  });

  it('ignores rollover/phantom reports without losing or repeating keys', () => {
    const phantom = R(0, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01);
    expect(text(decodeAll([R(0, 0x04), phantom, R(0, 0x04), UP, phantom, R(0, 0x05), UP]))).toBe('ab');
    expect(decodeAll([phantom])).toEqual([]);
  });

  it('ends scans with Enter, keypad Enter and Tab', () => {
    expect(text(decodeAll([R(0, 0x28), UP, R(0, 0x58), UP, R(0, 0x2b), UP]))).toBe('<enter><enter><tab>');
  });

  it('drops Ctrl shortcuts and rejects reports that are not 8 bytes', () => {
    expect(text(decodeAll([R(0x01, 0x06), UP]))).toBe('<control-key>');
    expect(new BootKeyboardDecoder({ layout: BUILT_IN_LAYOUTS.us }).feed(new Uint8Array(7))).toBeNull();
  });
});

describe('ALT+numpad codes', () => {
  it('types CP1252 with a leading 0, CP437 below 256 without, and Unicode above', () => {
    expect(text(decodeAll(altCode('0233')))).toBe('é');
    expect(text(decodeAll(altCode('0128')))).toBe('€');
    expect(text(decodeAll(altCode('130')))).toBe('é');
    expect(text(decodeAll(altCode('65')))).toBe('A');
    expect(text(decodeAll(altCode('29')))).toBe('\u001d'); // GS, the GS1 separator
    expect(text(decodeAll(altCode('7919')))).toBe('ữ');
  });

  it('rejects codes that are not characters, and Alt shortcuts', () => {
    expect(altCodeChar('0')).toBe('');
    expect(altCodeChar('55296')).toBe(''); // a lone surrogate
    expect(altCodeChar('9999999')).toBe('');
    expect(text(decodeAll([R(0x04), R(0x04, 0x2b), UP]))).toBe('<alt-shortcut>');
    expect(text(decodeAll([R(0x04), R(0x04, 0x5f), R(0x04, 0x04), UP]))).toBe('<bad-alt-code>');
  });

  it('decodes a Vietnamese name as a keyboard-mode scanner types it (letters as keys, diacritics as ALT codes)', () => {
    const name = 'Nguyễn Thị Hữu Ánh'.normalize('NFC');
    const reports = [...name].flatMap((c) => typeChar(BUILT_IN_LAYOUTS.us, c));
    expect(reports.filter((r) => r[0] === 0x04 && r[2] === 0).length).toBeGreaterThanOrEqual(4); // 4 ALT codes
    expect(text(decodeAll([...reports, ...ENTER]))).toBe(`${name}<enter>`);
  });

  it('uses its own code page tables (Node decodes windows-1252 as Latin-1)', () => {
    expect(CODEPAGE_TABLE_LENGTHS).toEqual({ cp1252: 32, cp437: 128 });
    expect([0x80, 0x8a, 0x99, 0x9f].map(cp1252Char).join('')).toBe('€Š™Ÿ');
    expect([0x80, 0x9b, 0xb0, 0xc4, 0xdb, 0xe1, 0xfd].map(cp437Char).join('')).toBe('Ç¢░─█ß²');
  });
});

describe('layouts', () => {
  const de = BUILT_IN_LAYOUTS.de;

  it('German: y/z swapped, umlauts, shifted digits, AltGr characters', () => {
    const reports = [R(0, 0x1c), UP, R(0, 0x1d), UP, R(0x02, 0x33), UP, R(0, 0x2d), UP, R(0x02, 0x24), UP, R(0x40, 0x14), UP, R(0x40, 0x08), UP, R(0x40, 0x25), UP];
    expect(text(decodeAll(reports, de))).toBe('zyÖß/@€[');
  });

  it('German: Caps Lock also upper-cases umlauts, not ß', () => {
    expect(text(decodeAll([R(0, 0x39), UP, R(0, 0x34), UP, R(0, 0x2d), UP], de))).toBe('Äß');
  });

  it('every printable ASCII character still round-trips through the German layout', () => {
    const ascii = Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x20 + i)).join('');
    const reports = [...ascii].flatMap((c) => typeChar(de, c));
    expect(text(decodeAll(reports, de))).toBe(ascii);
  });

  it('defineLayout builds a layout from data on top of a built-in, and names what is wrong', () => {
    const azertyLetters = defineLayout({ name: 'fr-partial', extends: 'us', keys: { '0x14': ['a', 'A'], '0x04': ['q', 'Q'], '31': ['é', '2', '~'] } });
    expect(text(decodeAll([R(0, 0x14), UP, R(0, 0x04), UP, R(0, 0x1f), UP, R(0x40, 0x1f), UP, R(0, 0x05), UP], azertyLetters))).toBe('aqé~b');
    expect(() => defineLayout({ name: 'x', keys: { '0x02': ['a'] } })).toThrow(/bad usage/);
    expect(() => defineLayout({ name: 'x', keys: { '0x04': ['ab'] } })).toThrow(/single characters/);
    expect(() => defineLayout({ name: '', keys: {} })).toThrow(/name/);
  });
});

describe('ScanLineAssembler', () => {
  const ch = (c: string): DecodedKey => ({ kind: 'char', char: c });
  const end: DecodedKey = { kind: 'end', key: 'enter' };

  it('emits a line at the terminator and skips empty lines', () => {
    const a = new ScanLineAssembler();
    expect(a.push(ch('h'))).toBeUndefined();
    expect(a.push(ch('i'))).toBeUndefined();
    expect(a.push(end)).toEqual({ text: 'hi' });
    expect(a.push(end)).toBeUndefined();
  });

  it('bounds the line: an over-long one is reported as too large, and the next is fine', () => {
    const a = new ScanLineAssembler(5);
    for (const c of 'abcdefgh') a.push(ch(c));
    expect(a.push(end)).toEqual({ text: '', fault: 'too-large', chars: 8 });
    a.push(ch('o'));
    a.push(ch('k'));
    expect(a.push(end)).toEqual({ text: 'ok' });
  });
});
