/**
 * Composition root of the kiosk service: the only place where the real store, scanners, trust
 * bundle and network clients are made. Used by `checkpoint-kiosk run`, web mode and the
 * Electron main process alike.
 */
import { EventEmitter } from 'node:events';
import type { ScanEvent, ScannerStatus } from '../shared/types.js';
import type { Clock, IdSource, Logger, Timers } from '../shared/ports.js';
import type { CheckInStore } from '../store/types.js';
import type { ScannerDriver } from '../../drivers/types.js';
import type { CredentialFormat } from '../credentials/types.js';
import { EMPTY_TRUST, type TrustIndex } from '../credentials/trust/types.js';
import { DEFAULT_FORMATS } from '../credentials/registry.js';
import { isProvisioningCard } from '../credentials/provisioning/index.js';
import { Pipeline, type Outcome, type PipelineConfig } from '../core/pipeline.js';
import { DEFAULT_POLICY, type Policy } from '../core/policy.js';
import { startMaintenance, type Maintenance } from './maintenance.js';
import { SETTINGS } from './settings.js';
import type { DeviceManager } from '../../drivers/manager/device-manager.js';
import type { OutputSet } from '../../drivers/outputs/output-set.js';
import { ShcChunkHold, type ChunkProgress } from './shc-chunk-hold.js';

/**
 * Longest wait of scans held behind a provisioning card (ms): longer than one enrollment request
 * (30 s inactivity timeout) with a margin; a technician is at the kiosk while it lasts.
 */
export const CARD_HOLD_MAX_MS = 60_000;

/** What handle() answers for a scan that is not recorded (stopped, a card, a fault): one settled promise. */
const NOTHING: Promise<undefined> = Promise.resolve(undefined);

export interface KioskEvents {
  /** A scan was processed and (unless duplicate) committed: safe to show. */
  outcome: [Outcome];
  /** A scan could not be recorded (storage fault): nothing may be shown as checked in. */
  fault: [{ scan: ScanEvent; message: string }];
  scanner: [ScannerStatus];
  /**
   * A chunk of a multi-QR SMART Health Card was read and is held until the others arrive
   * (shc-chunk-hold.ts): nothing is recorded yet; the screen asks for the next code.
   */
  chunk: [ChunkProgress];
  /**
   * A provisioning card (CKP1) was scanned. It is never a check-in and never reaches the
   * pipeline; the central link handles it. Listeners must not log `scan.text`.
   */
  card: [ScanEvent];
}

export interface KioskParts {
  store: CheckInStore;
  /** Called once everything is closed (releases the data-dir lock). */
  onStopped?: () => void;
  scanners: ScannerDriver[];
  /** The device manager behind `scanners`, when there is one: per-device health, self-test. */
  devices?: DeviceManager;
  /** Gate relay and beepers, fired after each committed verdict. */
  outputs?: OutputSet;
  trust?: TrustIndex;
  policy?: Policy;
  formats?: readonly CredentialFormat[];
  config: PipelineConfig;
  clock: Clock;
  timers: Timers;
  ids: IdSource;
  logger: Logger;
}

/**
 * The running kiosk: scanners feed the pipeline; outcomes are emitted only after commit.
 * Trust bundle, policy and configuration can be swapped at run time (trust sync, technician).
 */
export class KioskService extends EventEmitter<KioskEvents> {
  private trust: TrustIndex;
  private policy: Policy;
  private config: PipelineConfig;
  readonly pipeline: Pipeline;
  /** receivedAt (ms) of the last scan committed; shown as ISO text only when asked for. */
  private lastScanMs: number | undefined;
  private stopped = false;
  /** stop() has begun (scanners closing); `stopped` follows once they are closed. */
  private stopping = false;
  private inFlight = 0;
  /** Set while a provisioning card is being acted on: later scans wait for its outcome. */
  private cardHold: Promise<void> | undefined;
  private maintenance: Maintenance | undefined;
  private pendingAlarm: string | undefined;
  /** Whether the kiosk has no central server (setStandaloneCheck); none set: it has one. */
  private standaloneCheck: (() => boolean) | undefined;
  private readonly log: Logger;
  /** Chunks of multi-QR SMART Health Cards, per scanner, until their card is whole. */
  private readonly chunks: ShcChunkHold;

  constructor(private readonly parts: KioskParts) {
    super();
    this.trust = parts.trust ?? EMPTY_TRUST;
    this.policy = parts.policy ?? DEFAULT_POLICY;
    this.config = parts.config;
    this.log = parts.logger.child('kiosk');
    this.pipeline = new Pipeline({
      formats: parts.formats ?? DEFAULT_FORMATS,
      store: parts.store,
      trust: () => this.trust,
      policy: () => this.policy,
      config: () => this.config,
      clock: parts.clock,
      ids: parts.ids,
      logger: parts.logger,
    });
    // Held chunks whose card did not complete in time become one rejected check-in.
    this.chunks = new ShcChunkHold(parts.timers, (scan) => void this.record(scan));
    for (const scanner of parts.scanners) this.attach(scanner);
  }

  get store(): CheckInStore {
    return this.parts.store;
  }

  get scanners(): readonly ScannerDriver[] {
    return this.parts.scanners;
  }

  /** Opens every scanner. A scanner that is absent at start keeps retrying in the background. */
  async start(): Promise<void> {
    this.maintenance = startMaintenance({
      store: this.parts.store,
      clock: this.parts.clock,
      timers: this.parts.timers,
      logger: this.parts.logger,
      onAlarm: (alarm) => (this.pendingAlarm = alarm?.oldestPendingAt),
      standalone: () => this.standaloneCheck?.() === true,
    });
    await this.parts.outputs?.open();
    await Promise.all(this.parts.scanners.map((s) => s.open()));
  }

  /**
   * The central link says here whether this kiosk has no central server at all (none configured,
   * never enrolled): its housekeeping then purges unsent check-ins past the retention too, as there
   * is nowhere to send them (maintenance.ts). Asked at every pass, so an enrollment stops it.
   */
  setStandaloneCheck(check: () => boolean): void {
    this.standaloneCheck = check;
  }

  get devices(): DeviceManager | undefined {
    return this.parts.devices;
  }

  get outputs(): OutputSet | undefined {
    return this.parts.outputs;
  }

  /** Oldest pending check-in when it has waited too long to be forwarded (an alarm), else undefined. */
  oldPendingAlarm(): string | undefined {
    return this.pendingAlarm;
  }

  /** Feeds a scan that did not come from a driver (keyboard wedge, manual entry, tests). */
  submit(scan: ScanEvent): Promise<Outcome | undefined> {
    return this.handle(scan);
  }

  setTrust(trust: TrustIndex): void {
    this.trust = trust;
  }

  currentTrust(): TrustIndex {
    return this.trust;
  }

  setPolicy(policy: Policy): void {
    this.policy = policy;
  }

  currentPolicy(): Policy {
    return this.policy;
  }

  /**
   * A new device id (enrollment) keeps the old one as `formerDeviceId`, in memory and in the
   * store's settings, so a card read twice across enrollment is still one device's duplicate.
   */
  setConfig(patch: Partial<PipelineConfig>): void {
    const former = patch.deviceId !== undefined && patch.deviceId !== this.config.deviceId ? this.config.deviceId : undefined;
    this.config = { ...this.config, ...patch, ...(former ? { formerDeviceId: former } : {}) };
    if (former) this.parts.store.setSetting(SETTINGS.formerDeviceId, former);
  }

  currentConfig(): PipelineConfig {
    return this.config;
  }

  /** A new UUIDv7 from the kiosk's id source (override records, ...). */
  nextId(): string {
    return this.parts.ids.next();
  }

  /** Scans received and not yet committed (the updater installs only when this is 0). */
  scansInFlight(): number {
    return this.inFlight;
  }

  lastScan(): string | undefined {
    return this.lastScanMs === undefined ? undefined : new Date(this.lastScanMs).toISOString();
  }

  scannerStatus(): ScannerStatus[] {
    return this.parts.devices ? this.parts.devices.statuses() : this.parts.scanners.map((s) => s.status());
  }

  /** Resolves once every scan received so far is committed (or refused); the kiosk keeps running. */
  async settle(): Promise<void> {
    await this.cardHold;
    await this.pipeline.drain();
  }

  /**
   * A provisioning card was scanned and `outcome` settles when it has been acted on (enrolled and
   * applied, refused or ignored). Scans received until then are recorded after it, against the
   * checkpoint and direction then in force — the card's when it took effect — never against the
   * old ones while the card is still enrolling (README, "Provisioning card"). The wait is bounded
   * by CARD_HOLD_MAX_MS; past it, held scans go on with what is in force and the log says so.
   */
  holdScansFor(outcome: Promise<unknown>): void {
    let timer: unknown;
    const bounded = new Promise<void>((resolve) => {
      timer = this.parts.timers.setTimeout(() => {
        this.log.warn('enrollment (provisioning card or --enroll) still being acted on: held scans are recorded with the settings in force', { afterMs: CARD_HOLD_MAX_MS });
        resolve();
      }, CARD_HOLD_MAX_MS);
      outcome.then(
        () => resolve(),
        () => resolve(),
      );
    });
    const hold: Promise<void> = Promise.all([this.cardHold, bounded]).then(() => {
      this.parts.timers.clearTimeout(timer);
      if (this.cardHold === hold) this.cardHold = undefined;
    });
    this.cardHold = hold;
  }

  /**
   * The chunks of a multi-QR SMART Health Card held for scanner `deviceId` (the latest chunk read,
   * N, the chunk numbers still missing), if any: what a screen shows after a chunk was scanned.
   */
  heldChunks(deviceId: string): { index: number; total: number; missing: number[] } | undefined {
    return this.chunks.heldFor(deviceId);
  }

  /**
   * Records every scanner's held chunks now, each card as one rejected check-in (`unreadable`,
   * naming the missing chunks and `why` the rest will not come): at the end of a finite input and
   * when stopping, so no scan is lost. Resolves once they are committed.
   */
  async releaseHeldChunks(why: string): Promise<void> {
    await Promise.all(this.chunks.releaseAll(why).map((scan) => this.record(scan)));
  }

  /**
   * The person at the screen cancelled a partly scanned multi-QR card: every scanner's held chunks
   * are recorded now, each card as one rejected check-in (`unreadable`, naming the missing chunks
   * and that it was cancelled), as when the 60 s wait runs out. Resolves with how many cards were
   * held (0: nothing to cancel) once they are committed.
   */
  async cancelHeldChunks(): Promise<number> {
    if (this.stopped) return 0;
    const scans = this.chunks.cancelAll('cancelled on the screen');
    await Promise.all(scans.map((scan) => this.record(scan)));
    return scans.length;
  }

  /**
   * Stops scanners, records held chunks of multi-QR cards as incomplete (rejected) check-ins,
   * finishes every scan already received, then closes the store.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.maintenance?.stop();
    // Scans the drivers hand on while closing (a serial scan still waiting for its idle timeout)
    // are still recorded: `stopped` turns them away only once every scanner is closed.
    await Promise.allSettled(this.parts.scanners.map((s) => s.close()));
    this.stopped = true;
    await this.releaseHeldChunks('the kiosk stopped before the rest came');
    await this.cardHold;
    await this.pipeline.drain();
    await this.parts.outputs?.close();
    this.parts.store.close();
    this.parts.onStopped?.();
  }

  private attach(scanner: ScannerDriver): void {
    scanner.on('scan', (scan) => void this.handle(scan));
    scanner.on('status', (status) => this.emit('scanner', status));
    scanner.on('error', (err) => this.log.warn('scanner error', { deviceId: scanner.deviceId, error: err.message }));
  }

  /**
   * A scan from a driver or submit(). With no provisioning card pending and a synchronous verifier
   * (CCCD, unified QR, refused input) it is committed, fired and emitted before this returns, and
   * the promise is already settled: no promise hop between the scan, its fsync and what is shown.
   */
  private handle(scan: ScanEvent): Promise<Outcome | undefined> {
    if (this.stopped) return NOTHING;
    if (!scan.fault && isProvisioningCard(scan.text)) {
      if (this.listenerCount('card') === 0) this.log.warn('provisioning card ignored: no central link', { source: scan.source });
      this.emit('card', scan);
      return NOTHING;
    }
    if (this.chunks.concerns(scan)) return this.handleChunk(scan);
    return this.record(scan);
  }

  /**
   * A scan that may be a chunk of a multi-QR card, or one from a scanner holding chunks: held (the
   * screen asked for the next code), or recorded as its card once whole — and as that card again
   * when a chunk of it is read again within 60 s, so a re-read is the card's duplicate, never a new
   * held set (shc-chunk-hold.ts); held chunks that will
   * not be completed are recorded first, as one rejected check-in. Resolves with the outcome of
   * the last scan recorded, undefined when the scan was held or ignored (a repeated chunk).
   */
  private handleChunk(scan: ScanEvent): Promise<Outcome | undefined> {
    const { scans, progress } = this.chunks.offer(scan);
    const recorded = scans.map((s) => this.record(s));
    if (progress) {
      // Asked for the next code only after what was released before it is shown.
      if (recorded.length === 0) this.emit('chunk', progress);
      else void Promise.all(recorded).then(() => this.emit('chunk', progress));
      return recorded.length === 0 ? NOTHING : Promise.all(recorded).then(() => undefined);
    }
    return recorded.length === 0 ? NOTHING : recorded[recorded.length - 1]!;
  }

  /** A scan to record: through the pipeline, fired and emitted once committed (see handle()). */
  private record(scan: ScanEvent): Promise<Outcome | undefined> {
    this.inFlight++;
    // Right after a provisioning card: recorded once the card's outcome is known (holdScansFor).
    if (this.cardHold) return this.handleLater(scan, this.cardHold.then(() => this.pipeline.process(scan)));
    let pending: Outcome | Promise<Outcome>;
    try {
      pending = this.pipeline.processEager(scan);
    } catch (err) {
      this.inFlight--;
      this.notRecorded(scan, err);
      return NOTHING;
    }
    if (pending instanceof Promise) return this.handleLater(scan, pending);
    try {
      return Promise.resolve(this.recorded(scan, pending));
    } catch (err) {
      this.notRecorded(scan, err);
      return NOTHING;
    } finally {
      this.inFlight--;
    }
  }

  /**
   * handle() for a scan whose outcome is still to come (behind a card, an asynchronous verifier or
   * a queue); the scan is already counted in flight.
   */
  private async handleLater(scan: ScanEvent, pending: Promise<Outcome>): Promise<Outcome | undefined> {
    try {
      return this.recorded(scan, await pending);
    } catch (err) {
      this.notRecorded(scan, err);
      return undefined;
    } finally {
      this.inFlight--;
    }
  }

  /** A committed outcome: the gate opens only for what was committed; a duplicate carries the original verdict. */
  private recorded(scan: ScanEvent, outcome: Outcome): Outcome {
    this.lastScanMs = scan.receivedAt;
    this.parts.outputs?.fire(outcome.verdict.verdict, { deviceId: scan.deviceId });
    this.emit('outcome', outcome);
    return outcome;
  }

  /** A scan that could not be recorded (storage fault): logged and emitted, nothing shown as checked in. */
  private notRecorded(scan: ScanEvent, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.log.error('scan not recorded', { source: scan.source, error: message });
    this.emit('fault', { scan, message });
  }
}

