/**
 * Keyboard-wedge scan detection in the window (DESIGN §12, the onscan.js idea): a scanner in
 * keyboard mode "types" a whole code in a burst, far faster than a person, and ends it with
 * Enter or Tab. A burst of at least `minLength` characters whose average key interval is at most
 * `maxAvgMs` and that ends in Enter/Tab is a scan; anything slower is a person typing.
 *
 * Characters come from KeyboardEvent.code (layout-independent: scanners emulate a US keyboard)
 * with `key` as the fallback for keys without a US mapping (e.g. injected Unicode).
 *
 * Small interface on purpose: drivers/wedge/detector.ts (pure module, another engineer) can
 * replace this file's implementation without touching the screens.
 */
export interface WedgeKey {
  code: string;
  key: string;
  shiftKey: boolean;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  /** Milliseconds (KeyboardEvent.timeStamp). */
  timeStamp: number;
}

export interface WedgeOptions {
  /** Largest average interval between keys of a scan, ms. Default 30. */
  maxAvgMs?: number;
  /** A pause longer than this starts a new burst, ms. Default 100. */
  maxGapMs?: number;
  /** Shortest scan, characters. Default 4. */
  minLength?: number;
  /** Longest scan kept, characters (QR limit). Default 4296. */
  maxLength?: number;
  onScan(text: string, at: { firstKeyAt: number; lastKeyAt: number }): void;
}

export interface WedgeDetector {
  /** Feeds one keydown; returns true when the event ended a scan (the caller may preventDefault). */
  feed(key: WedgeKey): boolean;
  reset(): void;
}

const SHIFTED_DIGITS = ')!@#$%^&*(';
const PUNCT: Record<string, [string, string]> = {
  Minus: ['-', '_'], Equal: ['=', '+'], BracketLeft: ['[', '{'], BracketRight: [']', '}'], Backslash: ['\\', '|'],
  Semicolon: [';', ':'], Quote: ["'", '"'], Comma: [',', '<'], Period: ['.', '>'], Slash: ['/', '?'], Backquote: ['`', '~'],
  Space: [' ', ' '], NumpadDivide: ['/', '/'], NumpadMultiply: ['*', '*'], NumpadSubtract: ['-', '-'], NumpadAdd: ['+', '+'], NumpadDecimal: ['.', '.'],
};

/** [unshifted, shifted] character of a US-layout key code, or undefined for other keys. */
function usPair(code: string): [string, string] | undefined {
  let m = /^Key([A-Z])$/.exec(code);
  if (m) return [m[1]!.toLowerCase(), m[1]!];
  m = /^Digit(\d)$/.exec(code);
  if (m) return [m[1]!, SHIFTED_DIGITS[Number(m[1])]!];
  m = /^Numpad(\d)$/.exec(code);
  if (m) return [m[1]!, m[1]!];
  return PUNCT[code];
}

/**
 * The character a key produced. `code` decides which key it was (a scanner emulates a US
 * keyboard whatever the OS layout); `key` is used when it is one of that key's two US characters
 * (it then also carries Caps Lock correctly), otherwise `code` with Shift. Keys without a US
 * mapping (injected Unicode) fall back to `key` when it is one printable character.
 */
export function charForKey(k: WedgeKey): string | undefined {
  const pair = usPair(k.code);
  if (pair) return pair.includes(k.key) ? k.key : pair[k.shiftKey ? 1 : 0];
  return [...k.key].length === 1 && k.key >= ' ' ? k.key : undefined;
}

export function createWedgeDetector(opts: WedgeOptions): WedgeDetector {
  const maxAvgMs = opts.maxAvgMs ?? 30;
  const maxGapMs = opts.maxGapMs ?? 100;
  const minLength = opts.minLength ?? 4;
  const maxLength = opts.maxLength ?? 4296;
  let chars: string[] = [];
  let firstAt = 0;
  let lastAt = 0;

  const reset = () => {
    chars = [];
  };

  return {
    reset,
    feed(k) {
      if (k.ctrlKey || k.altKey || k.metaKey) {
        reset();
        return false;
      }
      if (chars.length > 0 && k.timeStamp - lastAt > maxGapMs) reset();
      if (k.code === 'Enter' || k.code === 'NumpadEnter' || k.code === 'Tab') {
        const n = chars.length;
        const avg = n > 1 ? (lastAt - firstAt) / (n - 1) : Infinity;
        const text = chars.join('');
        const isScan = n >= minLength && avg <= maxAvgMs && k.timeStamp - lastAt <= maxGapMs;
        reset();
        if (isScan) opts.onScan(text, { firstKeyAt: firstAt, lastKeyAt: k.timeStamp });
        return isScan;
      }
      const ch = charForKey(k);
      if (ch === undefined) return false; // Shift and other modifiers-only keys do not break a burst.
      if (chars.length === 0) firstAt = k.timeStamp;
      lastAt = k.timeStamp;
      if (chars.length < maxLength) chars.push(ch);
      return false;
    },
  };
}
