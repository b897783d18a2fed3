/**
 * DeviceManager: several scanners at once, hot-plug, per-device health and a self-test mode.
 *
 * - Configured URIs become drivers at prepare() (bad URIs throw ScannerUriError already in the
 *   constructor); `auto` runs discovery at open() and then every rediscoverMs, so a scanner plugged
 *   in later is opened without a restart. Drivers reconnect by themselves (serial and HID alike);
 *   the manager never reopens one. It only closes an auto-found driver whose device stayed absent
 *   from discovery (retireAfterMisses runs) and is not connected — a later discovery adds it anew.
 * - The manager has the ScannerDriver shape (deviceId 'scanners', open/close/status, 'scan',
 *   'status', 'error'); its extra events ('devices', 'selftest') keep it from being typed as one,
 *   so asScannerDriver() hands the kiosk a plain ScannerDriver view of it: pass that as the
 *   kiosk's only scanner. 'scan' and 'error' come from every driver, 'status' carries each
 *   driver's own ScannerStatus, status() is the aggregate. 'disconnected' is not forwarded (it
 *   would not say which device): per-device state is in 'status', 'devices' and health().
 * - Preview: while anyone subscribed with watchPreviews(), every driver that can (cameras) hands
 *   its aiming preview here (preview-hub.ts); with no subscriber they render none.
 * - Self-test: startSelfTest() captures the next scan from any scanner as a SelfTestResult (no
 *   payload) and does not forward it, so it never becomes a check-in.
 */
import { EventEmitter } from 'node:events';
import type { CameraPreview, ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import type { DriverDeps, ScannerDriver } from '../types.js';
import { createScanner } from '../factory.js';
import { resolveAutoScanners } from '../discovery/auto.js';
import { deviceKeys, isAnyHidPosKey, realCanonicalPath } from './device-key.js';
import { deviceIdOverrides } from './device-ids.js';
import { redactCredentials } from '../../src/shared/redact-credentials.js';
import { RateWindow } from './rate-window.js';
import { PreviewHub } from './preview-hub.js';
import { ManagerScannerView } from './scanner-view.js';
import { checkSelfTestTimeout, DEFAULT_SELF_TEST_MS, SelfTestSession, type SelfTestResult } from './self-test.js';
import {
  DEFAULT_MAX_DEVICES,
  DEFAULT_REDISCOVER_MS,
  DEFAULT_RETIRE_AFTER_MISSES,
  MANAGER_DEVICE_ID,
  type AutoDiscovery,
  type DeviceHealth,
  type DeviceManagerEvents,
  type DeviceManagerOptions,
  type DriverFactory,
} from './types.js';

interface Managed {
  key: string;
  /** Every key this device was known by (see deviceKeys): a match on any one is this device. */
  aliases: Set<string>;
  uri: string;
  origin: DeviceHealth['origin'];
  driver: ScannerDriver;
  reads: RateWindow;
  errors: RateWindow;
  lastErrorAt: number | undefined;
  /** Discoveries in a row that did not list this device (auto origin only). */
  misses: number;
}

export class DeviceManager extends EventEmitter<DeviceManagerEvents> {
  readonly deviceId = MANAGER_DEVICE_ID;
  readonly uri: string;
  private readonly opts: DeviceManagerOptions;
  private readonly deps: DriverDeps;
  private readonly log: Logger;
  private readonly createDriver: DriverFactory;
  private readonly discover: AutoDiscovery;
  private readonly configured: string[];
  /** Device ids given to configured drivers instead of their own (device-ids.ts). */
  private readonly idOverrides = new Map<string, string>();
  private readonly auto: boolean;
  private readonly entries = new Map<string, Managed>();
  /** URIs whose driver could not be built, with the message already logged (log once). */
  private readonly failedAuto = new Map<string, string>();
  private prepared: Promise<void> | undefined;
  private opened = false;
  private closed = false;
  private rediscoverTimer: unknown = undefined;
  private discovering: Promise<void> | undefined;
  private readonly selfTest: SelfTestSession;
  private facade: ScannerDriver | undefined;
  private readonly previews: PreviewHub;

  constructor(opts: DeviceManagerOptions) {
    super();
    this.opts = opts;
    this.deps = opts.deps;
    this.log = opts.deps.logger.child('scanners');
    this.selfTest = new SelfTestSession(opts.deps, (result) => {
      this.log.info('self-test ended', result.ok ? { deviceId: result.deviceId, chars: result.chars, durationMs: result.durationMs } : { reason: result.reason });
      this.safeEmit('selftest', result);
    });
    this.previews = new PreviewHub(() => this.drivers(), this.log);
    this.createDriver = opts.createDriver ?? ((uri, deps, options) => createScanner(uri, deps, options?.deviceId === undefined ? {} : { deviceId: options.deviceId }));
    this.discover =
      opts.discover ??
      (async () => {
        const pick = await resolveAutoScanners();
        return { uris: pick.uris, errors: pick.discovery.errors };
      });
    const uris = opts.uris.map((u) => u.trim());
    this.auto = uris.some((u) => u.toLowerCase() === 'auto');
    // Validate every configured URI now (throws ScannerUriError naming the bad part), drop repeats.
    const seen = new Set<string>();
    this.configured = [];
    for (const uri of uris) {
      const keys = deviceKeys(uri, this.canonical);
      if (keys.includes('auto') || keys.some((k) => seen.has(k))) continue;
      for (const k of keys) seen.add(k);
      this.configured.push(uri);
    }
    // Two configured scanners never share a device id (two video files both named a3.mp4).
    const ids = deviceIdOverrides(this.configured);
    for (const [i, uri] of this.configured.entries()) {
      const id = ids[i];
      if (id !== undefined) this.idOverrides.set(uri, id);
    }
    // Shown in the aggregate status (screens, heartbeat): never a camera's password.
    this.uri = redactCredentials(uris.join(' '));
  }

  /**
   * Subscribes to the cameras' aiming previews (low rate, downscaled; see CameraPreview).
   * Cameras render previews only while at least one subscriber exists. Returns the unsubscribe.
   */
  watchPreviews(listener: (preview: CameraPreview) => void): () => void {
    return this.previews.watch(listener);
  }

  /**
   * Builds the configured drivers without opening them, so a scanner that cannot be built
   * (node-hid missing, bad HID option) fails the start-up instead of a scan. Called by open().
   */
  prepare(): Promise<void> {
    this.prepared ??= (async () => {
      for (const uri of this.configured) {
        const deviceId = this.idOverrides.get(uri);
        const driver = await this.createDriver(uri, this.deps, deviceId === undefined ? undefined : { deviceId });
        this.add(uri, 'configured', driver);
      }
    })();
    return this.prepared;
  }

  /** Opens every configured scanner (each makes its first attempt), then runs discovery for `auto`. */
  async open(): Promise<void> {
    if (this.closed) throw new Error('scanners: open() after close()');
    if (this.opened) return;
    this.opened = true;
    await this.prepare();
    await Promise.all([...this.entries.values()].map((e) => this.openDriver(e)));
    if (this.auto) {
      await this.rediscover();
      if (this.entries.size === 0) this.log.warn('auto: no scanner found yet; plug one in, discovery keeps looking', {});
    }
    this.emitDevices();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.rediscoverTimer !== undefined) this.deps.timers.clearTimeout(this.rediscoverTimer);
    this.rediscoverTimer = undefined;
    this.selfTest.end('closed');
    await this.discovering;
    const all = [...this.entries.values()];
    await Promise.allSettled(all.map((e) => e.driver.close()));
    for (const e of all) e.driver.removeAllListeners();
    this.safeEmit('devices', this.health());
  }

  /** Aggregate for the kiosk: connected when any scanner is, reads/errors summed. */
  status(): ScannerStatus {
    const list = [...this.entries.values()].map((e) => e.driver.status());
    const state: ScannerStatus['state'] = this.closed
      ? 'closed'
      : list.some((s) => s.state === 'connected')
        ? 'connected'
        : list.some((s) => s.state === 'connecting') || !this.opened
          ? 'connecting'
          : 'disconnected';
    const s: ScannerStatus = {
      deviceId: this.deviceId,
      uri: this.uri,
      state,
      reads: list.reduce((n, x) => n + x.reads, 0),
      errors: list.reduce((n, x) => n + x.errors, 0),
    };
    const lastRead = list.map((x) => x.lastReadAt).filter((x): x is string => x !== undefined).sort().pop();
    if (lastRead) s.lastReadAt = lastRead;
    const failing = list.find((x) => x.state !== 'connected' && x.lastError);
    const noisy = list.find((x) => x.fault !== undefined);
    if (noisy?.fault) s.fault = noisy.fault;
    if (failing?.lastError) {
      s.lastError = failing.lastError;
      if (failing.lastErrorCode) s.lastErrorCode = failing.lastErrorCode;
    } else if (noisy?.lastError) {
      // A connected scanner sending line noise: its message names the device and what to check.
      s.lastError = `${noisy.deviceId}: ${noisy.lastError}`;
    } else if (list.length === 0 && this.opened && !this.closed) s.lastError = this.auto ? 'no scanner found' : 'no scanner configured';
    return s;
  }

  /** This manager as one ScannerDriver for the kiosk (always the same object). */
  asScannerDriver(): ScannerDriver {
    this.facade ??= new ManagerScannerView(this);
    return this.facade;
  }

  /** Each driver's own status, configured ones first. */
  statuses(): ScannerStatus[] {
    return [...this.entries.values()].map((e) => e.driver.status());
  }

  /** The drivers managed now (e.g. for the scanner beeper output). */
  drivers(): ScannerDriver[] {
    return [...this.entries.values()].map((e) => e.driver);
  }

  health(): DeviceHealth[] {
    const now = this.deps.clock.now();
    return [...this.entries.values()].map((e) => {
      const s = e.driver.status();
      const h: DeviceHealth = {
        deviceId: s.deviceId,
        uri: s.uri,
        origin: e.origin,
        state: s.state,
        reads: s.reads,
        errors: s.errors,
        readsPerMinute: e.reads.perMinute(now),
        errorsPerMinute: e.errors.perMinute(now),
      };
      if (s.lastReadAt !== undefined) h.lastReadAt = s.lastReadAt;
      if (s.lastError !== undefined) h.lastError = s.lastError;
      if (s.camera !== undefined) h.camera = s.camera;
      if (s.fault !== undefined) h.fault = s.fault;
      if (s.lineNoise !== undefined) h.lineNoise = s.lineNoise;
      if (e.lastErrorAt !== undefined) h.lastErrorAt = new Date(e.lastErrorAt).toISOString();
      return h;
    });
  }

  get selfTestActive(): boolean {
    return this.selfTest.active;
  }

  /**
   * Captures the next scan from any scanner instead of forwarding it. Resolves (never rejects)
   * with the result, also emitted as 'selftest'. While one runs, a second call returns the same
   * promise. timeoutMs: 1..600 000, default 30 000; a bad value throws RangeError.
   */
  startSelfTest(timeoutMs: number = DEFAULT_SELF_TEST_MS): Promise<SelfTestResult> {
    checkSelfTestTimeout(timeoutMs);
    if (this.closed) return Promise.resolve({ ok: false, reason: 'closed', durationMs: 0 });
    if (!this.selfTest.active) this.log.info('self-test started', { timeoutMs });
    return this.selfTest.start(timeoutMs);
  }

  cancelSelfTest(): void {
    this.selfTest.end('cancelled');
  }

  /** One discovery run (also scheduled every rediscoverMs while `auto` is configured). */
  rediscover(): Promise<void> {
    if (!this.auto || this.closed) return Promise.resolve();
    this.discovering ??= this.discoverOnce().finally(() => {
      this.discovering = undefined;
      this.scheduleRediscovery();
    });
    return this.discovering;
  }

  private async discoverOnce(): Promise<void> {
    let found: { uris: string[]; errors?: ReadonlyArray<{ source: string; message: string }> };
    try {
      found = await this.discover();
    } catch (err) {
      this.log.warn('scanner discovery failed', { error: message(err) });
      return;
    }
    if (this.closed) return;
    // Links move when a device is replugged (by-id -> another ttyACMn): name each device by
    // where its path leads now, never by where it led before (that may be another scanner now).
    for (const e of this.entries.values()) e.aliases = new Set(deviceKeys(e.uri, this.canonical));
    const complete = (found.errors ?? []).length === 0;
    for (const e of found.errors ?? []) this.log.debug('discovery lister failed', { source: e.source, error: e.message });
    const seen = new Set<string>();
    const anyHidPos = [...this.entries.values()].some((e) => e.origin === 'configured' && isAnyHidPosKey(e.key));
    for (const uri of found.uris.slice(0, 64)) {
      let keys: string[];
      try {
        keys = deviceKeys(uri, this.canonical);
      } catch (err) {
        this.log.warn('discovery returned a bad scanner URI; ignored', { error: message(err) });
        continue;
      }
      for (const k of keys) seen.add(k);
      const existing = this.find(keys);
      if (existing) {
        existing.misses = 0;
        continue;
      }
      // A configured hid-pos:auto already reads the first HID POS scanner: do not read it twice.
      if (anyHidPos && uri.toLowerCase().startsWith('hid-pos:')) continue;
      if (this.entries.size >= (this.opts.maxDevices ?? DEFAULT_MAX_DEVICES)) {
        this.log.warn('too many scanners; new one ignored', { uri, max: this.opts.maxDevices ?? DEFAULT_MAX_DEVICES });
        continue;
      }
      await this.addDiscovered(uri);
      if (this.closed) return;
    }
    if (complete) this.retireMissing(seen);
  }

  private async addDiscovered(uri: string): Promise<void> {
    let driver: ScannerDriver;
    try {
      driver = await this.createDriver(uri, this.deps);
    } catch (err) {
      const msg = message(err);
      if (this.failedAuto.get(uri) !== msg) {
        this.failedAuto.set(uri, msg);
        this.log.warn('found scanner cannot be used', { uri, error: msg });
        this.emitError(new Error(`${uri}: ${msg}`));
      }
      return;
    }
    if (this.closed) {
      await driver.close().catch(() => undefined);
      return;
    }
    this.failedAuto.delete(uri);
    const entry = this.add(uri, 'auto', driver);
    this.log.info('scanner found', { deviceId: driver.deviceId, uri });
    await this.openDriver(entry);
    this.emitDevices();
  }

  /** Closes auto-found drivers whose device is gone for good (see retireAfterMisses). */
  private retireMissing(seen: Set<string>): void {
    const limit = this.opts.retireAfterMisses ?? DEFAULT_RETIRE_AFTER_MISSES;
    for (const e of [...this.entries.values()]) {
      if (e.origin !== 'auto' || [...e.aliases].some((k) => seen.has(k))) continue;
      e.misses++;
      if (e.misses < limit || e.driver.status().state === 'connected') continue;
      this.entries.delete(e.key);
      this.log.info('scanner gone; closed', { deviceId: e.driver.deviceId, misses: e.misses });
      void e.driver
        .close()
        .catch((err: unknown) => this.log.warn('closing a vanished scanner failed', { deviceId: e.driver.deviceId, error: message(err) }))
        .finally(() => e.driver.removeAllListeners());
      this.emitDevices();
    }
  }

  private scheduleRediscovery(): void {
    const every = this.opts.rediscoverMs ?? DEFAULT_REDISCOVER_MS;
    if (this.closed || every <= 0 || this.rediscoverTimer !== undefined) return;
    this.rediscoverTimer = this.deps.timers.setTimeout(() => {
      this.rediscoverTimer = undefined;
      void this.rediscover();
    }, every);
  }

  private add(uri: string, origin: Managed['origin'], driver: ScannerDriver): Managed {
    const windowMs = this.opts.healthWindowMs ?? 60_000;
    const keys = deviceKeys(uri, this.canonical);
    const entry: Managed = {
      key: keys.at(-1) as string,
      aliases: new Set(keys),
      uri,
      origin,
      driver,
      reads: new RateWindow({ windowMs, bucketMs: Math.max(1, Math.floor(windowMs / 60)) }),
      errors: new RateWindow({ windowMs, bucketMs: Math.max(1, Math.floor(windowMs / 60)) }),
      lastErrorAt: undefined,
      misses: 0,
    };
    this.entries.set(entry.key, entry);
    this.previews.attach(driver);
    driver.on('scan', (scan) => this.onScan(entry, scan));
    driver.on('status', (status) => {
      if (this.entries.get(entry.key) !== entry && !this.closed) return;
      this.safeEmit('status', status);
      this.emitDevices();
    });
    driver.on('error', (err) => {
      this.noteError(entry);
      this.emitError(err.message.startsWith(driver.deviceId) ? err : Object.assign(new Error(`${driver.deviceId}: ${err.message}`), { cause: err }));
    });
    driver.on('disconnected', () => this.noteError(entry));
    return entry;
  }

  private find(keys: readonly string[]): Managed | undefined {
    for (const e of this.entries.values()) if (keys.some((k) => e.aliases.has(k))) return e;
    return undefined;
  }

  private async openDriver(e: Managed): Promise<void> {
    try {
      await e.driver.open();
    } catch (err) {
      // Drivers resolve open() even when the device is absent; a rejection is a bug or a close race.
      this.noteError(e);
      this.log.warn('scanner open failed', { deviceId: e.driver.deviceId, error: message(err) });
    }
  }

  private onScan(e: Managed, scan: ScanEvent): void {
    e.reads.add(this.deps.clock.now());
    if (scan.fault) this.noteError(e);
    if (this.selfTest.offer(scan)) return;
    this.safeEmit('scan', scan);
  }

  private noteError(e: Managed): void {
    const now = this.deps.clock.now();
    e.errors.add(now);
    e.lastErrorAt = now;
  }

  private emitDevices(): void {
    if (this.listenerCount('devices') > 0) this.safeEmit('devices', this.health());
  }

  /** 'error' without a listener would throw (EventEmitter rule): only emit when someone listens. */
  private emitError(err: Error): void {
    if (this.listenerCount('error') > 0) this.safeEmit('error', err);
  }

  private safeEmit<K extends keyof DeviceManagerEvents>(event: K, ...args: DeviceManagerEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: DeviceManagerEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.log.error('scanner manager listener threw', { event, error: message(err) });
    }
  }

  private readonly canonical = (path: string): string => (this.opts.canonicalPath ?? realCanonicalPath)(path);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
