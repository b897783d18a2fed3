/**
 * The in-memory duplicate hashes (recent-hashes.ts) on real kiosk.db files: a scan of a credential
 * not seen in the window skips the lookup, and everything that could make the memory disagree with
 * the table — a restart, another connection writing, the cap, a window longer than what is held,
 * rows older than what is loaded — still finds the earlier check-in.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/index.js';
import { checkIn, open, removeDir, tempDir } from '../fixtures/store/helpers.js';

const WINDOW = 5 * 60_000;
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const key = (n: number) => `cccd:content:00109000000${n}|123456789|NGUYỄN VĂN AN`;

let dir: string;
const opened: SqliteStore[] = [];
function openTracked(extra: Parameters<typeof open>[1] = {}): SqliteStore {
  const s = open(dir, extra);
  opened.push(s);
  return s;
}
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  removeDir(dir);
});

/** Counts the duplicate lookups the store runs (both statements). */
function countLookups(store: SqliteStore): { n: number } {
  const count = { n: 0 };
  for (const name of ['findDuplicate', 'findDuplicateAny'] as const) {
    const stmt = store[name] as { get: (...args: unknown[]) => unknown };
    const get = stmt.get.bind(stmt);
    (store as unknown as Record<string, unknown>)[name] = { get: (...args: unknown[]) => (count.n++, get(...args)) };
  }
  return count;
}

describe('in-memory duplicate hashes', () => {
  it('skip the lookup for a credential not seen in the window, and look for one that was', () => {
    const store = openTracked();
    const lookups = countLookups(store);
    const first = checkIn(0);
    expect(store.record(first, { key: key(1), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(store.record(checkIn(10), { key: key(2), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(lookups.n).toBe(0);
    expect(store.record(checkIn(20), { key: key(1), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: first.id });
    expect(lookups.n).toBe(1);
    // Seen, but longer ago than this window: nothing to look for.
    expect(store.record(checkIn(WINDOW + 1), { key: key(1), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(lookups.n).toBe(1);
  });

  it('are read back at open: a re-scan after a restart is still a duplicate, under the former device id too', () => {
    const before = openTracked();
    const first = checkIn(0, { deviceId: 'local-1' });
    before.record(first, { key: key(1), windowMs: WINDOW });
    before.close();
    const after = openTracked();
    const lookups = countLookups(after);
    expect(after.record(checkIn(MINUTE, { deviceId: 'dev-2' }), { key: key(1), windowMs: WINDOW, formerDeviceId: 'local-1' })).toEqual({ kind: 'duplicate', of: first.id });
    expect(lookups.n).toBe(1);
    expect(after.record(checkIn(MINUTE + 1), { key: key(2), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(lookups.n).toBe(1);
  });

  it('are read again when another connection has written to the file', () => {
    const a = openTracked();
    a.record(checkIn(0), { key: key(9), windowMs: WINDOW });
    const b = openTracked();
    const theirs = checkIn(10);
    expect(b.record(theirs, { key: key(1), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(a.record(checkIn(20), { key: key(1), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: theirs.id });
  });

  it('beyond the cap, drop the oldest and look again for anything that old', () => {
    const store = openTracked({ recentHashesCap: 2 });
    const first = checkIn(0);
    store.record(first, { key: key(1), windowMs: WINDOW });
    store.record(checkIn(1), { key: key(2), windowMs: WINDOW });
    store.record(checkIn(2), { key: key(3), windowMs: WINDOW });
    expect(store['recent'].size).toBe(2);
    expect(store.record(checkIn(3), { key: key(1), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: first.id });
    // The same at open: more recent hashes in the table than the cap.
    store.close();
    const reopened = openTracked({ recentHashesCap: 2 });
    expect(reopened['recent'].size).toBe(2);
    expect(reopened.record(checkIn(4), { key: key(1), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: first.id });
  });

  it('look in the table when the window reaches back past what they hold (the window grew)', () => {
    const store = openTracked({ recentHashesCap: 2 });
    const first = checkIn(0);
    store.record(first, { key: key(1), windowMs: MINUTE });
    // Ten minutes on, key 1 has left a one-minute window and is dropped from memory.
    store.record(checkIn(10 * MINUTE), { key: key(2), windowMs: MINUTE });
    store.record(checkIn(10 * MINUTE + 1), { key: key(3), windowMs: MINUTE });
    expect(store.record(checkIn(10 * MINUTE + 2), { key: key(1), windowMs: 30 * MINUTE })).toEqual({ kind: 'duplicate', of: first.id });
  });

  it('load one day back from the newest check-in; an older one is still found by a longer window', () => {
    const before = openTracked();
    const old = checkIn(-3 * DAY);
    before.record(old, { key: key(1), windowMs: WINDOW });
    before.record(checkIn(0), { key: key(2), windowMs: WINDOW });
    before.close();
    const after = openTracked();
    expect(after['recent'].size).toBe(1);
    expect(after.record(checkIn(MINUTE), { key: key(1), windowMs: 4 * DAY })).toEqual({ kind: 'duplicate', of: old.id });
    expect(after.record(checkIn(2 * MINUTE), { key: key(1), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
  });

  it('never stand in for a failed commit: a check-in rolled back leaves its hash out', () => {
    const store = openTracked();
    const first = checkIn(0);
    store.record(first, { key: key(1), windowMs: WINDOW });
    // The same id again: the insert fails and the transaction rolls back.
    expect(() => store.record({ ...checkIn(10), id: first.id }, { key: key(2), windowMs: WINDOW })).toThrow();
    expect(store['recent'].size).toBe(1);
    expect(store.record(checkIn(20), { key: key(2), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
  });
});
