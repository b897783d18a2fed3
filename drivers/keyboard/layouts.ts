/**
 * Keyboard layout tables: HID keyboard-page usage (0x04 'a' ... 0x64 ISO extra key) to the
 * characters it types, as [plain, shift, altgr?, altgr+shift?]. Built in: US (what scanners send by
 * default) and German QWERTZ (a layout where scanner output differs: y/z swapped, ß, umlauts, AltGr).
 * Other layouts are plain data: `defineLayout()` validates a table, typically JSON from config,
 * and can start from a built-in one. Keys that type nothing (F-keys, arrows) are simply absent.
 */

/** [plain, shift, altgr, altgr+shift]; '' or missing = the combination types nothing. */
export type KeyChars = readonly [string, string, string?, string?];

export interface KeyboardLayout {
  readonly name: string;
  readonly keys: ReadonlyMap<number, KeyChars>;
}

/** The layout-independent keys (identical on every layout we ship). */
const COMMON: Record<number, KeyChars> = {
  0x2c: [' ', ' '],
  // Keypad (Num Lock assumed on: scanners never send with it off).
  0x54: ['/', '/'],
  0x55: ['*', '*'],
  0x56: ['-', '-'],
  0x57: ['+', '+'],
  0x59: ['1', '1'],
  0x5a: ['2', '2'],
  0x5b: ['3', '3'],
  0x5c: ['4', '4'],
  0x5d: ['5', '5'],
  0x5e: ['6', '6'],
  0x5f: ['7', '7'],
  0x60: ['8', '8'],
  0x61: ['9', '9'],
  0x62: ['0', '0'],
  0x63: ['.', '.'],
};

function letters(order: string): Record<number, KeyChars> {
  const out: Record<number, KeyChars> = {};
  [...order].forEach((c, i) => (out[0x04 + i] = [c, c.toUpperCase()]));
  return out;
}

const US: Record<number, KeyChars> = {
  ...COMMON,
  ...letters('abcdefghijklmnopqrstuvwxyz'),
  0x1e: ['1', '!'],
  0x1f: ['2', '@'],
  0x20: ['3', '#'],
  0x21: ['4', '$'],
  0x22: ['5', '%'],
  0x23: ['6', '^'],
  0x24: ['7', '&'],
  0x25: ['8', '*'],
  0x26: ['9', '('],
  0x27: ['0', ')'],
  0x2d: ['-', '_'],
  0x2e: ['=', '+'],
  0x2f: ['[', '{'],
  0x30: [']', '}'],
  0x31: ['\\', '|'],
  0x32: ['\\', '|'], // ISO "non-US #" key position; US maps it like backslash
  0x33: [';', ':'],
  0x34: ["'", '"'],
  0x35: ['`', '~'],
  0x36: [',', '<'],
  0x37: ['.', '>'],
  0x38: ['/', '?'],
  0x64: ['\\', '|'],
};

const DE: Record<number, KeyChars> = {
  ...COMMON,
  ...letters('abcdefghijklmnopqrstuvwxzy'), // QWERTZ: usage 0x1C types z, 0x1D types y
  0x08: ['e', 'E', '€'],
  0x10: ['m', 'M', 'µ'],
  0x14: ['q', 'Q', '@'],
  0x1e: ['1', '!'],
  0x1f: ['2', '"', '²'],
  0x20: ['3', '§', '³'],
  0x21: ['4', '$'],
  0x22: ['5', '%'],
  0x23: ['6', '&'],
  0x24: ['7', '/', '{'],
  0x25: ['8', '(', '['],
  0x26: ['9', ')', ']'],
  0x27: ['0', '=', '}'],
  0x2d: ['ß', '?', '\\'],
  0x2e: ['´', '`'],
  0x2f: ['ü', 'Ü'],
  0x30: ['+', '*', '~'],
  0x31: ['#', "'"],
  0x32: ['#', "'"],
  0x33: ['ö', 'Ö'],
  0x34: ['ä', 'Ä'],
  0x35: ['^', '°'],
  0x36: [',', ';'],
  0x37: ['.', ':'],
  0x38: ['-', '_'],
  0x64: ['<', '>', '|'],
};

/** Layout as configuration data: usages as decimal or '0x..' keys, optionally on top of a built-in. */
export interface LayoutSpec {
  name: string;
  extends?: 'us' | 'de';
  keys: Record<string, readonly string[]>;
}

const MAX_USAGE = 0xff;

/** Validates a layout spec; throws a specific error for a bad key or value (config time, not scan time). */
export function defineLayout(spec: LayoutSpec): KeyboardLayout {
  if (typeof spec.name !== 'string' || spec.name.length === 0) throw new Error('layout: name is required');
  const keys = new Map<number, KeyChars>(spec.extends ? BUILT_IN_LAYOUTS[spec.extends].keys : []);
  for (const [k, v] of Object.entries(spec.keys ?? {})) {
    const usage = Number(k);
    if (!Number.isInteger(usage) || usage < 0x04 || usage > MAX_USAGE) throw new Error(`layout ${spec.name}: bad usage '${k}'`);
    if (!Array.isArray(v) || v.length < 1 || v.length > 4 || !v.every((c) => typeof c === 'string' && [...c].length <= 1)) {
      throw new Error(`layout ${spec.name}: usage ${k} needs 1-4 single characters ([plain, shift, altgr, altgr+shift])`);
    }
    keys.set(usage, [v[0] ?? '', v[1] ?? v[0] ?? '', v[2], v[3]]);
  }
  return { name: spec.name, keys };
}

function fromRecord(name: string, rec: Record<number, KeyChars>): KeyboardLayout {
  return { name, keys: new Map(Object.entries(rec).map(([k, v]) => [Number(k), v])) };
}

export const BUILT_IN_LAYOUTS: Readonly<Record<'us' | 'de', KeyboardLayout>> = {
  us: fromRecord('us', US),
  de: fromRecord('de', DE),
};

/** The character a key types, or '' when that combination types nothing. */
export function charFor(layout: KeyboardLayout, usage: number, mods: { shift: boolean; altGr: boolean; capsLock: boolean }): string {
  const chars = layout.keys.get(usage);
  if (!chars) return '';
  const [plain, shifted] = chars;
  // Caps Lock affects letters only (keys whose shifted character is the upper case of the plain one),
  // and Shift undoes it, as on Windows and Linux.
  const isLetter = plain.toUpperCase() === shifted && plain.toLowerCase() === plain && plain !== shifted;
  const shift = mods.capsLock && isLetter ? !mods.shift : mods.shift;
  if (mods.altGr) return (shift ? chars[3] : chars[2]) ?? '';
  return shift ? shifted : plain;
}
