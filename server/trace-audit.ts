/**
 * The audit entry of one tracing answer. A trace hands out names and ID numbers, so every way of
 * asking (CLI, dashboard page, dashboard CSV, JSON API) leaves one entry in the hash-chained audit
 * log: who asked (`actor`), through what (`via`), when, the range searched and the counts — never
 * the ID traced, never a name (the log is kept longer than the data it speaks of).
 */
import type { CentralStorage } from './storage/types.js';
import type { TraceResult } from './trace.js';

/** Where a trace was asked: `actor` of the entry and the `via` of its detail. */
export type TraceChannel = { actor: 'cli'; via: 'cli' } | { actor: 'dashboard'; via: 'dashboard' | 'dashboard-csv' } | { actor: 'api'; via: 'api' };

/**
 * Appends `{actor, action:"trace", detail:{via, from, to, windowMinutes, landmarks, nearby,
 * truncated}}` (from/to ISO UTC, counts whole numbers) at `nowMs` (ms since the epoch) through the
 * storage seam, so SQLite and PostgreSQL chain it alike. Rejects as `appendAudit` does.
 */
export async function auditTrace(storage: CentralStorage, channel: TraceChannel, result: TraceResult, nowMs: number): Promise<void> {
  const nearby = result.landmarks.reduce((n, l) => n + l.nearby.length, 0);
  await storage.appendAudit({
    at: new Date(nowMs).toISOString(),
    actor: channel.actor,
    action: 'trace',
    detail: { via: channel.via, from: result.from, to: result.to, windowMinutes: result.windowMinutes, landmarks: result.landmarks.length, nearby, truncated: result.truncated },
  });
}
