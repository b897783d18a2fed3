import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  const api = createKioskApi({ kiosk, clock, timers, logger: silentLogger, exportDir, ...(delivery ? { delivery } : {}), pin: { scryptN: 1024, baseLockMs: 30_000 } });
  const advance = (ms: number) => {
    now += ms;
    for (const h of pending.filter((p) => p.at <= now)) {
      timers.clearTimeout(h);
      h.fn();
    }
  };
  return { api, kiosk, store, exportDir, advance, clock };
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
    expect(ctx.store.rows).toHaveLength(1);
    const recent = await ctx.api.recentScans(10);
    expect(recent[0]).toMatchObject({ id: res.outcome.id, verdict: 'accept', maskedName: 'N****n V*n A*', delivery: 'pending' });
    expect(JSON.stringify(recent)).not.toContain('001085012345');
    const details = await ctx.api.scanDetails(res.outcome.id);
    expect(details?.subject.idNo).toBe('001085012345');
  });

  it('shows a repeat scan as a duplicate of the first and counts it without recording it', async () => {
    const first = await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    const again = await ctx.api.submitScan({ text: CCCD_VALID[0]!.text, source: 'wedge' });
    expect(again.ok && again.outcome).toMatchObject({ kind: 'duplicate', id: first.ok ? first.outcome.id : '', format: 'cccd' });
    expect(ctx.store.rows).toHaveLength(1);
    expect(await ctx.api.shiftCounts()).toMatchObject({ total: 1, accept: 1, duplicates: 1, in: 1 });
  });

  it('records an override with its reason in the check-in and the audit log, and moves the shift counts', async () => {
    const res = await ctx.api.submitScan({ text: 'garbage that is no credential', source: 'wedge' });
    const id = res.ok ? res.outcome.id : '';
    expect(res.ok && res.outcome.verdict).toBe('reject');
    const row = await ctx.api.overrideCheckIn({ id, verdict: 'accept', reason: 'paper declaration checked', by: 'badge-17' });
    expect(row.override).toMatchObject({ verdict: 'accept', reason: 'paper declaration checked', by: 'badge-17' });
    expect(ctx.store.get(id)?.override?.verdict).toBe('accept');
    expect(ctx.store.audits.at(-1)).toMatchObject({ actor: 'badge-17', action: 'override', detail: { checkInId: id, from: 'reject', to: 'accept', reason: 'paper declaration checked' } });
    expect(await ctx.api.shiftCounts()).toMatchObject({ total: 1, accept: 1, reject: 0, overridden: 1 });
    await expect(ctx.api.overrideCheckIn({ id: 'nope', verdict: 'accept', reason: 'x', by: 'y' })).rejects.toThrow(/No check-in/);
  });

  it('checks a manually typed ID card like a scanned one', async () => {
    const ok = await ctx.api.manualEntry({ idNo: '001085012345', name: 'Nguyễn Văn An', dob: '1985-03-15', sex: 'M' });
    expect(ok.ok && ok.outcome).toMatchObject({ verdict: 'accept', format: 'cccd', source: 'manual' });
    // Digit 4 says female born in the 1900s; the officer typed male: inconsistent.
    const bad = await ctx.api.manualEntry({ idNo: '001185012345', name: 'Nguyễn Văn Bình', dob: '1985-03-15', sex: 'M' });
    expect(bad.ok && bad.outcome.verdict).toBe('reject');
    expect(bad.ok && bad.outcome.reasons).toContain('inconsistent-id');
  });

  it('sets direction for later check-ins and persists it', async () => {
    const status = await ctx.api.setDirection('out');
    expect(status.direction).toBe('out');
    expect(ctx.store.getSetting('device.direction')).toBe('out');
    const res = await ctx.api.submitScan({ text: CCCD_VALID[1]!.text, source: 'wedge' });
    expect(res.ok && res.outcome.direction).toBe('out');
  });

  it('needs setup until a PIN exists; then only a session may change it', async () => {
    expect((await ctx.api.getStatus()).needsSetup).toBe(true);
    expect(await ctx.api.techUnlock('1234')).toEqual({ ok: false, reason: 'no-pin' });
    await ctx.api.techSetPin(null, '2468');
    expect((await ctx.api.getStatus()).needsSetup).toBe(false);
    expect(ctx.store.getSetting('tech.pinHash')).toMatch(/^scrypt\$1024\$/);
    expect(ctx.store.getSetting('tech.pinHash')).not.toContain('2468');
    await expect(ctx.api.techSetPin(null, '1111')).rejects.toThrow(/PIN again/);
    const unlocked = await ctx.api.techUnlock('2468');
    expect(unlocked.ok).toBe(true);
    if (unlocked.ok) await ctx.api.techSetPin(unlocked.session, '1357');
    expect((await ctx.api.techUnlock('1357')).ok).toBe(true);
  });

  it('locks the technician out after 5 wrong PINs, longer each time, and across a restart', async () => {
    await ctx.api.techSetPin(null, '2468');
    for (let i = 4; i >= 1; i--) expect(await ctx.api.techUnlock('0000')).toEqual({ ok: false, reason: 'wrong-pin', attemptsLeft: i });
    const locked = await ctx.api.techUnlock('0000');
    expect(locked).toMatchObject({ ok: false, reason: 'locked', lockedUntil: new Date(T0 + 30_000).toISOString() });
    // Even the right PIN is refused while locked.
    expect(await ctx.api.techUnlock('2468')).toMatchObject({ ok: false, reason: 'locked' });
    // A restart (new API over the same store) keeps the lock.
    const restarted = setup(ctx.store);
    expect(await restarted.api.techState()).toMatchObject({ pinSet: true, lockedUntil: new Date(T0 + 30_000).toISOString() });
    restarted.api.close();
    ctx.advance(30_001);
    for (let i = 0; i < 4; i++) await ctx.api.techUnlock('0000');
    const second = await ctx.api.techUnlock('0000');
    expect(second).toMatchObject({ reason: 'locked', lockedUntil: new Date(T0 + 30_001 + 60_000).toISOString() });
    expect(ctx.store.audits.filter((a) => a.action === 'pin-lockout')).toHaveLength(2);
    ctx.advance(60_000);
    expect((await ctx.api.techUnlock('2468')).ok).toBe(true);
  });

  it('refuses technician methods without a valid session and expires idle sessions', async () => {
    await ctx.api.techSetPin(null, '2468');
    await expect(ctx.api.techInfo('a'.repeat(64))).rejects.toMatchObject({ code: 'unauthorized' });
    const r = await ctx.api.techUnlock('2468');
    if (!r.ok) throw new Error('unlock failed');
    expect((await ctx.api.techInfo(r.session)).status.checkpointId).toBe('cp-1');
    ctx.advance(16 * 60_000);
    await expect(ctx.api.techInfo(r.session)).rejects.toMatchObject({ code: 'unauthorized' });
  });

  it('configures the checkpoint, test-scans without recording, and exports check-ins to a file', async () => {
    await ctx.api.techSetPin(null, '2468');
    const r = await ctx.api.techUnlock('2468');
    if (!r.ok) throw new Error('unlock failed');
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
