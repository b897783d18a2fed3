/**
 * Collects decoded key characters into one scan, ended by Enter or Tab. Bounded: a line longer
 * than `maxChars` is consumed to its terminator and reported as too large, never buffered whole.
 * An empty line (a lone Enter) is not a scan.
 */
import type { DecodedKey } from './boot-decoder.js';

/** docs/FORMATS.md: QR text is at most 4,296 characters. */
export const MAX_SCAN_CHARS = 4296;

export type LineResult = { text: string } | { text: ''; fault: 'too-large'; chars: number };

export class ScanLineAssembler {
  private chars: string[] = [];
  private overflow = 0;

  constructor(private readonly maxChars: number = MAX_SCAN_CHARS) {}

  get pendingChars(): number {
    return this.chars.length + this.overflow;
  }

  push(d: DecodedKey): LineResult | undefined {
    if (d.kind === 'char') {
      if (this.overflow > 0 || this.chars.length >= this.maxChars) {
        this.overflow += this.chars.length + 1;
        this.chars = [];
      } else this.chars.push(d.char);
      return undefined;
    }
    if (d.kind !== 'end') return undefined;
    if (this.overflow > 0) {
      const chars = this.overflow;
      this.discard();
      return { text: '', fault: 'too-large', chars };
    }
    const text = this.chars.join('');
    this.chars = [];
    return text.length > 0 ? { text } : undefined;
  }

  /** Drops a half-typed line; returns how many characters were lost. */
  discard(): number {
    const lost = this.pendingChars;
    this.chars = [];
    this.overflow = 0;
    return lost;
  }
}
