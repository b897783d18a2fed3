/**
 * Connects a running kiosk to the central server (protocol v1): enrollment (once, retried in the
 * background while the server is unreachable), then the forwarder, trust-bundle sync and
 * heartbeat. Scanning never waits for any of it: the kiosk works offline from the first second.
 * Given several server URLs (nodes sharing one database), it enrolls at the first that answers and
 * every request fails over between them.
 */
import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock, Logger, Timers } from '../shared/ports.js';
import { serverList } from '../sync/http.js';
import { enroll, EnrollmentError, readEnrollment, startForwarder, startHeartbeat, startTrustSync, type Enrollment, type Forwarder, type Heartbeat, type TrustSync } from '../sync/index.js';
import { API_SETTINGS, type DeliverySnapshot } from './api.js';
import type { KioskService } from './kiosk.js';
import { HELD_FOR_PREVIOUS_SERVER, PROVISIONING_SETTINGS, SETTINGS } from './settings.js';
import { attemptDone, attemptFor } from './enroll-attempt.js';
import { CardProvisioner, triedCardUsable, type ProvisioningEvent, type ProvisioningNotice } from './provisioning.js';
import { createConfigApplier } from './remote-config-apply.js';
import { startConfigSync, type ConfigSync } from '../sync/config-sync.js';
import { VERSION } from './version.js';
import { ClockOffset } from '../sync/clock-offset.js';
import { timeRulesFromSeconds } from '../credentials/time-rules.js';

/** What a kiosk says when the server refuses its token (revoked, or unknown to the server). */
const REENROLL_MESSAGE = 'the central server no longer accepts this device: enroll it again';

export interface CentralLinkOptions {
  kiosk: KioskService;
  dataDir: string;
  /**
   * Server to enroll with, or several nodes of it; needed only when not enrolled yet (or to move to
   * another server). When given, these are the nodes the services talk to.
   */
  serverUrl?: string | readonly string[];
  enrollCode?: string;
  /** PEM of a private CA for the server's TLS certificate. */
  ca?: string;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  /**
   * Called as soon as an enrollment has been saved, before anything else runs (Electron seals
   * the new token with safeStorage here).
   */
  onEnrolled?: (enrollment: Enrollment) => void;
  /**
   * Told once an enrollment not made by a provisioning card (--enroll, its retries in the
   * background, the technician screen) has succeeded and the services run with it: the device id
   * and the node that answered (never the token or the code). A card's says `provisioned` instead.
   */
  onEnrollmentDone?: (done: { deviceId: string; server: string }) => void;
  /** Called with problems a technician must act on (bad code, re-enrollment needed). */
  onProblem?: (problem: { reason: 'enrollment' | 'reenroll-needed' | 'config'; message: string }) => void;
  /** Retry delay for enrollment while the server is unreachable, ms. Default 30 s. */
  enrollRetryMs?: number;
  heartbeatMs?: number;
  trustSyncMs?: number;
  /** Between configuration-profile checks, ms (default: the trust-sync period, 15 min). */
  configSyncMs?: number;
  /** The updater's state for the heartbeat (Electron); absent → 'manual' (headless/web cannot self-update). */
  updateState?: () => string;
  /** Called after each heartbeat the server accepted. */
  onHeartbeat?: () => void;
  /** Called after a configuration profile from the server was applied (not for the stored one at start). */
  onConfigApplied?: (version: number) => void;
  /** Provisioning-card events (provisioned / refused / ignored) for stdout. */
  onProvisioning?: (event: ProvisioningEvent) => void;
  /** Each change of the provisioning notice (for the technician screen). */
  onProvisioningNotice?: (notice: ProvisioningNotice) => void;
}

export interface CentralLink {
  delivery(): DeliverySnapshot;
  /** Kiosk clock minus server clock (ms), learned from the server's answers; undefined until then. */
  clockOffsetMs(): number | undefined;
  /** Enrolls (again) with a server and code, e.g. from the technician screen. */
  enroll(serverUrl: string, code: string): Promise<void>;
  /**
   * The technician panel asks to use the next provisioning card although the kiosk is enrolled,
   * while `sessionOpen` (the technician session that asked) is open; CardProvisioner.armReprovision.
   */
  armReprovision(sessionOpen?: () => boolean): void;
  /** The technician panel was locked: re-provisioning armed from it ends. */
  disarmReprovision(): void;
  /** What the last provisioning card did (technician screen). */
  provisioningNotice(): ProvisioningNotice | undefined;
  /** True when not enrolled, or the server refused this device's token (revoked). */
  needsEnrollment(): boolean;
  /**
   * Tries to deliver what is pending for at most `timeoutMs` (injected clock), then resolves with
   * what is left: `checkins` and `overrides` still pending, and when any is, `reason` (the server
   * unreachable, the device revoked, …). Undefined when there is no server to deliver to (not
   * enrolled, no --server). Nothing is dropped or sent twice: an unfinished request leaves its
   * records pending for the next start, and the server takes each id once.
   */
  drain(timeoutMs: number): Promise<DrainLeft | undefined>;
  /**
   * The first half of stop(): aborts every request in flight (an enrollment, heartbeat, trust or
   * configuration download, a batch of check-ins) and retries nothing more, while the services
   * keep their state, so a later drain(0) still says why what is left was not delivered. A
   * stopping kiosk calls it before it waits for its last scans: a scan held behind an enrollment
   * to a server that never answers is then released at once.
   */
  abort(): void;
  stop(): Promise<void>;
}

/** What `drain` could not deliver in time. */
export interface DrainLeft {
  checkins: number;
  overrides: number;
  reason?: string;
  /** The enrollment code was refused for good: only enrolling with a new code delivers them. */
  needsEnrollment?: boolean;
}

/** Between two looks at the outbox while draining (ms). */
const DRAIN_POLL_MS = 100;
/** How long the scans behind a card that enrolled wait for the server's first trust bundle, ms. */
const FIRST_TRUST_WAIT_MS = 10_000;

export function linkToCentral(opts: CentralLinkOptions): CentralLink {
  const log = opts.logger.child('central');
  let enrollment: Enrollment | undefined = readEnrollment(opts.dataDir, log);
  let forwarder: Forwarder | undefined;
  let trustSync: TrustSync | undefined;
  let heartbeat: Heartbeat | undefined;
  let configSync: ConfigSync | undefined;
  const applier = createConfigApplier({
    kiosk: opts.kiosk,
    basePolicy: opts.kiosk.currentPolicy(),
    clock: opts.clock,
    logger: opts.logger,
    onHeartbeatPeriod: (ms) => heartbeat?.setIntervalMs(ms),
  });
  let retryHandle: unknown;
  let stopped = false;
  /** Aborts enrollment requests in flight at stop(): a server that never answers must not hold it. */
  const stopping = new AbortController();
  let lastProblem: string | undefined;
  /** Why the enrollment code was refused for good (a 4xx): waiting cannot deliver anything. */
  let refused: string | undefined;
  const ca = opts.ca ? { ca: opts.ca } : {};
  // One estimate fed by every channel (forwarder, heartbeat, trust sync); survives re-enrollment.
  const clockOffset = new ClockOffset(opts.clock);
  const nodes = opts.serverUrl === undefined ? undefined : serverList(opts.serverUrl);

  const problem = (reason: 'enrollment' | 'reenroll-needed' | 'config', message: string) => {
    lastProblem = message;
    opts.onProblem?.({ reason, message });
  };
  /**
   * Said once per revocation: the forwarder, heartbeat and trust sync each hear the 401, in either
   * order, and a config problem in between must not make it said again. Enrolling again re-arms it.
   */
  let reenrollSaid = false;
  const reenrollProblem = () => {
    if (reenrollSaid) return;
    reenrollSaid = true;
    problem('reenroll-needed', REENROLL_MESSAGE);
  };

  /**
   * Check-ins recorded while the kiosk was enrolled with one central server (one root key) are
   * never delivered to a server of another root key: after an enrollment with another server
   * (the panel's Enroll, `--enroll` with a new code) what is still pending — check-ins and
   * overrides — is kept on the kiosk, marked rejected `held-previous-server` (`export` lists
   * them), logged and audited. Done before the new enrollment's forwarder starts, also at a start
   * after a crash between the enrollment and this (the key they are kept for is stored).
   * A never-enrolled kiosk's check-ins go to its first server, as before.
   */
  const holdForOtherServer = (e: Enrollment) => {
    const store = opts.kiosk.store;
    const key = `${String(e.trustKey.x)}.${String(e.trustKey.y)}`;
    const keptFor = store.getSetting(SETTINGS.deliveryRootKey);
    if (keptFor === key) return;
    if (keptFor !== undefined && keptFor !== '') {
      const at = new Date(opts.clock.now()).toISOString();
      let checkins = 0;
      for (let batch = store.pendingBatch(500); batch.length > 0; batch = store.pendingBatch(500)) {
        store.markRejected(batch.map((c) => ({ id: c.id, reason: HELD_FOR_PREVIOUS_SERVER })), at);
        checkins += batch.length;
      }
      let overrides = 0;
      for (let batch = store.pendingOverrides(500); batch.length > 0; batch = store.pendingOverrides(500)) {
        store.markOverridesRejected(batch.map((o) => ({ id: o.id, reason: HELD_FOR_PREVIOUS_SERVER })), at);
        overrides += batch.length;
      }
      if (checkins > 0 || overrides > 0) {
        store.audit({ at, actor: 'kiosk', action: 'held-previous-server', detail: { checkins, overrides, server: e.serverUrl } });
        log.warn('enrolled with another central server (another root key): the check-ins recorded for the previous one are kept on this kiosk and not sent to the new server; export them with `export` (rejectReason held-previous-server)', { checkins, overrides, server: e.serverUrl });
      }
    }
    store.setSetting(SETTINGS.deliveryRootKey, key);
  };

  /** `servers`: the nodes to talk to (the enrollment's, unless the command line names others). */
  const startServices = (e: Enrollment, servers: readonly string[] = e.servers) => {
    holdForOtherServer(e);
    opts.kiosk.store.setSetting(SETTINGS.deviceId, e.deviceId);
    // The technician screen shows where this kiosk is enrolled, however it was enrolled.
    opts.kiosk.store.setSetting(API_SETTINGS.serverUrl, e.serverUrl);
    opts.kiosk.store.setSetting(API_SETTINGS.enrolled, e.enrolledAt);
    opts.kiosk.setConfig({ deviceId: e.deviceId });
    const common = { serverUrl: servers, token: e.token, clock: opts.clock, timers: opts.timers, logger: opts.logger, clockOffset, ...ca };
    forwarder = startForwarder({
      ...common,
      store: opts.kiosk.store,
      onState: (s) => {
        if (s.status === 'reenroll-needed') reenrollProblem();
      },
    });
    trustSync = startTrustSync({
      ...common,
      trustKey: e.trustKey,
      dataDir: opts.dataDir,
      ...(opts.trustSyncMs ? { intervalMs: opts.trustSyncMs } : {}),
      onBundle: (index) => opts.kiosk.setTrust(index),
      timeRules: () => timeRulesFromSeconds(opts.kiosk.currentPolicy().clockSkewSeconds),
    });
    heartbeat = startHeartbeat({
      ...common,
      ...(opts.heartbeatMs ? { intervalMs: opts.heartbeatMs } : {}),
      ...(opts.onHeartbeat ? { onSent: opts.onHeartbeat } : {}),
      // A revoked kiosk with nothing to forward hears it from its heartbeat first: say it then,
      // unless the forwarder already did.
      onReenrollNeeded: reenrollProblem,
      collect: () => {
        const q = opts.kiosk.store.queueStats();
        const offset = clockOffset.offsetMs();
        const place = opts.kiosk.currentConfig();
        return {
          queueDepth: q.depth,
          oldestPendingAt: q.oldestPendingAt ?? null,
          lastScanAt: opts.kiosk.lastScan() ?? null,
          scanners: opts.kiosk.scannerStatus(),
          trustIssuedAt: trustSync?.state().issuedAt ?? null,
          version: VERSION,
          ...(offset !== undefined ? { clockOffsetMs: offset } : {}),
          appliedConfigVersion: applier.appliedVersion(),
          updateState: opts.updateState?.() ?? 'manual',
          oldestIdentityAt: q.oldestHeldAt ?? null,
          auditHead: opts.kiosk.store.auditHead(),
          checkpointId: place.checkpointId,
          direction: place.direction,
        };
      },
    });
    configSync = startConfigSync({
      ...common,
      deviceId: e.deviceId,
      trustKey: e.trustKey,
      dataDir: opts.dataDir,
      intervalMs: opts.configSyncMs ?? opts.trustSyncMs ?? 15 * 60_000,
      apply: (profile, stored) => {
        const before = applier.appliedVersion();
        applier.apply(profile.config, profile.version, { stored, source: 'central' });
        if (!stored && profile.version !== before) opts.onConfigApplied?.(profile.version);
      },
      onRefused: (why) => problem('config', `configuration profile refused, the previous one stays in force: ${why}`),
    });
  };

  /** Aborts the requests in flight and every retry; the services keep their state (CentralLink.abort). */
  const abortAll = () => {
    stopped = true;
    stopping.abort();
    opts.timers.clearTimeout(retryHandle);
  };

  const stopServices = async () => {
    await Promise.allSettled([forwarder?.stop(), trustSync?.stop(), heartbeat?.stop(), configSync?.stop()]);
    forwarder = trustSync = heartbeat = undefined;
    configSync = undefined;
  };

  /** Enrollments under way (a card, the technician screen, --enroll): the kiosk is not standalone meanwhile. */
  let enrolling = 0;
  const doEnroll = async (serverUrl: string | readonly string[], code: string, expectTrustKey?: { x: string; y: string }, byCard = false) => {
    enrolling++;
    try {
      await enrollOnce(serverUrl, code, expectTrustKey);
    } finally {
      enrolling--;
    }
    if (!byCard && enrollment) opts.onEnrollmentDone?.({ deviceId: enrollment.deviceId, server: enrollment.serverUrl });
  };
  const enrollOnce = async (serverUrl: string | readonly string[], code: string, expectTrustKey?: { x: string; y: string }) => {
    // The device this kiosk was (revoked, or left for a new id): the server records the new one as
    // its successor, so overrides of check-ins delivered before still reach it (docs/PROTOCOL.md).
    const before = enrollment ?? readEnrollment(opts.dataDir);
    // Stored before the request leaves: an answer lost on the way can be asked for again.
    const attempt = attemptFor(opts.kiosk.store, code);
    const e = await enroll({
      serverUrl,
      code,
      dataDir: opts.dataDir,
      device: { name: hostname(), version: VERSION, platform: process.platform },
      ...ca,
      ...(expectTrustKey ? { expectTrustKey } : {}),
      ...(before ? { predecessor: { deviceId: before.deviceId, token: before.token } } : {}),
      signal: stopping.signal,
      attempt,
    });
    opts.onEnrolled?.(e);
    opts.kiosk.store.setSetting(SETTINGS.enrollCodeHash, codeHash(code));
    attemptDone(opts.kiosk.store);
    log.info('enrolled', { deviceId: e.deviceId, ...(e.resumed ? { resumed: 'the server had enrolled this kiosk before its answer was lost' } : {}), ...(before ? { previousDeviceId: before.deviceId, succession: e.succession ?? 'not recorded by this server' } : {}) });
    if (before && e.succession !== 'recorded') {
      log.warn('the server did not record this kiosk as the successor of its previous device: overrides of check-ins delivered before re-enrollment will be refused', {
        previousDeviceId: before.deviceId,
        succession: e.succession ?? 'not supported by this server',
      });
    }
    lastProblem = undefined;
    refused = undefined;
    reenrollSaid = false;
    await stopServices();
    enrollment = e;
    if (!stopped) startServices(e);
  };

  /** One enrollment attempt (retried later on a network fault); settles once it and, on success, the first trust bundle are done. */
  const tryEnroll = (serverUrl: string | readonly string[], code: string): Promise<void> =>
    doEnroll(serverUrl, code).then(() => firstTrust(), (err: unknown) => {
      if (stopped) return;
      // A refused code will not become valid by retrying; a network fault may heal, and a 429 (the
      // server's throttle of wrong codes) is retried once its Retry-After has passed.
      const throttled = err instanceof EnrollmentError && err.status === 429;
      const permanent = !throttled && err instanceof EnrollmentError && err.status !== undefined && err.status >= 400 && err.status < 500;
      const message = err instanceof Error ? err.message : String(err);
      const wait = Math.max(opts.enrollRetryMs ?? 30_000, throttled ? (err.retryAfterMs ?? 0) : 0);
      // A 429 is not a refusal: the server asks to wait, and the kiosk does, then tries again.
      problem('enrollment', throttled ? `enrollment delayed: the server asks to wait ${Math.ceil(wait / 1000)} s (${message}); the kiosk tries again by itself` : `enrollment failed: ${message}`);
      // The log says what stdout says: a 429 delays the enrollment, it did not fail.
      if (throttled) log.warn('enrollment delayed: the server asks to wait; the kiosk tries again by itself', { error: message, retryInMs: wait });
      else log.warn('enrollment failed', { error: message, retry: !permanent });
      if (permanent) refused = message;
      if (!permanent) retryHandle = opts.timers.setTimeout(() => void tryEnroll(serverUrl, code), wait);
    });

  // A one-time code given on every start (a systemd unit, say) must not be replayed once used.
  // Being enrolled at any of the given nodes counts: they share one database.
  // A code other than the one this enrollment was made with (recorded since enrollment stores its
  // hash) is a deliberate re-enrollment: after a revocation, or to move the kiosk to a new device id.
  const usedHash = opts.kiosk.store.getSetting(SETTINGS.enrollCodeHash);
  const newCode = opts.enrollCode !== undefined && usedHash !== undefined && usedHash !== codeHash(opts.enrollCode);
  const needsEnrollment = opts.enrollCode !== undefined && nodes !== undefined && (!enrollment || newCode || !nodes.includes(serverList(enrollment.serverUrl)[0] as string));

  /**
   * After a card enrolled, the scans held behind it (the technician's test scan) also wait for the
   * server's first trust bundle, so they are judged with its status list and signers rather than
   * with none. Bounded by FIRST_TRUST_WAIT_MS: an unreachable bundle leaves the kiosk on what it
   * had, and the periodic sync goes on. Never throws (the card did enroll).
   */
  const firstTrust = async () => {
    const sync = trustSync;
    if (!sync) return;
    let timer: unknown;
    const waited = new Promise<void>((resolve) => (timer = opts.timers.setTimeout(resolve, FIRST_TRUST_WAIT_MS)));
    const synced = sync.syncNow().then(
      (s) => void (s.status !== 'ok' && log.warn('first trust bundle after the card not loaded; the scans behind it use the bundle in force', { status: s.status })),
      () => undefined,
    );
    await Promise.race([synced, waited]);
    opts.timers.clearTimeout(timer);
  };

  const reenrollNeeded = () =>
    forwarder?.state().status === 'reenroll-needed' ||
    trustSync?.state().status === 'reenroll-needed' ||
    heartbeat?.state().reenrollNeeded === true ||
    configSync?.state().reenrollNeeded === true;
  const provisioner = new CardProvisioner({
    kiosk: opts.kiosk,
    clock: opts.clock,
    logger: opts.logger,
    enrollment: () => ({
      enrolled: enrollment !== undefined,
      reenrollNeeded: reenrollNeeded(),
      ...(enrollment ? { trustKey: enrollment.trustKey, identity: `${enrollment.deviceId} ${enrollment.enrolledAt}` } : {}),
    }),
    enrollWithCard: (card) => doEnroll(card.url, card.code, { x: card.rootKey.x, y: card.rootKey.y }, true),
    afterEnrolled: () => firstTrust(),
    applyConfig: (config, _source, stored) => applier.apply(config, applier.appliedVersion(), { stored, source: 'provisioning-card' }),
    ...(opts.onProvisioning ? { onEvent: opts.onProvisioning } : {}),
    ...(opts.onProvisioningNotice ? { onNotice: opts.onProvisioningNotice } : {}),
  });
  // A kiosk with no central server at all purges its check-ins past the retention whether or not
  // they were forwarded (maintenance.ts). Only when nothing says there is or was a server: no
  // --server, no enrollment (in memory or on disk), none being made, never enrolled before (the
  // stored server URL), no provisioning card being applied, none tried that could still be used
  // (its server was chosen; once the tried card has expired it can no longer enroll the kiosk).
  opts.kiosk.setStandaloneCheck(() => {
    if (nodes !== undefined || enrollment !== undefined || enrolling > 0 || readEnrollment(opts.dataDir) !== undefined) return false;
    const store = opts.kiosk.store;
    const get = (key: string) => store.getSetting(key);
    if (triedCardUsable(get, opts.clock.now())) return false;
    return [API_SETTINGS.serverUrl, API_SETTINGS.enrolled, PROVISIONING_SETTINGS.pending].every((key) => !get(key));
  });

  // Before any service starts and any scan: a card a crash interrupted is completed or dropped,
  // and the last card's policy is in force again (a stored central profile, applied once the
  // services start, then takes precedence as it does at run time).
  provisioner.resume();

  // Given a server but not enrolled and no code: nothing will ever be delivered until a
  // technician acts, which is said now rather than as "the server could not be reached" later.
  const notEnrolled = enrollment === undefined && nodes !== undefined && opts.enrollCode === undefined;
  if (notEnrolled) {
    const message = notEnrolledMessage(opts.kiosk);
    log.warn(message);
    problem('enrollment', message);
  }

  // Enrolling with --enroll at start: the first scans wait for that first attempt and the server's
  // first trust bundle (bounded, as after a card), or the server's own valid credentials would be
  // judged with no signers at all and recorded as red unknown-signer check-ins.
  if (needsEnrollment) opts.kiosk.holdScansFor(tryEnroll(opts.serverUrl!, opts.enrollCode!));
  else if (enrollment) startServices(enrollment, nodes ?? enrollment.servers);

  const onOutcome = () => forwarder?.kick();
  opts.kiosk.on('outcome', onOutcome);

  // Scans right after the card wait for its outcome, so they are recorded at the checkpoint the
  // card set (or, when it is refused, the one still in force) — never the old one by a race.
  const onCard = (scan: { text: string }) => opts.kiosk.holdScansFor(provisioner.handle(scan.text));
  opts.kiosk.on('card', onCard);

  return {
    delivery() {
      if (!forwarder) return { state: 'unknown', ...(lastProblem ? { lastError: lastProblem } : {}) };
      const f = forwarder.state();
      const h = heartbeat?.state();
      // Either channel failing now means the server is out of reach; either having succeeded
      // (and neither failing) means it is reachable. The heartbeat notices a dead server even
      // when there is nothing to forward.
      const failing = f.status === 'backoff' || f.status === 'reenroll-needed' || f.failures > 0 || h?.lastError !== undefined;
      const reached = f.lastSuccessAt !== undefined || h?.lastSentAt !== undefined;
      const lastError = f.lastError ?? h?.lastError ?? lastProblem;
      const lastSyncAt = [f.lastSuccessAt, h?.lastSentAt].filter((x): x is string => x !== undefined).sort().pop();
      return {
        state: failing ? 'offline' : reached ? 'online' : 'unknown',
        ...(lastSyncAt ? { lastSyncAt } : {}),
        ...(failing && lastError ? { lastError } : {}),
      };
    },
    enroll: (serverUrl, code) => doEnroll(serverUrl, code),
    clockOffsetMs: () => clockOffset.offsetMs(),
    armReprovision: (sessionOpen) => provisioner.armReprovision(sessionOpen),
    disarmReprovision: () => provisioner.disarmReprovision(),
    provisioningNotice: () => provisioner.notice(),
    needsEnrollment: () => enrollment === undefined || reenrollNeeded(),
    async drain(timeoutMs) {
      // Nowhere to deliver: not enrolled and no server named (an enrollment from --server may
      // still be under way, and is waited for like an unreachable server).
      if (enrollment === undefined && nodes === undefined) return undefined;
      const deadline = opts.clock.now() + timeoutMs;
      for (;;) {
        const q = opts.kiosk.store.queueStats();
        const left: DrainLeft = { checkins: q.depth, overrides: q.overridesPending ?? 0 };
        if (left.checkins + left.overrides === 0) return left;
        const f = forwarder?.state();
        if (f?.status === 'reenroll-needed') return { ...left, reason: 'the central server no longer accepts this device: enroll it again', needsEnrollment: true };
        if (forwarder === undefined && refused !== undefined) return { ...left, reason: `the enrollment code was refused (${refused})`, needsEnrollment: true };
        // Not enrolled and no code to enroll with: waiting cannot deliver anything (a card
        // scanned during the run has been acted on before the drain: the kiosk settles first).
        if (enrollment === undefined && opts.enrollCode === undefined) return { ...left, reason: notEnrolledMessage(opts.kiosk), needsEnrollment: true };
        // Aborted (the kiosk is stopping): nothing more is sent; say what went wrong last, if anything.
        if (stopped) {
          // A request cut short by the stop itself says nothing about the server.
          const why = f?.lastError !== undefined && !/ERR_CANCELED|abort/i.test(f.lastError) ? f.lastError : lastProblem;
          return why === undefined ? left : { ...left, reason: why };
        }
        const now = opts.clock.now();
        if (now >= deadline) {
          const why = f ? (f.lastError ?? 'the server did not take them in time') : (lastProblem ?? 'not enrolled yet: the server could not be reached');
          return { ...left, reason: why };
        }
        forwarder?.kick();
        await new Promise<void>((resolve) => opts.timers.setTimeout(resolve, Math.min(DRAIN_POLL_MS, deadline - now)));
      }
    },
    abort: abortAll,
    async stop() {
      abortAll();
      opts.kiosk.off('outcome', onOutcome);
      opts.kiosk.off('card', onCard);
      await stopServices();
    },
  };
}

/**
 * What a kiosk given --server but neither enrolled nor given --enroll says at start (stderr log and
 * an `error` event, reason "enrollment") and when it cannot deliver. A provisioning card is taken
 * by a fresh kiosk, or by one an earlier card of the same server failed to enroll; one that
 * already holds check-ins needs the technician panel first (provisioning.ts).
 */
function notEnrolledMessage(kiosk: KioskService): string {
  const start = 'not enrolled: start it with --server URL --enroll CODE (a code from `central enroll-code`)';
  let tried: string | undefined;
  try {
    tried = kiosk.store.getSetting(PROVISIONING_SETTINGS.triedKid);
  } catch {
    tried = undefined;
  }
  if (tried) return `${start}, or scan again a provisioning card of the server an earlier card failed to enroll it with`;
  if (!holdsCheckIns(kiosk)) return `${start}, or scan a provisioning card`;
  return `${start}; it already holds check-ins, so a provisioning card is taken only after "Re-provision by card" in the technician panel`;
}

/** Whether the kiosk holds check-ins; a store that cannot answer counts as holding some. */
function holdsCheckIns(kiosk: KioskService): boolean {
  try {
    return kiosk.store.queueStats().oldestHeldAt !== undefined;
  } catch {
    return true;
  }
}

/** What the store keeps of a one-time enrollment code: enough to tell a new code from a replay. */
function codeHash(code: string): string {
  return createHash('sha256').update(code, 'utf8').digest('hex');
}
