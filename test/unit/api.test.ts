import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CheckIn, Override, OverrideRecord } from '../../src/shared/types.js';
import type { AuditEntry, CheckInStore, DedupRule, RecordOutcome, StoredCheckIn } from '../../src/store/types.js';
import { KioskService } from '../../src/app/kiosk.js';
import { createKioskApi, type DeliverySnapshot, type KioskApiService } from '../../src/app/api.js';
import { silentLogger } from '../../src/core/system.js';
import type { KioskApiEvents } from '../../src/shared/api.js';
import { CCCD_VALID } from '../fixtures/identity/samples.js';

/** A CheckInStore in memory: enough of the contract for the API (dedup by key within window). */
class MemoryStore implements CheckInStore {
  rows: StoredCheckIn[] = [];
  settings = new Map<string, string>();
  audits: AuditEntry[] = [];
  private keys: { key: string; at: number; id: string; deviceId: string; direction: string }[] = [];
  record(c: CheckIn, dedup?: DedupRule): RecordOutcome {
    const at = Date.parse(c.scannedAt);
    if (dedup) {
      const hit = this.keys.find((k) => k.key === dedup.key && k.deviceId === c.deviceId && k.direction === c.direction && at - k.at < dedup.windowMs);
      if (hit) return { kind: 'duplicate', of: hit.id };
      this.keys.push({ key: dedup.key, at, id: c.id, deviceId: c.deviceId, direction: c.direction });
    }
    this.rows.push({ ...c, delivery: 'pending' });
    return { kind: 'recorded' };
  }
  *all() {
    yield* this.rows.map((r) => ({ ...r }));
  }
  get(id: string) {
    const r = this.rows.find((x) => x.id === id);
    return r ? { ...r } : undefined;
  }
  pendingBatch(limit: number) {
    return this.rows.filter((r) => r.delivery === 'pending').slice(0, limit);
  }
  markForwarded(ids: readonly string[]) {
    for (const r of this.rows) if (ids.includes(r.id)) r.delivery = 'forwarded';
  }
  markRejected(rej: readonly { id: string; reason: string }[]) {
    for (const { id, reason } of rej) {
      const r = this.rows.find((x) => x.id === id);
      if (r) Object.assign(r, { delivery: 'rejected', rejectReason: reason });
    }
  }
  queueStats() {
    return { depth: this.rows.filter((r) => r.delivery === 'pending').length, rejected: this.rows.filter((r) => r.delivery === 'rejected').length };
  }
  purgeForwarded() {
    return 0;
  }
  overrides: OverrideRecord[] = [];
  pendingOverrides(limit: number) {
    return this.overrides.slice(0, limit);
  }
  markOverridesForwarded(ids: readonly string[]) {
    this.overrides = this.overrides.filter((o) => !ids.includes(o.id));
  }
  markOverridesRejected() {}
  setOverride(id: string, o: Override) {
    const r = this.rows.find((x) => x.id === id);
    if (!r) throw new Error('no such check-in');
    // As the real store: one audit entry, in the same step as the override.
    this.audits.push({ at: o.at, actor: o.by, action: 'override', detail: { checkInId: id, from: r.override?.verdict ?? r.verdict, to: o.verdict, reason: o.reason } });
    r.override = o;
    this.overrides.push({ id: o.id ?? `ov-${this.overrides.length}`, checkinId: id, verdict: o.verdict, reasons: o.reasons ?? r.reasons, by: o.by, reason: o.reason, at: o.at });
  }
  getSetting(k: string) {
    return this.settings.get(k);
  }
  setSetting(k: string, v: string) {
    this.settings.set(k, v);
  }
  audit(e: AuditEntry) {
    this.audits.push(e);
  }
  auditLog(limit: number) {
    return this.audits.slice(-limit).reverse();
  }
  auditHead() {
    return '0'.repeat(64);
  }
  close() {}
}

const T0 = Date.parse('2026-11-25T02:00:00Z');

function setup(store = new MemoryStore(), delivery?: () => DeliverySnapshot) {
  let now = T0;
  let seq = 0;
  const pending: { fn: () => void; at: number }[] = [];
  const clock = { now: () => now };
  const timers = {
    setTimeout: (fn: () => void, ms: number) => {
      const h = { fn, at: now + ms };
      pending.push(h);
      return h;
    },
    clearTimeout: (h: unknown) => {
      const i = pending.indexOf(h as (typeof pending)[number]);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  const kiosk = new KioskService({
    store,
    scanners: [],
    config: { deviceId: 'dev-1', checkpointId: 'cp-1', direction: 'in' },
    clock,
    timers,
    ids: { next: () => `00000000-0000-7000-8000-${String(++seq).padStart(12, '0')}` },
    logger: silentLogger,
  });
  const exportDir = mkdtempSync(path.join(os.tmpdir(), 'api-export-'));
  const setupCodeFile = path.join(exportDir, 'setup-code');
  const api = createKioskApi({ kiosk, clock, timers, logger: silentLogger, exportDir, ...(delivery ? { delivery } : {}), pin: { scryptN: 1024, setupCodeFile } });
  const advance = (ms: number) => {
    now += ms;
    for (const h of pending.filter((p) => p.at <= now)) {
      timers.clearTimeout(h);
      h.fn();
    }
  };
  /** Sets the PIN through first-start setup (the code from the file) and returns a technician session. */
  const tech = async (pin = '246813'): Promise<string> => {
    if ((await api.techState()).pinSet) {
      const r = await api.techUnlock(pin);
      if (!r.ok) throw new Error(`unlock failed: ${r.reason}`);
      return r.session;
    }
    const r = await api.techSetup(readFileSync(setupCodeFile, 'utf8').trim(), pin);
    if (!r.ok) throw new Error(`setup failed: ${r.reason}`);
    return r.session;
  };
  /** Switches to the booth profile, issues a code for `officerId` and signs them in. */
  const officer = async (officerId = 'CB-0417'): Promise<string> => {
    const session = await tech();
    await api.techConfigure(session, { profile: 'booth' });
    const { code } = await api.techIssueOfficerCode(session, officerId);
    const r = await api.officerSignIn(officerId, code);
    if (!r.ok) throw new Error(`sign-in failed: ${r.reason}`);
    return r.session;
  };
  return { api, kiosk, store, exportDir, advance, clock, tech, officer, setupCodeFile };
}

function collect<E extends keyof KioskApiEvents>(api: KioskApiService, event: E): KioskApiEvents[E][] {
  const out: KioskApiEvents[E][] = [];
  api.on(event, (p) => out.push(p));
  return out;
}

describe('kiosk API over a KioskService', () => {
  let ctx: ReturnType<typeof setup>;
  beforeEach(() => {
    ctx = setup();
  });
  afterEach(() => {
    ctx.api.close();
    rmSync(ctx.exportDir, { recursive: true, force: true });
  });

  it('turns a wedge scan into a committed check-in, an outcome event with the masked name, and a recent row', async () => {
    const outcomes = collect(ctx.api, 'outcome');
    const res = await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.outcome).toMatchObject({ kind: 'checkin', verdict: 'accept', format: 'cccd', source: 'wedge', direction: 'in' });
    expect(res.outcome.display.maskedName).toBe('N****n V*n A*');
    expect(outcomes).toHaveLength(1);
    // The event every page receives names only the person just scanned, masked: no detail lines.
    expect(outcomes[0]!.display.details).toEqual([]);
    expect(JSON.stringify(outcomes[0])).not.toMatch(/Nguyễn|001085012345|1985/);
    expect(ctx.store.rows).toHaveLength(1);
    const session = await ctx.officer();
    const recent = await ctx.api.recentScans(session, 10);
    expect(recent[0]).toMatchObject({ id: res.outcome.id, verdict: 'accept', maskedName: 'N****n V*n A*', delivery: 'pending' });
    expect(JSON.stringify(recent)).not.toContain('001085012345');
    const details = await ctx.api.scanDetails(session, res.outcome.id);
    expect(details?.subject.idNo).toBe('001085012345');
  });

  it('shows a repeat scan as a duplicate of the first and counts it without recording it', async () => {
    const first = await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    const again = await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    expect(again.ok && again.outcome).toMatchObject({ kind: 'duplicate', id: first.ok ? first.outcome.id : '', format: 'cccd' });
    expect(ctx.store.rows).toHaveLength(1);
    expect(await ctx.api.shiftCounts(await ctx.officer())).toMatchObject({ total: 1, accept: 1, duplicates: 1, in: 1 });
  });

  it('records an override by the signed-in officer: their id in the check-in and the audit log, and moves the shift counts', async () => {
    const res = await ctx.api.submitScan({ text: 'garbage that is no credential', source: 'wedge' });
    const id = res.ok ? res.outcome.id : '';
    expect(res.ok && res.outcome.verdict).toBe('reject');
    const session = await ctx.officer('badge-17');
    const row = await ctx.api.overrideCheckIn(session, { id, verdict: 'accept', reason: 'paper declaration checked' });
    expect(row.override).toMatchObject({ verdict: 'accept', reason: 'paper declaration checked', by: 'badge-17' });
    expect(ctx.store.get(id)?.override).toMatchObject({ verdict: 'accept', by: 'badge-17' });
    expect(ctx.store.audits.at(-1)).toMatchObject({ actor: 'badge-17', action: 'override', detail: { checkInId: id, from: 'reject', to: 'accept', reason: 'paper declaration checked' } });
    expect(ctx.store.audits.filter((a) => a.action === 'override')).toHaveLength(1);
    expect(await ctx.api.shiftCounts(session)).toMatchObject({ total: 1, accept: 1, reject: 0, overridden: 1 });
    await expect(ctx.api.overrideCheckIn(session, { id: 'nope', verdict: 'accept', reason: 'x' })).rejects.toThrow(/No check-in/);
  });

  it('refuses an override reason that reads as empty or holds a control or bidirectional control character, recording nothing', async () => {
    const res = await ctx.api.submitScan({ text: 'garbage that is no credential', source: 'wedge' });
    const id = res.ok ? res.outcome.id : '';
    const session = await ctx.officer('badge-17');
    for (const reason of ['\u200b', ' \u200b\u2060 ', 'ok', 'paper seen \u202egnp.exe', 'paper\u0000seen', 'paper \u0007seen']) {
      await expect(ctx.api.overrideCheckIn(session, { id, verdict: 'accept', reason }), JSON.stringify(reason)).rejects.toMatchObject({ code: 'refused' });
    }
    expect(ctx.store.get(id)?.override).toBeUndefined();
    expect(ctx.store.overrides).toEqual([]);
    await ctx.api.overrideCheckIn(session, { id, verdict: 'accept', reason: 'giấy xét nghiệm' });
    expect(ctx.store.get(id)?.override?.reason).toBe('giấy xét nghiệm');
  });

  it('refuses an override that changes nothing (accept to accept) as no change', async () => {
    const res = await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    const id = res.ok ? res.outcome.id : '';
    const session = await ctx.officer('badge-17');
    await expect(ctx.api.overrideCheckIn(session, { id, verdict: 'accept', reason: 'looks fine to me' })).rejects.toMatchObject({ code: 'refused', message: /No change/ });
    expect(ctx.store.get(id)?.override).toBeUndefined();
    await ctx.api.overrideCheckIn(session, { id, verdict: 'reject', reason: 'photo does not match' });
    await expect(ctx.api.overrideCheckIn(session, { id, verdict: 'reject', reason: 'still does not match' })).rejects.toMatchObject({ code: 'refused' });
    expect(ctx.store.overrides).toHaveLength(1);
  });

  it('keeps the shift duplicate count across a restart, as the totals', async () => {
    await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    expect(await ctx.api.shiftCounts(await ctx.officer())).toMatchObject({ total: 1, duplicates: 2 });
    ctx.api.close();
    const again = setup(ctx.store);
    try {
      const session = await again.officer();
      expect(await again.api.shiftCounts(session)).toMatchObject({ total: 1, duplicates: 2 });
      // A new shift starts both from zero.
      again.advance(1000);
      expect(await again.api.startShift(session)).toMatchObject({ total: 0, duplicates: 0 });
    } finally {
      again.api.close();
      rmSync(again.exportDir, { recursive: true, force: true });
    }
  });

  it('records nothing for an empty wedge text; a too-long one is a rejected too-large check-in, as from a driver', async () => {
    expect(await ctx.api.submitScan({ text: '', source: 'wedge' })).toMatchObject({ ok: false, error: expect.stringMatching(/Empty scan/) });
    expect(await ctx.api.submitScan({ text: '  \n', source: 'wedge' })).toMatchObject({ ok: false });
    expect(ctx.store.rows).toHaveLength(0);
    const long = await ctx.api.submitScan({ text: 'HC1:'.padEnd(5000, 'A'), source: 'wedge' });
    expect(long.ok && long.outcome).toMatchObject({ kind: 'checkin', verdict: 'reject', reasons: ['too-large'] });
    const burst = await ctx.api.submitScan({ text: '', source: 'wedge', fault: 'too-large' });
    expect(burst.ok && burst.outcome).toMatchObject({ kind: 'checkin', verdict: 'reject', reasons: ['too-large'] });
    expect(ctx.store.rows).toHaveLength(2);
  });

  it('checks a manually typed ID card like a scanned one, audited with the officer id', async () => {
    const session = await ctx.officer('CB-9');
    const ok = await ctx.api.manualEntry(session, { idNo: '001085012345', name: 'Nguyễn Văn An', dob: '1985-03-15', sex: 'M' });
    expect(ok.ok && ok.outcome).toMatchObject({ verdict: 'accept', format: 'cccd', source: 'manual' });
    expect(ctx.store.audits.at(-1)).toMatchObject({ actor: 'CB-9', action: 'manual-entry', detail: { checkInId: ok.ok ? ok.outcome.id : '' } });
    // Digit 4 says female born in the 1900s; the officer typed male: inconsistent.
    const bad = await ctx.api.manualEntry(session, { idNo: '001185012345', name: 'Nguyễn Văn Bình', dob: '1985-03-15', sex: 'M' });
    expect(bad.ok && bad.outcome.verdict).toBe('reject');
    expect(bad.ok && bad.outcome.reasons).toContain('inconsistent-id');
  });

  it('sets direction for later check-ins and persists it', async () => {
    const status = await ctx.api.setDirection(await ctx.officer(), 'out');
    expect(status.direction).toBe('out');
    expect(ctx.store.getSetting('device.direction')).toBe('out');
    const res = await ctx.api.submitScan({ text: CCCD_VALID[1]!.text, source: 'wedge' });
    expect(res.ok && res.outcome.direction).toBe('out');
  });

  it('needs the setup code from the data dir to set the first PIN; then only a session may change it', async () => {
    expect((await ctx.api.getStatus()).needsSetup).toBe(true);
    expect(await ctx.api.techUnlock('1234')).toEqual({ ok: false, reason: 'no-pin' });
    const code = readFileSync(ctx.setupCodeFile, 'utf8').trim();
    expect(code).toMatch(/^\d{8}$/);
    expect(statSync(ctx.setupCodeFile).mode & 0o777).toBe(0o600);
    const wrong = code === '00000000' ? '11111111' : '00000000';
    expect(await ctx.api.techSetup(wrong, '246813')).toEqual({ ok: false, reason: 'wrong-pin' });
    expect((await ctx.api.getStatus()).needsSetup).toBe(true);
    const r = await ctx.api.techSetup(code, '246813');
    expect(r).toMatchObject({ ok: true, actor: 'technician' });
    expect(existsSync(ctx.setupCodeFile)).toBe(false);
    expect((await ctx.api.getStatus()).needsSetup).toBe(false);
    expect(ctx.store.getSetting('tech.pinHash')).toMatch(/^scrypt\$1024\$/);
    expect(ctx.store.getSetting('tech.pinHash')).not.toContain('246813');
    await expect(ctx.api.techSetup(code, '111111')).rejects.toThrow(/already set/);
    await expect(ctx.api.techSetPin('a'.repeat(64), '246813', '111111')).rejects.toMatchObject({ code: 'unauthorized' });
    const unlocked = await ctx.api.techUnlock('246813');
    expect(unlocked.ok).toBe(true);
    if (!unlocked.ok) return;
    // A session left open is not enough: the PIN in force is asked again, and a wrong one counts.
    await expect(ctx.api.techSetPin(unlocked.session, '999999', '135799')).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/current PIN is wrong/) });
    expect((await ctx.api.techUnlock('135799')).ok).toBe(false);
    await ctx.api.techSetPin(unlocked.session, '246813', '135799');
    expect((await ctx.api.techUnlock('135799')).ok).toBe(true);
  });

  it('makes wrong PINs wait longer per attempt, never locks out: after 20 wrong PINs the right one works within a minute, across a restart', async () => {
    await ctx.tech('246813');
    let lastRetry = T0;
    for (let i = 0; i < 20; i++) {
      const gate = await ctx.api.techState();
      if (gate.retryAt) {
        // An attempt during the wait is refused unchecked and does not extend it.
        expect(await ctx.api.techUnlock('0000')).toEqual({ ok: false, reason: 'wait', retryAt: gate.retryAt });
        ctx.advance(Date.parse(gate.retryAt) - ctx.clock.now());
      }
      const r = await ctx.api.techUnlock('0000');
      expect(r).toMatchObject({ ok: false, reason: 'wrong-pin' });
      if (!r.ok && r.reason === 'wrong-pin' && r.retryAt) lastRetry = Date.parse(r.retryAt);
    }
    expect(lastRetry - ctx.clock.now()).toBeLessThanOrEqual(30_000);
    expect(lastRetry - ctx.clock.now()).toBeGreaterThan(0);
    // A restart (new API over the same store) keeps the wait.
    const restarted = setup(ctx.store);
    expect(await restarted.api.techState()).toEqual({ pinSet: true, retryAt: new Date(lastRetry).toISOString() });
    restarted.api.close();
    ctx.advance(lastRetry - ctx.clock.now());
    const ok = await ctx.api.techUnlock('246813');
    expect(ok.ok).toBe(true);
    // Success resets the backoff: the next wrong PIN is free again.
    expect(await ctx.api.techUnlock('0000')).toEqual({ ok: false, reason: 'wrong-pin' });
  });

  it('refuses technician methods without a valid session, expires idle sessions, and locks on techLock', async () => {
    const session = await ctx.tech();
    await expect(ctx.api.techInfo('a'.repeat(64))).rejects.toMatchObject({ code: 'unauthorized' });
    expect((await ctx.api.techInfo(session)).status.checkpointId).toBe('cp-1');
    ctx.advance(6 * 60_000);
    await expect(ctx.api.techInfo(session)).rejects.toMatchObject({ code: 'unauthorized' });
    const again = await ctx.tech();
    await ctx.api.techLock(again);
    await expect(ctx.api.techInfo(again)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('refuses every booth method on a venue kiosk, and without an officer session on a booth', async () => {
    const techSession = await ctx.tech();
    await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    const id = ctx.store.rows[0]!.id;
    const calls = (s: string) => [
      () => ctx.api.recentScans(s, 10),
      () => ctx.api.scanDetails(s, id),
      () => ctx.api.setDirection(s, 'out'),
      () => ctx.api.overrideCheckIn(s, { id, verdict: 'reject', reason: 'x' }),
      () => ctx.api.manualEntry(s, { idNo: '001085012345', name: 'A', dob: '1985-03-15', sex: 'M' }),
      () => ctx.api.shiftCounts(s),
      () => ctx.api.startShift(s),
    ];
    expect((await ctx.api.getStatus()).profile).toBe('venue');
    for (const call of calls(techSession)) await expect(call()).rejects.toMatchObject({ code: 'refused' });
    await expect(ctx.api.officerSignIn('CB-1', '12345678')).rejects.toMatchObject({ code: 'refused' });
    await ctx.api.techConfigure(techSession, { profile: 'booth' });
    // A technician session is not an officer session; nor is a made-up token.
    for (const s of [techSession, 'f'.repeat(64)]) for (const call of calls(s)) await expect(call()).rejects.toMatchObject({ code: 'unauthorized' });
    expect(ctx.store.get(id)?.override).toBeUndefined();
    expect(ctx.kiosk.currentConfig().direction).toBe('in');
  });

  it('signs officers in with technician-issued codes, out after idle, and ends their sessions on revoke or venue profile', async () => {
    const techSession = await ctx.tech();
    await ctx.api.techConfigure(techSession, { profile: 'booth', officerIdleMinutes: 2 });
    const { code } = await ctx.api.techIssueOfficerCode(techSession, 'CB-1');
    expect(code).toMatch(/^\d{8}$/);
    expect(JSON.stringify(ctx.store.getSetting('booth.officers'))).not.toContain(code);
    expect(await ctx.api.officerSignIn('CB-2', code)).toEqual({ ok: false, reason: 'wrong-pin' });
    const r = await ctx.api.officerSignIn('CB-1', code);
    expect(r).toMatchObject({ ok: true, actor: 'CB-1', idleMs: 120_000 });
    if (!r.ok) return;
    expect(await ctx.api.shiftCounts(r.session)).toMatchObject({ total: 0 });
    ctx.advance(121_000);
    await expect(ctx.api.shiftCounts(r.session)).rejects.toMatchObject({ code: 'unauthorized' });
    const r2 = await ctx.api.officerSignIn('CB-1', code);
    if (!r2.ok) throw new Error('sign-in failed');
    await ctx.api.techRevokeOfficer(await ctx.tech(), 'CB-1');
    await expect(ctx.api.shiftCounts(r2.session)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(await ctx.api.officerSignIn('CB-1', code)).toMatchObject({ ok: false });
    const { code: code3 } = await ctx.api.techIssueOfficerCode(await ctx.tech(), 'CB-3');
    const r3 = await ctx.api.officerSignIn('CB-3', code3);
    if (!r3.ok) throw new Error('sign-in failed');
    await ctx.api.techConfigure(await ctx.tech(), { profile: 'venue' });
    await expect(ctx.api.shiftCounts(r3.session)).rejects.toMatchObject({ code: 'refused' });
    expect(ctx.store.audits.map((a) => a.action)).toEqual(expect.arrayContaining(['officer-code-issued', 'officer-sign-in', 'officer-revoked']));
  });

  it('keeps the profile and time zone it is given, and refuses an unknown time zone', async () => {
    const session = await ctx.tech();
    expect(await ctx.api.getStatus()).toMatchObject({ profile: 'venue', timeZone: 'Asia/Ho_Chi_Minh' });
    await ctx.api.techConfigure(session, { timeZone: 'Europe/Berlin', profile: 'booth' });
    expect(await ctx.api.getStatus()).toMatchObject({ profile: 'booth', timeZone: 'Europe/Berlin' });
    await expect(ctx.api.techConfigure(session, { timeZone: 'Mars/Olympus' })).rejects.toThrow(/Unknown time zone/);
    await expect(ctx.api.techRotateWebToken(session)).rejects.toMatchObject({ code: 'unavailable' });
  });

  it('configures the checkpoint, test-scans without recording, and exports check-ins to a file', async () => {
    const r = { session: await ctx.tech() };
    const info = await ctx.api.techConfigure(r.session, { checkpointId: 'QL1A-km12', checkpointName: 'Cửa ngõ Pháp Vân' });
    expect(info.status).toMatchObject({ checkpointId: 'QL1A-km12', checkpointName: 'Cửa ngõ Pháp Vân' });
    expect(ctx.kiosk.currentConfig().checkpointId).toBe('QL1A-km12');
    await expect(ctx.api.techConfigure(r.session, { enrollCode: 'abc' })).rejects.toThrow(/server URL/);
    const test = await ctx.api.techTestScan(r.session, CCCD_VALID[0]!.text);
    expect(test).toMatchObject({ format: 'cccd', verdict: 'accept' });
    expect(ctx.store.rows).toHaveLength(0);
    await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    const exported = await ctx.api.techExport(r.session, 'checkins');
    expect(exported.count).toBe(1);
    const line = JSON.parse(readFileSync(exported.path, 'utf8').trim()) as CheckIn;
    expect(line.checkpointId).toBe('QL1A-km12');
    // The exports folder is the kiosk user's only, even one an older version made 0755.
    chmodSync(path.dirname(exported.path), 0o755);
    const again = await ctx.api.techExport(r.session, 'logs');
    expect(statSync(path.dirname(again.path)).mode & 0o777).toBe(0o700);
    expect(statSync(again.path).mode & 0o777).toBe(0o600);
  });

  it('follows the delivery provider: pushes a status event when it goes offline and back', async () => {
    ctx.api.close();
    let state: DeliverySnapshot = { state: 'online' };
    ctx = setup(new MemoryStore(), () => state);
    const statuses = collect(ctx.api, 'status');
    expect((await ctx.api.getStatus()).delivery.state).toBe('online');
    ctx.advance(1000);
    expect(statuses).toHaveLength(0);
    state = { state: 'offline', lastError: 'connect ECONNREFUSED' };
    ctx.advance(1000);
    expect(statuses.at(-1)?.delivery).toMatchObject({ state: 'offline', lastError: 'connect ECONNREFUSED', queueDepth: 0 });
    state = { state: 'online' };
    ctx.advance(1000);
    expect(statuses.at(-1)?.delivery.state).toBe('online');
  });

  it('defaults to an unknown delivery state when no forwarder is connected', async () => {
    expect((await ctx.api.getStatus()).delivery).toEqual({ state: 'unknown', queueDepth: 0, pendingAlarm: false, rejected: 0 });
  });
});
