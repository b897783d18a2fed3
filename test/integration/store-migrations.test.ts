/**
 * Schema migrations on real files: from nothing, from a zero-byte file, and from every earlier
 * schema version (files built with the frozen DDL in test/fixtures/store/, data put in, then opened
 * with the current code: data preserved). A file from a newer version is refused untouched. v8
 * (the message of a refused check-in) from a v7 file: old rows without one, the message kept on the kiosk.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, StoreError } from '../../src/store/index.js';
import { FIXTURES, T0, checkIn, open, removeDir, sha256File, tempDir } from '../fixtures/store/helpers.js';

const WINDOW = 5 * 60_000;
let dir: string;
let file: string;

beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'kiosk.db');
});
afterEach(() => removeDir(dir));

function oldFile(version: 1 | 2): Database.Database {
  const db = new Database(file);
  db.exec(fs.readFileSync(path.join(FIXTURES, `schema-v${version}.sql`), 'utf8'));
  return db;
}

/** Three check-ins as an old kiosk stored them: forwarded, rejected, pending (with a clear dedup key). */
function putOldRows(db: Database.Database, withOverride: boolean): string[] {
  const ins = db.prepare(
    `INSERT INTO checkins (id, device_id, checkpoint_id, direction, scanned_at, scanned_ms, format, verdict, reasons, subject, dedup_key${withOverride ? ', override' : ''})
     VALUES (?, 'dev-1', 'cp-1', 'in', ?, ?, 'cccd', ?, ?, ?, ?${withOverride ? ', ?' : ''})`,
  );
  const outbox = db.prepare('INSERT INTO outbox (checkin_seq, state, reject_reason, updated_at) VALUES (?, ?, ?, ?)');
  const rows: [string, number, string, string | null][] = [
    ['old-fwd', 0, 'forwarded', null],
    ['old-rej', 1000, 'rejected', 'bad checkpoint'],
    ['old-pend', 2000, 'pending', null],
  ];
  for (const [id, off, state, reason] of rows) {
    const at = new Date(T0 + off);
    const args: unknown[] = [id, at.toISOString(), at.getTime(), 'accept', '["identity-only"]',
      JSON.stringify({ idType: 'cccd', idNo: '001090000001' }), `CLEARKEY-${id}`];
    if (withOverride) args.push(id === 'old-pend' ? JSON.stringify({ by: 'o1', reason: 'r', verdict: 'refer', at: at.toISOString() }) : null);
    const { lastInsertRowid } = ins.run(...args);
    outbox.run(lastInsertRowid, state, reason, state === 'pending' ? null : at.toISOString());
  }
  return rows.map((r) => r[0]);
}

function expectOldRowsPreserved(store: ReturnType<typeof open>): void {
  const all = [...store.all()];
  expect(all.map((c) => [c.id, c.delivery])).toEqual([
    ['old-fwd', 'forwarded'],
    ['old-rej', 'rejected'],
    ['old-pend', 'pending'],
  ]);
  expect(all[1]?.rejectReason).toBe('bad checkpoint');
  expect(all[0]).toMatchObject({ deviceId: 'dev-1', checkpointId: 'cp-1', reasons: ['identity-only'], subject: { idNo: '001090000001' } });
  expect(store.pendingBatch(10).map((c) => c.id)).toEqual(['old-pend']);
  // The duplicate window spans the upgrade: the old clear key was re-keyed, not lost.
  expect(store.record(checkIn(3000), { key: 'CLEARKEY-old-pend', windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: 'old-pend' });
  expect(store.record(checkIn(3000), { key: 'CLEARKEY-other', windowMs: WINDOW })).toEqual({ kind: 'recorded' });
}

function columns(db: Database.Database, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

describe('migration steps', () => {
  it('are numbered 1..SCHEMA_VERSION without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(3);
  });
});

describe('from empty', () => {
  it('creates the current schema in a new file and audits it', () => {
    const store = open(dir);
    expect(store.auditLog(10)).toEqual([
      { at: new Date(T0).toISOString(), actor: 'system', action: 'store-migrated', detail: { from: 0, to: SCHEMA_VERSION } },
    ]);
    store.close();
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(columns(db, 'checkins')).toContain('dedup_hash');
    expect(columns(db, 'checkins')).not.toContain('dedup_key');
    db.close();
  });

  it('treats a zero-byte kiosk.db as empty', () => {
    fs.writeFileSync(file, '');
    const store = open(dir);
    store.record(checkIn(0));
    expect([...store.all()]).toHaveLength(1);
    store.close();
  });

  it('does not migrate or audit again when reopened at the current version', () => {
    open(dir).close();
    const store = open(dir);
    expect(store.auditLog(10)).toHaveLength(1);
    store.close();
  });
});

describe.each([1, 2] as const)('from schema version %i', (version) => {
  it('keeps every check-in, its delivery state and the duplicate window', () => {
    const db = oldFile(version);
    putOldRows(db, version >= 2);
    if (version >= 2) {
      db.prepare("INSERT INTO settings (key, value) VALUES ('checkpointId', 'cp-old')").run();
      db.prepare("INSERT INTO audit_log (at, actor, action, detail) VALUES (?, 'tech', 'enrolled', '{\"device\":\"dev-1\"}')").run(new Date(T0 - 1000).toISOString());
    }
    db.close();

    const store = open(dir);
    expectOldRowsPreserved(store);
    const log = store.auditLog(10);
    expect(log[0]).toMatchObject({ action: 'store-migrated', detail: { from: version, to: SCHEMA_VERSION } });
    if (version >= 2) {
      expect(store.getSetting('checkpointId')).toBe('cp-old');
      expect(log[1]).toEqual({ at: new Date(T0 - 1000).toISOString(), actor: 'tech', action: 'enrolled', detail: { device: 'dev-1' } });
      expect(store.get('old-pend')?.override).toEqual({ by: 'o1', reason: 'r', verdict: 'refer', at: new Date(T0 + 2000).toISOString() });
    }
    store.close();

    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(columns(after, 'checkins')).not.toContain('dedup_key');
    after.close();
    // The clear keys are gone from the file itself, free pages included (secure_delete).
    expect(fs.readFileSync(file).includes(Buffer.from('CLEARKEY-'))).toBe(false);
  });
});

describe('from schema version 7 (v8: the message of a check-in the kiosk refused itself)', () => {
  /** A v7 file: the current schema without the message column, its version set back. */
  function v7File(): string {
    const store = open(dir);
    store.record(checkIn(0, { id: 'old-reject', verdict: 'reject', reasons: ['unreadable'] }));
    store.close();
    const db = new Database(file);
    db.exec('ALTER TABLE checkins DROP COLUMN message');
    db.pragma('user_version = 7');
    db.close();
    return 'old-reject';
  }

  it('adds the column: rows before have no message; a message recorded now is kept and read back, never sent', () => {
    const old = v7File();
    const store = open(dir);
    expect(store.get(old)).not.toHaveProperty('message');
    const message = 'multi-QR SMART Health Card incomplete: chunk 2 of 2 is missing (chunk 1 read); the kiosk stopped before the rest came; scan all 2 QR codes of the card one after the other';
    store.record(checkIn(1000, { id: 'refused', format: 'shc', verdict: 'reject', reasons: ['unreadable'] }), undefined, message);
    store.record(checkIn(2000, { id: 'plain' }));
    expect(store.get('refused')?.message).toBe(message);
    expect([...store.all()].map((c) => [c.id, c.message])).toEqual([
      [old, undefined],
      ['refused', message],
      ['plain', undefined],
    ]);
    // Kept on the kiosk: what travels to the server is the check-in as before.
    expect(store.pendingWire(10).some((w) => w.json.includes('"message"'))).toBe(false);
    expect(store.pendingBatch(10).some((c) => 'message' in c)).toBe(false);
    // Bounded.
    store.record(checkIn(3000, { id: 'long', verdict: 'reject', reasons: ['unreadable'] }), undefined, 'x'.repeat(5000));
    expect(store.get('long')?.message).toHaveLength(1000);
    expect(store.auditLog(1)[0]).toMatchObject({ action: 'store-migrated', detail: { from: 7, to: SCHEMA_VERSION } });
    store.close();
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(columns(after, 'checkins')).toContain('message');
    after.close();
  });

  it('a file whose version was set back with the column already there migrates again', () => {
    open(dir).close();
    const db = new Database(file);
    db.pragma('user_version = 7');
    db.close();
    const store = open(dir);
    expect(store.record(checkIn(0), undefined, 'why')).toEqual({ kind: 'recorded' });
    store.close();
  });
});

describe('a failing step', () => {
  it('rolls back that step only: the file stays at the previous version with its data', () => {
    const db = oldFile(2);
    putOldRows(db, true);
    // An object the v3 step wants to create already exists, so v3 fails half-way through.
    db.exec('CREATE INDEX checkins_dedup ON checkins (device_id)');
    db.close();

    expect(() => open(dir)).toThrow(StoreError);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(2);
    expect(columns(after, 'checkins')).toContain('dedup_key');
    expect(columns(after, 'checkins')).not.toContain('dedup_hash');
    expect(after.prepare('SELECT COUNT(*) FROM checkins').pluck().get()).toBe(3);
    expect(after.prepare("SELECT COUNT(*) FROM settings WHERE key = 'store.dedupSalt'").pluck().get()).toBe(0);
    after.close();
  });
});

describe('a file from a newer version', () => {
  it('is refused with a clear error naming the file, and left byte-for-byte untouched', () => {
    const db = oldFile(2);
    putOldRows(db, true);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const before = sha256File(file);
    const listing = fs.readdirSync(dir).sort();

    let caught: unknown;
    try {
      open(dir);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(StoreError);
    const e = caught as StoreError;
    expect(e.code).toBe('too-new');
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/newer version/);
    expect(sha256File(file)).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual(listing);
  });
});
