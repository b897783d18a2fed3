/**
 * Keyboard-wedge scan detection for the renderer: a scanner in keyboard mode "types" into the
 * window, so scans must be told apart from a person typing. Pure module (no DOM types): the
 * renderer passes {code, key, shiftKey, timeStamp} from each keydown, holds the keys back while a
 * decision is pending, and acts on the decisions: 'scan' (swallow the keys, submit the text) or
 * 'typing' (replay the keys into the focused field). It must call flush(now) once no key arrived
 * for `maxGapMs` (e.g. a timer armed on every key), so a person's keys are released promptly.
 *
 * Rules (onscan.js idea, docs/SCANNERS.md): a scan is at least `minLength` characters, every gap between
 * keys is at most `maxGapMs`, the average time per character is at most `avgMaxMs`, and it ends with
 * Enter/Tab (unless `requireSuffix` is false: then silence ends it). People type at 120-250 ms per
 * character, so they never meet these; a scanner at ~5 ms/char always does, however long the code.
 * Characters come from KeyboardEvent.code (+ Shift) with a US mapping, because scanners are set to
 * US and the host layout would otherwise scramble them (German host: scanner's 'z' arrives as 'y');
 * `key` is used only for characters the US mapping cannot produce (é, ữ...).
 * All times are milliseconds in the timeStamp timebase (performance.now() in a browser).
 */

export interface WedgeKey {
  code: string;
  key: string;
  shiftKey: boolean;
  timeStamp: number;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  /** KeyboardEvent.repeat: auto-repeat of a held key is never part of a scan. */
  repeat?: boolean;
}

export interface WedgeOptions {
  /** Highest average time per character of a scan, ms. Default 30. */
  avgMaxMs: number;
  /** Longest gap between two keys of one scan, ms; also how long a pending buffer waits. Default 60. */
  maxGapMs: number;
  /** Shortest scan in characters. Default 4. */
  minLength: number;
  /** Longest scan in characters (docs/FORMATS.md: QR ≤ 4,296); longer = 'scan' with fault too-large. */
  maxLength: number;
  /** Scans must end with Enter/Tab (default true). When false, silence after a fast burst ends one. */
  requireSuffix: boolean;
}

export type WedgeDecision =
  | { kind: 'scan'; text: string; durationMs: number; keys: WedgeKey[]; fault?: 'too-large' }
  | { kind: 'typing'; keys: WedgeKey[] };

export const DEFAULT_WEDGE_OPTIONS: Readonly<WedgeOptions> = { avgMaxMs: 30, maxGapMs: 60, minLength: 4, maxLength: 4296, requireSuffix: true };

const SUFFIX_CODES = new Set(['Enter', 'NumpadEnter', 'Tab']);
const MODIFIER_CODES = new Set(['ShiftLeft', 'ShiftRight', 'ControlLeft', 'ControlRight', 'AltLeft', 'AltRight', 'MetaLeft', 'MetaRight', 'CapsLock', 'NumLock']);

const US_BY_CODE: Record<string, [string, string]> = {
  Digit1: ['1', '!'], Digit2: ['2', '@'], Digit3: ['3', '#'], Digit4: ['4', '$'], Digit5: ['5', '%'],
  Digit6: ['6', '^'], Digit7: ['7', '&'], Digit8: ['8', '*'], Digit9: ['9', '('], Digit0: ['0', ')'],
  Minus: ['-', '_'], Equal: ['=', '+'], BracketLeft: ['[', '{'], BracketRight: [']', '}'], Backslash: ['\\', '|'],
  Semicolon: [';', ':'], Quote: ["'", '"'], Backquote: ['`', '~'], Comma: [',', '<'], Period: ['.', '>'], Slash: ['/', '?'],
  Space: [' ', ' '], NumpadDivide: ['/', '/'], NumpadMultiply: ['*', '*'], NumpadSubtract: ['-', '-'], NumpadAdd: ['+', '+'],
  NumpadDecimal: ['.', '.'],
};
for (let i = 0; i < 26; i++) {
  const c = String.fromCharCode(0x61 + i);
  US_BY_CODE[`Key${c.toUpperCase()}`] = [c, c.toUpperCase()];
}
for (let i = 0; i <= 9; i++) US_BY_CODE[`Numpad${i}`] = [String(i), String(i)];

/** The character a key event types, or undefined for a key that types none (arrows, F-keys...). */
export function wedgeChar(k: Pick<WedgeKey, 'code' | 'key' | 'shiftKey'>): string | undefined {
  const single = [...k.key].length === 1;
  if (single && k.key.charCodeAt(0) > 0x7e) return k.key;
  const us = US_BY_CODE[k.code];
  if (us) return k.shiftKey ? us[1] : us[0];
  return single ? k.key : undefined;
}

export class WedgeDetector {
  private readonly opts: WedgeOptions;
  private buffer: Array<{ k: WedgeKey; char: string }> = [];
  private overflow = 0;
  /** timeStamp of the last buffered (or overflowed) key. */
  private lastTs = 0;

  constructor(options: Partial<WedgeOptions> = {}) {
    this.opts = { ...DEFAULT_WEDGE_OPTIONS, ...options };
    if (!(this.opts.avgMaxMs > 0 && this.opts.maxGapMs > 0 && this.opts.minLength >= 1 && this.opts.maxLength >= this.opts.minLength)) {
      throw new RangeError('wedge detector: avgMaxMs, maxGapMs > 0 and 1 <= minLength <= maxLength required');
    }
  }

  /** True while keys are held back waiting for a decision. */
  get pending(): boolean {
    return this.buffer.length > 0 || this.overflow > 0;
  }

  /** How long after the last key the renderer should call flush(), ms. */
  get flushDelayMs(): number {
    return this.opts.maxGapMs;
  }

  push(k: WedgeKey): WedgeDecision[] {
    if (MODIFIER_CODES.has(k.code)) return []; // Shift etc. carry no character; their state is in shiftKey
    const out: WedgeDecision[] = [];
    if (this.pending && k.timeStamp - this.lastTs > this.opts.maxGapMs) out.push(...this.release(false));
    if (SUFFIX_CODES.has(k.code) && !k.repeat) {
      out.push(...this.release(true, k));
      return out;
    }
    const char = k.ctrlKey || k.metaKey || k.repeat ? undefined : wedgeChar(k);
    if (char === undefined) {
      // Shortcuts, editing keys and auto-repeat belong to a person: release everything with them.
      out.push(...this.release(false));
      out.push({ kind: 'typing', keys: [k] });
      return out;
    }
    this.lastTs = k.timeStamp;
    // Bounded: keys past maxLength are only counted (and dropped); the run ends as a too-large scan.
    if (this.buffer.length >= this.opts.maxLength) this.overflow += 1;
    else this.buffer.push({ k, char });
    return out;
  }

  /** Call when no key came for flushDelayMs; `now` in the timeStamp timebase. */
  flush(now: number): WedgeDecision[] {
    if (!this.pending || now - this.lastTs < this.opts.maxGapMs) return [];
    return this.release(false);
  }

  /** Decides on the buffered keys, ended by `suffix` (Enter/Tab) or by silence. */
  private release(bySuffix: boolean, suffix?: WedgeKey): WedgeDecision[] {
    const buf = this.buffer;
    const overflow = this.overflow;
    this.buffer = [];
    this.overflow = 0;
    if (buf.length === 0) return suffix ? [{ kind: 'typing', keys: [suffix] }] : [];
    if (!bySuffix && this.opts.requireSuffix) return [{ kind: 'typing', keys: buf.map((b) => b.k) }];

    const end = suffix?.timeStamp ?? this.lastTs;
    let start = 0;
    // A person's key just before a scan (within maxGapMs) is not part of it: split off leading keys
    // whose gap to the next one is far slower than the rest of the burst.
    while (buf.length - start > this.opts.minLength) {
      const firstGap = buf[start + 1]!.k.timeStamp - buf[start]!.k.timeStamp;
      const restAvg = (end - buf[start + 1]!.k.timeStamp) / (buf.length - start - 1);
      if (firstGap > this.opts.avgMaxMs && firstGap > 3 * restAvg) start++;
      else break;
    }
    const run = buf.slice(start);
    const chars = run.length + overflow;
    const avg = (end - run[0]!.k.timeStamp) / (bySuffix ? chars : Math.max(1, chars - 1));
    const isScan = chars >= this.opts.minLength && avg <= this.opts.avgMaxMs;
    const out: WedgeDecision[] = [];
    if (!isScan) {
      const keys = buf.map((b) => b.k);
      if (suffix) keys.push(suffix);
      return [{ kind: 'typing', keys }];
    }
    if (start > 0) out.push({ kind: 'typing', keys: buf.slice(0, start).map((b) => b.k) });
    const keys = run.map((b) => b.k);
    if (suffix) keys.push(suffix);
    const durationMs = end - run[0]!.k.timeStamp;
    out.push(
      overflow > 0
        ? { kind: 'scan', text: '', durationMs, keys, fault: 'too-large' }
        : { kind: 'scan', text: run.map((b) => b.char).join(''), durationMs, keys },
    );
    return out;
  }
}
