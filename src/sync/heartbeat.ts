/**
 * Heartbeat (docs/PROTOCOL.md): every N seconds the kiosk tells the server its queue depth, oldest pending
 * check-in, last scan, scanner health, trust-bundle issue time, version and clock offset, so the
 * dashboard can flag devices that need a visit. Failures are only logged: the next beat is the retry.
 */
import type { Clock, Logger, Timers } from '../shared/ports.js';
import type { Direction, ScannerStatus } from '../shared/types.js';
import { createHttpClient, describeError } from './http.js';
import type { ClockOffset } from './clock-offset.js';
import { heartbeatForServer } from './heartbeat-bounds.js';

export interface HeartbeatBody {
  queueDepth: number;
  oldestPendingAt: string | null;
  lastScanAt: string | null;
  scanners: ScannerStatus[];
  trustIssuedAt: string | null;
  version: string;
  /** Kiosk clock minus server clock (ms), once measured (see clock-offset.ts). */
  clockOffsetMs?: number;
  /** Protocol extensions (optional): the configuration profile version in force, the updater state. */
  appliedConfigVersion?: number;
  updateState?: string;
  /** scannedAt of the oldest check-in still held (personal data on the device), null when none. */
  oldestIdentityAt?: string | null;
  /**
   * Protocol extension: the checkpoint id and direction the kiosk stamps on its check-ins now (its
   * --checkpoint, card, profile or technician setting), so the fleet page knows where a kiosk
   * enrolled with a bare code stands.
   */
  checkpointId?: string;
  direction?: Direction;
  /** Hex hash of the newest audit-log entry: lets the server prove later that the log was not cut short. */
  auditHead?: string;
}

export interface HeartbeatState {
  lastSentAt?: string;
  lastError?: string;
  sent: number;
  reenrollNeeded: boolean;
}

export interface HeartbeatOptions {
  /** The central server, or several nodes of it (failover in order; see http.ts). */
  serverUrl: string | readonly string[];
  token: string;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Between beats (ms, default 60 s). */
  intervalMs?: number;
  collect(): HeartbeatBody;
  /** Called after each beat the server stored (the updater's proof that a new version runs). */
  onSent?: () => void;
  /**
   * Called once when the server refuses the token (401/403): a revoked kiosk with nothing to
   * forward learns it here first, and must say so without waiting for a scan.
   */
  onReenrollNeeded?: () => void;
  ca?: string;
  requestTimeoutMs?: number;
  /** Learns the clock offset from each answer's serverTime (or Date header). */
  clockOffset?: ClockOffset;
}

export interface Heartbeat {
  stop(): Promise<void>;
  state(): HeartbeatState;
  /** Sends one beat now; resolves true when the server stored it. */
  sendNow(): Promise<boolean>;
  setToken(token: string): void;
  /** Changes the period (ms) from the next beat on (remote configuration). */
  setIntervalMs(ms: number): void;
}

export function startHeartbeat(opts: HeartbeatOptions): Heartbeat {
  const { clock, timers } = opts;
  const logger = opts.logger.child('heartbeat');
  let intervalMs = opts.intervalMs ?? 60_000;
  const http = createHttpClient({ serverUrl: opts.serverUrl, timeoutMs: opts.requestTimeoutMs ?? 15_000, ...(opts.ca ? { ca: opts.ca } : {}) });
  const st: HeartbeatState = { sent: 0, reenrollNeeded: false };
  let token = opts.token;
  let stopped = false;
  let timer: unknown;
  let inFlight: Promise<boolean> | undefined;

  const beat = async (): Promise<boolean> => {
    try {
      const sentMs = clock.now();
      const res = await http.client.post('/api/v1/heartbeat', heartbeatForServer(opts.collect()), { headers: { Authorization: `Bearer ${token}` } });
      opts.clockOffset?.observe(sentMs, clock.now(), res.data, res.headers.date);
      if (res.status === 200) {
        st.sent++;
        st.lastSentAt = new Date(clock.now()).toISOString();
        delete st.lastError;
        opts.onSent?.();
        return true;
      }
      if ((res.status === 401 || res.status === 403) && !st.reenrollNeeded) {
        st.reenrollNeeded = true;
        opts.onReenrollNeeded?.();
      }
      st.lastError = `server answered ${res.status}`;
    } catch (err) {
      // Aborted by stop(): not a failure of the link.
      if (stopped) return false;
      st.lastError = describeError(err);
    }
    logger.warn('heartbeat failed', { why: st.lastError });
    return false;
  };

  const sendNow = (): Promise<boolean> => {
    if (stopped || st.reenrollNeeded) return Promise.resolve(false);
    inFlight ??= beat().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const loop = () => {
    if (stopped) return;
    timer = timers.setTimeout(() => {
      void sendNow().finally(loop);
    }, intervalMs);
  };

  void sendNow().finally(loop);
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) timers.clearTimeout(timer);
      // Aborts a beat in flight first: a server that never answers must not hold the stop.
      http.close();
      await inFlight?.catch(() => undefined);
    },
    state: () => ({ ...st }),
    sendNow,
    setToken(next: string) {
      token = next;
      st.reenrollNeeded = false;
    },
    setIntervalMs(ms: number) {
      intervalMs = ms;
    },
  };
}
