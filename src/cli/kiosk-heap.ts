/**
 * V8 heap settings of a running kiosk (`checkpoint-kiosk run`; docs/OPERATIONS.md "Memory").
 *
 * A kiosk keeps about 10 MiB of live JavaScript objects whatever the number of check-ins it has
 * recorded (they live in SQLite), but V8's defaults are tuned for throughput on big heaps: the
 * young generation grows from 2 MiB to 32 MiB as soon as a burst of queued scans survives a few
 * collections, and the old generation is allowed to fill with promoted garbage to several times
 * its live size before it is collected. Before these settings the V8 heap of a headless kiosk was
 * about 50 MiB (8 MiB of it live) of the 121 MiB it held after 100,000 scans.
 *
 * The two flags below change only when and how much V8 collects, never a limit: no allocation can
 * fail because of them (unlike --max-old-space-size, which would turn a bigger-than-expected heap
 * into a crash), and nothing about the verdicts, the commits or their order changes. Their cost is
 * more frequent, smaller scavenges — a few per hundred scans, each well under a millisecond.
 * Both are read by V8 at every collection, which is why setting them after start-up works:
 *
 * - `--semi-space-growth-factor=1`: the young generation stays at its initial size (1 MiB per
 *   semi-space) instead of doubling up to 16 MiB;
 * - `--optimize-for-size`: V8 treats the process as memory-constrained (smaller old-generation
 *   growth steps, shrinking the young generation after a full collection).
 *
 * The Electron shell runs the same kiosk in its main process; it is not tuned here.
 */
import v8 from 'node:v8';

/** Passed to v8.setFlagsFromString(), in this order. */
export const KIOSK_V8_FLAGS = ['--semi-space-growth-factor=1', '--optimize-for-size'] as const;

/**
 * Applies KIOSK_V8_FLAGS to this process. Call once, early in `run`; other commands (verify,
 * export, central) are short-lived or servers and keep V8's defaults. `setFlags` is injectable for
 * tests. Throws nothing: an unknown flag is ignored by V8 with a warning on stderr.
 */
export function tuneHeapForKiosk(setFlags: (flags: string) => void = v8.setFlagsFromString): void {
  for (const flag of KIOSK_V8_FLAGS) setFlags(flag);
}
