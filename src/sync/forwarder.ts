/**
 * The forwarder (docs/PROTOCOL.md): drains the store's outboxes to the central server — check-ins
 * (POST /api/v1/checkins), then officer overrides (POST /api/v1/overrides) once no check-in is
 * pending. At-least-once from
 * here, exactly-once on the server by id. Oldest first, gzip batches, exponential backoff with full
 * jitter, Retry-After honoured on 429/503, per-record rejections kept and flagged in the store.
 * 401/403 → 'reenroll-needed': no more requests until `setToken` (no busy loop).
 *
 * Scanning never waits for it: the store calls are short synchronous transactions and no store
 * call spans an await; the network work happens between them.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import type { CheckInStore, WireRecord } from '../store/types.js';
import { DEFAULT_BACKOFF, fullJitterDelay, parseRetryAfter } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { createHttpClient, describeError } from './http.js';
import type { ClockOffset } from './clock-offset.js';

const gzip = promisify(zlib.gzip);
/**
 * gzip level of request bodies. Level 1 deflates a batch of check-ins several times faster than
 * the default 6 for about a tenth more bytes (JSON of similar records compresses well at any
 * level); every gzip reader accepts every level.
 */
export const GZIP_LEVEL = 1;
/** How long an override the server answered `unknown-checkin` waits before it is sent again (ms). */
const UNKNOWN_CHECKIN_RETRY_MS = 30_000;

export type ForwarderStatus = 'idle' | 'sending' | 'backoff' | 'reenroll-needed' | 'stopped';

export interface ForwarderState {
  status: ForwarderStatus;
  /** Consecutive failed attempts (0 after any progress). */
  failures: number;
  lastAttemptAt?: string;
  lastSuccessAt?: string;
  /** Short description of the last failure (no token, no personal data). */
  lastError?: string;
  /** When the next attempt is due, while in backoff. */
  nextAttemptAt?: string;
  /** Since start: records the server confirmed (accepted or duplicate) / rejected. */
  forwarded: number;
  rejected: number;
}

/** The part of the store the forwarder uses (the fleet simulator gives an in-memory outbox). */
/** The outboxes the forwarder drains: check-ins, and overrides when the store keeps them. */
export type ForwarderOutbox = Pick<CheckInStore, 'pendingBatch' | 'markForwarded' | 'markRejected'> &
  Partial<Pick<CheckInStore, 'pendingWire' | 'pendingOverrides' | 'markOverridesForwarded' | 'markOverridesRejected'>>;

export interface ForwarderOptions {
  store: ForwarderOutbox;
  /** The central server, or several nodes of it (failover in order; see http.ts). */
  serverUrl: string | readonly string[];
  token: string;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** [0, 1) source for jitter (default Math.random). */
  random?: () => number;
  /** Records per request, 1..1000 (default 500). */
  batchSize?: number;
  /** Custom CA, PEM. */
  ca?: string;
  onState?: (s: ForwarderState) => void;
  backoff?: BackoffPolicy;
  /** How often an idle forwarder looks for new records without a kick (ms, default 5 s). */
  idlePollMs?: number;
  /** Per-request timeout (ms, default 30 s): socket inactivity and overall deadline. */
  requestTimeoutMs?: number;
  /** Learns the clock offset from each answer's serverTime (or Date header). */
  clockOffset?: ClockOffset;
}

export interface Forwarder {
  /** Stops: aborts an in-flight request (its records stay pending) and waits for the loop to end. */
  stop(): Promise<void>;
  state(): ForwarderState;
  /** New records were committed: if idle, look now. Does not cut a backoff short. */
  kick(): void;
  /** A new token after re-enrollment: leaves 'reenroll-needed' and resumes. */
  setToken(token: string): void;
}

/** A check-in batch ready to send: its ids, its gzip body and where the next batch starts. */
interface PreparedBatch {
  ids: string[];
  body: Buffer;
  /** Outbox cursor of the last record (WireRecord.cursor), or undefined without pendingWire. */
  cursor: number | undefined;
  /** Read from the oldest pending record (not continuing after an earlier batch). */
  fromStart: boolean;
}

interface IngestAnswer {
  accepted: string[];
  duplicate: string[];
  rejected: { id: string; reason: string }[];
}

/** Checks the server's answer; undefined when it is not a protocol-v1 ingest answer. */
function parseAnswer(data: unknown): IngestAnswer | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  const strings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');
  if (!strings(d.accepted) || !strings(d.duplicate) || !Array.isArray(d.rejected)) return undefined;
  const rejected = (d.rejected as unknown[]).filter(
    (r): r is { id: string; reason: string } =>
      typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string' && typeof (r as { reason?: unknown }).reason === 'string',
  );
  return { accepted: d.accepted as string[], duplicate: d.duplicate as string[], rejected };
}

const EMPTY = Buffer.alloc(0);
const OPEN = Buffer.from('{"checkins":[');
const COMMA = Buffer.from(',');
const CLOSE = Buffer.from(']}');

function gzipBytes(bytes: Buffer): Promise<Buffer> {
  return gzip(bytes, { level: GZIP_LEVEL });
}

/** A request body serialised here (records a store did not hand over as ready JSON). */
function gzipJson(payload: Record<string, unknown>): Promise<Buffer> {
  return gzipBytes(Buffer.from(JSON.stringify(payload), 'utf8'));
}

/**
 * `{"checkins":[…]}` as UTF-8, each record encoded on its own and the bytes concatenated: joining a
 * batch into one ~150 KB string first and encoding that costs about ten times more (a large
 * two-byte string built, flattened and transcoded on the event loop).
 */
export function checkinsBody(records: readonly WireRecord[]): Buffer {
  const parts: Buffer[] = [OPEN];
  records.forEach((r, i) => {
    if (i > 0) parts.push(COMMA);
    parts.push(Buffer.from(r.json, 'utf8'));
  });
  parts.push(CLOSE);
  return Buffer.concat(parts);
}

export function startForwarder(opts: ForwarderOptions): Forwarder {
  const { store, clock, timers } = opts;
  const logger = opts.logger.child('forwarder');
  const random = opts.random ?? Math.random;
  const policy = opts.backoff ?? DEFAULT_BACKOFF;
  const idlePollMs = opts.idlePollMs ?? 5_000;
  const timeoutMs = opts.requestTimeoutMs ?? 30_000;
  const maxBatch = Math.min(Math.max(Math.floor(opts.batchSize ?? 500), 1), 1000);
  const http = createHttpClient({ serverUrl: opts.serverUrl, timeoutMs, ...(opts.ca ? { ca: opts.ca } : {}) });
  let token = opts.token;
  // Shrinks when the server refuses a whole batch as too large or invalid; grows back on success.
  let batchSize = maxBatch;

  const st: ForwarderState = { status: 'idle', failures: 0, forwarded: 0, rejected: 0 };
  let timer: unknown;
  let timerKind: 'idle' | 'backoff' | undefined;
  let inFlight: AbortController | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const iso = () => new Date(clock.now()).toISOString();
  const emit = () => opts.onState?.({ ...st });
  const setStatus = (s: ForwarderStatus) => {
    if (st.status !== s) {
      st.status = s;
      if (s !== 'backoff') delete st.nextAttemptAt;
      emit();
    }
  };

  const schedule = (ms: number, kind: 'idle' | 'backoff') => {
    if (stopped) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    timerKind = kind;
    timer = timers.setTimeout(() => {
      timer = undefined;
      timerKind = undefined;
      run();
    }, ms);
  };

  const fail = (why: string, retryAfterMs?: number) => {
    st.failures++;
    st.lastError = why;
    const delay = retryAfterMs ?? fullJitterDelay(st.failures, policy, random);
    st.nextAttemptAt = new Date(clock.now() + delay).toISOString();
    logger.warn('forward failed', { why, failures: st.failures, retryInMs: delay });
    st.status = 'backoff';
    emit();
    schedule(delay, 'backoff');
  };

  /** Applies an answer; returns how many distinct records of the batch were settled. */
  const settle = (batchIds: readonly string[], answer: IngestAnswer): number => {
    const ids = new Set(batchIds);
    const done = [...answer.accepted, ...answer.duplicate].filter((id) => ids.has(id));
    const rejected = answer.rejected.filter((r) => ids.has(r.id)).map((r) => ({ id: r.id, reason: r.reason.slice(0, 200) }));
    const at = iso();
    if (done.length) store.markForwarded(done, at);
    if (rejected.length) store.markRejected(rejected, at);
    st.forwarded += done.length;
    st.rejected += rejected.length;
    if (rejected.length) logger.warn('check-ins rejected by server', { count: rejected.length });
    return new Set([...done, ...rejected.map((r) => r.id)]).size;
  };

  /**
   * Reads the next check-in batch and gzips it. With a store that has pendingWire, `after` continues
   * after an earlier batch (cursor) and the stored JSON is sent as it is; otherwise the batch is
   * read from the oldest pending record and serialised here.
   */
  const prepareBatch = async (size: number, after: number | undefined): Promise<PreparedBatch> => {
    if (store.pendingWire) {
      const records = store.pendingWire(size, after ?? 0);
      return { ids: records.map((r) => r.id), body: records.length ? await gzipBytes(checkinsBody(records)) : EMPTY, cursor: records.at(-1)?.cursor, fromStart: after === undefined };
    }
    const batch = store.pendingBatch(size);
    return { ids: batch.map((c) => c.id), body: batch.length ? await gzipJson({ checkins: batch }) : EMPTY, cursor: undefined, fromStart: true };
  };

  /**
   * The batch after the one in flight, built while the request is out (read and gzip overlap the
   * server's work). Only a batch that was fully settled lets its successor be used; anything else
   * (failure, split, partial answer) drops it and the next attempt reads from the oldest pending.
   */
  let prefetched: Promise<PreparedBatch> | undefined;
  const prefetch = (size: number, after: number) => {
    // Started on the next turn of the event loop, once the request is on its way; skipped when it
    // was dropped or the forwarder stopped in the meantime (the store may be closed by then).
    const next: Promise<PreparedBatch> = new Promise<void>((resolve) => setImmediate(resolve)).then(() =>
      prefetched === next && !stopped ? prepareBatch(size, after) : { ids: [], body: EMPTY, cursor: undefined, fromStart: false },
    );
    next.catch(() => undefined); // a store fault surfaces when the attempt awaits it
    prefetched = next;
  };
  const dropPrefetch = () => {
    prefetched = undefined;
  };

  /** POSTs one gzip body; undefined when the request failed (already handled: backoff or stopped). */
  const post = async (route: string, body: Buffer, whileInFlight?: () => void) => {
    setStatus('sending');
    st.lastAttemptAt = iso();
    if (stopped) return undefined;
    inFlight = new AbortController();
    const deadline = timers.setTimeout(() => inFlight?.abort(), timeoutMs);
    const sentMs = clock.now();
    try {
      const sending = http.client.post(route, body, {
        headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', Authorization: `Bearer ${token}` },
        signal: inFlight.signal,
      });
      whileInFlight?.();
      const res = await sending;
      if (stopped) return undefined;
      opts.clockOffset?.observe(sentMs, clock.now(), res.data, res.headers.date);
      return res;
    } catch (err) {
      if (!stopped) fail(describeError(err));
      return undefined;
    } finally {
      timers.clearTimeout(deadline);
      inFlight = undefined;
    }
  };

  /**
   * What both record kinds do with a non-200 answer: 401/403 stop for re-enrollment, 429/503 honour
   * Retry-After, 400/413/422 split the batch down to the record at fault (then `refuseOne`), anything
   * else backs off.
   */
  const otherStatus = (res: { status: number; data: unknown; headers: Record<string, unknown> }, size: number, refuseOne: (reason: string) => void): 'more' | 'scheduled' => {
    const status = res.status;
    if (status === 401 || status === 403) {
      st.lastError = `server refused the device token (${status}); re-enrollment needed`;
      logger.error('device token refused; re-enrollment needed', { status });
      setStatus('reenroll-needed');
      return 'scheduled';
    }
    if (status === 429 || status === 503) {
      fail(`server busy (${status})`, parseRetryAfter(res.headers['retry-after'], clock.now()));
      return 'scheduled';
    }
    if (status === 400 || status === 413 || status === 422) {
      // The server refused the whole request. Split it to find the record at fault; a single
      // record refused on its own is kept, marked rejected and shown to technicians.
      if (size > 1) {
        batchSize = Math.max(1, Math.floor(size / 2));
        logger.warn('batch refused; splitting', { status, batch: size });
        return 'more';
      }
      const data = res.data;
      const reason = `http-${status}: ${typeof data === 'object' && data && 'error' in data ? String((data as { error: unknown }).error) : 'refused'}`;
      refuseOne(reason.slice(0, 200));
      st.rejected++;
      return 'more';
    }
    fail(status === 404 ? 'server answered 404 (a central server too old for this record kind?)' : `server answered ${status}`);
    return 'scheduled';
  };

  const progressed = (): 'more' => {
    st.failures = 0;
    delete st.lastError;
    st.lastSuccessAt = iso();
    batchSize = Math.min(maxBatch, batchSize * 2);
    return 'more';
  };

  /** One attempt: check-ins first, then overrides once no check-in is pending. */
  const attempt = async (): Promise<'more' | 'empty' | 'scheduled'> => {
    const next = prefetched;
    prefetched = undefined;
    let batch = next ? await next : await prepareBatch(batchSize, undefined);
    // An empty batch after a cursor says only that nothing newer is pending: records before it
    // (one a failed attempt left behind) are looked for from the oldest before going idle.
    if (batch.ids.length === 0 && !batch.fromStart) batch = await prepareBatch(batchSize, undefined);
    if (batch.ids.length === 0) return attemptOverrides();
    const { ids, cursor } = batch;
    const res = await post('/api/v1/checkins', batch.body, cursor === undefined ? undefined : () => prefetch(batchSize, cursor));
    if (!res) {
      dropPrefetch();
      return 'scheduled';
    }
    if (res.status !== 200) {
      dropPrefetch();
      return otherStatus(res, ids.length, (reason) => store.markRejected([{ id: ids[0] as string, reason }], iso()));
    }
    const answer = parseAnswer(res.data);
    if (!answer) {
      dropPrefetch();
      fail('server answered 200 without a valid ingest answer');
      return 'scheduled';
    }
    const settled = settle(ids, answer);
    if (settled < ids.length) dropPrefetch();
    if (settled === 0) {
      fail('server settled none of the batch');
      return 'scheduled';
    }
    return progressed();
  };

  /**
   * Overrides (POST /api/v1/overrides): accepted and duplicate ones are done; `unknown-checkin`
   * stays pending (the server does not hold the check-in yet) and is retried after a backoff; any
   * other refusal is kept, marked rejected.
   */
  const attemptOverrides = async (): Promise<'more' | 'empty' | 'scheduled'> => {
    const batch = store.pendingOverrides?.(batchSize) ?? [];
    if (batch.length === 0) return 'empty';
    const res = await post('/api/v1/overrides', await gzipJson({ overrides: batch }));
    if (!res) return 'scheduled';
    if (res.status !== 200) return otherStatus(res, batch.length, (reason) => store.markOverridesRejected?.([{ id: batch[0]!.id, reason }], iso()));
    const answer = parseAnswer(res.data);
    if (!answer) {
      fail('server answered 200 without a valid override answer');
      return 'scheduled';
    }
    const ids = new Set(batch.map((o) => o.id));
    const done = [...answer.accepted, ...answer.duplicate].filter((id) => ids.has(id));
    const later = answer.rejected.filter((r) => ids.has(r.id) && r.reason === 'unknown-checkin');
    const refused = answer.rejected.filter((r) => ids.has(r.id) && r.reason !== 'unknown-checkin').map((r) => ({ id: r.id, reason: r.reason.slice(0, 200) }));
    const at = iso();
    store.markOverridesForwarded?.(done, at);
    store.markOverridesRejected?.(refused, at);
    st.forwarded += done.length;
    st.rejected += refused.length;
    if (refused.length) logger.warn('overrides rejected by server', { count: refused.length });
    if (later.length > 0) {
      // Not a failure of the link: the server lacks the check-in (not delivered by this kiosk yet,
      // or refused). Look again later instead of spinning; new check-ins still go at once.
      logger.info('overrides wait for their check-ins on the server', { count: later.length });
      setStatus('idle');
      schedule(Math.max(idlePollMs, UNKNOWN_CHECKIN_RETRY_MS), 'idle');
      return 'scheduled';
    }
    if (done.length + refused.length === 0) {
      fail('server settled none of the overrides');
      return 'scheduled';
    }
    return progressed();
  };

  function run(): void {
    if (stopped || running || st.status === 'reenroll-needed') return;
    running = (async () => {
      try {
        for (;;) {
          const next = await attempt();
          if (stopped || st.status === 'reenroll-needed') return;
          if (next === 'scheduled') return;
          if (next === 'empty') {
            setStatus('idle');
            schedule(idlePollMs, 'idle');
            return;
          }
          // 'more': yield to the event loop between batches so scans interleave.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      } catch (err) {
        // A storage fault (disk full, ...): keep the loop alive and retry later.
        if (!stopped) fail(`local: ${describeError(err)}`);
      } finally {
        running = undefined;
      }
    })();
  }

  run();
  return {
    async stop() {
      stopped = true;
      dropPrefetch();
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      inFlight?.abort();
      // Also aborts what the loop would start before it sees `stopped` (one request at most).
      http.close();
      await running;
      st.status = 'stopped';
      emit();
    },
    state: () => ({ ...st }),
    kick() {
      if (stopped || running || st.status === 'reenroll-needed' || timerKind === 'backoff') return;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      timerKind = undefined;
      run();
    },
    setToken(next: string) {
      token = next;
      if (st.status === 'reenroll-needed') {
        st.failures = 0;
        delete st.lastError;
        setStatus('idle');
        run();
      }
    },
  };
}
