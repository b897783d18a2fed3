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

export function createWedgeDetector(handlers: WedgeHandlers, options: Partial<WedgeOptions> = {}, timers = { set: setTimeout, clear: clearTimeout }): WindowWedge {
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
