/**
 * The technician PIN (docs/OPERATIONS.md): scrypt-hashed in the store's settings, locked out after
 * MAX_FAILURES wrong PINs in a row, each lockout twice as long as the one before (capped). The
 * failure count and the lock survive restarts (they live in the store), so pulling the plug does
 * not reset the lockout. Unlocking gives a random session token that expires when idle.
 */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../shared/ports.js';
import type { CheckInStore } from '../store/types.js';
import type { TechState, UnlockResult } from '../shared/api.js';

export const PIN_SETTINGS = {
  hash: 'tech.pinHash',
  failures: 'tech.failures',
  lockouts: 'tech.lockouts',
  lockedUntil: 'tech.lockedUntil',
} as const;

export const MAX_FAILURES = 5;

export interface PinOptions {
  /** First lockout, ms; doubled for every further lockout. Default 30 s. */
  baseLockMs?: number;
  /** Longest lockout, ms. Default 1 h. */
  maxLockMs?: number;
  /** Idle time after which a session expires, ms. Default 15 min. */
  sessionIdleMs?: number;
  /** scrypt cost N (power of two). Default 2^14 (~16 MiB, ~50 ms). */
  scryptN?: number;
}

const KEY_LEN = 32;

function scryptAsync(pin: string, salt: Buffer, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(pin, salt, KEY_LEN, { N: n, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** `scrypt$N$saltB64$keyB64` */
export async function hashPin(pin: string, n = 1 << 14): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(pin, salt, n);
  return `scrypt$${n}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function checkPin(pin: string, stored: string): Promise<boolean> {
  const [tag, nText, saltB64, keyB64] = stored.split('$');
  const n = Number(nText);
  if (tag !== 'scrypt' || !Number.isInteger(n) || n < 2 || !saltB64 || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const actual = await scryptAsync(pin, Buffer.from(saltB64, 'base64'), n);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

export class TechnicianPin {
  private readonly sessions = new Map<string, number>();
  private readonly baseLockMs: number;
  private readonly maxLockMs: number;
  private readonly idleMs: number;
  private readonly n: number;
  /** Serialises unlock attempts so parallel guesses cannot race past the failure counter. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: CheckInStore,
    private readonly clock: Clock,
    opts: PinOptions = {},
  ) {
    this.baseLockMs = opts.baseLockMs ?? 30_000;
    this.maxLockMs = opts.maxLockMs ?? 3_600_000;
    this.idleMs = opts.sessionIdleMs ?? 15 * 60_000;
    this.n = opts.scryptN ?? 1 << 14;
  }

  state(): TechState {
    const until = this.lockedUntilMs();
    return { pinSet: this.store.getSetting(PIN_SETTINGS.hash) !== undefined, ...(until ? { lockedUntil: new Date(until).toISOString() } : {}) };
  }

  unlock(pin: string): Promise<UnlockResult> {
    const run = this.tail.then(() => this.unlockNow(pin));
    this.tail = run.catch(() => undefined);
    return run;
  }

  /** Sets a new PIN; the caller has checked that it may (no PIN yet, or a valid session). */
  async setPin(pin: string): Promise<void> {
    this.store.setSetting(PIN_SETTINGS.hash, await hashPin(pin, this.n));
    this.resetFailures();
  }

  /** True (and the idle timer renewed) when the session is known and not expired. */
  touch(session: string | null | undefined): boolean {
    if (!session) return false;
    const last = this.sessions.get(session);
    const now = this.clock.now();
    if (last === undefined) return false;
    if (now - last > this.idleMs) {
      this.sessions.delete(session);
      return false;
    }
    this.sessions.set(session, now);
    return true;
  }

  lock(session: string): void {
    this.sessions.delete(session);
  }

  private async unlockNow(pin: string): Promise<UnlockResult> {
    const stored = this.store.getSetting(PIN_SETTINGS.hash);
    if (stored === undefined) return { ok: false, reason: 'no-pin' };
    const until = this.lockedUntilMs();
    if (until) return { ok: false, reason: 'locked', lockedUntil: new Date(until).toISOString() };

    if (await checkPin(pin, stored)) {
      this.resetFailures();
      const session = randomBytes(32).toString('hex');
      const now = this.clock.now();
      this.sessions.set(session, now);
      return { ok: true, session, expiresAt: new Date(now + this.idleMs).toISOString() };
    }
    const failures = this.intSetting(PIN_SETTINGS.failures) + 1;
    if (failures < MAX_FAILURES) {
      this.store.setSetting(PIN_SETTINGS.failures, String(failures));
      return { ok: false, reason: 'wrong-pin', attemptsLeft: MAX_FAILURES - failures };
    }
    const lockouts = this.intSetting(PIN_SETTINGS.lockouts) + 1;
    const lockMs = Math.min(this.maxLockMs, this.baseLockMs * 2 ** Math.min(lockouts - 1, 30));
    const lockedUntil = this.clock.now() + lockMs;
    this.store.setSetting(PIN_SETTINGS.failures, '0');
    this.store.setSetting(PIN_SETTINGS.lockouts, String(lockouts));
    this.store.setSetting(PIN_SETTINGS.lockedUntil, String(lockedUntil));
    this.store.audit({ at: new Date(this.clock.now()).toISOString(), actor: 'technician', action: 'pin-lockout', detail: { lockouts, lockMs } });
    return { ok: false, reason: 'locked', lockedUntil: new Date(lockedUntil).toISOString() };
  }

  private lockedUntilMs(): number | undefined {
    const until = this.intSetting(PIN_SETTINGS.lockedUntil);
    return until > this.clock.now() ? until : undefined;
  }

  private resetFailures(): void {
    this.store.setSetting(PIN_SETTINGS.failures, '0');
    this.store.setSetting(PIN_SETTINGS.lockouts, '0');
    this.store.setSetting(PIN_SETTINGS.lockedUntil, '0');
  }

  private intSetting(key: string): number {
    const n = Number(this.store.getSetting(key) ?? '0');
    return Number.isFinite(n) && n > 0 ? n : 0;
  }
}
