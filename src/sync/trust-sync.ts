/**
 * Trust-bundle sync (docs/TRUST-BUNDLE.md): pulls the signed bundle with If-None-Match, verifies the JWS
 * against the root key pinned at enrollment, validates it, and swaps it in atomically
 * (`<dataDir>/trust-bundle.jws`). A bundle that fails any check — or is older than the one held
 * (rollback) — is refused and the old one kept. Age and a stale alarm are exposed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { JWK } from 'jose';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import type { TrustBundleJson } from '../shared/trust.js';
import type { TrustIndex } from '../credentials/trust/types.js';
import { parseTrustBundle } from '../credentials/trust/load.js';
import { verifySignedTrustBundle } from '../credentials/trust/envelope.js';
import { writeFileAtomic } from './atomic-file.js';
import { DEFAULT_BACKOFF, fullJitterDelay, parseRetryAfter } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';
import { createHttpClient, describeError } from './http.js';
import type { ClockOffset } from './clock-offset.js';
import { DEFAULT_TIME_RULES, checkTokenTimes, type TimeRules } from '../credentials/time-rules.js';

export const TRUST_BUNDLE_FILE = 'trust-bundle.jws';
export const TRUST_META_FILE = 'trust-bundle.meta.json';
/** Largest signed bundle fetched (bytes); see TRUST_LIMITS.maxBundleBytes (50 MiB of JSON). */
const MAX_JWS_BYTES = 70 * 1024 * 1024;

export interface TrustSyncState {
  /** 'ok' fresh; 'stale' not confirmed for staleAfterMs; 'none' no bundle yet. */
  status: 'ok' | 'stale' | 'none' | 'reenroll-needed' | 'stopped';
  issuedAt?: string;
  /** Now − issuedAt of the bundle held (ms). */
  ageMs?: number;
  /** Last time the server confirmed our bundle is current (200 or 304). */
  lastSyncAt?: string;
  lastAttemptAt?: string;
  lastError?: string;
  /** The stale alarm: no bundle, or none confirmed by the server for staleAfterMs. */
  stale: boolean;
  /** Bundles refused since start (bad signature, invalid, rollback). */
  refused: number;
}

export interface TrustSyncOptions {
  /** The central server, or several nodes of it (failover in order; see http.ts). */
  serverUrl: string | readonly string[];
  token: string;
  /** Root public key pinned at enrollment. */
  trustKey: JWK | Record<string, unknown>;
  dataDir: string;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Called with each bundle taken into use, including the stored one at start. */
  onBundle?: (index: TrustIndex, bundle: TrustBundleJson) => void;
  onState?: (s: TrustSyncState) => void;
  /** Between successful checks (ms, default 15 min). */
  intervalMs?: number;
  /** Alarm when the bundle was not confirmed for this long (ms, default 24 h). */
  staleAfterMs?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  ca?: string;
  requestTimeoutMs?: number;
  /** Learns the kiosk's clock offset from the Date header; its server-time estimate judges issuedAt. */
  clockOffset?: ClockOffset;
  /** Clock tolerance for the bundle's issuedAt (default 300 s): read on every download. */
  timeRules?: () => TimeRules;
}

export interface StoredBundle {
  index: TrustIndex;
  bundle: TrustBundleJson;
  jws: string;
  etag?: string;
  lastSyncAt?: string;
}

interface Meta {
  etag?: string;
  lastSyncAt?: string;
}

/** Loads and re-verifies the stored bundle (a file damaged on disk is ignored, not trusted). */
export async function loadStoredTrustBundle(dataDir: string, trustKey: TrustSyncOptions['trustKey']): Promise<StoredBundle | undefined> {
  try {
    return await readStoredTrustBundle(dataDir, trustKey);
  } catch {
    return undefined;
  }
}

/**
 * The stored bundle with the checks the kiosk makes at start (signature against the pinned root
 * key, then the bundle's validation), saying why when it cannot be used: throws the fs error
 * (`code` ENOENT when the kiosk holds no bundle yet, EACCES …) or TrustBundleError (refused).
 * `verify --data-dir` uses it to give the verdict the kiosk would give.
 */
export async function readStoredTrustBundle(dataDir: string, trustKey: TrustSyncOptions['trustKey']): Promise<StoredBundle> {
  const file = path.join(dataDir, TRUST_BUNDLE_FILE);
  if (fs.statSync(file).size > MAX_JWS_BYTES) throw new Error(`${file} is larger than ${MAX_JWS_BYTES} bytes, more than any trust bundle`);
  const jws = fs.readFileSync(file, 'utf8');
  const bundle = await verifySignedTrustBundle(jws, trustKey as JWK);
  let meta: Meta = {};
  try {
    meta = JSON.parse(fs.readFileSync(path.join(dataDir, TRUST_META_FILE), 'utf8')) as Meta;
  } catch {
    // Meta lost: we only lose the ETag (one full download) and the last sync time.
  }
  return {
    index: parseTrustBundle(bundle),
    bundle,
    jws,
    ...(typeof meta.etag === 'string' ? { etag: meta.etag } : {}),
    ...(typeof meta.lastSyncAt === 'string' ? { lastSyncAt: meta.lastSyncAt } : {}),
  };
}

export interface TrustSync {
  stop(): Promise<void>;
  state(): TrustSyncState;
  /** One check now (also what the timer does). Resolves with the state after it. */
  syncNow(): Promise<TrustSyncState>;
  setToken(token: string): void;
}

export function startTrustSync(opts: TrustSyncOptions): TrustSync {
  const { clock, timers, dataDir } = opts;
  const logger = opts.logger.child('trust-sync');
  const intervalMs = opts.intervalMs ?? 15 * 60_000;
  const staleAfterMs = opts.staleAfterMs ?? 24 * 3_600_000;
  const policy = opts.backoff ?? DEFAULT_BACKOFF;
  const random = opts.random ?? Math.random;
  const timeoutMs = opts.requestTimeoutMs ?? 60_000;
  const http = createHttpClient({ serverUrl: opts.serverUrl, timeoutMs, maxResponseBytes: MAX_JWS_BYTES, ...(opts.ca ? { ca: opts.ca } : {}) });
  let token = opts.token;
  let current: StoredBundle | undefined;
  let failures = 0;
  let refused = 0;
  let lastAttemptAt: string | undefined;
  let lastError: string | undefined;
  let reenroll = false;
  let stopped = false;
  let timer: unknown;
  let inFlight: Promise<TrustSyncState> | undefined;

  const state = (): TrustSyncState => {
    const now = clock.now();
    const issuedMs = current ? Date.parse(current.bundle.issuedAt) : NaN;
    const syncMs = current?.lastSyncAt ? Date.parse(current.lastSyncAt) : NaN;
    const stale = !current || !Number.isFinite(syncMs) || now - syncMs > staleAfterMs;
    const s: TrustSyncState = {
      status: stopped ? 'stopped' : reenroll ? 'reenroll-needed' : !current ? 'none' : stale ? 'stale' : 'ok',
      stale,
      refused,
    };
    if (current) {
      s.issuedAt = current.bundle.issuedAt;
      if (Number.isFinite(issuedMs)) s.ageMs = Math.max(0, now - issuedMs);
      if (current.lastSyncAt) s.lastSyncAt = current.lastSyncAt;
    }
    if (lastAttemptAt) s.lastAttemptAt = lastAttemptAt;
    if (lastError) s.lastError = lastError;
    return s;
  };
  const emit = () => opts.onState?.(state());

  const saveMeta = () => {
    if (!current) return;
    writeFileAtomic(path.join(dataDir, TRUST_META_FILE), JSON.stringify({ etag: current.etag, lastSyncAt: current.lastSyncAt }), 0o600);
  };

  const schedule = (ms: number) => {
    if (stopped || reenroll) return;
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = timers.setTimeout(() => {
      timer = undefined;
      void syncNow();
    }, ms);
  };

  const failed = (why: string, retryAfterMs?: number) => {
    failures++;
    lastError = why;
    logger.warn('trust sync failed', { why, failures });
    schedule(retryAfterMs ?? Math.min(intervalMs, Math.max(1, fullJitterDelay(failures, policy, random))));
  };

  const checkOnce = async (): Promise<void> => {
    lastAttemptAt = new Date(clock.now()).toISOString();
    const headers: Record<string, string> = { Authorization: `Bearer ${token}`, Accept: 'application/jose' };
    if (current?.etag) headers['If-None-Match'] = current.etag;
    let res;
    const sentMs = clock.now();
    try {
      res = await http.client.get('/api/v1/trust-bundle', { headers, responseType: 'text', transformResponse: (d: unknown) => d });
    } catch (err) {
      // Aborted by stop(): nothing failed.
      if (!stopped) failed(describeError(err));
      return;
    }
    opts.clockOffset?.observe(sentMs, clock.now(), undefined, res.headers.date);
    const nowIso = new Date(clock.now()).toISOString();
    if (res.status === 304 && current) {
      current.lastSyncAt = nowIso;
      saveMeta();
      failures = 0;
      lastError = undefined;
      schedule(intervalMs);
      return;
    }
    if (res.status === 401 || res.status === 403) {
      reenroll = true;
      lastError = `server refused the device token (${res.status}); re-enrollment needed`;
      logger.error('device token refused; re-enrollment needed', { status: res.status });
      return;
    }
    if (res.status === 429 || res.status === 503) {
      failed(`server busy (${res.status})`, parseRetryAfter(res.headers['retry-after'], clock.now()));
      return;
    }
    if (res.status !== 200 || typeof res.data !== 'string') {
      failed(`server answered ${res.status}`);
      return;
    }
    const jws = res.data;
    let bundle: TrustBundleJson;
    let index: TrustIndex;
    try {
      bundle = await verifySignedTrustBundle(jws, opts.trustKey as JWK);
      index = parseTrustBundle(bundle);
      if (current && Date.parse(bundle.issuedAt) < Date.parse(current.bundle.issuedAt)) {
        throw new Error(`signed trust bundle refused: issued ${bundle.issuedAt}, older than the one held (${current.bundle.issuedAt})`);
      }
      // issuedAt is the bundle's iat (time-rules.ts): one "issued" far in the future would block
      // every later bundle through the rollback check above. Judged against the server's time as
      // the kiosk knows it, so a kiosk whose own clock is behind still takes fresh bundles.
      const issued = checkTokenTimes({ iat: Date.parse(bundle.issuedAt) / 1000 }, opts.clockOffset?.serverNow() ?? clock.now(), opts.timeRules?.() ?? DEFAULT_TIME_RULES);
      if (!issued.ok) throw new Error(`signed trust bundle refused: issuedAt ${bundle.issuedAt} is in the future (${issued.reason})`);
    } catch (err) {
      refused++;
      logger.error('trust bundle refused; keeping the previous one', { why: describeError(err) });
      failed(describeError(err));
      return;
    }
    if (stopped) return;
    writeFileAtomic(path.join(dataDir, TRUST_BUNDLE_FILE), jws, 0o600);
    const etag = typeof res.headers.etag === 'string' ? res.headers.etag.slice(0, 200) : undefined;
    current = { index, bundle, jws, lastSyncAt: nowIso, ...(etag ? { etag } : {}) };
    saveMeta();
    failures = 0;
    lastError = undefined;
    logger.info('trust bundle updated', { issuedAt: bundle.issuedAt });
    opts.onBundle?.(index, bundle);
    schedule(intervalMs);
  };

  function syncNow(): Promise<TrustSyncState> {
    if (stopped || reenroll) return Promise.resolve(state());
    if (!inFlight) {
      inFlight = (async () => {
        try {
          await checkOnce();
        } catch (err) {
          // Local faults (disk): keep going, retry later.
          failed(`local: ${describeError(err)}`);
        } finally {
          inFlight = undefined;
        }
        emit();
        return state();
      })();
    }
    return inFlight;
  }

  // Start from the stored bundle (works offline), then check with the server.
  const started = (async () => {
    current = await loadStoredTrustBundle(dataDir, opts.trustKey);
    if (current && !stopped) opts.onBundle?.(current.index, current.bundle);
    emit();
    if (!stopped) await syncNow();
  })();

  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      timer = undefined;
      // Aborts a download in flight first: a server that never answers must not hold the stop.
      http.close();
      await started.catch(() => undefined);
      await inFlight?.catch(() => undefined);
      emit();
    },
    state,
    async syncNow() {
      await started.catch(() => undefined);
      return syncNow();
    },
    setToken(next: string) {
      token = next;
      if (reenroll) {
        reenroll = false;
        lastError = undefined;
        void syncNow();
      }
    },
  };
}
