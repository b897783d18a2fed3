/**
 * Kiosk side of the CKP1 provisioning card. A card read on any scanner never reaches the check-in
 * pipeline: it comes here. A kiosk that is not enrolled (or whose enrollment the server no longer
 * accepts) enrolls at the card's URL with the card's one-time code, pins the card's root key
 * (the server must answer with the same key), and takes the card's checkpoint, direction,
 * profile and configuration. An enrolled kiosk ignores cards unless a technician armed
 * re-provisioning from the technician panel (armed for `armWindowMs`, one card), and so does a
 * kiosk that is not enrolled but already holds check-ins: it is in service on its own (a venue
 * kiosk run with `--trust` and no server), and a card scanned at its public scanner would hand
 * its check-ins and its trust bundle to whatever server the card names. Only a fresh kiosk — no
 * enrollment, no check-in yet — takes a card without the panel.
 *
 * Nothing here logs the card text or its code; events carry the server URL and checkpoint only.
 */
import type { Clock, Logger } from '../shared/ports.js';
import type { Direction } from '../shared/types.js';
import { verifyProvisioningCard } from '../credentials/provisioning/index.js';
import type { CardRefusal, VerifiedCard } from '../credentials/provisioning/index.js';
import type { KioskProfileName, RemoteConfig } from '../fleet/remote-config.js';
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
  | { event: 'provisioned'; server: string; checkpoint: string }
  | { event: 'provisioning-refused'; reason: string; message: string }
  | { event: 'provisioning-ignored'; message: string };

export interface CardProvisionerDeps {
  kiosk: KioskService;
  clock: Clock;
  logger: Logger;
  /** Enrollment as the central link sees it now. */
  enrollment(): { enrolled: boolean; reenrollNeeded: boolean; trustKey?: Record<string, unknown> };
  /** Enrolls at card.url with card.code, requiring card.rootKey from the server. Throws with a user-facing message. */
  enrollWithCard(card: VerifiedCard): Promise<void>;
  /** Applies the card's `config` (the same path as a remote profile). */
  applyConfig?: (config: RemoteConfig, source: string) => void;
  onEvent?: (event: ProvisioningEvent) => void;
  onNotice?: (notice: ProvisioningNotice) => void;
  /** How long a technician's "re-provision" request stays armed, ms (default 10 min). */
  armWindowMs?: number;
}

export const TECHNICIAN_ONLY_MESSAGE = 'Provisioning card: technician only. Open the technician panel, choose "Re-provision by card" (10 minutes), then scan the card again.';
export const IN_SERVICE_MESSAGE = 'Provisioning card: technician only. This kiosk already records check-ins on its own; open the technician panel, choose "Re-provision by card" (10 minutes), then scan the card again.';

export class CardProvisioner {
  private armedUntil = 0;
  private busy = false;
  private last: ProvisioningNotice | undefined;
  private readonly log: Logger;

  constructor(private readonly deps: CardProvisionerDeps) {
    this.log = deps.logger.child('provisioning');
  }

  /** The technician panel asks for re-provisioning: the next card within the window is used. */
  armReprovision(): void {
    this.armedUntil = this.deps.clock.now() + (this.deps.armWindowMs ?? 10 * 60_000);
    this.log.info('re-provisioning armed by technician');
  }

  isArmed(): boolean {
    return this.deps.clock.now() < this.armedUntil;
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
    if (!state.enrolled && !armed && this.holdsCheckIns()) {
      this.deps.onEvent?.({ event: 'provisioning-ignored', message: IN_SERVICE_MESSAGE });
      this.log.warn('provisioning card ignored: kiosk not enrolled but already in service');
      return this.noticeOf('ignored', IN_SERVICE_MESSAGE, 'in-service');
    }
    const check = verifyProvisioningCard(text, { now: new Date(this.deps.clock.now()), ...(state.trustKey ? { pinnedKey: state.trustKey } : {}) });
    if (!check.ok) return this.refuse(check.reason, `Provisioning card refused: ${check.message}`);
    const card = check.card;
    this.busy = true;
    this.noticeOf('working', `Enrolling with ${card.url} …`);
    try {
      await this.deps.enrollWithCard(card);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return this.refuse('enrollment', `Provisioning card refused: ${why}`);
    } finally {
      this.busy = false;
    }
    this.armedUntil = 0;
    this.applyCard(card);
    this.deps.onEvent?.({ event: 'provisioned', server: card.url, checkpoint: card.checkpoint });
    this.log.info('provisioned by card', { server: card.url, checkpoint: card.checkpoint });
    return this.noticeOf('provisioned', `Enrolled with ${card.url} at checkpoint ${card.checkpoint}.`);
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

  private applyCard(card: VerifiedCard): void {
    const { kiosk } = this.deps;
    const store = kiosk.store;
    const direction: Direction = card.direction ?? kiosk.currentConfig().direction;
    store.setSetting(SETTINGS.checkpoint, card.checkpoint);
    store.setSetting(SETTINGS.direction, direction);
    if (card.profile) store.setSetting(SETTINGS.profile, card.profile satisfies KioskProfileName);
    kiosk.setConfig({ checkpointId: card.checkpoint, direction });
    store.audit({
      at: new Date(this.deps.clock.now()).toISOString(),
      actor: 'provisioning-card',
      action: 'provisioned',
      detail: { server: card.url, checkpoint: card.checkpoint, direction, ...(card.profile ? { profile: card.profile } : {}), expiresAt: card.expiresAt },
    });
    if (card.config) {
      try {
        this.deps.applyConfig?.(card.config, 'provisioning-card');
      } catch (err) {
        this.log.error('card configuration not applied', { error: err instanceof Error ? err.message : String(err) });
      }
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
