/**
 * The booth half of the kiosk UI API: officer sign-in and everything an officer does. Every
 * method but sign-in needs the booth profile and a live officer session; what the officer does is
 * recorded under that officer's id (overrides, manual entries, direction, shift starts).
 */
import type { Direction } from '../shared/types.js';
import type { KioskStatus, ManualEntry, OverrideRequest, RecentScan, ScanDetails, ScanResult, ShiftCounts, SignInResult } from '../shared/api.js';
import type { StoredCheckIn } from '../store/types.js';
import { maskName } from '../shared/mask.js';
import { reasonsAfterOverride } from '../shared/reasons.js';
import { problemOfOfficerReason } from '../shared/text-safety.js';
import { ApiError } from './api-error.js';
import type { DeskContext } from './desk-context.js';
import { API_SETTINGS } from './api-settings.js';
import { readOfficerIdleMinutes, readProfile } from './ui-settings.js';

export class BoothDesk {
  constructor(private readonly ctx: DeskContext) {}

  async officerSignIn(officerId: string, code: string): Promise<SignInResult> {
    this.requireBooth();
    const result = await this.ctx.access.officerSignIn(officerId, code, readOfficerIdleMinutes(this.ctx.deps.kiosk.store) * 60_000);
    if (result.ok) this.ctx.deps.kiosk.store.audit({ at: this.ctx.nowIso(), actor: officerId, action: 'officer-sign-in' });
    else this.ctx.log.warn('officer sign-in refused', { reason: result.reason });
    return result;
  }

  async officerSignOut(session: string): Promise<void> {
    const officer = this.ctx.access.sessions.check(session, 'officer');
    this.ctx.access.sessions.close(session);
    if (officer) this.ctx.deps.kiosk.store.audit({ at: this.ctx.nowIso(), actor: officer.actor, action: 'officer-sign-out' });
    return Promise.resolve();
  }

  async recentScans(session: string, limit: number): Promise<RecentScan[]> {
    this.officer(session);
    const rows: RecentScan[] = [];
    for (const id of this.ctx.ledger.recentIds(limit)) {
      const stored = this.ctx.deps.kiosk.store.get(id);
      if (stored) rows.push(recentScan(stored));
    }
    return Promise.resolve(rows);
  }

  async scanDetails(session: string, id: string): Promise<ScanDetails | null> {
    this.officer(session);
    const stored = this.ctx.deps.kiosk.store.get(id);
    if (!stored) return Promise.resolve(null);
    return Promise.resolve({
      ...recentScan(stored),
      deviceId: stored.deviceId,
      checkpointId: stored.checkpointId,
      subject: { ...stored.subject },
      ...(stored.rejectReason ? { rejectReason: stored.rejectReason } : {}),
    });
  }

  async setDirection(session: string, direction: Direction): Promise<KioskStatus> {
    this.ctx.applyDirection(direction, this.officer(session));
    return Promise.resolve(this.ctx.status());
  }

  /** Records the signed-in officer's override: `by` is that officer's id, in the record and the audit log. */
  async overrideCheckIn(session: string, request: OverrideRequest): Promise<RecentScan> {
    const by = this.officer(session);
    const store = this.ctx.deps.kiosk.store;
    const stored = store.get(request.id);
    if (!stored) throw new ApiError('not-found', 'No check-in with this id.');
    const previous = stored.override?.verdict ?? stored.verdict;
    // An override that changes nothing would only add a record (and an officer's name) to the history.
    if (request.verdict === previous) throw new ApiError('refused', `No change: the check-in already stands at ${previous}.`);
    const reason = request.reason.trim();
    // The central server's own rule (src/shared/text-safety.ts): a reason it would refuse is refused
    // here, while the officer is at the screen, not found later as an override the server refused.
    // No control or bidirectional control characters, and a few visible characters.
    const problem = problemOfOfficerReason('reason', reason);
    if (problem) throw new ApiError('refused', `The reason cannot be used: ${problem.replace(/^reason: /, '')}.`);
    // Its own id: the override travels to the central server as a record of its own (exactly once);
    // `by` is the signed-in officer's id, never a name the caller types.
    // The current verdict's reasons are the override's (none for an accept); the scan's stay on the check-in.
    const reasons = reasonsAfterOverride(request.verdict, stored.override?.reasons ?? stored.reasons);
    const override = { id: this.ctx.deps.kiosk.nextId(), by, reason, verdict: request.verdict, reasons, at: this.ctx.nowIso() };
    // Its audit entry (from, to, the officer's reason) is written in the same transaction.
    store.setOverride(request.id, override);
    this.ctx.ledger.overridden(stored, previous, request.verdict, stored.override !== undefined);
    this.ctx.log.info('verdict overridden', { from: previous, to: request.verdict });
    return Promise.resolve(recentScan({ ...stored, override }));
  }

  /**
   * Manual entry of an ID card the scanner cannot read: the officer types what the card shows and
   * it goes through the same CCCD checks (province, century/sex/year digits) as a scanned card.
   * The card's issue date is not typed; the entry date stands in for it.
   */
  async manualEntry(session: string, entry: ManualEntry): Promise<ScanResult> {
    const by = this.officer(session);
    const [y, m, d] = entry.dob.split('-');
    const today = new Date(this.ctx.deps.clock.now() + 7 * 3_600_000).toISOString().slice(0, 10).split('-');
    const line = [entry.idNo, '', entry.name.trim().replace(/\|/g, ' '), `${d}${m}${y}`, entry.sex === 'M' ? 'Nam' : 'Nữ', '', `${today[2]}${today[1]}${today[0]}`].join('|');
    const result = await this.ctx.scan(line, 'manual', by);
    this.ctx.deps.kiosk.store.audit({ at: this.ctx.nowIso(), actor: by, action: 'manual-entry', detail: result.ok ? { checkInId: result.outcome.id } : {} });
    return result;
  }

  async shiftCounts(session: string): Promise<ShiftCounts> {
    this.officer(session);
    return Promise.resolve(this.ctx.ledger.shift());
  }

  async startShift(session: string): Promise<ShiftCounts> {
    const by = this.officer(session);
    const since = this.ctx.nowIso();
    this.ctx.deps.kiosk.store.setSetting(API_SETTINGS.shiftStart, since);
    this.ctx.deps.kiosk.store.audit({ at: since, actor: by, action: 'shift-start' });
    this.ctx.ledger.reload(since);
    return Promise.resolve(this.ctx.ledger.shift());
  }

  /** The signed-in officer's id (booth profile only), or ApiError 'refused' / 'unauthorized'. */
  private officer(session: string): string {
    this.requireBooth();
    return this.ctx.access.require(session, 'officer').actor;
  }

  private requireBooth(): void {
    if (readProfile(this.ctx.deps.kiosk.store) !== 'booth') throw new ApiError('refused', 'This kiosk runs the venue profile: it has no officer screens.');
  }
}

/** A check-in as the booth's recent list shows it: the name masked, no ID number. */
export function recentScan(c: StoredCheckIn): RecentScan {
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
