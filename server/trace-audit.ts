/**
 * The audit entry of one tracing answer. A trace hands out names and ID numbers, so every way of
 * asking (CLI, dashboard page, dashboard CSV, JSON API) leaves one entry in the hash-chained audit
 * log: who asked (`actor`), through what (`via`), when, the range searched and the counts of what
 * was handed out — never the ID traced, never a name (the log is kept longer than the data it
 * speaks of). A trace refused as too large leaves an entry too, saying so, with nothing handed out.
 */
import type { CentralStorage } from './storage/types.js';
import { TraceTooLargeError, type TraceQuery, type TraceResult } from './trace.js';

/** Where a trace was asked: `actor` of the entry and the `via` of its detail. */
export type TraceChannel = { actor: 'cli'; via: 'cli' } | { actor: 'dashboard'; via: 'dashboard' | 'dashboard-csv' } | { actor: 'api'; via: 'api' };

/**
 * Appends `{actor, action:"trace", detail:{via, from, to, windowMinutes, landmarks, nearby,
 * truncated}}` (from/to ISO UTC; `landmarks` and `nearby` count the landmarks and the contacts
 * listed in the answer — each contact is listed once) at `nowMs` (ms since the epoch) through the
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

/**
 * Appends the entry of a trace refused as too large: `{actor, action:"trace", detail:{via, from,
 * to, windowMinutes, landmarks:0, nearby:0, truncated:false, refused:"trace-too-large", limit}}` —
 * the same shape, with nothing handed out and why.
 */
export async function auditTraceRefused(storage: CentralStorage, channel: TraceChannel, q: TraceQuery, refusal: TraceTooLargeError, nowMs: number): Promise<void> {
  await storage.appendAudit({
    at: new Date(nowMs).toISOString(),
    actor: channel.actor,
    action: 'trace',
    detail: {
      via: channel.via,
      from: new Date(q.fromMs).toISOString(),
      to: new Date(q.toMs).toISOString(),
      windowMinutes: q.windowMinutes,
      landmarks: 0,
      nearby: 0,
      truncated: false,
      refused: refusal.code,
      limit: refusal.limit,
    },
  });
}

/**
 * Runs `run` (the trace of `q`) and audits it before the caller hands anything out: the answer's
 * entry (`auditTrace`), or for a TraceTooLargeError the refusal's (`auditTraceRefused`), after which
 * the error is rethrown for the caller to answer (4xx, exit 2). `nowMs` is read when the entry is
 * written. Other errors pass through unaudited (nothing was answered).
 */
export async function auditedTrace(storage: CentralStorage, channel: TraceChannel, q: TraceQuery, run: (q: TraceQuery) => Promise<TraceResult>, nowMs: () => number): Promise<TraceResult> {
  let result: TraceResult;
  try {
    result = await run(q);
  } catch (err) {
    if (err instanceof TraceTooLargeError) await auditTraceRefused(storage, channel, q, err, nowMs());
    throw err;
  }
  await auditTrace(storage, channel, result, nowMs());
  return result;
}
