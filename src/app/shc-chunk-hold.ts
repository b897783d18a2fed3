/**
 * The kiosk's hold of multi-QR SMART Health Card chunks (`shc:/C/N/…`, N > 1; docs/FORMATS.md):
 * each QR code of such a card arrives as a scan of its own, so the chunks are held per scanner
 * (ScanEvent.deviceId) until all N have arrived, and the card then goes on as ONE scan (the
 * assembled text, ScanEvent.assembledFrom = N) — one check-in.
 *
 * No scan is silently lost: held chunks that cannot become a card — the rest did not come within
 * CHUNK_WAIT_MS of the first chunk, a chunk of another card (another N, or a C already held with
 * other digits) or any other code was scanned on that scanner, the kiosk stops — go on as one
 * refused scan (`fault: 'unreadable'`, `refusal` naming the missing chunks), recorded as one
 * rejected check-in. A chunk scanned again with the same digits is ignored.
 *
 * Bounded: per scanner one card of at most MAX_SHC_CHUNKS chunks of at most one QR code each,
 * for at most CHUNK_WAIT_MS.
 */
import type { ScanEvent } from '../shared/types.js';
import type { Timers } from '../shared/ports.js';
import { normalizeScanText } from '../core/normalize.js';
import { ShcChunkSet, readShcChunk } from '../credentials/shc/chunks.js';

/** How long held chunks wait for the rest of their card, from the first chunk (ms). */
export const CHUNK_WAIT_MS = 60_000;

/** A chunk was held and its card still misses chunks: what the screen tells the person. */
export interface ChunkProgress {
  deviceId: string;
  /** The chunk just read, C. */
  index: number;
  /** N. */
  total: number;
  /** Chunk numbers still to scan, ascending. */
  missing: number[];
}

/** What offer() decided for a scan. */
export interface ChunkOffer {
  /**
   * The scans to record now, in order: held chunks released as a refused scan (another card's
   * chunk or another code came), then the scan itself when it is no chunk, or the assembled card.
   * Empty when the scan was held, or ignored as a repeat.
   */
  scans: ScanEvent[];
  /** Set when the scan's chunk is now held: announce it once `scans` are recorded. */
  progress?: ChunkProgress;
}

interface Held {
  set: ShcChunkSet;
  /** The latest chunk's scan: the card is recorded as read from it (source, time). */
  last: ScanEvent;
  /** The latest chunk's number, C. */
  lastIndex: number;
  timer: unknown;
}

/** Quick look at a raw scan: could it be a chunk (`shc:/C/N/` near its start, any letter case)? */
const CHUNK_HEAD = /shc:\/\d{1,3}\/\d{1,3}\//i;
/** Room before the prefix for a BOM, white space and an AIM symbology identifier (`]Q1`). */
const HEAD_CHARS = 32;

export class ShcChunkHold {
  private readonly held = new Map<string, Held>();

  /**
   * `release` records a refused scan made of chunks whose wait (`waitMs`, default CHUNK_WAIT_MS)
   * ran out; it is called from a timer.
   */
  constructor(
    private readonly timers: Timers,
    private readonly release: (scan: ScanEvent) => void,
    private readonly waitMs: number = CHUNK_WAIT_MS,
  ) {}

  /**
   * Whether offer() must see `scan`: chunks are held for its scanner, or it may be a chunk. False
   * for nearly every scan after one cheap look at its first characters.
   */
  concerns(scan: ScanEvent): boolean {
    if (scan.fault || scan.assembledFrom !== undefined) return false;
    return this.held.has(scan.deviceId) || CHUNK_HEAD.test(scan.text.slice(0, HEAD_CHARS));
  }

  /** Takes a scan concerns() said yes to (a scan that is not text, or a card already assembled, passes). */
  offer(scan: ScanEvent): ChunkOffer {
    if (scan.fault || scan.assembledFrom !== undefined) return { scans: [scan] };
    const norm = normalizeScanText(scan.text);
    const reading = norm.ok ? readShcChunk(norm.text) : undefined;
    const held = this.held.get(scan.deviceId);
    // Not a (sound) chunk: another code, so the card being held will not be completed.
    if (!reading?.ok) return { scans: held ? [this.refuse(scan.deviceId, held, 'another code was scanned before the rest'), scan] : [scan] };
    const chunk = reading.chunk;
    const scans: ScanEvent[] = [];
    if (held) {
      const added = held.set.add(chunk);
      if (added.kind === 'repeat') return { scans: [] };
      if (added.kind === 'added') {
        held.last = scan;
        held.lastIndex = chunk.index;
        if (!held.set.complete) return { scans: [], progress: this.progress(scan.deviceId, chunk.index, held.set) };
        this.drop(scan.deviceId, held);
        // One scan of the whole card, read when its last chunk was.
        const card: ScanEvent = { source: scan.source, deviceId: scan.deviceId, text: held.set.assemble(), receivedAt: scan.receivedAt, assembledFrom: held.set.total };
        return { scans: [card] };
      }
      // Another card's chunk: the held ones are refused, and this one starts the next card.
      scans.push(this.refuse(scan.deviceId, held, added.detail));
    }
    const set = new ShcChunkSet(chunk.total);
    set.add(chunk);
    const deviceId = scan.deviceId;
    const entry: Held = { set, last: scan, lastIndex: chunk.index, timer: undefined };
    entry.timer = this.timers.setTimeout(() => {
      if (this.held.get(deviceId) !== entry) return;
      this.release(this.refuse(deviceId, entry, `the rest did not come within ${Math.round(this.waitMs / 1000)} s of the first`));
    }, this.waitMs);
    this.held.set(deviceId, entry);
    return { scans, progress: this.progress(deviceId, chunk.index, set) };
  }

  /** The chunks held for `deviceId` (the latest one read, N, the ones still missing), if any. */
  heldFor(deviceId: string): { index: number; total: number; missing: number[] } | undefined {
    const held = this.held.get(deviceId);
    return held ? { index: held.lastIndex, total: held.set.total, missing: held.set.missing() } : undefined;
  }

  /** How many scanners have chunks held. */
  get size(): number {
    return this.held.size;
  }

  /** Every scanner's held chunks as refused scans (`why` says why the rest will not come), nothing held after. */
  releaseAll(why: string): ScanEvent[] {
    return [...this.held].map(([deviceId, held]) => this.refuse(deviceId, held, why));
  }

  private progress(deviceId: string, index: number, set: ShcChunkSet): ChunkProgress {
    return { deviceId, index, total: set.total, missing: set.missing() };
  }

  private drop(deviceId: string, held: Held): void {
    this.timers.clearTimeout(held.timer);
    this.held.delete(deviceId);
  }

  /** The held chunks of `deviceId` as one refused scan, dropped from the hold. */
  private refuse(deviceId: string, held: Held, why: string): ScanEvent {
    this.drop(deviceId, held);
    return {
      source: held.last.source,
      deviceId,
      text: '',
      receivedAt: held.last.receivedAt,
      fault: 'unreadable',
      refusal: { format: 'shc', detail: held.set.incompleteMessage(why) },
    };
  }
}
