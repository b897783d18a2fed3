/**
 * Drain a backlog once and report how long it took: for the backlog-drain benchmark (README.md, Benchmarks)
 * and for tools that want "send everything now, then stop".
 */
import type { CheckInStore } from '../store/types.js';
import type { ForwarderOptions } from './forwarder.js';
import { startForwarder } from './forwarder.js';

export interface DrainResult {
  /** Records the server confirmed (accepted or duplicate). */
  forwarded: number;
  rejected: number;
  /** Wall time from start to an empty queue (ms, from the injected clock). */
  ms: number;
}

/**
 * Runs a forwarder until the store has nothing pending, then stops it. Rejects when the forwarder
 * needs re-enrollment or `maxFailures` consecutive attempts failed (default 20).
 */
export function drainBacklog(opts: ForwarderOptions & { store: CheckInStore; maxFailures?: number }): Promise<DrainResult> {
  const started = opts.clock.now();
  const maxFailures = opts.maxFailures ?? 20;
  if (opts.store.queueStats().depth === 0) return Promise.resolve({ forwarded: 0, rejected: 0, ms: 0 });
  return new Promise<DrainResult>((resolve, reject) => {
    let settled = false;
    const forwarder = startForwarder({
      ...opts,
      onState: (s) => {
        opts.onState?.(s);
        if (settled) return;
        const finish = (err?: Error) => {
          settled = true;
          void forwarder.stop().then(() =>
            err ? reject(err) : resolve({ forwarded: s.forwarded, rejected: s.rejected, ms: opts.clock.now() - started }),
          );
        };
        if (s.status === 'idle' && opts.store.queueStats().depth === 0) finish();
        else if (s.status === 'reenroll-needed') finish(new Error('drain: the server refused the device token'));
        else if (s.failures >= maxFailures) finish(new Error(`drain: ${s.failures} consecutive failures (${s.lastError ?? 'unknown'})`));
      },
    });
  });
}
