/**
 * Decodes raw boot-keyboard reports `[modifiers, reserved, k1..k6]` (HID keyboard page usages)
 * into characters, the way a host would for a keyboard-mode scanner. Pure state machine, no I/O.
 *
 * - A key is pressed when it is in report N+1 but not in report N (diffing); a key that stays in
 *   consecutive reports is held, not repeated. Scanners type a doubled letter as press, all-zero
 *   release report, press again.
 * - Shift = modifiers & 0x22; AltGr = right Alt (0x40) when the layout has AltGr characters;
 *   Caps Lock toggles on each 0x39 press and affects letters only.
 * - ALT+numpad: while left Alt (0x04) is held, keypad digits (0x59-0x62) are collected; the
 *   character is produced when Alt is released. Leading 0 = CP1252 ("Alt+0233" = é); otherwise
 *   values below 256 are CP437 (Windows OEM) and larger ones Unicode code points (Alt+7919 = ữ),
 *   which is how scanners type Vietnamese in keyboard mode.
 * - Reports with ErrorRollOver/POSTFail/ErrorUndefined (0x01-0x03) in a key slot are phantom
 *   reports: ignored entirely, the previous key state is kept.
 * - Enter (0x28), keypad Enter (0x58) and Tab (0x2B) end a scan.
 */
import { cp1252Char, cp437Char } from './codepages.js';
import { charFor, type KeyboardLayout } from './layouts.js';

export type DecodedKey =
  | { kind: 'char'; char: string }
  | { kind: 'end'; key: 'enter' | 'tab' }
  /** Something the host would not type: an invalid ALT code, Alt+letter shortcut... */
  | { kind: 'dropped'; reason: 'bad-alt-code' | 'alt-shortcut' | 'control-key' };

const MOD_SHIFT = 0x22;
const MOD_LEFT_ALT = 0x04;
const MOD_RIGHT_ALT = 0x40;
const MOD_CTRL = 0x11;
const KEY_CAPS_LOCK = 0x39;
const KEYPAD_DIGITS: Record<number, string> = { 0x59: '1', 0x5a: '2', 0x5b: '3', 0x5c: '4', 0x5d: '5', 0x5e: '6', 0x5f: '7', 0x60: '8', 0x61: '9', 0x62: '0' };
/** Alt codes longer than this are not typed (Unicode needs at most 7 decimal digits). */
const MAX_ALT_DIGITS = 7;

export interface BootDecoderOptions {
  layout: KeyboardLayout;
  /** Caps Lock state when decoding starts (the host's state is not visible through hidraw). */
  capsLock?: boolean;
}

export class BootKeyboardDecoder {
  private readonly layout: KeyboardLayout;
  private readonly hasAltGr: boolean;
  private prevKeys = new Set<number>();
  private prevMods = 0;
  private capsLock: boolean;
  /** Digits typed on the keypad while Alt is held; undefined when no ALT sequence is running. */
  private altDigits: string | undefined;
  private altSpoiled = false;

  constructor(opts: BootDecoderOptions) {
    this.layout = opts.layout;
    this.capsLock = opts.capsLock ?? false;
    this.hasAltGr = [...opts.layout.keys.values()].some((c) => Boolean(c[2] || c[3]));
  }

  /** Forgets held keys and any ALT sequence (device lost). Caps Lock is kept unless given. */
  reset(capsLock?: boolean): void {
    this.prevKeys.clear();
    this.prevMods = 0;
    this.altDigits = undefined;
    this.altSpoiled = false;
    if (capsLock !== undefined) this.capsLock = capsLock;
  }

  /** Decodes one 8-byte boot report. Returns null for a report that is not one (wrong size). */
  feed(report: Uint8Array): DecodedKey[] | null {
    if (report.length !== 8) return null;
    const slots = [...report.subarray(2)];
    if (slots.some((k) => k >= 0x01 && k <= 0x03)) return []; // phantom/rollover report
    const mods = report[0]!;
    const out: DecodedKey[] = [];
    const keys = new Set(slots.filter((k) => k !== 0));
    const altHeld = (mods & MOD_LEFT_ALT) !== 0 || (!this.hasAltGr && (mods & MOD_RIGHT_ALT) !== 0);
    const altWasHeld = (this.prevMods & MOD_LEFT_ALT) !== 0 || (!this.hasAltGr && (this.prevMods & MOD_RIGHT_ALT) !== 0);
    if (altHeld && !altWasHeld) {
      this.altDigits = '';
      this.altSpoiled = false;
    }
    for (const k of slots) {
      if (k === 0 || this.prevKeys.has(k)) continue;
      const d = this.press(k, mods, altHeld);
      if (d) out.push(d);
    }
    if (!altHeld && altWasHeld) {
      const d = this.finishAltCode();
      if (d) out.push(d);
    }
    this.prevKeys = keys;
    this.prevMods = mods;
    return out;
  }

  private press(k: number, mods: number, altHeld: boolean): DecodedKey | undefined {
    if (k === KEY_CAPS_LOCK) {
      this.capsLock = !this.capsLock;
      return undefined;
    }
    if (altHeld) {
      const digit = KEYPAD_DIGITS[k];
      if (digit !== undefined && this.altDigits !== undefined && this.altDigits.length < MAX_ALT_DIGITS) this.altDigits += digit;
      else this.altSpoiled = true;
      return undefined;
    }
    if (k === 0x28 || k === 0x58) return { kind: 'end', key: 'enter' };
    if (k === 0x2b) return { kind: 'end', key: 'tab' };
    const altGr = this.hasAltGr && (mods & MOD_RIGHT_ALT) !== 0;
    // Ctrl without AltGr is a shortcut, never text.
    if ((mods & MOD_CTRL) !== 0 && !altGr) return { kind: 'dropped', reason: 'control-key' };
    const char = charFor(this.layout, k, { shift: (mods & MOD_SHIFT) !== 0, altGr, capsLock: this.capsLock });
    return char ? { kind: 'char', char } : undefined;
  }

  private finishAltCode(): DecodedKey | undefined {
    const digits = this.altDigits;
    const spoiled = this.altSpoiled;
    this.altDigits = undefined;
    this.altSpoiled = false;
    if (digits === undefined || digits === '') return spoiled ? { kind: 'dropped', reason: 'alt-shortcut' } : undefined;
    if (spoiled) return { kind: 'dropped', reason: 'bad-alt-code' };
    const char = altCodeChar(digits);
    return char ? { kind: 'char', char } : { kind: 'dropped', reason: 'bad-alt-code' };
  }
}

/** The character an ALT+numpad digit string types (see the module comment); '' when none. */
export function altCodeChar(digits: string): string {
  if (!/^\d{1,7}$/.test(digits)) return '';
  const value = Number(digits);
  if (value === 0) return '';
  if (value < 256) return digits.startsWith('0') ? cp1252Char(value) : cp437Char(value);
  if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return '';
  return String.fromCodePoint(value);
}
