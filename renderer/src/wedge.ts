/**
 * Keyboard-wedge scans in the window: an adapter from DOM keydown events to the pure detector of
 * drivers/wedge/detector.ts (onscan.js idea, docs/SCANNERS.md: fast burst + Enter/Tab = scan).
 *
 * Keys are observed, not held back: a person's keys reach the focused field as usual, and when a
 * burst turns out to be a scan the caller swallows the ending Enter/Tab and clears the field the
 * burst was typed into. The detector's flush() runs on a timer after every key so a pending
 * buffer never lingers.
 */
import { WedgeDetector, type WedgeKey, type WedgeOptions } from '../../drivers/wedge/detector.js';

export type { WedgeKey };

export interface WedgeHandlers {
  /** A scan; `fault` 'too-large' when it exceeded maxLength (text is then empty). */
  onScan(text: string, info: { durationMs: number; fault?: 'too-large' }): void;
}

export interface WindowWedge {
  /** Feeds one keydown; returns true when the key ended a scan (the caller may preventDefault). */
  feed(key: WedgeKey): boolean;
  dispose(): void;
}

/** The attribute that marks a secret field (technician PIN, setup code, officer sign-in): keys typed there are never a scan. */
export const TYPED_ENTRY_ATTR = 'data-typed-entry';

/**
 * Whether a key's target is a field where a person types a secret: the PIN pad, the setup code,
 * the officer sign-in fields. Password managers, autotype and macro keypads type there as fast as
 * a scanner (20 ms a key or less), so those keys go to the field and never to the detector: a
 * PIN typed that way was taken as a scan, recorded as `reject unknown-format`, forwarded, and the
 * field cleared so the unlock never happened.
 */
export function isTypedEntry(target: unknown): boolean {
  const el = target as { closest?: (selector: string) => unknown } | null;
  return typeof el?.closest === 'function' && el.closest(`[${TYPED_ENTRY_ATTR}]`) !== null;
}

/** The window's own timers, called as plain functions: a browser's setTimeout called as a method of another object throws "Illegal invocation". */
const WINDOW_TIMERS = {
  set: (fn: () => void, ms: number): ReturnType<typeof setTimeout> => setTimeout(fn, ms),
  clear: (t: ReturnType<typeof setTimeout>): void => clearTimeout(t),
};

/** Timers the adapter needs (the window's by default; tests pass their own). */
export interface WedgeTimers {
  set(fn: () => void, ms: number): ReturnType<typeof setTimeout>;
  clear(t: ReturnType<typeof setTimeout>): void;
}

/**
 * A keyboard-wedge detector for the window: feed() every keydown; `handlers.onScan` gets each
 * scan. After every key a timer of the detector's flush delay releases a burst that never ended
 * in Enter/Tab.
 */
export function createWedgeDetector(handlers: WedgeHandlers, options: Partial<WedgeOptions> = {}, timers: WedgeTimers = WINDOW_TIMERS): WindowWedge {
  const detector = new WedgeDetector(options);
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let lastTs = 0;
  const act = (decisions: ReturnType<WedgeDetector['push']>): boolean => {
    let ended = false;
    for (const d of decisions) {
      if (d.kind !== 'scan') continue;
      ended = true;
      handlers.onScan(d.text, { durationMs: d.durationMs, ...(d.fault ? { fault: d.fault } : {}) });
    }
    return ended;
  };
  return {
    feed(key) {
      if (flushTimer !== undefined) timers.clear(flushTimer);
      lastTs = key.timeStamp;
      const ended = act(detector.push(key));
      if (detector.pending) {
        // Silence after the last key releases the buffer (timeStamp timebase = performance.now()).
        flushTimer = timers.set(() => act(detector.flush(lastTs + detector.flushDelayMs + 1)), detector.flushDelayMs + 1);
      }
      return ended;
    },
    dispose() {
      if (flushTimer !== undefined) timers.clear(flushTimer);
    },
  };
}
