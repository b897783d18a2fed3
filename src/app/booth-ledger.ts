/**
 * In-memory view of the booth's recent scans and shift counts. The store has no "latest N"
 * query, so the ledger reads the store once at start (one pass, bounded memory) and then follows
 * the kiosk's outcomes. The store stays the source of truth for every record's details.
 */
import type { CheckIn, VerdictKind } from '../shared/types.js';
import type { ShiftCounts } from '../shared/api.js';
import type { CheckInStore } from '../store/types.js';
import { API_SETTINGS } from './api-settings.js';

const EMPTY = { total: 0, accept: 0, refer: 0, reject: 0, overridden: 0, in: 0, out: 0, duplicates: 0 };

export class BoothLedger {
  private recent: string[] = [];
  private counts: Omit<ShiftCounts, 'since'> = { ...EMPTY };
  private since: string;

  constructor(
    private readonly store: CheckInStore,
    since: string,
    private readonly keep = 200,
  ) {
    this.since = since;
    this.reload();
  }

  /** Re-reads the store: the recent ids and the counts of the shift that started at `since`. */
  reload(since = this.since): void {
    this.since = since;
    this.recent = [];
    this.counts = { ...EMPTY };
    for (const c of this.store.all()) {
      this.recent.push(c.id);
      if (this.recent.length > this.keep * 2) this.recent.splice(0, this.recent.length - this.keep);
      if (c.scannedAt >= since) this.count(c, c.override?.verdict);
    }
    if (this.recent.length > this.keep) this.recent.splice(0, this.recent.length - this.keep);
    // Duplicates are not check-ins, so the store has no rows to count them from: their count is
    // kept beside the shift's start, as persistent as the totals counted from the rows.
    const kept = this.store.getSetting(API_SETTINGS.shiftDuplicates);
    const bar = kept?.lastIndexOf('|') ?? -1;
    const n = kept && bar > 0 && kept.slice(0, bar) === since ? Number(kept.slice(bar + 1)) : 0;
    this.counts.duplicates = Number.isSafeInteger(n) && n > 0 ? n : 0;
  }

  recorded(checkIn: CheckIn): void {
    this.recent.push(checkIn.id);
    if (this.recent.length > this.keep) this.recent.shift();
    if (checkIn.scannedAt >= this.since) this.count(checkIn, undefined);
  }

  duplicate(): void {
    this.counts.duplicates++;
    try {
      this.store.setSetting(API_SETTINGS.shiftDuplicates, `${this.since}|${this.counts.duplicates}`);
    } catch {
      // A storage fault is reported by the next check-in's write; the count in memory stands.
    }
  }

  /** An override moves the check-in from its old verdict's count to the new one. */
  overridden(checkIn: CheckIn, previous: VerdictKind, next: VerdictKind, wasOverridden: boolean): void {
    if (checkIn.scannedAt < this.since) return;
    this.counts[previous]--;
    this.counts[next]++;
    if (!wasOverridden) this.counts.overridden++;
  }

  /** Newest first. */
  recentIds(limit: number): string[] {
    return this.recent.slice(-limit).reverse();
  }

  shift(): ShiftCounts {
    return { since: this.since, ...this.counts };
  }

  private count(c: CheckIn, overrideVerdict: VerdictKind | undefined): void {
    this.counts.total++;
    this.counts[overrideVerdict ?? c.verdict]++;
    if (overrideVerdict) this.counts.overridden++;
    this.counts[c.direction]++;
  }
}
