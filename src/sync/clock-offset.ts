/**
 * How wrong the kiosk's clock is, learned from the central server's answers: every JSON answer of
 * /api/v1/checkins, /api/v1/overrides and /api/v1/heartbeat carries `serverTime` (ISO, ms), and
 * every HTTP answer carries a `Date` header (RFC 9110 §6.6.1, whole seconds) as the fallback.
 *
 * offset = kiosk clock − server clock, estimated at the midpoint of the request (NTP's simple
 * form: the server stamped its answer somewhere between our send and our receipt, so the error is
 * at most half the round trip). Of recent samples the one with the shortest round trip wins.
 * The kiosk reports the offset in its heartbeat (`clockOffsetMs`) and on the technician screen;
 * it never sets the system clock itself.
 */
import type { Clock } from '../shared/ports.js';

/** A sample older than this (ms) no longer counts: clocks drift and get corrected. */
const SAMPLE_MAX_AGE_MS = 30 * 60_000;
const MAX_SAMPLES = 8;

interface Sample {
  offsetMs: number;
  rttMs: number;
  atMs: number;
  /** Date-header samples have 1 s resolution: ranked after any serverTime sample. */
  coarse: boolean;
}

export interface ClockOffsetState {
  /** Kiosk clock minus server clock (ms, rounded), undefined until a server answer was seen. */
  offsetMs?: number;
  /** Kiosk-clock ISO time of the sample used. */
  measuredAt?: string;
  /** 'serverTime' (ms resolution) or 'date-header' (1 s resolution). */
  source?: 'serverTime' | 'date-header';
}

export class ClockOffset {
  private samples: Sample[] = [];

  constructor(private readonly clock: Clock) {}

  /**
   * Records one answer. `sentMs`/`receivedMs` are kiosk-clock times around the request; `body` is
   * the parsed JSON answer (its `serverTime` is used when valid), `dateHeader` the raw Date header.
   */
  observe(sentMs: number, receivedMs: number, body: unknown, dateHeader: unknown): void {
    const serverTime = typeof body === 'object' && body !== null ? (body as { serverTime?: unknown }).serverTime : undefined;
    let serverMs = typeof serverTime === 'string' && serverTime.length <= 40 ? Date.parse(serverTime) : NaN;
    let coarse = false;
    if (!Number.isFinite(serverMs) && typeof dateHeader === 'string' && dateHeader.length <= 64) {
      // The Date header is truncated to the second: its midpoint is half a second later.
      serverMs = Date.parse(dateHeader) + 500;
      coarse = true;
    }
    if (!Number.isFinite(serverMs) || receivedMs < sentMs) return;
    const rttMs = receivedMs - sentMs;
    this.samples.push({ offsetMs: (sentMs + receivedMs) / 2 - serverMs, rttMs, atMs: receivedMs, coarse });
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
  }

  state(): ClockOffsetState {
    const now = this.clock.now();
    const fresh = this.samples.filter((s) => now - s.atMs <= SAMPLE_MAX_AGE_MS && s.atMs <= now + SAMPLE_MAX_AGE_MS);
    const pool = fresh.length > 0 ? fresh : this.samples.slice(-1);
    const fine = pool.filter((s) => !s.coarse);
    const best = (fine.length > 0 ? fine : pool).reduce<Sample | undefined>((a, s) => (!a || s.rttMs < a.rttMs ? s : a), undefined);
    if (!best) return {};
    return { offsetMs: Math.round(best.offsetMs), measuredAt: new Date(best.atMs).toISOString(), source: best.coarse ? 'date-header' : 'serverTime' };
  }

  /** Kiosk clock minus server clock (ms), undefined until measured. */
  offsetMs(): number | undefined {
    return this.state().offsetMs;
  }

  /** The server's time now as best known (the kiosk clock when nothing was measured yet). */
  serverNow(): number {
    return this.clock.now() - (this.offsetMs() ?? 0);
  }
}
