/**
 * The duplicate hashes of recent check-ins, in memory, so that the scan of a credential not seen
 * lately skips the duplicate lookup (an index search with a sort, inside the check-in's
 * transaction). It only ever answers "no check-in with this hash can be in the window": anything
 * else — a hash it holds, a window reaching back before what it covers — runs the lookup as before,
 * so the duplicate rule itself (docs/POLICY.md) is decided by the database alone.
 *
 * What it holds: for every check-in with a duplicate hash scanned at or after `horizon` (ms), that
 * hash with the latest scan time seen for it. The store loads it from the table when it opens (and
 * again whenever another connection has written to the file), adds each check-in it records, and
 * drops hashes whose latest scan has left the window, raising the horizon past them. It holds at
 * most `cap` hashes: when more arrive within one window (a flood far beyond any real scan point's
 * rate) the oldest go and the horizon rises, so lookups run until the window has passed again.
 */
import type Database from 'better-sqlite3';

/** Default bound on the hashes held: about 100 bytes each; 27 scans/s sustained over a 5-minute window. */
export const RECENT_HASHES_CAP = 8192;
/**
 * How far back from the newest check-in the hashes are loaded at open, ms: the longest duplicate
 * window a policy may set (1440 minutes, core/policy-file.ts), so a window of any allowed length
 * is covered from the first scan on.
 */
export const RECENT_LOAD_MS = 1440 * 60_000;
/** Kept this long past the window, ms, so scans that arrive slightly out of time order stay covered. */
const SLACK_MS = 60_000;

/** The map key of a 32-byte hash: its bytes as a one-byte string (no encoding work). */
export function hashKey(hash: Buffer): string {
  return hash.toString('latin1');
}

export class RecentHashes {
  /** Hash key → latest scan time (ms) of a check-in with it, oldest-first by when it was last set. */
  private readonly latest = new Map<string, number>();
  private horizon = Infinity;
  private readonly loadStmt: Database.Statement;
  private readonly newestStmt: Database.Statement;

  constructor(
    db: Database.Database,
    private readonly cap = RECENT_HASHES_CAP,
  ) {
    if (!(Number.isInteger(cap) && cap >= 1)) throw new RangeError('RecentHashes: cap must be an integer >= 1');
    this.newestStmt = db.prepare('SELECT max(scanned_ms) FROM checkins').pluck();
    // Newest first, at most cap + 1 rows: the extra row says whether the cap cut the list short.
    this.loadStmt = db.prepare(
      `SELECT dedup_hash AS hash, max(scanned_ms) AS ms FROM checkins
        WHERE dedup_hash IS NOT NULL AND scanned_ms >= ? GROUP BY dedup_hash ORDER BY ms DESC LIMIT ?`,
    );
  }

  /** (Re)reads the hashes of the check-ins scanned within RECENT_LOAD_MS of the newest one. */
  load(): void {
    this.latest.clear();
    const newest = this.newestStmt.get() as number | null;
    if (newest === null) {
      this.horizon = -Infinity; // no check-in at all: every hash is unseen
      return;
    }
    let horizon = newest - RECENT_LOAD_MS;
    const rows = this.loadStmt.all(horizon, this.cap + 1) as { hash: Buffer; ms: number }[];
    if (rows.length > this.cap) {
      // Cut short: a hash left out has its latest scan at or before the last one kept.
      horizon = rows[this.cap - 1]!.ms + 1;
      rows.length = this.cap;
    }
    for (let i = rows.length - 1; i >= 0; i--) this.latest.set(hashKey(rows[i]!.hash), rows[i]!.ms);
    this.horizon = horizon;
  }

  /**
   * False only when no check-in with this hash was scanned at or after `fromMs` (so none can be in
   * a window starting there); true when one may have been.
   */
  mayHave(key: string, fromMs: number): boolean {
    if (fromMs < this.horizon) return true;
    const ms = this.latest.get(key);
    return ms !== undefined && ms >= fromMs;
  }

  /** A check-in with this hash, scanned at `ms`, was committed under a window of `windowMs`. */
  add(key: string, ms: number, windowMs: number): void {
    const known = this.latest.get(key);
    if (known !== undefined) {
      this.latest.delete(key); // re-set at the end: the map stays oldest-first
      if (known > ms) ms = known;
    }
    this.latest.set(key, ms);
    if (this.latest.size > this.cap || (this.latest.size & 63) === 0) this.prune(ms - windowMs - SLACK_MS);
  }

  /** Hashes held (tests). */
  get size(): number {
    return this.latest.size;
  }

  /** Drops hashes last seen before `beforeMs`, and the oldest beyond the cap; raises the horizon past each. */
  private prune(beforeMs: number): void {
    for (const [key, ms] of this.latest) {
      if (ms >= beforeMs && this.latest.size <= this.cap) break;
      this.latest.delete(key);
      if (ms + 1 > this.horizon) this.horizon = ms + 1;
    }
  }
}
