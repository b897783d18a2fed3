/**
 * The durable store on real SQLite files: duplicate window, atomic check-in + outbox, delivery
 * states, retention purge, overrides with audit, settings, export order, reopen.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, type SqliteStore } from '../../src/store/index.js';
import { PAGE_CACHE_KIB } from '../../src/store/open-store.js';
import { T0, checkIn, open, removeDir, tempDir } from '../fixtures/store/helpers.js';

const WINDOW = 5 * 60_000;
let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = tempDir();
  store = open(dir);
});
afterEach(() => {
  store.close();
  removeDir(dir);
});

describe('open', () => {
  it('creates <dir>/kiosk.db in WAL mode with synchronous=FULL and foreign keys on', () => {
    expect(store.file).toBe(path.join(path.resolve(dir), 'kiosk.db'));
    expect(fs.existsSync(path.join(dir, 'kiosk.db'))).toBe(true);
    const db = store['db'] as Database.Database;
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(1000);
  });

  it('bounds its SQLite page cache to PAGE_CACHE_KIB (not better-sqlite3\'s 16 MiB default)', () => {
    const db = store['db'] as Database.Database;
    expect(PAGE_CACHE_KIB).toBeLessThanOrEqual(4096);
    expect(db.pragma('cache_size', { simple: true })).toBe(-PAGE_CACHE_KIB); // negative: KiB
    const fresh = new Database(':memory:');
    expect(fresh.pragma('cache_size', { simple: true })).not.toBe(-PAGE_CACHE_KIB); // the bound is ours
    fresh.close();
  });

  it('creates a missing data folder with its parents', () => {
    const nested = path.join(dir, 'a', 'b');
    const s = open(nested);
    s.close();
    expect(fs.existsSync(path.join(nested, 'kiosk.db'))).toBe(true);
  });
});

describe('record and the duplicate window', () => {
  const key = 'cccd:001090000001';

  it('records, then reports a second scan of the same key as a duplicate of the first', () => {
    const first = checkIn(0);
    expect(store.record(first, { key, windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    const again = checkIn(1000);
    expect(store.record(again, { key, windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: first.id });
    expect(store.get(again.id)).toBeUndefined();
    expect([...store.all()].map((c) => c.id)).toEqual([first.id]);
    expect(store.queueStats().depth).toBe(1);
  });

  it('treats exactly windowMs later as inside the window and windowMs + 1 as outside', () => {
    const first = checkIn(0);
    store.record(first, { key, windowMs: WINDOW });
    expect(store.record(checkIn(WINDOW), { key, windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: first.id });
    expect(store.record(checkIn(WINDOW + 1), { key, windowMs: WINDOW })).toEqual({ kind: 'recorded' });
  });

  it('points a duplicate at the most recent recorded check-in of the key', () => {
    const a = checkIn(0);
    const b = checkIn(WINDOW + 10);
    store.record(a, { key, windowMs: WINDOW });
    store.record(b, { key, windowMs: WINDOW });
    expect(store.record(checkIn(WINDOW + 20), { key, windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: b.id });
  });

  it('records the same key at another device or in the other direction', () => {
    store.record(checkIn(0), { key, windowMs: WINDOW });
    expect(store.record(checkIn(10, { deviceId: 'dev-2' }), { key, windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(store.record(checkIn(20, { direction: 'out' }), { key, windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(store.record(checkIn(30), { key: 'cccd:001090000002', windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect([...store.all()]).toHaveLength(4);
  });

  it('counts check-ins under the former id the rule names as the same device (renamed at enrollment)', () => {
    const first = checkIn(0, { deviceId: 'local-1' });
    store.record(first, { key, windowMs: WINDOW });
    expect(store.record(checkIn(10, { deviceId: 'dev-2' }), { key, windowMs: WINDOW, formerDeviceId: 'local-1' })).toEqual({ kind: 'duplicate', of: first.id });
    // Any other id is still another device.
    expect(store.record(checkIn(20, { deviceId: 'dev-2' }), { key, windowMs: WINDOW, formerDeviceId: 'local-9' })).toEqual({ kind: 'recorded' });
  });

  it('never deduplicates without a dedup rule, nor against check-ins recorded without one', () => {
    store.record(checkIn(0));
    store.record(checkIn(1));
    expect(store.record(checkIn(2), { key, windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(store.record(checkIn(3))).toEqual({ kind: 'recorded' });
    expect([...store.all()]).toHaveLength(4);
  });

  it('does not count a check-in scanned later than this one (clock stepped back)', () => {
    store.record(checkIn(10_000), { key, windowMs: WINDOW });
    expect(store.record(checkIn(0), { key, windowMs: WINDOW })).toEqual({ kind: 'recorded' });
  });

  it('keeps the duplicate key out of the database in clear', () => {
    store.record(checkIn(0, { subject: {} }), { key: 'SECRET-KEY-123456', windowMs: WINDOW });
    store.close();
    const bytes = fs.readFileSync(path.join(dir, 'kiosk.db'));
    expect(bytes.includes(Buffer.from('SECRET-KEY-123456'))).toBe(false);
    store = open(dir);
    // ...yet the window still works after reopening (the salt persisted).
    expect(store.record(checkIn(5), { key: 'SECRET-KEY-123456', windowMs: WINDOW }).kind).toBe('duplicate');
  });

  it('rejects an unparseable scannedAt and a negative window without writing', () => {
    expect(() => store.record(checkIn(0, { scannedAt: 'yesterday' }))).toThrow(RangeError);
    expect(() => store.record(checkIn(0), { key, windowMs: -1 })).toThrow(RangeError);
    expect([...store.all()]).toHaveLength(0);
  });

  it('round-trips every field, including subject, reasons and an override', () => {
    const c = checkIn(0, {
      format: 'vnqr',
      verdict: 'refer',
      reasons: ['status:f1', 'identity-only'],
      direction: 'out',
      override: { by: 'officer-7', reason: 'checked by phone', verdict: 'accept', at: new Date(T0 + 5).toISOString() },
    });
    store.record(c);
    expect(store.get(c.id)).toEqual({ ...c, delivery: 'pending' });
  });
});

describe('atomicity of check-in + outbox row', () => {
  it('writes neither row when the outbox insert fails', () => {
    const ok = checkIn(0);
    store.record(ok);
    // A second connection makes the outbox insert fail inside record()'s transaction.
    const other = new Database(path.join(dir, 'kiosk.db'));
    other.exec("CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'injected'); END");
    const doomed = checkIn(1);
    expect(() => store.record(doomed)).toThrow(StoreError);
    expect(store.get(doomed.id)).toBeUndefined();
    const counts = other.prepare('SELECT (SELECT COUNT(*) FROM checkins) AS c, (SELECT COUNT(*) FROM outbox) AS o').get();
    expect(counts).toEqual({ c: 1, o: 1 });
    other.exec('DROP TRIGGER fail_outbox');
    other.close();
    expect(store.record(doomed)).toEqual({ kind: 'recorded' });
    expect(store.queueStats().depth).toBe(2);
  });

  it('refuses a second check-in with an existing id and leaves the first intact', () => {
    const c = checkIn(0);
    store.record(c);
    expect(() => store.record({ ...c, verdict: 'reject' })).toThrow(StoreError);
    expect(store.get(c.id)?.verdict).toBe('accept');
    expect(store.queueStats().depth).toBe(1);
  });
});

describe('delivery states', () => {
  it('hands out pending check-ins oldest first, in batches, and moves them on', () => {
    const ids = Array.from({ length: 5 }, (_, i) => {
      const c = checkIn(i * 1000);
      store.record(c);
      return c.id;
    });
    expect(store.pendingBatch(3).map((c) => c.id)).toEqual(ids.slice(0, 3));
    expect(store.pendingBatch(0)).toEqual([]);
    expect(store.queueStats()).toEqual({ depth: 5, rejected: 0, overridesPending: 0, overridesRejected: 0, oldestPendingAt: new Date(T0).toISOString(), oldestHeldAt: new Date(T0).toISOString() });

    store.markForwarded([ids[0]!, ids[1]!], new Date(T0 + 10_000).toISOString());
    store.markRejected([{ id: ids[2]!, reason: 'schema: missing checkpointId' }], new Date(T0 + 10_000).toISOString());
    expect(store.pendingBatch(10).map((c) => c.id)).toEqual(ids.slice(3));
    // The oldest record held is the oldest whatever its delivery state: forwarded ones hold identity too.
    expect(store.queueStats()).toEqual({ depth: 2, rejected: 1, overridesPending: 0, overridesRejected: 0, oldestPendingAt: new Date(T0 + 3000).toISOString(), oldestHeldAt: new Date(T0).toISOString() });
    expect(store.get(ids[0]!)?.delivery).toBe('forwarded');
    expect(store.get(ids[2]!)).toMatchObject({ delivery: 'rejected', rejectReason: 'schema: missing checkpointId' });
    expect([...store.all()].map((c) => c.delivery)).toEqual(['forwarded', 'forwarded', 'rejected', 'pending', 'pending']);
  });

  it('never turns a forwarded check-in into a rejected one; ignores unknown ids', () => {
    const c = checkIn(0);
    store.record(c);
    store.markForwarded([c.id, 'no-such-id'], new Date(T0).toISOString());
    store.markRejected([{ id: c.id, reason: 'late 4xx' }, { id: 'nope', reason: 'x' }], new Date(T0).toISOString());
    expect(store.get(c.id)?.delivery).toBe('forwarded');
    expect(store.get(c.id)?.rejectReason).toBeUndefined();
  });

  it('keeps the delivery state across close and reopen', () => {
    const a = checkIn(0);
    const b = checkIn(1);
    store.record(a);
    store.record(b);
    store.markForwarded([a.id], new Date(T0).toISOString());
    store.close();
    store = open(dir);
    expect(store.pendingBatch(10).map((c) => c.id)).toEqual([b.id]);
  });

  it('pages through more check-ins than one export page, in order, while recording in between', () => {
    const n = 1234;
    for (let i = 0; i < n; i++) store.record(checkIn(i));
    let seen = 0;
    let last = '';
    for (const c of store.all()) {
      expect(c.scannedAt > last).toBe(true);
      last = c.scannedAt;
      // The iterator must not hold the connection: a write in the middle of an export works.
      if (seen === 600) store.setSetting('export.marker', 'x');
      seen++;
    }
    expect(seen).toBe(n);
  });
});

describe('purgeForwarded', () => {
  it('deletes only forwarded check-ins scanned before the cut-off; pending and rejected stay', () => {
    const oldFwd = checkIn(0);
    const oldPending = checkIn(1);
    const oldRejected = checkIn(2);
    const newFwd = checkIn(60_000);
    for (const c of [oldFwd, oldPending, oldRejected, newFwd]) store.record(c);
    const at = new Date(T0 + 70_000).toISOString();
    store.markForwarded([oldFwd.id, newFwd.id], at);
    store.markRejected([{ id: oldRejected.id, reason: 'bad' }], at);

    expect(store.purgeForwarded(new Date(T0 + 30_000).toISOString())).toBe(1);
    expect([...store.all()].map((c) => c.id)).toEqual([oldPending.id, oldRejected.id, newFwd.id]);
    // Far in the future: still only forwarded rows go.
    expect(store.purgeForwarded(new Date(T0 + 1e12).toISOString())).toBe(1);
    expect([...store.all()].map((c) => c.delivery)).toEqual(['pending', 'rejected']);
    const db = store['db'] as Database.Database;
    expect(db.prepare('SELECT COUNT(*) FROM outbox').pluck().get()).toBe(2);
  });

  it('purges in chunks beyond one statement', () => {
    const ids: string[] = [];
    for (let i = 0; i < 2500; i++) {
      const c = checkIn(i);
      store.record(c);
      ids.push(c.id);
    }
    store.markForwarded(ids, new Date(T0).toISOString());
    expect(store.purgeForwarded(new Date(T0 + 1e9).toISOString())).toBe(2500);
    expect([...store.all()]).toHaveLength(0);
  });
});

describe('override, audit and settings', () => {
  it('stores an override and writes one audit entry with it: from, to and the officer\'s reason', () => {
    const c = checkIn(0, { verdict: 'reject', reasons: ['expired'] });
    store.record(c);
    const override = { by: 'officer-7', reason: 'paper certificate shown', verdict: 'accept' as const, at: new Date(T0 + 60_000).toISOString() };
    store.setOverride(c.id, override);
    expect(store.get(c.id)?.override).toEqual({ ...override, id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    const [entry] = store.auditLog(1);
    expect(entry).toEqual({ at: override.at, actor: 'officer-7', action: 'override', detail: { checkInId: c.id, from: 'reject', to: 'accept', reason: 'paper certificate shown' } });
    // A second override changes from the first one's verdict; still one entry each.
    store.setOverride(c.id, { ...override, verdict: 'refer', reason: 'asked for the test result', at: new Date(T0 + 120_000).toISOString() });
    expect(store.auditLog(10).filter((a) => a.action === 'override').map((a) => a.detail)).toEqual([
      { checkInId: c.id, from: 'accept', to: 'refer', reason: 'asked for the test result' },
      { checkInId: c.id, from: 'reject', to: 'accept', reason: 'paper certificate shown' },
    ]);
  });

  it('queues each override in the overrides outbox, held back while its check-in is pending, delivered once', () => {
    const c = checkIn(0, { verdict: 'refer', reasons: ['status:f1'] });
    store.record(c);
    store.setOverride(c.id, { id: '0193aaaa-0000-7000-8000-000000000001', by: 'officer-7', reason: 'cleared', verdict: 'accept', at: new Date(T0 + 1000).toISOString() });
    expect(store.queueStats().overridesPending).toBe(1);
    // Check-ins go first: nothing to send while the check-in itself is pending.
    expect(store.pendingOverrides(10)).toEqual([]);
    store.markForwarded([c.id], new Date(T0 + 2000).toISOString());
    expect(store.pendingOverrides(10)).toEqual([
      { id: '0193aaaa-0000-7000-8000-000000000001', checkinId: c.id, verdict: 'accept', reasons: ['status:f1'], by: 'officer-7', reason: 'cleared', at: new Date(T0 + 1000).toISOString() },
    ]);
    // A second override of the same check-in is a record of its own.
    store.setOverride(c.id, { by: 'officer-8', reason: 'second look', verdict: 'reject', reasons: ['expired'], at: new Date(T0 + 3000).toISOString() });
    expect(store.pendingOverrides(10).map((o) => [o.by, o.verdict, o.reasons])).toEqual([['officer-7', 'accept', ['status:f1']], ['officer-8', 'reject', ['expired']]]);
    store.markOverridesForwarded(['0193aaaa-0000-7000-8000-000000000001'], new Date(T0 + 4000).toISOString());
    const [rest] = store.pendingOverrides(10);
    store.markOverridesRejected([{ id: rest!.id, reason: 'foreign-checkin' }], new Date(T0 + 5000).toISOString());
    expect(store.pendingOverrides(10)).toEqual([]);
    expect(store.queueStats().overridesPending).toBe(0);
    // Survives a reopen (the outbox is on disk, not in memory).
    store.close();
    store = open(dir);
    expect(store.pendingOverrides(10)).toEqual([]);
  });

  it('refuses an override for an unknown check-in and writes no audit entry', () => {
    const before = store.auditLog(100).length;
    expect(() => store.setOverride('missing', { by: 'x', reason: 'y', verdict: 'accept', at: new Date(T0).toISOString() })).toThrow(RangeError);
    expect(store.auditLog(100)).toHaveLength(before);
  });

  it('returns the newest audit entries first, at most limit', () => {
    for (let i = 0; i < 5; i++) store.audit({ at: new Date(T0 + i).toISOString(), actor: 'tech', action: `a${i}` });
    expect(store.auditLog(2).map((e) => e.action)).toEqual(['a4', 'a3']);
    expect(store.auditLog(0)).toEqual([]);
    expect(() => store.audit({ at: '', actor: 'x', action: 'y', detail: { big: 'x'.repeat(10_000) } })).toThrow(RangeError);
  });

  it('keeps settings across reopen, overwrites, and reserves the store. prefix', () => {
    expect(store.getSetting('checkpointId')).toBeUndefined();
    store.setSetting('checkpointId', 'cp-1');
    store.setSetting('checkpointId', 'cp-2');
    store.close();
    store = open(dir);
    expect(store.getSetting('checkpointId')).toBe('cp-2');
    expect(() => store.setSetting('store.dedupSalt', '00')).toThrow(RangeError);
  });
});

describe('close', () => {
  it('is idempotent, folds the WAL into the file, and later calls fail as closed', () => {
    store.record(checkIn(0));
    store.close();
    store.close();
    expect(fs.existsSync(path.join(dir, 'kiosk.db-wal'))).toBe(false);
    try {
      store.record(checkIn(1));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(StoreError);
      expect((err as StoreError).code).toBe('closed');
    }
    store = open(dir);
    expect([...store.all()]).toHaveLength(1);
  });
});
