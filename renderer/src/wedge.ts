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

/** The character a US-layout key produces, or undefined for non-character keys. */
export function charForKey(k: WedgeKey): string | undefined {
  const { code, shiftKey } = k;
  let m = /^Key([A-Z])$/.exec(code);
  if (m) return shiftKey ? m[1] : m[1]!.toLowerCase();
  m = /^(?:Digit|Numpad)(\d)$/.exec(code);
  if (m) return shiftKey && code.startsWith('Digit') ? SHIFTED_DIGITS[Number(m[1])] : m[1];
  const p = PUNCT[code];
  if (p) return shiftKey ? p[1] : p[0];
  // Not a US key (or injected text): trust `key` when it is a single printable character.
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
