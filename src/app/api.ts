/**
 * The kiosk UI API (src/shared/api.ts) implemented over a KioskService and its store. One
 * instance serves every connected screen (Electron window, web-mode browsers): events fan out,
 * booth and technician rights are per session token (API_ROLES), checked here, so neither
 * transport can reach another person's data without a signed-in officer or technician. Events
 * carry only the person just scanned, masked. Transports validate arguments with validateCall()
 * before calling in; methods throw ApiError with a user-facing message for refused requests.
 */
import { EventEmitter } from 'node:events';
import type { Direction, ScanEvent, VerdictDisplay } from '../shared/types.js';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import {
  API_VERSION,
  type DeliveryStatus,
  type ExportResult,
  type KioskApi,
  type KioskApiEvents,
  type KioskStatus,
  type LogLine,
  type ManualEntry,
  type OnlineState,
  type OverrideRequest,
  type RecentScan,
  type ScanDetails,
  type ChunkPrompt,
  type ScanResult,
  type ScreenOutcome,
  type SelfTestView,
  type ShiftCounts,
  type TechConfigPatch,
  type TechInfo,
  type TechState,
  type TestScanResult,
  type UnlockResult,
  type WedgeScan,
  type SignInResult,
  type OfficerCode,
  type ProvisioningNoticeView,
} from '../shared/api.js';
import { isProvisioningCard } from '../credentials/provisioning/index.js';
import { chunkList } from '../credentials/shc/numeric.js';
import type { Outcome } from '../core/pipeline.js';
import { DEFAULT_POLICY, type Policy } from '../core/policy.js';
import type { KioskService } from './kiosk.js';
import { BoothLedger } from './booth-ledger.js';
import { BoothDesk } from './booth-desk.js';
import { TechDesk } from './tech-desk.js';
import type { DeskContext } from './desk-context.js';
import { API_SETTINGS } from './api-settings.js';
import { ApiError } from './api-error.js';
import { AccessControl, TECH_ACTOR, type AccessOptions } from './access/access-control.js';
import { readDisplay, readProfile, readTimeZone } from './ui-settings.js';

export { ApiError, type ApiErrorCode } from './api-error.js';

/** What the forwarder knows; the store supplies queue depth and rejected counts itself. */
export interface DeliverySnapshot {
  state: OnlineState;
  lastSyncAt?: string;
  lastError?: string;
}

export interface KioskApiDeps {
  kiosk: KioskService;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /** Where technician exports are written (created on demand). */
  exportDir: string;
  /** Online/offline from the forwarder. Default: always 'unknown' (no forwarder connected). */
  delivery?: () => DeliverySnapshot;
  /** Recent log lines for the technician screen and log export (see logRing). */
  logs?: () => LogLine[];
  /** The policy in force (for test scans and the technician screen). Default: DEFAULT_POLICY. */
  policy?: () => Policy;
  policyName?: string;
  /** Kiosk clock minus server clock (ms) as learned from server answers; undefined until measured. */
  clockOffsetMs?: () => number | undefined;
  /** Enrolls with the central server; absent → enrollment is refused with a clear message. */
  enroll?: (serverUrl: string, code: string) => Promise<void>;
  /**
   * Arms re-provisioning by card (technician panel) while `sessionOpen` (the technician session
   * that asked) is open; absent → refused with a clear message.
   */
  reprovision?: (sessionOpen: () => boolean) => void;
  /** Ends re-provisioning armed from the panel (the panel was locked). */
  disarmReprovision?: () => void;
  /** The last provisioning-card notice, shown in the status. */
  provisioning?: () => ProvisioningNoticeView | undefined;
  /** How often delivery state is polled for changes, ms. Default 1000. */
  pollMs?: number;
  pin?: AccessOptions;
  /** Web mode: rotates the URL token and returns the new URL; absent → rotation is unavailable. */
  rotateWebToken?: () => string;
}

export { API_SETTINGS } from './api-settings.js';

export class KioskApiService implements KioskApi {
  private readonly events = new EventEmitter();
  private readonly access: AccessControl;
  private readonly ledger: BoothLedger;
  private readonly log: Logger;
  private readonly booth: BoothDesk;
  private readonly techDesk: TechDesk;
  private pollHandle: unknown;
  private lastDeliveryJson = '';
  private closed = false;

  constructor(private readonly deps: KioskApiDeps) {
    this.log = deps.logger.child('api');
    const store = deps.kiosk.store;
    this.access = new AccessControl(store, deps.clock, deps.pin);
    let since = store.getSetting(API_SETTINGS.shiftStart);
    if (!since) {
      since = this.nowIso();
      store.setSetting(API_SETTINGS.shiftStart, since);
    }
    this.ledger = new BoothLedger(store, since);
    const ctx: DeskContext = {
      deps,
      access: this.access,
      ledger: this.ledger,
      log: this.log,
      status: () => this.status(),
      emitStatus: () => this.emitStatus(),
      applyDirection: (direction, actor) => this.applyDirection(direction, actor),
      scan: (text, source, enteredBy) => this.scan(text, source, enteredBy),
      policy: () => this.policy(),
      tech: (session) => this.access.require(session, 'technician').actor,
      nowIso: () => this.nowIso(),
    };
    this.booth = new BoothDesk(ctx);
    this.techDesk = new TechDesk(ctx);
    this.events.setMaxListeners(100);
    deps.kiosk.on('outcome', this.onOutcome);
    deps.kiosk.on('chunk', this.onChunk);
    deps.kiosk.on('fault', this.onFault);
    deps.kiosk.on('scanner', this.onScanner);
    this.lastDeliveryJson = watched(this.status());
    this.schedulePoll();
  }

  on<E extends keyof KioskApiEvents>(event: E, listener: (payload: KioskApiEvents[E]) => void): () => void {
    this.events.on(event, listener);
    // Cameras render an aiming preview only while a screen listens for one.
    if (event === 'preview' && !this.stopPreviews && !this.closed) {
      this.stopPreviews = this.deps.kiosk.devices?.watchPreviews((p) => this.events.emit('preview', p));
    }
    return () => {
      this.events.off(event, listener);
      if (event === 'preview' && this.events.listenerCount('preview') === 0) this.endPreviews();
    };
  }

  private stopPreviews: (() => void) | undefined;

  private endPreviews(): void {
    this.stopPreviews?.();
    this.stopPreviews = undefined;
  }

  /** Stops polling and detaches from the kiosk (the kiosk itself is stopped by its owner). */
  close(): void {
    this.closed = true;
    this.deps.timers.clearTimeout(this.pollHandle);
    this.deps.kiosk.off('outcome', this.onOutcome);
    this.deps.kiosk.off('chunk', this.onChunk);
    this.deps.kiosk.off('fault', this.onFault);
    this.deps.kiosk.off('scanner', this.onScanner);
    this.endPreviews();
    this.events.removeAllListeners();
  }

  // ---- kiosk and booth ----

  getStatus(): Promise<KioskStatus> {
    return Promise.resolve(this.status());
  }

  submitScan(scan: WedgeScan): Promise<ScanResult> {
    // A burst too long for the window's detector (its keys dropped) is a too-large scan, as a
    // driver's over-long line is; an empty text without it is no scan at all.
    if (scan.fault === 'too-large') return this.scan('', 'wedge', undefined, 'too-large');
    if (scan.text.trim() === '') return Promise.resolve({ ok: false, error: 'Empty scan: nothing was recorded.' });
    return this.scan(scan.text, 'wedge');
  }

  private async scan(text: string, source: 'wedge' | 'manual', enteredBy?: string, fault?: 'too-large'): Promise<ScanResult> {
    const event: ScanEvent = {
      source,
      deviceId: source === 'wedge' ? 'wedge:window' : 'manual:booth',
      text,
      receivedAt: this.deps.clock.now(),
      ...(source === 'manual' && enteredBy ? { enteredBy } : {}),
      ...(fault ? { fault } : {}),
    };
    const outcome = await this.deps.kiosk.submit(event);
    // A provisioning card is never a check-in: the kiosk hands it to the central link.
    if (!outcome && isProvisioningCard(text)) return { ok: false, error: 'Provisioning card: see the technician screen.' };
    // A chunk of a multi-QR card is held (or a repeat of one ignored): nothing to record yet.
    const held = outcome ? undefined : this.deps.kiosk.heldChunks(event.deviceId);
    if (held) {
      const chunk: ChunkPrompt = { index: held.index, total: held.total, missing: held.missing };
      return { ok: false, error: chunkPromptText(chunk), chunk };
    }
    if (!outcome) return { ok: false, error: 'The scan could not be recorded (storage fault).' };
    return { ok: true, outcome: this.screenOutcome(outcome) };
  }

  // ---- booth (booth-desk.ts) ----

  officerSignIn(officerId: string, code: string): Promise<SignInResult> {
    return this.booth.officerSignIn(officerId, code);
  }
  officerSignOut(session: string): Promise<void> {
    return this.booth.officerSignOut(session);
  }
  recentScans(session: string, limit: number): Promise<RecentScan[]> {
    return this.booth.recentScans(session, limit);
  }
  scanDetails(session: string, id: string): Promise<ScanDetails | null> {
    return this.booth.scanDetails(session, id);
  }
  setDirection(session: string, direction: Direction): Promise<KioskStatus> {
    return this.booth.setDirection(session, direction);
  }
  overrideCheckIn(session: string, request: OverrideRequest): Promise<RecentScan> {
    return this.booth.overrideCheckIn(session, request);
  }
  manualEntry(session: string, entry: ManualEntry): Promise<ScanResult> {
    return this.booth.manualEntry(session, entry);
  }
  shiftCounts(session: string): Promise<ShiftCounts> {
    return this.booth.shiftCounts(session);
  }
  startShift(session: string): Promise<ShiftCounts> {
    return this.booth.startShift(session);
  }

  /** The screen's "Cancel" on a partly scanned multi-QR card (KioskService.cancelHeldChunks). */
  async cancelChunks(): Promise<{ cancelled: number }> {
    const cancelled = await this.deps.kiosk.cancelHeldChunks();
    if (cancelled > 0) this.log.info('multi-QR card cancelled on the screen', { cards: cancelled });
    return { cancelled };
  }

  // ---- technician (access here, the rest in tech-desk.ts) ----

  /** Whether `token` is a live session of `role` (not renewing it): the transports ask before validating a call's arguments. */
  sessionLive(token: unknown, role: 'officer' | 'technician'): boolean {
    return typeof token === 'string' && this.access.sessions.alive(token, role);
  }

  techState(): Promise<TechState> {
    return Promise.resolve(this.access.state());
  }

  async techUnlock(pin: string): Promise<UnlockResult> {
    const before = this.access.techFailures();
    const result = await this.access.techUnlock(pin);
    if (!result.ok) this.log.warn('technician unlock refused', { reason: result.reason });
    // Audited, bounded so a flood cannot fill the audit log: the first wrong PIN of a run, the one
    // that starts the waits, then every 100th (about 29 a day at the 30 s wait); and the right
    // PIN that ends a run, with how many wrong ones it ended. Refusals during a wait are not checked.
    const failures = this.access.techFailures();
    if (!result.ok && result.reason === 'wrong-pin' && shouldAuditFailure(failures, this.access.freeAttempts())) {
      this.deps.kiosk.store.audit({ at: this.nowIso(), actor: TECH_ACTOR, action: 'tech-unlock-refused', detail: { via: 'screen', failures, ...(result.retryAt ? { retryAt: result.retryAt } : {}) } });
    }
    if (result.ok && before > 0) this.deps.kiosk.store.audit({ at: this.nowIso(), actor: TECH_ACTOR, action: 'tech-unlock', detail: { via: 'screen', afterFailures: before } });
    return result;
  }

  async techSetup(setupCode: string, pin: string): Promise<UnlockResult> {
    const result = await this.access.techSetup(setupCode, pin);
    if (result.ok) {
      this.deps.kiosk.store.audit({ at: this.nowIso(), actor: TECH_ACTOR, action: 'pin-set', detail: { via: 'setup-code' } });
      this.emitStatus();
    } else this.log.warn('technician setup refused', { reason: result.reason });
    return result;
  }

  async techSetPin(session: string, currentPin: string, pin: string): Promise<TechState> {
    this.tech(session);
    const checked = await this.access.checkTechPin(currentPin);
    if (!checked.ok) {
      this.log.warn('technician PIN change refused', { reason: checked.reason });
      throw new ApiError('refused', checked.reason === 'wait' ? `Too many wrong PINs: try again after ${checked.retryAt ?? 'a while'}.` : 'The current PIN is wrong: the PIN was not changed.');
    }
    await this.access.setPin(pin);
    this.deps.kiosk.store.audit({ at: this.nowIso(), actor: TECH_ACTOR, action: 'pin-set' });
    this.emitStatus();
    return this.access.state();
  }

  async techLock(session: string): Promise<void> {
    const wasTech = this.access.sessions.alive(session, 'technician');
    this.access.sessions.close(session);
    // Re-provisioning by card is armed only while the panel is open (it also ends by itself when
    // the session that armed it ends; this says so at once).
    if (wasTech) this.deps.disarmReprovision?.();
    return Promise.resolve();
  }

  techIssueOfficerCode(session: string, officerId: string): Promise<OfficerCode> {
    return this.techDesk.techIssueOfficerCode(session, officerId);
  }
  techRevokeOfficer(session: string, officerId: string): Promise<TechInfo> {
    return this.techDesk.techRevokeOfficer(session, officerId);
  }
  techRotateWebToken(session: string): Promise<{ url: string }> {
    return this.techDesk.techRotateWebToken(session);
  }
  techInfo(session: string): Promise<TechInfo> {
    return this.techDesk.techInfo(session);
  }
  techConfigure(session: string, patch: TechConfigPatch): Promise<TechInfo> {
    return this.techDesk.techConfigure(session, patch);
  }
  techTestScan(session: string, text: string): Promise<TestScanResult> {
    return this.techDesk.techTestScan(session, text);
  }
  techSelfTest(session: string, timeoutMs: number): Promise<SelfTestView> {
    return this.techDesk.techSelfTest(session, timeoutMs);
  }
  techExport(session: string, what: 'checkins' | 'logs'): Promise<ExportResult> {
    return this.techDesk.techExport(session, what);
  }

  // ---- internals ----

  private status(): KioskStatus {
    const config = this.deps.kiosk.currentConfig();
    const name = this.deps.kiosk.store.getSetting(API_SETTINGS.checkpointName);
    return {
      apiVersion: API_VERSION,
      deviceId: config.deviceId,
      checkpointId: config.checkpointId,
      ...(name ? { checkpointName: name } : {}),
      direction: config.direction,
      scanners: this.deps.kiosk.scannerStatus(),
      delivery: this.deliveryStatus(),
      trustIssuedAt: this.deps.kiosk.currentTrust().issuedAt,
      needsSetup: !this.access.pinSet(),
      profile: readProfile(this.deps.kiosk.store),
      timeZone: readTimeZone(this.deps.kiosk.store),
      ...this.provisioningView(),
      ...readDisplay(this.deps.kiosk.store),
    };
  }

  private provisioningView(): { provisioning?: ProvisioningNoticeView } {
    const notice = this.deps.provisioning?.();
    return notice ? { provisioning: { ...notice } } : {};
  }

  private deliveryStatus(): DeliveryStatus {
    let snapshot: DeliverySnapshot = { state: 'unknown' };
    try {
      snapshot = this.deps.delivery?.() ?? snapshot;
    } catch (err) {
      this.log.warn('delivery provider failed', { error: err instanceof Error ? err.message : String(err) });
    }
    const stats = this.deps.kiosk.store.queueStats();
    const serverUrl = this.deps.kiosk.store.getSetting(API_SETTINGS.serverUrl);
    return {
      state: snapshot.state,
      queueDepth: stats.depth,
      ...(stats.oldestPendingAt ? { oldestPendingAt: stats.oldestPendingAt } : {}),
      pendingAlarm: this.deps.kiosk.oldPendingAlarm() !== undefined,
      rejected: stats.rejected + (stats.overridesRejected ?? 0),
      ...(stats.overridesRejected ? { overridesRejected: stats.overridesRejected } : {}),
      ...(snapshot.lastSyncAt ? { lastSyncAt: snapshot.lastSyncAt } : {}),
      ...(serverUrl ? { serverUrl } : {}),
      ...(snapshot.lastError ? { lastError: snapshot.lastError.slice(0, 200) } : {}),
    };
  }

  private applyDirection(direction: Direction, actor: string): void {
    this.deps.kiosk.setConfig({ direction });
    this.deps.kiosk.store.setSetting(API_SETTINGS.direction, direction);
    this.deps.kiosk.store.audit({ at: this.nowIso(), actor, action: 'direction', detail: { direction } });
    this.emitStatus();
  }

  private policy(): Policy {
    return this.deps.policy?.() ?? DEFAULT_POLICY;
  }

  /** The technician session's actor, or ApiError 'unauthorized'. */
  private tech(session: string): string {
    return this.access.require(session, 'technician').actor;
  }

  private screenOutcome(outcome: Outcome): ScreenOutcome {
    if (outcome.kind === 'checkin') {
      const c = outcome.checkIn;
      return { id: c.id, kind: 'checkin', verdict: c.verdict, reasons: c.reasons, format: c.format, display: publicDisplay(outcome.verdict.display), scannedAt: c.scannedAt, source: outcome.scan.source, direction: c.direction };
    }
    const earlier = this.deps.kiosk.store.get(outcome.of);
    return {
      id: outcome.of,
      kind: 'duplicate',
      verdict: outcome.verdict.verdict,
      reasons: outcome.verdict.reasons,
      format: earlier?.format ?? 'unknown',
      display: publicDisplay(outcome.verdict.display),
      scannedAt: new Date(outcome.scan.receivedAt).toISOString(),
      source: outcome.scan.source,
      direction: earlier?.direction ?? this.deps.kiosk.currentConfig().direction,
    };
  }

  private readonly onOutcome = (outcome: Outcome): void => {
    if (outcome.kind === 'checkin') this.ledger.recorded(outcome.checkIn);
    else this.ledger.duplicate();
    this.events.emit('outcome', this.screenOutcome(outcome));
    this.emitStatus();
  };

  private readonly onChunk = (progress: { index: number; total: number; missing: number[] }): void => {
    this.events.emit('chunk', { index: progress.index, total: progress.total, missing: progress.missing });
  };

  private readonly onFault = (): void => {
    this.events.emit('fault', { message: 'The scan could not be recorded. Please call staff.' });
  };

  private readonly onScanner = (): void => this.emitStatus();

  private emitStatus(): void {
    if (this.closed) return;
    const status = this.status();
    this.lastDeliveryJson = watched(status);
    this.events.emit('status', status);
  }

  /** Polls the delivery provider and the queue; pushes a status event only when they changed. */
  private schedulePoll(): void {
    if (this.closed) return;
    this.pollHandle = this.deps.timers.setTimeout(() => {
      // Delivery, provisioning cards and remote configuration change the status behind the API's back.
      if (watched(this.status()) !== this.lastDeliveryJson) this.emitStatus();
      this.schedulePoll();
    }, this.deps.pollMs ?? 1000);
  }

  private nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }
}


/**
 * What every screen (and so every connected page) may learn about the person just scanned: the
 * masked name, the credential's title and the rule texts. The detail lines (masked ID number,
 * province, birth year, issue date) stay in the store, for a signed-in officer's details view.
 */
function publicDisplay(display: VerdictDisplay): VerdictDisplay {
  return { ...(display.maskedName ? { maskedName: display.maskedName } : {}), ...(display.title ? { title: display.title } : {}), details: [], messages: display.messages };
}

/** "Code 1 of 3 read — scan the next one (2 and 3 still to scan)." in English, for API answers and logs. */
export function chunkPromptText(chunk: ChunkPrompt): string {
  const list = chunkList(chunk.missing);
  return `Code ${chunk.index} of ${chunk.total} read — scan the next one (${list} still to scan).`;
}

export function createKioskApi(deps: KioskApiDeps): KioskApiService {
  return new KioskApiService(deps);
}

/** The status parts the poll watches for changes made outside the API (not scanner counters). */
function watched(s: KioskStatus): string {
  return JSON.stringify([s.delivery, s.provisioning, s.profile, s.display, s.checkpointId, s.direction]);
}

/**
 * Which wrong technician PINs in a run are audited: the 1st, the first that makes the next try
 * wait (after `free` free ones), then every 100th.
 */
export function shouldAuditFailure(failures: number, free: number): boolean {
  return failures === 1 || failures === free + 1 || (failures > 0 && failures % 100 === 0);
}
