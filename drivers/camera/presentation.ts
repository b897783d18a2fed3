/**
 * One scan per presentation. A camera sees the same code in frame after frame while it is held
 * up; the kiosk wants one scan for it. A text is emitted when it appears; it is emitted again only
 * once it has been gone — missing from at least GONE_FRAMES decoded frames in a row spanning at
 * least GONE_MS of frame time — and then comes back: a new presentation, which the pipeline's
 * duplicate window folds as for any re-read. A code continuously in view is one presentation
 * however long it stays (a card or a poster left in front of the camera is one scan, not one every
 * few minutes).
 * Both conditions for "gone" are needed: a blurred frame or two while a phone is moved must not
 * split one presentation, and a busy decoder (few frames decoded) must not count as absence.
 * Several codes in one frame are tracked independently: an ID card and a declaration are two scans.
 */

/** Decoded frames in a row without the code before it counts as gone. */
export const GONE_FRAMES = 3;
/** Frame time without the code before it counts as gone, milliseconds. */
export const GONE_MS = 1000;
/** Most codes tracked at once; the longest unseen is forgotten first. */
const MAX_TRACKED = 64;

interface Seen {
  lastSeen: number;
  missed: number;
}

export class PresentationTracker {
  private readonly seen = new Map<string, Seen>();

  constructor(private readonly opts: { goneFrames?: number; goneMs?: number } = {}) {}

  /**
   * Feeds the texts decoded from one frame taken at `frameMs` (frame time, ms) and returns those
   * that start a new presentation, in the order given.
   */
  observe(frameMs: number, texts: readonly string[]): string[] {
    const goneFrames = this.opts.goneFrames ?? GONE_FRAMES;
    const goneMs = this.opts.goneMs ?? GONE_MS;
    const present = new Set(texts);
    for (const [text, s] of this.seen) {
      if (present.has(text)) continue;
      s.missed++;
      if (s.missed >= goneFrames && frameMs - s.lastSeen >= goneMs) this.seen.delete(text);
    }
    const fresh: string[] = [];
    for (const text of present) {
      const s = this.seen.get(text);
      if (s) {
        // Still in view: the same presentation, however long it lasts.
        s.lastSeen = frameMs;
        s.missed = 0;
        continue;
      }
      this.seen.set(text, { lastSeen: frameMs, missed: 0 });
      fresh.push(text);
    }
    this.bound();
    return fresh;
  }

  /** Codes currently considered in view. */
  get tracked(): number {
    return this.seen.size;
  }

  private bound(): void {
    if (this.seen.size <= MAX_TRACKED) return;
    const oldest = [...this.seen.entries()].sort((a, b) => a[1].lastSeen - b[1].lastSeen);
    for (const [text] of oldest.slice(0, this.seen.size - MAX_TRACKED)) this.seen.delete(text);
  }
}
