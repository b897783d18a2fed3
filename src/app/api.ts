/**
 * The kiosk UI API (src/shared/api.ts) implemented over a KioskService and its store. One
 * instance serves every connected screen (Electron window, web-mode browsers): events fan out,
 * technician rights are per session token. Transports validate arguments with validateCall()
 * before calling in; methods throw ApiError with a user-facing message for refused requests.
 */
import { EventEmitter } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Direction, ScanEvent } from '../shared/types.js';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import { maskName, maskSubject } from '../shared/mask.js';
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
  type RejectedRecord,
  type ScanDetails,
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
  type ProvisioningNoticeView,
} from '../shared/api.js';
import { isProvisioningCard } from '../credentials/provisioning/index.js';
import { REMOTE_SETTINGS } from './remote-config-apply.js';
import type { StoredCheckIn } from '../store/types.js';
import type { Outcome } from '../core/pipeline.js';
import { assessText } from '../core/assess.js';
import { DEFAULT_POLICY, type Policy } from '../core/policy.js';
import { DEFAULT_FORMATS } from '../credentials/registry.js';
import type { KioskService } from './kiosk.js';
import { SETTINGS } from './settings.js';
import { TechnicianPin, type PinOptions } from './tech-pin.js';
import { BoothLedger } from './booth-ledger.js';

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
  /** Arms re-provisioning by card (technician panel); absent → refused with a clear message. */
  reprovision?: () => void;
  /** The last provisioning-card notice, shown in the status. */
  provisioning?: () => ProvisioningNoticeView | undefined;
  /** How often delivery state is polled for changes, ms. Default 1000. */
  pollMs?: number;
  pin?: PinOptions;
}

export const API_SETTINGS = {
  checkpoint: SETTINGS.checkpoint,
  checkpointName: 'device.checkpointName',
  direction: SETTINGS.direction,
  serverUrl: 'server.url',
  enrolled: 'server.enrolledAt',
  shiftStart: 'booth.shiftStart',
} as const;

export type ApiErrorCode = 'unauthorized' | 'not-found' | 'refused' | 'unavailable';

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export class KioskApiService implements KioskApi {
  private readonly events = new EventEmitter();
  private readonly pin: TechnicianPin;
  private readonly ledger: BoothLedger;
  private readonly log: Logger;
  private pollHandle: unknown;
  private lastDeliveryJson = '';
  private closed = false;

  constructor(private readonly deps: KioskApiDeps) {
    this.log = deps.logger.child('api');
    const store = deps.kiosk.store;
    this.pin = new TechnicianPin(store, deps.clock, deps.pin);
    let since = store.getSetting(API_SETTINGS.shiftStart);
    if (!since) {
      since = this.nowIso();
      store.setSetting(API_SETTINGS.shiftStart, since);
    }
    this.ledger = new BoothLedger(store, since);
    this.events.setMaxListeners(100);
    deps.kiosk.on('outcome', this.onOutcome);
    deps.kiosk.on('fault', this.onFault);
    deps.kiosk.on('scanner', this.onScanner);
    this.lastDeliveryJson = JSON.stringify([this.deliveryStatus(), this.provisioningView().provisioning]);
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
    this.deps.kiosk.off('fault', this.onFault);
    this.deps.kiosk.off('scanner', this.onScanner);
    this.endPreviews();
    this.events.removeAllListeners();
  }

  // ---- kiosk and booth ----

  getStatus(): Promise<KioskStatus> {
    return Promise.resolve(this.status());
  }

  async submitScan(scan: WedgeScan): Promise<ScanResult> {
    const event: ScanEvent = {
      source: scan.source,
      deviceId: scan.source === 'wedge' ? 'wedge:window' : 'manual:booth',
      text: scan.text,
      receivedAt: this.deps.clock.now(),
    };
    const outcome = await this.deps.kiosk.submit(event);
    // A provisioning card is never a check-in: the kiosk hands it to the central link.
    if (!outcome && isProvisioningCard(scan.text)) return { ok: false, error: 'Provisioning card: see the technician screen.' };
    if (!outcome) return { ok: false, error: 'The scan could not be recorded (storage fault).' };
    return { ok: true, outcome: this.screenOutcome(outcome) };
  }

  async recentScans(limit: number): Promise<RecentScan[]> {
    const rows: RecentScan[] = [];
    for (const id of this.ledger.recentIds(limit)) {
      const stored = this.deps.kiosk.store.get(id);
      if (stored) rows.push(recentScan(stored));
    }
    return Promise.resolve(rows);
  }

  async scanDetails(id: string): Promise<ScanDetails | null> {
    const stored = this.deps.kiosk.store.get(id);
    if (!stored) return Promise.resolve(null);
    return Promise.resolve({
      ...recentScan(stored),
      deviceId: stored.deviceId,
      checkpointId: stored.checkpointId,
      subject: { ...stored.subject },
      ...(stored.rejectReason ? { rejectReason: stored.rejectReason } : {}),
    });
  }

  setDirection(direction: Direction): Promise<KioskStatus> {
    this.applyDirection(direction, 'officer');
    return this.getStatus();
  }

  async overrideCheckIn(request: OverrideRequest): Promise<RecentScan> {
    const store = this.deps.kiosk.store;
    const stored = store.get(request.id);
    if (!stored) throw new ApiError('not-found', 'No check-in with this id.');
    const previous = stored.override?.verdict ?? stored.verdict;
    // Its own id: the override travels to the central server as a record of its own (exactly once).
    const override = { id: this.deps.kiosk.nextId(), by: request.by.trim(), reason: request.reason.trim(), verdict: request.verdict, reasons: stored.reasons, at: this.nowIso() };
    store.setOverride(request.id, override);
    // The reason is the officer's own words: kept in the audit log, which is what auditors read.
    store.audit({
      at: override.at,
      actor: override.by,
      action: 'override',
      detail: { checkInId: request.id, from: previous, to: request.verdict, reason: override.reason },
    });
    this.ledger.overridden(stored, previous, request.verdict, stored.override !== undefined);
    this.log.info('verdict overridden', { from: previous, to: request.verdict });
    return Promise.resolve(recentScan({ ...stored, override }));
  }

  /**
   * Manual entry of an ID card the scanner cannot read: the officer types what the card shows and
   * it goes through the same CCCD checks (province, century/sex/year digits) as a scanned card.
   * The card's issue date is not typed; the entry date stands in for it.
   */
  manualEntry(entry: ManualEntry): Promise<ScanResult> {
    const [y, m, d] = entry.dob.split('-');
    const today = new Date(this.deps.clock.now() + 7 * 3_600_000).toISOString().slice(0, 10).split('-');
    const line = [entry.idNo, '', entry.name.trim().replace(/\|/g, ' '), `${d}${m}${y}`, entry.sex === 'M' ? 'Nam' : 'Nữ', '', `${today[2]}${today[1]}${today[0]}`].join('|');
    this.deps.kiosk.store.audit({ at: this.nowIso(), actor: 'officer', action: 'manual-entry' });
    return this.submitScan({ text: line, source: 'manual' });
  }

  shiftCounts(): Promise<ShiftCounts> {
    return Promise.resolve(this.ledger.shift());
  }

  startShift(): Promise<ShiftCounts> {
    const since = this.nowIso();
    this.deps.kiosk.store.setSetting(API_SETTINGS.shiftStart, since);
    this.deps.kiosk.store.audit({ at: since, actor: 'officer', action: 'shift-start' });
    this.ledger.reload(since);
    return this.shiftCounts();
  }

  // ---- technician ----

  techState(): Promise<TechState> {
    return Promise.resolve(this.pin.state());
  }

  async techUnlock(pin: string): Promise<UnlockResult> {
    const result = await this.pin.unlock(pin);
    if (!result.ok) this.log.warn('technician unlock refused', { reason: result.reason });
    return result;
  }

  async techSetPin(session: string | null, pin: string): Promise<TechState> {
    if (this.pin.state().pinSet && !this.pin.touch(session)) throw unauthorized();
    await this.pin.setPin(pin);
    this.deps.kiosk.store.audit({ at: this.nowIso(), actor: 'technician', action: 'pin-set' });
    this.emitStatus();
    return this.pin.state();
  }

  techLock(session: string): Promise<void> {
    this.pin.lock(session);
    return Promise.resolve();
  }

  async techInfo(session: string): Promise<TechInfo> {
    this.requireSession(session);
    const store = this.deps.kiosk.store;
    const issuedAt = this.deps.kiosk.currentTrust().issuedAt;
    const issuedMs = Date.parse(issuedAt);
    const policy = this.policy();
    const serverUrl = store.getSetting(API_SETTINGS.serverUrl);
    return Promise.resolve({
      status: this.status(),
      ...(serverUrl ? { serverUrl } : {}),
      enrolled: store.getSetting(API_SETTINGS.enrolled) !== undefined,
      policyName: this.deps.policyName ?? 'default',
      duplicateWindowMinutes: policy.duplicateWindowMinutes,
      trustAgeHours: issuedMs > 0 ? Math.round((this.deps.clock.now() - issuedMs) / 360_000) / 10 : null,
      clockOffsetMs: this.deps.clockOffsetMs?.() ?? null,
      clockSkewSeconds: policy.clockSkewSeconds,
      rejectedRecords: this.rejectedRecords(100),
      devices: this.deps.kiosk.devices?.health() ?? [],
      logs: (this.deps.logs?.() ?? []).slice(-200),
      audit: store.auditLog(50),
    });
  }

  async techConfigure(session: string, patch: TechConfigPatch): Promise<TechInfo> {
    this.requireSession(session);
    const store = this.deps.kiosk.store;
    if (patch.checkpointId !== undefined) {
      this.deps.kiosk.setConfig({ checkpointId: patch.checkpointId });
      store.setSetting(API_SETTINGS.checkpoint, patch.checkpointId);
    }
    if (patch.checkpointName !== undefined) store.setSetting(API_SETTINGS.checkpointName, patch.checkpointName.trim());
    if (patch.direction !== undefined) this.applyDirection(patch.direction, 'technician');
    if (patch.serverUrl !== undefined) store.setSetting(API_SETTINGS.serverUrl, patch.serverUrl);
    if (patch.reprovision) {
      if (!this.deps.reprovision) throw new ApiError('unavailable', 'Provisioning cards are not available in this build.');
      this.deps.reprovision();
      store.audit({ at: this.nowIso(), actor: 'technician', action: 'reprovision-armed' });
    }
    const changed = Object.keys(patch).filter((k) => k !== 'enrollCode' && k !== 'reprovision');
    if (changed.length > 0) store.audit({ at: this.nowIso(), actor: 'technician', action: 'configure', detail: { changed } });
    if (patch.enrollCode !== undefined) {
      const url = store.getSetting(API_SETTINGS.serverUrl);
      if (!url) throw new ApiError('refused', 'Set the server URL before enrolling.');
      if (!this.deps.enroll) throw new ApiError('unavailable', 'Enrollment is not available in this build.');
      await this.deps.enroll(url, patch.enrollCode);
      store.setSetting(API_SETTINGS.enrolled, this.nowIso());
      store.audit({ at: this.nowIso(), actor: 'technician', action: 'enroll', detail: { server: url } });
    }
    this.emitStatus();
    return this.techInfo(session);
  }

  async techTestScan(session: string, text: string): Promise<TestScanResult> {
    this.requireSession(session);
    const { result, verdict } = await assessText(text, new Date(this.deps.clock.now()), {
      formats: DEFAULT_FORMATS,
      trust: () => this.deps.kiosk.currentTrust(),
      policy: () => this.policy(),
      logger: this.deps.logger,
    });
    return { format: result.format, verdict: verdict.verdict, reasons: verdict.reasons, length: text.length };
  }

  async techSelfTest(session: string, timeoutMs: number): Promise<SelfTestView> {
    this.requireSession(session);
    const devices = this.deps.kiosk.devices;
    if (!devices) return { ok: false, reason: 'unavailable', durationMs: 0 };
    return devices.startSelfTest(timeoutMs);
  }

  async techExport(session: string, what: 'checkins' | 'logs'): Promise<ExportResult> {
    this.requireSession(session);
    mkdirSync(this.deps.exportDir, { recursive: true });
    const stamp = this.nowIso().replace(/[:.]/g, '-');
    const file = path.join(this.deps.exportDir, `${what}-${stamp}.jsonl`);
    const lines: string[] = [];
    if (what === 'checkins') {
      // Identity fields stay out of files on the kiosk: only `checkpoint-kiosk export --reveal`
      // (technician PIN, audited) prints them.
      for (const c of this.deps.kiosk.store.all()) lines.push(JSON.stringify({ ...c, subject: maskSubject(c.subject) }));
    } else {
      for (const l of this.deps.logs?.() ?? []) lines.push(JSON.stringify({ type: 'log', ...l }));
      for (const a of this.deps.kiosk.store.auditLog(10_000)) lines.push(JSON.stringify({ type: 'audit', ...a }));
    }
    // Masked names and override reasons are still not for everyone: readable by the kiosk user only.
    writeFileSync(file, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    this.deps.kiosk.store.audit({ at: this.nowIso(), actor: 'technician', action: 'export', detail: { what, count: lines.length } });
    return Promise.resolve({ path: file, count: lines.length });
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
      needsSetup: !this.pin.state().pinSet,
      ...this.provisioningView(),
      ...this.displayView(),
    };
  }

  private displayView(): { display?: NonNullable<KioskStatus['display']> } {
    const store = this.deps.kiosk.store;
    const timeout = Number(store.getSetting(REMOTE_SETTINGS.resultTimeoutSeconds));
    const language = store.getSetting(REMOTE_SETTINGS.language);
    const display: NonNullable<KioskStatus['display']> = {
      ...(timeout > 0 ? { resultTimeoutSeconds: timeout } : {}),
      ...(language === 'vi' || language === 'en' ? { language } : {}),
    };
    return Object.keys(display).length > 0 ? { display } : {};
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
      rejected: stats.rejected,
      ...(snapshot.lastSyncAt ? { lastSyncAt: snapshot.lastSyncAt } : {}),
      ...(serverUrl ? { serverUrl } : {}),
      ...(snapshot.lastError ? { lastError: snapshot.lastError.slice(0, 200) } : {}),
    };
  }

  private rejectedRecords(limit: number): RejectedRecord[] {
    if (this.deps.kiosk.store.queueStats().rejected === 0) return [];
    const out: RejectedRecord[] = [];
    for (const c of this.deps.kiosk.store.all()) {
      if (c.delivery !== 'rejected') continue;
      out.push({ id: c.id, scannedAt: c.scannedAt, reason: c.rejectReason ?? 'rejected' });
      if (out.length > limit) out.shift();
    }
    return out;
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

  private requireSession(session: string): void {
    if (!this.pin.touch(session)) throw unauthorized();
  }

  private screenOutcome(outcome: Outcome): ScreenOutcome {
    if (outcome.kind === 'checkin') {
      const c = outcome.checkIn;
      return { id: c.id, kind: 'checkin', verdict: c.verdict, reasons: c.reasons, format: c.format, display: outcome.verdict.display, scannedAt: c.scannedAt, source: outcome.scan.source, direction: c.direction };
    }
    const earlier = this.deps.kiosk.store.get(outcome.of);
    return {
      id: outcome.of,
      kind: 'duplicate',
      verdict: outcome.verdict.verdict,
      reasons: outcome.verdict.reasons,
      format: earlier?.format ?? 'unknown',
      display: outcome.verdict.display,
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

  private readonly onFault = (): void => {
    this.events.emit('fault', { message: 'The scan could not be recorded. Please call staff.' });
  };

  private readonly onScanner = (): void => this.emitStatus();

  private emitStatus(): void {
    if (this.closed) return;
    const status = this.status();
    this.lastDeliveryJson = JSON.stringify([status.delivery, status.provisioning]);
    this.events.emit('status', status);
  }

  /** Polls the delivery provider and the queue; pushes a status event only when they changed. */
  private schedulePoll(): void {
    if (this.closed) return;
    this.pollHandle = this.deps.timers.setTimeout(() => {
      const json = JSON.stringify([this.deliveryStatus(), this.provisioningView().provisioning]);
      if (json !== this.lastDeliveryJson) this.emitStatus();
      this.schedulePoll();
    }, this.deps.pollMs ?? 1000);
  }

  private nowIso(): string {
    return new Date(this.deps.clock.now()).toISOString();
  }
}

function unauthorized(): ApiError {
  return new ApiError('unauthorized', 'Technician session expired or missing: enter the PIN again.');
}

function recentScan(c: StoredCheckIn): RecentScan {
  return {
    id: c.id,
    scannedAt: c.scannedAt,
    format: c.format,
    verdict: c.verdict,
    reasons: c.reasons,
    direction: c.direction,
    ...(c.subject.name ? { maskedName: maskName(c.subject.name) } : {}),
    ...(c.override ? { override: c.override } : {}),
    delivery: c.delivery,
  };
}

export function createKioskApi(deps: KioskApiDeps): KioskApiService {
  return new KioskApiService(deps);
}
