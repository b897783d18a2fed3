/**
 * Self-test: a technician scans any code and sees that it arrived — from which scanner, with which
 * symbology, how long and how quickly — without the scan becoming a check-in. The result never
 * carries the payload (docs/OPERATIONS.md): only its size and a shape preview (`previewShape`).
 */
import type { ScanEvent, SelfTestResult } from '../../src/shared/types.js';
import type { Clock, Timers } from '../../src/shared/ports.js';

export type { SelfTestResult };

/** Longest self-test wait, in milliseconds (10 minutes); shorter waits are the caller's choice. */
export const MAX_SELF_TEST_MS = 600_000;
export const DEFAULT_SELF_TEST_MS = 30_000;
/** Characters of shape shown; longer texts end in '…'. */
export const PREVIEW_CHARS = 12;

/** Scheme prefixes that say which format a code is without saying anything about its owner. */
const KNOWN_PREFIX = /^(HC1:|shc:\/|CKD1:|CKP1:)/iu;

/**
 * A privacy-safe preview: a known format prefix (HC1:, shc:/, CKD1:, CKP1:) is kept, then every
 * letter becomes 'x', every digit '9', whitespace '_', other characters ('|', '-', '/') stay, so a
 * technician sees "9999999999…" or "HC1:xx9x9x9x…" — enough to tell a format and a truncated read
 * apart, never a name or an ID number.
 */
export function previewShape(text: string): string {
  const prefix = KNOWN_PREFIX.exec(text)?.[0] ?? '';
  const rest = [...text.slice(prefix.length)];
  const room = Math.max(0, PREVIEW_CHARS - prefix.length);
  const shaped = rest.slice(0, room).map((c) => {
    if (/\p{L}|\p{M}/u.test(c)) return 'x';
    if (/\p{N}/u.test(c)) return '9';
    if (/\s/u.test(c)) return '_';
    if (/[\p{Cc}\p{Cf}]/u.test(c)) return '?';
    return c;
  });
  return `${prefix}${shaped.join('')}${rest.length > room ? '…' : ''}`;
}

/** The result for a scan that arrived `durationMs` after the self-test started. */
export function resultFromScan(scan: ScanEvent, durationMs: number): SelfTestResult {
  const bytes = scan.bytes ? scan.bytes.length : Buffer.byteLength(scan.text, 'utf8');
  const result: SelfTestResult = {
    ok: true,
    deviceId: scan.deviceId,
    source: scan.source,
    chars: [...scan.text].length,
    bytes,
    durationMs: Math.max(0, durationMs),
    preview: previewShape(scan.text),
  };
  if (scan.symbology !== undefined) result.symbology = scan.symbology;
  if (scan.fault !== undefined) result.fault = scan.fault;
  return result;
}

/** Throws RangeError unless timeoutMs is whole milliseconds in 1..MAX_SELF_TEST_MS. */
export function checkSelfTestTimeout(timeoutMs: number): void {
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_SELF_TEST_MS) {
    throw new RangeError(`self-test timeout must be whole milliseconds in 1..${MAX_SELF_TEST_MS}, got ${timeoutMs}`);
  }
}

/**
 * One self-test at a time: start() arms a timeout (injected timers), offer() hands it a scan
 * (true = taken, do not forward), end() finishes it with a reason. `onEnd` sees every result.
 */
export class SelfTestSession {
  private current: { startedAt: number; timer: unknown; resolve: (r: SelfTestResult) => void; promise: Promise<SelfTestResult> } | undefined;

  constructor(
    private readonly deps: { clock: Clock; timers: Timers },
    private readonly onEnd: (result: SelfTestResult) => void,
  ) {}

  get active(): boolean {
    return this.current !== undefined;
  }

  /** timeoutMs: whole ms in 1..MAX_SELF_TEST_MS, else RangeError. A running test is returned as is. */
  start(timeoutMs: number): Promise<SelfTestResult> {
    checkSelfTestTimeout(timeoutMs);
    if (this.current) return this.current.promise;
    let resolve!: (r: SelfTestResult) => void;
    const promise = new Promise<SelfTestResult>((r) => (resolve = r));
    const timer = this.deps.timers.setTimeout(() => this.end('timeout'), timeoutMs);
    this.current = { startedAt: this.deps.clock.now(), timer, resolve, promise };
    return promise;
  }

  /** Takes the scan when a test runs (it ends the test); false = not taken, forward it. */
  offer(scan: ScanEvent): boolean {
    const test = this.current;
    if (!test) return false;
    this.finish(resultFromScan(scan, scan.receivedAt - test.startedAt));
    return true;
  }

  end(reason: 'timeout' | 'cancelled' | 'closed'): void {
    const test = this.current;
    if (test) this.finish({ ok: false, reason, durationMs: Math.max(0, this.deps.clock.now() - test.startedAt) });
  }

  private finish(result: SelfTestResult): void {
    const test = this.current;
    if (!test) return;
    this.current = undefined;
    this.deps.timers.clearTimeout(test.timer);
    test.resolve(result);
    this.onEnd(result);
  }
}
