/**
 * The technician half of the kiosk UI API (behind a technician session): diagnostics, settings
 * (checkpoint, direction, profile, time zone, officer idle time, server, enrollment and arming
 * re-provisioning by card), officer
 * sign-in codes, the web URL token, test scans, self-test and exports.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExportResult, OfficerCode, Profile, RejectedRecord, SelfTestView, TechConfigPatch, TechInfo, TestScanResult } from '../shared/api.js';
import { assessText } from '../core/assess.js';
import { DEFAULT_FORMATS } from '../credentials/registry.js';
import { maskSubject } from '../shared/mask.js';
import { ApiError } from './api-error.js';
import { TECH_ACTOR } from './access/access-control.js';
import type { DeskContext } from './desk-context.js';
import { API_SETTINGS } from './api-settings.js';
import { UI_SETTINGS, isTimeZone, readOfficerIdleMinutes, readProfile, readTimeZone } from './ui-settings.js';

export class TechDesk {
  constructor(private readonly ctx: DeskContext) {}

  async techIssueOfficerCode(session: string, officerId: string): Promise<OfficerCode> {
    this.ctx.tech(session);
    let code: string;
    try {
      code = await this.ctx.access.officers.issue(officerId, this.ctx.nowIso());
    } catch (err) {
      throw new ApiError('refused', (err as Error).message);
    }
    // A re-issued code ends the officer's open sessions: the old code is no longer theirs.
    this.ctx.access.sessions.closeAll('officer', officerId);
    this.ctx.deps.kiosk.store.audit({ at: this.ctx.nowIso(), actor: TECH_ACTOR, action: 'officer-code-issued', detail: { officerId } });
    return { officerId, code };
  }

  async techRevokeOfficer(session: string, officerId: string): Promise<TechInfo> {
    this.ctx.tech(session);
    if (!this.ctx.access.officers.revoke(officerId)) throw new ApiError('not-found', `No officer "${officerId}".`);
    this.ctx.access.sessions.closeAll('officer', officerId);
    this.ctx.deps.kiosk.store.audit({ at: this.ctx.nowIso(), actor: TECH_ACTOR, action: 'officer-revoked', detail: { officerId } });
    return this.techInfo(session);
  }

  async techRotateWebToken(session: string): Promise<{ url: string }> {
    this.ctx.tech(session);
    if (!this.ctx.deps.rotateWebToken) throw new ApiError('unavailable', 'Only web mode has a URL token to rotate.');
    const url = this.ctx.deps.rotateWebToken();
    this.ctx.deps.kiosk.store.audit({ at: this.ctx.nowIso(), actor: TECH_ACTOR, action: 'web-token-rotated' });
    return Promise.resolve({ url });
  }

  async techInfo(session: string): Promise<TechInfo> {
    this.ctx.tech(session);
    const store = this.ctx.deps.kiosk.store;
    const issuedAt = this.ctx.deps.kiosk.currentTrust().issuedAt;
    const issuedMs = Date.parse(issuedAt);
    const policy = this.ctx.policy();
    const serverUrl = store.getSetting(API_SETTINGS.serverUrl);
    return Promise.resolve({
      status: this.ctx.status(),
      ...(serverUrl ? { serverUrl } : {}),
      enrolled: store.getSetting(API_SETTINGS.enrolled) !== undefined,
      policyName: this.ctx.deps.policyName ?? 'default',
      duplicateWindowMinutes: policy.duplicateWindowMinutes,
      trustAgeHours: issuedMs > 0 ? Math.round((this.ctx.deps.clock.now() - issuedMs) / 360_000) / 10 : null,
      clockOffsetMs: this.ctx.deps.clockOffsetMs?.() ?? null,
      clockSkewSeconds: policy.clockSkewSeconds,
      rejectedRecords: this.rejectedRecords(100),
      devices: this.ctx.deps.kiosk.devices?.health() ?? [],
      logs: (this.ctx.deps.logs?.() ?? []).slice(-200),
      audit: store.auditLog(50),
      profile: readProfile(store),
      timeZone: readTimeZone(store),
      officerIdleMinutes: readOfficerIdleMinutes(store),
      officers: this.ctx.access.officers.list(),
      webTokenRotatable: this.ctx.deps.rotateWebToken !== undefined,
    });
  }

  async techConfigure(session: string, patch: TechConfigPatch): Promise<TechInfo> {
    this.ctx.tech(session);
    const store = this.ctx.deps.kiosk.store;
    if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone)) throw new ApiError('refused', `Unknown time zone "${patch.timeZone}": use an IANA name such as Asia/Ho_Chi_Minh.`);
    if (patch.timeZone !== undefined) store.setSetting(UI_SETTINGS.timeZone, patch.timeZone);
    if (patch.officerIdleMinutes !== undefined) store.setSetting(UI_SETTINGS.officerIdleMinutes, String(patch.officerIdleMinutes));
    if (patch.profile !== undefined) this.setProfile(patch.profile);
    if (patch.checkpointId !== undefined) {
      this.ctx.deps.kiosk.setConfig({ checkpointId: patch.checkpointId });
      store.setSetting(API_SETTINGS.checkpoint, patch.checkpointId);
    }
    if (patch.checkpointName !== undefined) store.setSetting(API_SETTINGS.checkpointName, patch.checkpointName.trim());
    if (patch.direction !== undefined) this.ctx.applyDirection(patch.direction, TECH_ACTOR);
    if (patch.serverUrl !== undefined) store.setSetting(API_SETTINGS.serverUrl, patch.serverUrl);
    if (patch.reprovision) {
      if (!this.ctx.deps.reprovision) throw new ApiError('unavailable', 'Provisioning cards are not available in this build.');
      // Bound to this technician session: locking the panel or its expiry disarms it.
      this.ctx.deps.reprovision(() => this.ctx.access.sessions.alive(session, 'technician'));
      store.audit({ at: this.ctx.nowIso(), actor: TECH_ACTOR, action: 'reprovision-armed' });
    }
    const changed = Object.keys(patch).filter((k) => k !== 'enrollCode' && k !== 'reprovision');
    if (changed.length > 0) store.audit({ at: this.ctx.nowIso(), actor: TECH_ACTOR, action: 'configure', detail: { changed } });
    if (patch.enrollCode !== undefined) {
      const url = store.getSetting(API_SETTINGS.serverUrl);
      if (!url) throw new ApiError('refused', 'Set the server URL before enrolling.');
      if (!this.ctx.deps.enroll) throw new ApiError('unavailable', 'Enrollment is not available in this build.');
      await this.ctx.deps.enroll(url, patch.enrollCode);
      store.setSetting(API_SETTINGS.enrolled, this.ctx.nowIso());
      store.audit({ at: this.ctx.nowIso(), actor: TECH_ACTOR, action: 'enroll', detail: { server: url } });
    }
    this.ctx.emitStatus();
    return this.techInfo(session);
  }

  async techTestScan(session: string, text: string): Promise<TestScanResult> {
    this.ctx.tech(session);
    const { result, verdict } = await assessText(text, new Date(this.ctx.deps.clock.now()), {
      formats: DEFAULT_FORMATS,
      trust: () => this.ctx.deps.kiosk.currentTrust(),
      policy: () => this.ctx.policy(),
      logger: this.ctx.deps.logger,
    });
    return { format: result.format, verdict: verdict.verdict, reasons: verdict.reasons, length: text.length };
  }

  async techSelfTest(session: string, timeoutMs: number): Promise<SelfTestView> {
    this.ctx.tech(session);
    const devices = this.ctx.deps.kiosk.devices;
    if (!devices) return { ok: false, reason: 'unavailable', durationMs: 0 };
    return devices.startSelfTest(timeoutMs);
  }

  async techExport(session: string, what: 'checkins' | 'logs'): Promise<ExportResult> {
    this.ctx.tech(session);
    // Readable by the kiosk user only, like the files in it (one made 0755 by an older version is narrowed).
    mkdirSync(this.ctx.deps.exportDir, { recursive: true, mode: 0o700 });
    chmodSync(this.ctx.deps.exportDir, 0o700);
    const stamp = this.ctx.nowIso().replace(/[:.]/g, '-');
    const file = path.join(this.ctx.deps.exportDir, `${what}-${stamp}.jsonl`);
    const lines: string[] = [];
    if (what === 'checkins') {
      // Identity fields stay out of files on the kiosk: only `checkpoint-kiosk export --reveal`
      // (technician PIN, audited) prints them.
      for (const c of this.ctx.deps.kiosk.store.all()) lines.push(JSON.stringify({ ...c, subject: maskSubject(c.subject) }));
    } else {
      for (const l of this.ctx.deps.logs?.() ?? []) lines.push(JSON.stringify({ type: 'log', ...l }));
      for (const a of this.ctx.deps.kiosk.store.auditLog(10_000)) lines.push(JSON.stringify({ type: 'audit', ...a }));
    }
    // Masked names and override reasons are still not for everyone: readable by the kiosk user only.
    writeFileSync(file, lines.length ? `${lines.join('\n')}\n` : '', { mode: 0o600 });
    this.ctx.deps.kiosk.store.audit({ at: this.ctx.nowIso(), actor: TECH_ACTOR, action: 'export', detail: { what, count: lines.length } });
    return Promise.resolve({ path: file, count: lines.length });
  }

  /**
   * The latest `limit` records the server refused, check-ins and officer overrides alike (each
   * kept and marked, never dropped), oldest first.
   */
  private rejectedRecords(limit: number): RejectedRecord[] {
    const store = this.ctx.deps.kiosk.store;
    const stats = store.queueStats();
    const out: (RejectedRecord & { order: string })[] = [];
    if (stats.rejected > 0) {
      for (const c of store.all()) {
        if (c.delivery !== 'rejected') continue;
        out.push({ id: c.id, scannedAt: c.scannedAt, reason: c.rejectReason ?? 'rejected', order: c.scannedAt });
        if (out.length > limit) out.shift();
      }
    }
    if ((stats.overridesRejected ?? 0) > 0) {
      for (const o of store.rejectedOverrides?.(limit) ?? []) {
        out.push({ id: o.id, kind: 'override', checkinId: o.checkinId, verdict: o.verdict, by: o.by, scannedAt: o.at, reason: o.reason, order: o.at });
      }
    }
    out.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    return out.slice(-limit).map(({ order: _order, ...r }) => r);
  }

  private setProfile(profile: Profile): void {
    this.ctx.deps.kiosk.store.setSetting(UI_SETTINGS.profile, profile);
    // Leaving the booth profile signs every officer out.
    if (profile !== 'booth') this.ctx.access.sessions.closeAll('officer');
  }
}
