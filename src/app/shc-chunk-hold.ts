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
 * rejected check-in. A chunk scanned again with the same digits is ignored. The screen's "Cancel"
 * (cancelAll) ends the held chunks the same way, at once, instead of after CHUNK_WAIT_MS.
 *
 * A chunk of the card last completed on that scanner, read again within CHUNK_WAIT_MS (a scanner
 * reading a code twice, the person showing the last code again) while no other card's chunks are
 * held there, is that card again: it goes on as the whole card, like a single-QR card read twice,
 * so the duplicate window folds it (`duplicate` of the check-in, its verdict shown again). It never
 * starts a new held set, which would ask the person just checked in for "the next one" and end as
 * a rejected `unreadable` check-in. Each re-read restarts that CHUNK_WAIT_MS; the first chunk of
 * another card on that scanner ends it.
 *
 * A line holding several `shc:/` codes separated by white space, one of them a chunk (a `sim:FILE` or
 * stdin line written as `verify` takes a card: shcChunkLine), is read as `verify` reads it: the
 * whole card as one scan, or one refused scan naming what is missing or wrong. Nothing of it is held.
 *
 * Bounded: per scanner one card of at most MAX_SHC_CHUNKS chunks of at most one QR code each
 * held, and one completed card remembered, each for at most CHUNK_WAIT_MS (from its last chunk).
 */
import type { ScanEvent } from '../shared/types.js';
import type { Timers } from '../shared/ports.js';
import { normalizeScanText } from '../core/normalize.js';
import { ShcChunkSet, assembleShcChunks, readShcChunk, shcChunkLine } from '../credentials/shc/chunks.js';

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
   * chunk or another code came), then the scan itself when it is no chunk, or the assembled card
   * (also for a chunk of the card just completed read again). Empty when the scan was held, or
   * ignored as a repeat of a held chunk.
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

/** The card last completed on a scanner, remembered so that a chunk of it read again is known. */
interface Completed {
  set: ShcChunkSet;
  timer: unknown;
}

/** Quick look at a raw scan: could it be a chunk (`shc:/C/N/` near its start, any letter case)? */
const CHUNK_HEAD = /shc:\/\d{1,3}\/\d{1,3}\//i;
/** Room before the prefix for a BOM, white space and an AIM symbology identifier (`]Q1`). */
const HEAD_CHARS = 32;

export class ShcChunkHold {
  private readonly held = new Map<string, Held>();
  private readonly completed = new Map<string, Completed>();

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
    const line = shcChunkLine(scan.text);
    if (line) return this.offerLine(scan, line);
    const norm = normalizeScanText(scan.text);
    const reading = norm.ok ? readShcChunk(norm.text) : undefined;
    const held = this.held.get(scan.deviceId);
    // Not a (sound) chunk: another code, so the card being held will not be completed.
    if (!reading?.ok) return { scans: held ? [this.refuse(scan.deviceId, held, 'another code was scanned before the rest'), scan] : [scan] };
    const chunk = reading.chunk;
    // A chunk of the card just completed here, read again: that card again, whole (module comment).
    const done = held ? undefined : this.completed.get(scan.deviceId);
    if (done?.set.has(chunk)) {
      this.remember(scan.deviceId, done.set);
      return { scans: [this.cardScan(scan, done.set)] };
    }
    const scans: ScanEvent[] = [];
    if (held) {
      const added = held.set.add(chunk);
      if (added.kind === 'repeat') return { scans: [] };
      if (added.kind === 'added') {
        held.last = scan;
        held.lastIndex = chunk.index;
        if (!held.set.complete) return { scans: [], progress: this.progress(scan.deviceId, chunk.index, held.set) };
        this.drop(scan.deviceId, held);
        this.remember(scan.deviceId, held.set);
        return { scans: [this.cardScan(scan, held.set)] };
      }
      // Another card's chunk: the held ones are refused, and this one starts the next card.
      scans.push(this.refuse(scan.deviceId, held, added.detail));
    }
    const deviceId = scan.deviceId;
    // Another card begins here: the one completed before is no longer the one being shown.
    this.forget(deviceId);
    const set = new ShcChunkSet(chunk.total);
    set.add(chunk);
    const entry: Held = { set, last: scan, lastIndex: chunk.index, timer: undefined };
    entry.timer = this.timers.setTimeout(() => {
      if (this.held.get(deviceId) !== entry) return;
      this.release(this.refuse(deviceId, entry, `the rest did not come within ${Math.round(this.waitMs / 1000)} s of the first`));
    }, this.waitMs);
    this.held.set(deviceId, entry);
    return { scans, progress: this.progress(deviceId, chunk.index, set) };
  }

  /**
   * A line holding the chunks of a card together, separated by white space (shcChunkLine: a
   * `sim:FILE` or stdin line, as `verify` takes them): the card whole, as one scan, or — chunks
   * missing, another card's or another code among them — one refused scan naming what is wrong, as
   * `verify` names it (nothing of such a line is held). Chunks held on that scanner are released
   * first: another code came.
   */
  private offerLine(scan: ScanEvent, words: string[]): ChunkOffer {
    const deviceId = scan.deviceId;
    const held = this.held.get(deviceId);
    const scans: ScanEvent[] = held ? [this.refuse(deviceId, held, 'another code was scanned before the rest')] : [];
    this.forget(deviceId);
    const texts: string[] = [];
    for (const [i, word] of words.entries()) {
      const norm = normalizeScanText(word);
      if (!norm.ok) {
        scans.push(this.refused(scan, norm.reason === 'too-large' ? 'too-large' : 'unreadable', `text ${i + 1} of ${words.length}: ${norm.detail}`));
        return { scans };
      }
      texts.push(norm.text);
    }
    const assembly = assembleShcChunks(texts);
    if (!assembly.ok) {
      scans.push(this.refused(scan, assembly.reason === 'too-large' ? 'too-large' : 'unreadable', assembly.detail));
      return { scans };
    }
    this.remember(deviceId, assembly.set);
    scans.push(this.cardScan(scan, assembly.set));
    return { scans };
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

  /**
   * Every scanner's held chunks as refused scans (`why`: the person cancelled on the screen), as
   * when their wait runs out; the cards completed before are still remembered (a re-read chunk of
   * one stays its duplicate).
   */
  cancelAll(why: string): ScanEvent[] {
    return [...this.held].map(([deviceId, held]) => this.refuse(deviceId, held, why));
  }

  /**
   * Every scanner's held chunks as refused scans (`why` says why the rest will not come), nothing
   * held after; completed cards are forgotten too (no timer is left running).
   */
  releaseAll(why: string): ScanEvent[] {
    for (const deviceId of [...this.completed.keys()]) this.forget(deviceId);
    return [...this.held].map(([deviceId, held]) => this.refuse(deviceId, held, why));
  }

  /** One scan of the whole card `set`, read when `scan` (its last chunk, or a re-read one) was. */
  private cardScan(scan: ScanEvent, set: ShcChunkSet): ScanEvent {
    return { source: scan.source, deviceId: scan.deviceId, text: set.assemble(), receivedAt: scan.receivedAt, assembledFrom: set.total };
  }

  /** Remembers `set` as the card completed on `deviceId` for the next waitMs (restarted if already remembered). */
  private remember(deviceId: string, set: ShcChunkSet): void {
    this.forget(deviceId);
    const entry: Completed = { set, timer: undefined };
    entry.timer = this.timers.setTimeout(() => {
      if (this.completed.get(deviceId) === entry) this.completed.delete(deviceId);
    }, this.waitMs);
    this.completed.set(deviceId, entry);
  }

  private forget(deviceId: string): void {
    const done = this.completed.get(deviceId);
    if (!done) return;
    this.timers.clearTimeout(done.timer);
    this.completed.delete(deviceId);
  }

  private progress(deviceId: string, index: number, set: ShcChunkSet): ChunkProgress {
    return { deviceId, index, total: set.total, missing: set.missing() };
  }

  private drop(deviceId: string, held: Held): void {
    this.timers.clearTimeout(held.timer);
    this.held.delete(deviceId);
  }

  /** `scan` refused by the hold itself (a line of chunks that is no whole card), `detail` saying why. */
  private refused(scan: ScanEvent, fault: 'too-large' | 'unreadable', detail: string): ScanEvent {
    return { source: scan.source, deviceId: scan.deviceId, text: '', receivedAt: scan.receivedAt, fault, refusal: { format: 'shc', detail } };
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
