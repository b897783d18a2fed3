/**
 * What the forwarder reads and writes in the store, on a real SQLite file: pendingWire (the stored
 * JSON sent as it is, byte for byte what pendingBatch + JSON.stringify gives, read on from a cursor)
 * and markForwarded (one statement per batch, committed without an fsync of its own).
 */
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SqliteStore } from '../../src/store/index.js';
import { T0, checkIn, open, removeDir, tempDir } from '../fixtures/store/helpers.js';

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

const at = new Date(T0 + 60_000).toISOString();

describe('pendingWire', () => {
  it('is byte for byte JSON.stringify of what pendingBatch returns, for awkward text and overrides', () => {
    const awkward = ['quote " and backslash \\', 'line\nbreak\ttab', 'u2028 \u2028 u2029 \u2029', 'ctrl \u0001\u001f', 'NGUYỄN VĂN AN', 'emoji 😀', '</script>'];
    awkward.forEach((text, i) =>
      store.record(
        checkIn(i * 1000, {
          checkpointId: `cp ${text}`,
          reasons: ['identity-only', `rule-failed:${text}` as never],
          subject: { idType: 'cccd', idNo: `00109000000${i}`, name: text, dob: '1990-05-01', sex: i % 2 ? 'F' : 'M', extra: { nested: [text, i, null, true] } } as never,
        }),
      ),
    );
    const withOverride = checkIn(99_000, { verdict: 'refer', reasons: ['status:f1'] });
    store.record(withOverride);
    store.setOverride(withOverride.id, { verdict: 'accept', by: 'officer-7', reason: 'ID checked "by hand"', at: new Date(T0 + 100_000).toISOString(), reasons: ['status:f1'] });

    const batch = store.pendingBatch(100);
    const wire = store.pendingWire(100);
    expect(batch.length).toBe(awkward.length + 1);
    expect(wire.map((r) => r.id)).toEqual(batch.map((c) => c.id));
    expect(wire.map((r) => r.json)).toEqual(batch.map((c) => JSON.stringify(c)));
    expect(JSON.parse(wire.at(-1)!.json)).toMatchObject({ override: { verdict: 'accept', by: 'officer-7' } });
  });

  it('sends a subject still in clear (written before sealing) as it is', () => {
    const c = checkIn(0);
    store.record(c);
    const db = store['db'] as Database.Database;
    db.prepare('UPDATE checkins SET subject = ? WHERE id = ?').run(JSON.stringify(c.subject), c.id);
    expect(store.pendingWire(1)[0]!.json).toBe(JSON.stringify(c));
  });

  it('reads on after a cursor, oldest first, pending records only', () => {
    const ids = Array.from({ length: 7 }, (_, i) => {
      const c = checkIn(i * 1000);
      store.record(c);
      return c.id;
    });
    store.markRejected([{ id: ids[4]!, reason: 'schema' }], at);
    const first = store.pendingWire(3);
    expect(first.map((r) => r.id)).toEqual(ids.slice(0, 3));
    expect(first.map((r) => r.cursor)).toEqual([...first.map((r) => r.cursor)].sort((a, b) => a - b));
    const second = store.pendingWire(3, first.at(-1)!.cursor);
    expect(second.map((r) => r.id)).toEqual([ids[3], ids[5], ids[6]]);
    expect(store.pendingWire(3, second.at(-1)!.cursor)).toEqual([]);
    // Nothing was marked: read from the start again, the same records come back.
    expect(store.pendingWire(3).map((r) => r.id)).toEqual(ids.slice(0, 3));
    expect(store.pendingWire(0)).toEqual([]);
  });
});

describe('markForwarded', () => {
  it('marks every id of a batch larger than one statement, ignores unknown ids, turns rejected ones forwarded', () => {
    const ids: string[] = [];
    for (let i = 0; i < 1100; i++) {
      const c = checkIn(i);
      store.record(c);
      ids.push(c.id);
    }
    store.markRejected([{ id: ids[10]!, reason: 'late 4xx' }], at);
    store.markForwarded([...ids.slice(0, 1050), 'no-such-id'], at);
    expect(store.queueStats()).toMatchObject({ depth: 50, rejected: 0 });
    expect(store.get(ids[10]!)).toMatchObject({ delivery: 'forwarded' });
    expect(store.get(ids[10]!)?.rejectReason).toBeUndefined();
    expect(store.pendingBatch(1000).map((c) => c.id)).toEqual(ids.slice(1050));
  });

  it('leaves the connection at synchronous=FULL for the next check-in, and the mark survives a reopen', () => {
    const a = checkIn(0);
    const b = checkIn(1);
    store.record(a);
    store.record(b);
    store.markForwarded([a.id], at);
    const db = store['db'] as Database.Database;
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    store.close();
    store = open(dir);
    expect(store.get(a.id)?.delivery).toBe('forwarded');
    expect(store.pendingBatch(10).map((c) => c.id)).toEqual([b.id]);
  });
});
