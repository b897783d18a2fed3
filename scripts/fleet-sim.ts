/**
 * Fleet simulator: N simulated kiosks against a real central server (one or several nodes) on
 * this machine. Each kiosk enrolls with a one-time code (made through the admin API), then runs
 * the real forwarder (src/sync/forwarder.ts) on an in-memory outbox and the real heartbeat,
 * producing check-ins at `ratePerKiosk` per second (Poisson arrivals). At the end every sent id is
 * looked up on the server (admin census): each must be stored exactly once.
 *
 * Loopback only (127.0.0.0/8, ::1, localhost) and bounded in kiosks, rate, time and total
 * check-ins: this is a load generator, and it must never be pointed at somebody else's server.
 */
import { randomInt } from 'node:crypto';
import { silentLogger, systemClock, systemTimers, uuidv7Source } from '../src/core/system.js';
import type { CheckIn } from '../src/shared/types.js';
import { startForwarder, type Forwarder, type ForwarderOutbox } from '../src/sync/forwarder.js';
import { startHeartbeat, type Heartbeat } from '../src/sync/heartbeat.js';
import { createHttpClient, describeError, serverList } from '../src/sync/http.js';

export const FLEET_LIMITS = { maxKiosks: 5000, maxRatePerKiosk: 50, maxMinutes: 60, maxTotalCheckIns: 2_000_000 } as const;

export interface FleetOptions {
  /** Simulated kiosks, 1..5000. */
  kiosks: number;
  /** Check-ins per second per kiosk (mean of Poisson arrivals), > 0 and ≤ 50. */
  ratePerKiosk: number;
  /** How long kiosks produce check-ins (minutes, > 0 and ≤ 60). */
  minutes: number;
  /** Server URLs (nodes of one central server), loopback only. */
  servers: string[];
  /** Admin token: creates the enrollment codes and runs the final census. */
  adminToken: string;
  /** Heartbeat interval per kiosk (s, default 60). */
  heartbeatSeconds?: number;
  /** Progress lines (one per ~5 s); default none. */
  onProgress?: (p: { seconds: number; sent: number; acked: number; pending: number }) => void;
}

export interface FleetReport {
  kiosks: number;
  servers: string[];
  /** Seconds from the first check-in to the last acknowledgement. */
  seconds: number;
  sent: number;
  acked: number;
  rejected: number;
  /** Ingest rate: acknowledged check-ins per second over `seconds`. */
  ingestPerSecond: number;
  /** Check-in created → acknowledged by the server (ms). */
  ackLatencyMs: { p50: number; p99: number; max: number };
  /** Failed requests and enrollments (each retried by the real forwarder/heartbeat logic). */
  errors: number;
  heartbeats: number;
  /** The census: ids stored 0 times (lost) or more than once (duplicated). */
  verified: { stored: number; missing: number; duplicated: number };
}

/** Throws an Error naming the problem when a value is out of bounds or a server is not loopback. */
export function checkFleetOptions(o: FleetOptions): void {
  const { maxKiosks, maxRatePerKiosk, maxMinutes, maxTotalCheckIns } = FLEET_LIMITS;
  if (!Number.isInteger(o.kiosks) || o.kiosks < 1 || o.kiosks > maxKiosks) throw new Error(`--kiosks must be an integer 1..${maxKiosks}`);
  if (!(o.ratePerKiosk > 0 && o.ratePerKiosk <= maxRatePerKiosk)) throw new Error(`--rate must be > 0 and ≤ ${maxRatePerKiosk} check-ins/s per kiosk`);
  if (!(o.minutes > 0 && o.minutes <= maxMinutes)) throw new Error(`--minutes must be > 0 and ≤ ${maxMinutes}`);
  const total = o.kiosks * o.ratePerKiosk * o.minutes * 60;
  if (total > maxTotalCheckIns) throw new Error(`kiosks × rate × minutes would send ~${Math.round(total)} check-ins; at most ${maxTotalCheckIns}`);
  if (o.servers.length === 0) throw new Error('--server URL is required (one or more)');
  for (const s of serverList(o.servers)) {
    const host = new URL(s).hostname.replace(/^\[|\]$/g, '');
    if (!(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host))) {
      throw new Error(`--server ${s}: the fleet simulator only talks to this machine (127.0.0.1, ::1, localhost)`);
    }
  }
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(o.adminToken)) throw new Error('--admin-token: not an admin token (see `checkpoint-kiosk central admin-token`)');
}

/** An in-memory outbox in arrival order: what the forwarder reads instead of kiosk.db. */
class MemoryOutbox implements ForwarderOutbox {
  readonly pending = new Map<string, CheckIn>();
  constructor(private readonly onAck: (ids: readonly string[]) => void, private readonly onReject: (n: number) => void) {}
  pendingBatch(limit: number): CheckIn[] {
    const out: CheckIn[] = [];
    for (const c of this.pending.values()) {
      if (out.length >= limit) break;
      out.push(c);
    }
    return out;
  }
  markForwarded(ids: readonly string[]): void {
    for (const id of ids) this.pending.delete(id);
    this.onAck(ids);
  }
  markRejected(rejections: readonly { id: string }[]): void {
    for (const r of rejections) this.pending.delete(r.id);
    this.onReject(rejections.length);
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Runs the fleet; resolves with the report once every kiosk's outbox is empty (or 2 min later). */
export async function runFleet(o: FleetOptions): Promise<FleetReport> {
  checkFleetOptions(o);
  const servers = serverList(o.servers);
  const admin = createHttpClient({ serverUrl: servers, timeoutMs: 60_000 });
  const auth = { headers: { authorization: `Bearer ${o.adminToken}` } };
  let errors = 0;
  try {
    const codesRes = await admin.client.post<{ codes?: string[] }>('/api/v1/enrollment-codes', { count: o.kiosks, ttlHours: 1 }, auth);
    if (codesRes.status !== 200 || !Array.isArray(codesRes.data.codes)) throw new Error(`the server refused to issue enrollment codes (${codesRes.status}); check --admin-token`);
    const codes = codesRes.data.codes;

    // Enrollment: 20 at a time, as a roll-out would.
    const tokens: string[] = new Array<string>(o.kiosks);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(20, o.kiosks) }, async () => {
        const http = createHttpClient({ serverUrl: servers, timeoutMs: 30_000 });
        try {
          while (next < o.kiosks) {
            const i = next++;
            for (let attempt = 0; ; attempt++) {
              const res = await http.client.post<{ token?: string }>('/api/v1/enroll', { code: codes[i], device: { name: `fleet-${i}`, version: 'fleet-sim', platform: process.platform } }).catch((err: unknown) => {
                errors++;
                if (attempt >= 5) throw new Error(`enrollment of kiosk ${i} failed: ${describeError(err)}`);
                return undefined;
              });
              if (res?.status === 200 && typeof res.data.token === 'string') {
                tokens[i] = res.data.token;
                break;
              }
              if (res) throw new Error(`enrollment of kiosk ${i} refused (${res.status})`);
            }
          }
        } finally {
          http.close();
        }
      }),
    );

    const created = new Map<string, number>();
    const scannedAtOf = new Map<string, string>();
    const latencies: number[] = [];
    let sent = 0;
    let acked = 0;
    let rejected = 0;
    let heartbeatsSent = 0;
    let lastAckAt = 0;
    const ids = uuidv7Source();
    const forwarders: Forwarder[] = [];
    const heartbeats: Heartbeat[] = [];
    const outboxes: MemoryOutbox[] = [];
    const generators = new Set<NodeJS.Timeout>();
    let producing = true;
    const started = performance.now();
    const endAt = started + o.minutes * 60_000;

    for (let k = 0; k < o.kiosks; k++) {
      const outbox = new MemoryOutbox(
        (done) => {
          const now = performance.now();
          lastAckAt = now;
          for (const id of done) {
            const t = created.get(id);
            if (t !== undefined) {
              latencies.push(now - t);
              created.delete(id);
              acked++;
            }
          }
        },
        (n) => (rejected += n),
      );
      outboxes.push(outbox);
      let failures = 0;
      const forwarder = startForwarder({
        store: outbox,
        serverUrl: servers,
        token: tokens[k] as string,
        clock: systemClock,
        timers: systemTimers,
        logger: silentLogger,
        onState: (s) => {
          if (s.failures > failures) errors++;
          failures = s.failures;
        },
      });
      forwarders.push(forwarder);
      heartbeats.push(
        startHeartbeat({
          serverUrl: servers,
          token: tokens[k] as string,
          clock: systemClock,
          timers: systemTimers,
          logger: silentLogger,
          intervalMs: (o.heartbeatSeconds ?? 60) * 1000,
          collect: () => {
            heartbeatsSent++;
            const first = outbox.pending.values().next().value as CheckIn | undefined;
            return { queueDepth: outbox.pending.size, oldestPendingAt: first?.scannedAt ?? null, lastScanAt: null, scanners: [], trustIssuedAt: null, version: 'fleet-sim' };
          },
        }),
      );
      const produce = () => {
        if (!producing) return;
        const now = Date.now();
        const c: CheckIn = {
          id: ids.next(),
          deviceId: `fleet-${k}`,
          checkpointId: `FLEET-${k % 55}`,
          direction: k % 2 ? 'out' : 'in',
          scannedAt: new Date(now).toISOString(),
          format: 'cccd',
          verdict: 'accept',
          reasons: ['identity-only'],
          subject: { idType: 'cccd', idNo: String(randomInt(1e11, 1e12 - 1)).padStart(12, '0') },
        };
        outbox.pending.set(c.id, c);
        created.set(c.id, performance.now());
        scannedAtOf.set(c.id, c.scannedAt);
        sent++;
        forwarder.kick();
        schedule();
      };
      const schedule = () => {
        // Exponential inter-arrival times: a Poisson stream of scans per kiosk.
        const gap = (-Math.log(1 - Math.random()) / o.ratePerKiosk) * 1000;
        if (performance.now() + gap > endAt) return;
        const t = setTimeout(() => {
          generators.delete(t);
          produce();
        }, gap);
        generators.add(t);
      };
      schedule();
    }

    const pendingTotal = () => outboxes.reduce((n, b) => n + b.pending.size, 0);
    const progress = setInterval(() => o.onProgress?.({ seconds: Math.round((performance.now() - started) / 1000), sent, acked, pending: pendingTotal() }), 5000);
    try {
      while (performance.now() < endAt) await new Promise((r) => setTimeout(r, 200));
      producing = false;
      for (const t of generators) clearTimeout(t);
      const drainDeadline = performance.now() + 120_000;
      while (pendingTotal() > 0 && performance.now() < drainDeadline) await new Promise((r) => setTimeout(r, 100));
    } finally {
      clearInterval(progress);
      await Promise.all([...forwarders.map((f) => f.stop()), ...heartbeats.map((h) => h.stop())]);
    }

    // The census: every id sent, looked up by id and scan time, 1,000 per request.
    const all = [...scannedAtOf.entries()];
    let stored = 0;
    let missing = 0;
    let duplicated = 0;
    for (let i = 0; i < all.length; i += 1000) {
      const chunk = all.slice(i, i + 1000).map(([id, scannedAt]) => ({ id, scannedAt }));
      const res = await admin.client.post<{ counts?: Record<string, number> }>('/api/v1/checkins/census', { checkins: chunk }, auth);
      if (res.status !== 200 || !res.data.counts) throw new Error(`census refused (${res.status})`);
      for (const { id } of chunk) {
        const n = res.data.counts[id] ?? 0;
        if (n === 1) stored++;
        else if (n === 0) missing++;
        else duplicated++;
      }
    }
    latencies.sort((a, b) => a - b);
    const seconds = Math.max(0.001, ((lastAckAt || performance.now()) - started) / 1000);
    return {
      kiosks: o.kiosks,
      servers,
      seconds: Math.round(seconds * 10) / 10,
      sent,
      acked,
      rejected,
      ingestPerSecond: Math.round((acked / seconds) * 10) / 10,
      ackLatencyMs: { p50: Math.round(percentile(latencies, 50)), p99: Math.round(percentile(latencies, 99)), max: Math.round(latencies[latencies.length - 1] ?? 0) },
      errors,
      heartbeats: heartbeatsSent,
      verified: { stored, missing, duplicated },
    };
  } finally {
    admin.close();
  }
}
