/**
 * Configuration-profile sync: pulls the signed profile (`GET /api/v1/config`, If-None-Match) in
 * the same rhythm as the trust bundle, verifies it with the pinned root key, hands it to `apply`
 * and, only once applied, keeps it (`<dataDir>/config-profile.jws`) so it is re-applied at start
 * even offline. A profile that fails verification, validation or `apply` — or is older than the
 * one held — is refused and the last good one kept.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import { verifyConfigProfile } from '../fleet/signed-profile.js';
import type { ConfigProfile } from '../fleet/signed-profile.js';
import { writeFileAtomic } from './atomic-file.js';
import { parseRetryAfter } from './backoff.js';
import { createHttpClient, describeError } from './http.js';

export const CONFIG_PROFILE_FILE = 'config-profile.jws';

export interface ConfigSyncState {
  /** Version of the profile in force (0: none). */
  appliedVersion: number;
  lastSyncAt?: string;
  lastError?: string;
  /** Profiles refused since start. */
  refused: number;
  reenrollNeeded: boolean;
}

export interface ConfigSyncOptions {
  /** One server, or several nodes to fail over between. */
  serverUrl: string | readonly string[];
  token: string;
  deviceId: string;
  trustKey: Record<string, unknown>;
  dataDir: string;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Applies a verified profile; `stored` is true for the one re-applied from disk at start. Throws to refuse it. */
  apply(profile: ConfigProfile, stored: boolean): void;
  /** Called with every profile refused (why: user-facing, no secrets). */
  onRefused?: (why: string) => void;
  /** Between checks (ms, default 15 min). */
  intervalMs?: number;
  ca?: string;
}

export interface ConfigSync {
  state(): ConfigSyncState;
  syncNow(): Promise<ConfigSyncState>;
  stop(): Promise<void>;
}

export function startConfigSync(opts: ConfigSyncOptions): ConfigSync {
  const log = opts.logger.child('config-sync');
  const intervalMs = opts.intervalMs ?? 15 * 60_000;
  const http = createHttpClient({ serverUrl: opts.serverUrl, timeoutMs: 30_000, maxResponseBytes: 256 * 1024, ...(opts.ca ? { ca: opts.ca } : {}) });
  const file = path.join(opts.dataDir, CONFIG_PROFILE_FILE);
  const st: ConfigSyncState = { appliedVersion: 0, refused: 0, reenrollNeeded: false };
  let etag: string | undefined;
  let stopped = false;
  let timer: unknown;
  let inFlight: Promise<ConfigSyncState> | undefined;

  const refuse = (why: string) => {
    st.refused++;
    st.lastError = why;
    log.error('configuration profile refused; keeping the last good one', { why });
    opts.onRefused?.(why);
  };

  const take = async (jws: string, stored: boolean): Promise<boolean> => {
    let profile: ConfigProfile;
    try {
      profile = await verifyConfigProfile(jws, opts.trustKey, opts.deviceId);
      if (!stored && profile.version < st.appliedVersion) throw new Error(`version ${profile.version} is older than the one in force (${st.appliedVersion})`);
      opts.apply(profile, stored);
    } catch (err) {
      if (!stored) refuse(describeError(err));
      return false;
    }
    st.appliedVersion = profile.version;
    if (!stored) writeFileAtomic(file, jws, 0o600);
    return true;
  };

  const checkOnce = async () => {
    const headers: Record<string, string> = { Authorization: `Bearer ${opts.token}`, Accept: 'application/jose' };
    if (etag) headers['If-None-Match'] = etag;
    let res;
    try {
      res = await http.client.get('/api/v1/config', { headers, responseType: 'text', transformResponse: (d: unknown) => d });
    } catch (err) {
      st.lastError = describeError(err);
      return intervalMs;
    }
    if (res.status === 304) {
      st.lastSyncAt = new Date(opts.clock.now()).toISOString();
      return intervalMs;
    }
    if (res.status === 401 || res.status === 403) {
      st.reenrollNeeded = true;
      st.lastError = `server refused the device token (${res.status})`;
      return undefined;
    }
    if (res.status !== 200 || typeof res.data !== 'string') {
      st.lastError = `server answered ${res.status}`;
      return parseRetryAfter(res.headers['retry-after'], opts.clock.now()) ?? intervalMs;
    }
    const newTag = typeof res.headers.etag === 'string' ? res.headers.etag.slice(0, 200) : undefined;
    // A refused profile's ETag is remembered too: the same bad profile is not downloaded again and again.
    etag = newTag;
    if (await take(res.data, false)) {
      st.lastSyncAt = new Date(opts.clock.now()).toISOString();
      delete st.lastError;
    }
    return intervalMs;
  };

  const schedule = (ms: number | undefined) => {
    if (stopped || ms === undefined) return;
    timer = opts.timers.setTimeout(() => void syncNow(), ms);
  };

  const syncNow = (): Promise<ConfigSyncState> => {
    if (stopped || st.reenrollNeeded) return Promise.resolve({ ...st });
    if (timer !== undefined) opts.timers.clearTimeout(timer);
    inFlight ??= checkOnce()
      .catch((err: unknown) => {
        st.lastError = `local: ${describeError(err)}`;
        return intervalMs;
      })
      .then((next) => {
        inFlight = undefined;
        schedule(next);
        return { ...st };
      });
    return inFlight;
  };

  const started = (async () => {
    try {
      if (fs.statSync(file).size <= 256 * 1024) await take(fs.readFileSync(file, 'utf8'), true);
    } catch {
      // No stored profile yet.
    }
    if (!stopped) await syncNow();
  })();

  return {
    state: () => ({ ...st }),
    async syncNow() {
      await started;
      return syncNow();
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) opts.timers.clearTimeout(timer);
      // Aborts a request in flight first: a server that never answers must not hold the stop.
      http.close();
      await started.catch(() => undefined);
      await inFlight?.catch(() => undefined);
    },
  };
}
