/**
 * Who may do what on the kiosk's screens: the technician PIN (with first-start setup), officer
 * sign-in with technician-issued codes, and the sessions both open. Every secret typed on the
 * screen is throttled, each by its own AttemptLimiter: the technician PIN (also checked by
 * `export --reveal`), the setup code, and each officer's code (unknown officer ids share one).
 * The success of one secret never clears the failures of another: with one shared counter, a
 * booth officer signing in with their own code between technician PIN guesses reset the wait
 * every third guess (hundreds of thousands of guesses a day instead of about 2,880).
 * Technician PIN failures are cleared only by the correct technician PIN. Booth and technician
 * API calls pass through `require()`.
 */
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../shared/ports.js';
import type { CheckInStore } from '../../store/types.js';
import type { SignInResult, TechState } from '../../shared/api.js';
import { ApiError } from '../api-error.js';
import { weakPinProblem } from '../../shared/weak-pin.js';
import { DEFAULT_SCRYPT_N, PIN_SETTINGS, checkPin, hashPin } from '../tech-pin.js';
import { AttemptLimiter, type AttemptGate, type LimiterOptions } from './attempt-limiter.js';
import { OfficerRegistry } from './officers.js';
import { SessionRegistry, type Role, type Session } from './sessions.js';
import { ensureSetupCode, removeSetupCode } from './setup-code.js';

export interface AccessOptions extends LimiterOptions {
  /** Idle time after which a technician session ends, ms. Default 5 min. */
  techIdleMs?: number;
  /** scrypt cost N (power of two). Default 2^14. */
  scryptN?: number;
  /** Where the first-start setup code is kept; absent: setup from the screen is refused. */
  setupCodeFile?: string;
}

export const TECH_ACTOR = 'technician';
/** Store key prefix of the technician PIN's attempt limiter (`access.failures`, `access.nextAt`). */
export const TECH_LIMITER_KEY = 'access';

export class AccessControl {
  readonly sessions: SessionRegistry;
  readonly officers: OfficerRegistry;
  /** Technician PIN; the store key 'access' is the one older versions used for all secrets. */
  private readonly techLimiter: AttemptLimiter;
  private readonly setupLimiter: AttemptLimiter;
  /**
   * Every wrong officer code, whoever's: a second gate, so spreading guesses over many officers'
   * ids does not multiply the rate. No right code clears it (it spans secrets); it is forgotten
   * 15 minutes after its last failure.
   */
  private readonly allOfficersLimiter: AttemptLimiter;
  private readonly n: number;
  private readonly techIdleMs: number;
  private setupCode: string | undefined;
  /** Serialises checks so parallel guesses cannot race past the limiter. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly store: CheckInStore,
    private readonly clock: Clock,
    private readonly opts: AccessOptions = {},
  ) {
    this.n = opts.scryptN ?? DEFAULT_SCRYPT_N;
    this.techIdleMs = opts.techIdleMs ?? 5 * 60_000;
    this.sessions = new SessionRegistry(clock);
    this.officers = new OfficerRegistry(store, this.n);
    this.techLimiter = new AttemptLimiter(store, clock, TECH_LIMITER_KEY, opts);
    this.setupLimiter = new AttemptLimiter(store, clock, 'access-setup', opts);
    this.allOfficersLimiter = new AttemptLimiter(store, clock, 'access-officers', opts, { forgetAfterMs: OFFICERS_FORGET_MS });
    if (!this.pinSet() && opts.setupCodeFile) this.setupCode = ensureSetupCode(opts.setupCodeFile);
  }

  pinSet(): boolean {
    return this.store.getSetting(PIN_SETTINGS.hash) !== undefined;
  }

  state(): TechState {
    const gate = (this.pinSet() ? this.techLimiter : this.setupLimiter).gate();
    return { pinSet: this.pinSet(), ...(gate.ok ? {} : { retryAt: iso(gate.retryAt) }) };
  }

  /** Consecutive wrong technician PINs since the last right one (screen and `export --reveal`). */
  techFailures(): number {
    return this.techLimiter.failures();
  }

  /** Wrong entries allowed before any wait (LimiterOptions.freeAttempts). */
  freeAttempts(): number {
    return this.opts.freeAttempts ?? 3;
  }

  /** The live session of `role` behind `token`, or ApiError 'unauthorized'. */
  require(token: string | null, role: Role): Session {
    const s = this.sessions.check(token, role);
    if (!s) throw new ApiError('unauthorized', role === 'technician' ? 'Technician session expired or missing: enter the PIN again.' : 'Officer session expired or missing: sign in again.');
    return s;
  }

  techUnlock(pin: string): Promise<SignInResult> {
    return this.serial(async () => {
      const stored = this.store.getSetting(PIN_SETTINGS.hash);
      if (stored === undefined) return { ok: false, reason: 'no-pin' };
      return this.attempt(this.techLimiter, () => checkPin(pin, stored), () => this.open('technician', TECH_ACTOR, this.techIdleMs));
    });
  }

  /** Checks the technician PIN (counted like an unlock) without opening a session. */
  checkTechPin(pin: string): Promise<{ ok: true } | { ok: false; reason: 'no-pin' | 'wrong-pin' | 'wait'; retryAt?: string }> {
    return this.serial(async () => {
      const stored = this.store.getSetting(PIN_SETTINGS.hash);
      if (stored === undefined) return { ok: false, reason: 'no-pin' };
      const r = await this.attempt(this.techLimiter, () => checkPin(pin, stored), () => ({ ok: true, session: '', expiresAt: '', idleMs: 0, actor: TECH_ACTOR }));
      if (r.ok) return { ok: true };
      const retryAt = 'retryAt' in r ? r.retryAt : undefined;
      return { ok: false, reason: r.reason === 'wait' ? 'wait' : 'wrong-pin', ...(retryAt ? { retryAt } : {}) };
    });
  }

  officerSignIn(officerId: string, code: string, idleMs: number): Promise<SignInResult> {
    // The session records the id as the code was issued for it (ids are one officer whatever their case).
    return this.serial(() =>
      this.attempt(this.officerLimiter(officerId), () => this.officers.verify(officerId, code), () => this.open('officer', this.officers.canonical(officerId) ?? officerId, idleMs), this.allOfficersLimiter),
    );
  }

  /** Failures of a registered officer's code count for that officer alone; unknown ids share one counter. */
  private officerLimiter(officerId: string): AttemptLimiter {
    const known = this.officers.canonical(officerId) !== undefined;
    const key = known ? `access-officer.${officerId.toLowerCase()}` : 'access-officer-unknown';
    return new AttemptLimiter(this.store, this.clock, key, this.opts);
  }

  /** First start: sets the PIN when the setup code matches. Refused once a PIN exists. */
  techSetup(code: string, pin: string): Promise<SignInResult> {
    return this.serial(async () => {
      if (this.pinSet()) throw new ApiError('refused', 'A technician PIN is already set: unlock with it.');
      const expected = this.setupCode;
      if (!expected) throw new ApiError('unavailable', 'Set the PIN from the command line: checkpoint-kiosk run --set-pin (see README).');
      return this.attempt(
        this.setupLimiter,
        () => Promise.resolve(code.length === expected.length && timingSafeEqual(Buffer.from(code), Buffer.from(expected))),
        async () => {
          await this.setPin(pin, 'setup-code');
          return this.open('technician', TECH_ACTOR, this.techIdleMs);
        },
      );
    });
  }

  /**
   * Sets the technician PIN (caller checked the right to). Ends the setup-code phase. The
   * technician PIN's failure count is left as it is: only the correct PIN typed clears it.
   */
  async setPin(pin: string, source: 'panel' | 'setup-code' = 'panel'): Promise<void> {
    const weak = weakPinProblem(pin);
    if (weak) throw new ApiError('refused', `This PIN is too easy to guess (${weak}): choose another.`);
    this.store.setSetting(PIN_SETTINGS.hash, await hashPin(pin, this.n));
    // A PIN set here stands over an unchanged CHECKPOINT_KIOSK_PIN_FILE at the next start (applyPinFile).
    this.store.setSetting(PIN_SETTINGS.source, source);
    this.setupCode = undefined;
    if (this.opts.setupCodeFile) removeSetupCode(this.opts.setupCodeFile);
  }

  private open(role: Role, actor: string, idleMs: number): SignInResult {
    const { token, expiresAt } = this.sessions.open(role, actor, idleMs);
    return { ok: true, session: token, expiresAt, idleMs, actor };
  }

  /** `shared`: a second gate also counting this failure, never cleared by this success (allOfficersLimiter). */
  private async attempt(limiter: AttemptLimiter, check: () => Promise<boolean>, onSuccess: () => SignInResult | Promise<SignInResult>, shared?: AttemptLimiter): Promise<SignInResult> {
    const gate = later(limiter.gate(), shared?.gate());
    if (!gate.ok) return { ok: false, reason: 'wait', retryAt: iso(gate.retryAt) };
    if (await check()) {
      limiter.succeeded();
      return onSuccess();
    }
    const next = Math.max(limiter.failed(), shared?.failed() ?? 0);
    return { ok: false, reason: 'wrong-pin', ...(next > this.clock.now() ? { retryAt: iso(next) } : {}) };
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn);
    this.tail = run.catch(() => undefined);
    return run;
  }
}

const iso = (ms: number) => new Date(ms).toISOString();

/** 15 minutes without a wrong officer code and the all-officers count starts again. */
const OFFICERS_FORGET_MS = 15 * 60_000;

/** The gate that waits longer. */
function later(a: AttemptGate, b: AttemptGate | undefined): AttemptGate {
  if (!b || b.ok) return a;
  if (a.ok) return b;
  return a.retryAt >= b.retryAt ? a : b;
}
