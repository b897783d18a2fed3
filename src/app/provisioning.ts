/**
 * Kiosk side of the CKP1 provisioning card. A card read on any scanner never reaches the check-in
 * pipeline: it comes here. A kiosk that is not enrolled (or whose enrollment the server no longer
 * accepts) enrolls at the card's URL with the card's one-time code, pins the card's root key
 * (the server must answer with the same key), and takes the card's checkpoint, direction,
 * profile and configuration. An enrolled kiosk ignores cards unless a technician armed
 * re-provisioning from the technician panel (armed for `armWindowMs`, one card, and only while the
 * technician session that armed it stays open: locking the panel or its expiry disarms it), and so does a
 * kiosk that is not enrolled but already holds check-ins: it is in service on its own (a venue
 * kiosk run with `--trust` and no server), and a card scanned at its public scanner would hand
 * its check-ins and its trust bundle to whatever server the card names. Only a fresh kiosk — no
 * enrollment, no check-in yet — takes a card without the panel, and so does a never-enrolled kiosk
 * that a card of the same root key already tried to enroll (the server was down, say, or a power
 * cut interrupted it before it enrolled, and a test scan followed): the technician chose that
 * server then, and a headless kiosk has no panel.
 *
 * A card's whole effect is durable as one: its record (checkpoint, direction, profile, config and
 * the enrollment it replaces) is written to the store before enrolling; the enrollment file is
 * then written atomically; the record is completed right after. A crash between the two is
 * settled by resume() at the next start: the card enrolled (the enrollment is not the one
 * recorded before it) → its settings are applied then; it did not → the record is dropped and the
 * kiosk is as before the card, which can be scanned again — on a never-enrolled kiosk even after
 * check-ins were recorded meanwhile, as after a refusal: the dropped card's key id is remembered.
 *
 * Nothing here logs the card text or its code; events carry the server URL and checkpoint only.
 */
import type { Clock, Logger } from '../shared/ports.js';
import type { Direction } from '../shared/types.js';
import { verifyProvisioningCard } from '../credentials/provisioning/index.js';
import type { CardRefusal, VerifiedCard } from '../credentials/provisioning/index.js';
import type { KioskProfileName, RemoteConfig } from '../fleet/remote-config.js';
import { PROVISIONING_SETTINGS } from './settings.js';
import type { KioskService } from './kiosk.js';
import { SETTINGS } from './settings.js';

/** What the technician screen shows about the last card (no code, no card text). */
export interface ProvisioningNotice {
  state: 'working' | 'provisioned' | 'refused' | 'ignored';
  message: string;
  at: string;
  reason?: CardRefusal | 'technician-only' | 'in-service' | 'enrollment' | 'busy';
}

/** A JSON event for stdout (`run`) and the technician screen. */
export type ProvisioningEvent =
  | { event: 'provisioned'; server: string; checkpoint: string; direction?: Direction; profile?: KioskProfileName }
  | { event: 'provisioning-refused'; reason: string; message: string }
  | { event: 'provisioning-ignored'; message: string };

export interface CardProvisionerDeps {
  kiosk: KioskService;
  clock: Clock;
  logger: Logger;
  /**
   * Enrollment as the central link sees it now. `identity`: what tells this enrollment from any
   * other (device id and enrollment time), absent when not enrolled.
   */
  enrollment(): { enrolled: boolean; reenrollNeeded: boolean; trustKey?: Record<string, unknown>; identity?: string };
  /**
   * Enrolls at card.url with card.code, requiring card.rootKey from the server; resolves once the
   * enrollment file is written. Throws with a user-facing message.
   */
  enrollWithCard(card: VerifiedCard): Promise<void>;
  /**
   * After the card's settings are applied: waits (bounded) for the server's first trust bundle, so
   * the scans held behind the card are judged with it. Never throws.
   */
  afterEnrolled?: () => Promise<void>;
  /**
   * Applies the card's `config` (the same path as a remote profile). `stored`: re-applied at a
   * start, only its in-memory parts (policy, heartbeat period) matter.
   */
  applyConfig?: (config: RemoteConfig, source: string, stored: boolean) => void;
  onEvent?: (event: ProvisioningEvent) => void;
  onNotice?: (notice: ProvisioningNotice) => void;
  /**
   * How long a technician's "re-provision" request stays armed at most, ms (default 10 min); it
   * ends sooner when the technician session that armed it ends.
   */
  armWindowMs?: number;
}

export const TECHNICIAN_ONLY_MESSAGE = 'Provisioning card: technician only. Open the technician panel, choose "Re-provision by card", then scan the card again while the panel stays open (at most 10 minutes).';
export const IN_SERVICE_MESSAGE = 'Provisioning card: technician only. This kiosk already records check-ins on its own; open the technician panel, choose "Re-provision by card", then scan the card again while the panel stays open (at most 10 minutes).';
/** Added to an enrollment refusal on a kiosk that is not enrolled: what the next scan of a card does. */
export const RETRY_HINT = 'Nothing was changed. Once that is fixed, scan this card (or a new card of the same server) again: this kiosk takes it even if check-ins were recorded meanwhile.';

/**
 * The durable record of a card being applied (store setting PROVISIONING_SETTINGS.pending, JSON)
 * or last applied (PROVISIONING_SETTINGS.applied). Never holds the card text or its code.
 */
interface CardRecord {
  server: string;
  checkpoint: string;
  direction: Direction;
  profile?: KioskProfileName;
  config?: RemoteConfig;
  expiresAt: string;
  /** The enrollment in force before the card (its identity), null when there was none. */
  before: string | null;
  /**
   * The card's signing key id (base64, VerifiedCard.kid): remembered as the technician's chosen
   * server when the card is dropped at a start. Absent in records written by older versions.
   */
  kid?: string;
}

/**
 * Whether a card that tried to enroll this never-enrolled kiosk (PROVISIONING_SETTINGS.triedKid)
 * could still be used: until its expiry (triedUntil) it counts as the technician's chosen server.
 * A marker written without an expiry (older versions) or with an unreadable one counts as usable.
 */
export function triedCardUsable(getSetting: (key: string) => string | undefined, nowMs: number): boolean {
  if (!getSetting(PROVISIONING_SETTINGS.triedKid)) return false;
  const until = Date.parse(getSetting(PROVISIONING_SETTINGS.triedUntil) ?? '');
  return Number.isNaN(until) || nowMs < until;
}

/** The parts of a card's config that live only in memory, re-applied at every start. */
function inMemoryConfig(config: RemoteConfig): RemoteConfig | undefined {
  const out: RemoteConfig = {};
  if (config.policy !== undefined) out.policy = config.policy;
  if (config.duplicateWindowMinutes !== undefined) out.duplicateWindowMinutes = config.duplicateWindowMinutes;
  if (config.heartbeatSeconds !== undefined) out.heartbeatSeconds = config.heartbeatSeconds;
  return Object.keys(out).length > 0 ? out : undefined;
}

export class CardProvisioner {
  private armedUntil = 0;
  /** While armed: whether the technician session that armed it is still open. */
  private armedBy: (() => boolean) | undefined;
  private busy = false;
  private last: ProvisioningNotice | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: CardProvisionerDeps) {
    this.log = deps.logger.child('provisioning');
  }

  /**
   * The technician panel asks for re-provisioning: the next card within the window is used, and
   * only while `sessionOpen` (the technician session that asked) says it is still open. Locking
   * the panel, or the session's idle expiry, disarms it: an armed kiosk left behind a locked panel
   * would take a stranger's card at its public scanner.
   */
  armReprovision(sessionOpen?: () => boolean): void {
    this.armedUntil = this.deps.clock.now() + (this.deps.armWindowMs ?? 10 * 60_000);
    this.armedBy = sessionOpen;
    this.log.info('re-provisioning armed by technician, while the technician panel stays open');
  }

  /** Ends re-provisioning armed from the panel (the panel was locked). */
  disarmReprovision(): void {
    if (this.armedUntil === 0) return;
    this.armedUntil = 0;
    this.armedBy = undefined;
    this.log.info('re-provisioning disarmed: the technician panel was locked');
  }

  isArmed(): boolean {
    if (this.armedUntil === 0) return false;
    if (this.deps.clock.now() >= this.armedUntil) {
      this.armedUntil = 0;
      this.armedBy = undefined;
      return false;
    }
    if (this.armedBy && !this.armedBy()) {
      this.armedUntil = 0;
      this.armedBy = undefined;
      this.log.info('re-provisioning disarmed: the technician session that armed it ended');
      return false;
    }
    return true;
  }

  notice(): ProvisioningNotice | undefined {
    return this.last;
  }

  /** Handles a scanned card. Never throws; resolves with what the technician screen shows. */
  async handle(text: string): Promise<ProvisioningNotice> {
    if (this.busy) return this.noticeOf('ignored', 'A provisioning card is already being processed.', 'busy');
    const state = this.deps.enrollment();
    const armed = this.isArmed();
    if (state.enrolled && !state.reenrollNeeded && !armed) {
      this.deps.onEvent?.({ event: 'provisioning-ignored', message: TECHNICIAN_ONLY_MESSAGE });
      this.log.warn('provisioning card ignored: kiosk already enrolled');
      return this.noticeOf('ignored', TECHNICIAN_ONLY_MESSAGE, 'technician-only');
    }
    // A card of the root key that already tried to enroll this never-enrolled kiosk was the
    // technician's choice of server: taken again, check-ins recorded meanwhile or not (the
    // signature under that key is checked below before anything happens).
    const triedKid = state.enrolled ? undefined : this.setting(PROVISIONING_SETTINGS.triedKid);
    if (!state.enrolled && !armed && triedKid === undefined && this.holdsCheckIns()) {
      this.deps.onEvent?.({ event: 'provisioning-ignored', message: IN_SERVICE_MESSAGE });
      this.log.warn('provisioning card ignored: kiosk not enrolled but already in service');
      return this.noticeOf('ignored', IN_SERVICE_MESSAGE, 'in-service');
    }
    const check = verifyProvisioningCard(text, { now: new Date(this.deps.clock.now()), ...(state.trustKey ? { pinnedKey: state.trustKey } : {}) });
    if (!check.ok) return this.refuse(check.reason, `Provisioning card refused: ${check.message}`);
    const card = check.card;
    if (!state.enrolled && !armed && triedKid !== undefined && triedKid !== card.kid && this.holdsCheckIns()) {
      this.deps.onEvent?.({ event: 'provisioning-ignored', message: IN_SERVICE_MESSAGE });
      this.log.warn('provisioning card ignored: kiosk in service, and the card is not of the server an earlier card chose');
      return this.noticeOf('ignored', IN_SERVICE_MESSAGE, 'in-service');
    }
    this.busy = true;
    this.noticeOf('working', `Enrolling with ${card.url} …`);
    let record: CardRecord;
    try {
      // First the durable record, then the enrollment: a crash in between is settled by resume().
      record = this.writeRecord(card, state.identity ?? null);
      await this.deps.enrollWithCard(card);
    } catch (err) {
      this.busy = false;
      this.clearRecord();
      const why = err instanceof Error ? err.message : String(err);
      if (state.enrolled) return this.refuse('enrollment', `Provisioning card refused: ${why}`);
      // Remembered (the key id only) so that the next card of this server is taken (rule above).
      this.trySetting(PROVISIONING_SETTINGS.triedUntil, card.expiresAt);
      this.trySetting(PROVISIONING_SETTINGS.triedKid, card.kid);
      return this.refuse('enrollment', `Provisioning card refused: ${why}. ${RETRY_HINT}`);
    }
    try {
      this.armedUntil = 0;
      this.armedBy = undefined;
      this.complete(record, false);
      await this.deps.afterEnrolled?.();
    } catch (err) {
      // The store failed after the enrollment was saved: the pending record completes at the next start.
      const why = err instanceof Error ? err.message : String(err);
      this.log.error('card settings not saved after enrolling', { error: why });
      return this.refuse('enrollment', `Provisioning card: enrolled with ${card.url}, but its settings could not be saved (${why}); restart the kiosk to complete it.`);
    } finally {
      this.busy = false;
    }
    // The checkpoint, direction and profile in force now (the record's: the card's config included).
    // Direction and profile when the card names them (else the kiosk keeps its own).
    const named = card.config?.direction ?? card.direction;
    const taken = { checkpoint: record.checkpoint, ...(named ? { direction: named } : {}), ...(record.profile ? { profile: record.profile } : {}) };
    this.deps.onEvent?.({ event: 'provisioned', server: card.url, ...taken });
    this.log.info('provisioned by card', { server: card.url, ...taken });
    return this.noticeOf('provisioned', `Enrolled with ${card.url} at checkpoint ${record.checkpoint}.`);
  }

  /**
   * At a start, before any scan: settles a card interrupted by a crash (see the module comment)
   * and re-applies the in-memory part of the last card's config (its policy and heartbeat period;
   * a stored central profile applied after it takes precedence, as it does at run time). Never throws.
   */
  resume(): void {
    const record = this.readRecord(PROVISIONING_SETTINGS.pending);
    if (!record) {
      const config = this.readRecord(PROVISIONING_SETTINGS.applied)?.config;
      const inMemory = config && inMemoryConfig(config);
      if (inMemory) this.applyConfigSafely(inMemory, true);
      return;
    }
    const now = this.deps.enrollment().identity ?? null;
    if (now !== null && now !== record.before) {
      this.complete(record, true);
      this.log.info('provisioning card completed after a restart', { server: record.server, checkpoint: record.checkpoint });
    } else {
      // Like a card the server refused (handle()): on a never-enrolled kiosk its key id is
      // remembered, so the card (or another of its server) is taken when scanned again even
      // after ID cards were scanned meanwhile — a headless kiosk has no technician panel.
      if (now === null && typeof record.kid === 'string' && record.kid !== '') {
        this.trySetting(PROVISIONING_SETTINGS.triedUntil, typeof record.expiresAt === 'string' ? record.expiresAt : '');
        this.trySetting(PROVISIONING_SETTINGS.triedKid, record.kid);
      }
      this.clearRecord();
      this.log.warn('a provisioning card was interrupted before the kiosk enrolled; nothing changed: scan the card again', { server: record.server });
    }
  }

  /** Whether the kiosk has recorded any check-in it still holds (an unenrolled kiosk forwards none, so it holds all). */
  private holdsCheckIns(): boolean {
    try {
      return this.deps.kiosk.store.queueStats().oldestHeldAt !== undefined;
    } catch {
      // A store that cannot answer is not proof of a fresh kiosk: ask for the technician panel.
      return true;
    }
  }

  /** Writes the pending record of `card` (durable before the enrollment starts). */
  private writeRecord(card: VerifiedCard, before: string | null): CardRecord {
    // What takes effect: the card's config is applied after its own members (complete()), so a
    // checkpoint, direction or profile it names wins. `central provision-card` refuses such a
    // conflict; a card issued before that check is recorded, applied and reported as it acts.
    const profile = card.config?.profile ?? card.profile;
    const record: CardRecord = {
      server: card.url,
      checkpoint: card.config?.checkpoint ?? card.checkpoint,
      direction: card.config?.direction ?? card.direction ?? this.deps.kiosk.currentConfig().direction,
      ...(profile ? { profile } : {}),
      ...(card.config ? { config: card.config } : {}),
      expiresAt: card.expiresAt,
      before,
      kid: card.kid,
    };
    this.deps.kiosk.store.setSetting(PROVISIONING_SETTINGS.pending, JSON.stringify(record));
    return record;
  }

  private readRecord(key: string): CardRecord | undefined {
    const text = this.setting(key);
    if (text === undefined) return undefined;
    try {
      const r = JSON.parse(text) as CardRecord;
      if (typeof r.server === 'string' && typeof r.checkpoint === 'string' && (r.direction === 'in' || r.direction === 'out')) return r;
    } catch {
      // Unreadable: dropped below.
    }
    this.log.error('unreadable provisioning-card record dropped', { key });
    this.trySetting(key, '');
    return undefined;
  }

  private clearRecord(): void {
    this.trySetting(PROVISIONING_SETTINGS.pending, '');
  }

  /**
   * The card's settings, then the pending record cleared (the last write: until it, resume() redoes
   * them all, which sets the same values again).
   */
  private complete(record: CardRecord, afterRestart: boolean): void {
    const { kiosk } = this.deps;
    const store = kiosk.store;
    store.setSetting(SETTINGS.checkpoint, record.checkpoint);
    store.setSetting(SETTINGS.direction, record.direction);
    if (record.profile) store.setSetting(SETTINGS.profile, record.profile satisfies KioskProfileName);
    kiosk.setConfig({ checkpointId: record.checkpoint, direction: record.direction });
    store.audit({
      at: new Date(this.deps.clock.now()).toISOString(),
      actor: 'provisioning-card',
      action: 'provisioned',
      detail: {
        server: record.server,
        checkpoint: record.checkpoint,
        direction: record.direction,
        ...(record.profile ? { profile: record.profile } : {}),
        expiresAt: record.expiresAt,
        ...(afterRestart ? { completedAfterRestart: true } : {}),
      },
    });
    if (record.config) this.applyConfigSafely(record.config, false);
    store.setSetting(PROVISIONING_SETTINGS.applied, JSON.stringify(record));
    this.trySetting(PROVISIONING_SETTINGS.triedKid, '');
    this.trySetting(PROVISIONING_SETTINGS.triedUntil, '');
    store.setSetting(PROVISIONING_SETTINGS.pending, '');
  }

  private applyConfigSafely(config: RemoteConfig, stored: boolean): void {
    try {
      this.deps.applyConfig?.(config, 'provisioning-card', stored);
    } catch (err) {
      this.log.error('card configuration not applied', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  /** A setting, '' counting as absent (the store has no delete); undefined when the store cannot answer. */
  private setting(key: string): string | undefined {
    try {
      const v = this.deps.kiosk.store.getSetting(key);
      return v === '' ? undefined : v;
    } catch {
      return undefined;
    }
  }

  private trySetting(key: string, value: string): void {
    try {
      this.deps.kiosk.store.setSetting(key, value);
    } catch (err) {
      this.log.error('provisioning setting not saved', { key, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private refuse(reason: NonNullable<ProvisioningNotice['reason']>, message: string): ProvisioningNotice {
    this.deps.onEvent?.({ event: 'provisioning-refused', reason, message });
    this.log.warn('provisioning card refused', { reason });
    return this.noticeOf('refused', message, reason);
  }

  private noticeOf(state: ProvisioningNotice['state'], message: string, reason?: ProvisioningNotice['reason']): ProvisioningNotice {
    this.last = { state, message, at: new Date(this.deps.clock.now()).toISOString(), ...(reason ? { reason } : {}) };
    this.deps.onNotice?.(this.last);
    return this.last;
  }
}
