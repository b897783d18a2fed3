/**
 * The duplicate hash on real kiosk.db files: from schema v6 one HMAC-SHA-256 under a key made from
 * the database's salt and the data key's pepper; a database written before v6 keeps its v1 hashes
 * (HMAC(pepper, HMAC(salt, key))) and a re-scan whose duplicate window reaches back to them still
 * folds into them after the upgrade. From v7 a scan's key may differ from the text key it had
 * before (DedupRule.formerKey): rows written before v7 are found through that one while the window
 * reaches back to them.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/index.js';
import { fileDataKey } from '../../src/store/data-key.js';
import { DEDUP_SALT_SETTING, DEDUP_TEXT_KEYS_UNTIL_SETTING, DEDUP_V1_UNTIL_SETTING } from '../../src/store/dedup-hash.js';
import type { SqliteStore } from '../../src/store/index.js';
import { T0, checkIn, open, removeDir, tempDir } from '../fixtures/store/helpers.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'kiosk.db');
});
afterEach(() => removeDir(dir));

const WINDOW = 60_000;
const keyOf = (n: number) => `cccd:content:00109000000${n}|123456789|NGUYỄN VĂN AN`;
/** What a v7 store is given for a signed credential's scan: its signed-content key and its text key. */
const signedKeyOf = (n: number) => `ckd1:content:signed:3:kid:payload-${n}`;
const textKeyOf = (n: number) => `ckd1:content:CKD1:TEXT-${n}`;

/** Takes the database back to a v6 one: user_version 6, no note of text-keyed rows. */
function backToV6(): void {
  const raw = new Database(file);
  raw.prepare('DELETE FROM settings WHERE key = ?').run(DEDUP_TEXT_KEYS_UNTIL_SETTING);
  raw.pragma('user_version = 6');
  raw.close();
}

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

/** The database's salt and the data key's pepper, as the store derives them. */
function secrets(): { salt: Buffer; pepper: Buffer } {
  const db = new Database(file, { readonly: true });
  const salt = Buffer.from(db.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(DEDUP_SALT_SETTING) as string, 'hex');
  db.close();
  const dataKey = fileDataKey(dir).load({ create: false });
  return { salt, pepper: Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'checkpoint-kiosk duplicate pepper v1', 32)) };
}

const hmac = (key: Buffer, data: Buffer | string) => createHmac('sha256', key).update(data).digest();

function storedHash(id: string): Buffer {
  const db = new Database(file, { readonly: true });
  const hash = db.prepare('SELECT dedup_hash FROM checkins WHERE id = ?').pluck().get(id) as Buffer;
  db.close();
  return hash;
}

describe('duplicate hash', () => {
  it('is HMAC(HMAC(pepper, salt), key) in a new database, which notes no v1 rows', () => {
    const store = open(dir);
    const c = checkIn(0);
    expect(store.record(c, { key: keyOf(1), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(store.record(checkIn(1000), { key: keyOf(1), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: c.id });
    expect(store.getSetting(DEDUP_V1_UNTIL_SETTING)).toBeUndefined();
    store.close();
    const { salt, pepper } = secrets();
    expect(storedHash(c.id)).toEqual(hmac(hmac(pepper, salt), keyOf(1)));
    // Neither the salt alone (in the database) nor the old two-step hash gives it.
    expect(storedHash(c.id)).not.toEqual(hmac(salt, keyOf(1)));
    expect(storedHash(c.id)).not.toEqual(hmac(pepper, hmac(salt, keyOf(1))));
  });

  it('keeps v1 hashes written before v6 and still folds a re-scan into them within the window', () => {
    // A v5 database: rows with v1 hashes, user_version 5, no v1 note.
    const store = open(dir);
    // The third was recorded under the kiosk's local id, before enrollment renamed it.
    const old = [checkIn(0), checkIn(10_000), checkIn(5_000, { deviceId: 'local-1' })];
    old.forEach((c, i) => expect(store.record(c, { key: keyOf(i), windowMs: WINDOW })).toEqual({ kind: 'recorded' }));
    store.close();
    const { salt, pepper } = secrets();
    const raw = new Database(file);
    const v1 = (key: string) => hmac(pepper, hmac(salt, key));
    old.forEach((c, i) => raw.prepare('UPDATE checkins SET dedup_hash = ? WHERE id = ?').run(v1(keyOf(i)), c.id));
    raw.prepare('DELETE FROM settings WHERE key = ?').run(DEDUP_V1_UNTIL_SETTING);
    raw.pragma('user_version = 5');
    raw.close();

    const upgraded = open(dir);
    expect(upgraded.getSetting(DEDUP_V1_UNTIL_SETTING)).toBe(String(T0 + 10_000));
    // Under the former id too, as the duplicate rule says (and only when the rule names it).
    expect(upgraded.record(checkIn(12_000), { key: keyOf(2), windowMs: WINDOW, formerDeviceId: 'local-1' })).toEqual({ kind: 'duplicate', of: old[2]!.id });
    expect(upgraded.record(checkIn(13_000), { key: keyOf(2), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    // Re-scans within the window fold into the v1 rows, with the v1 hash untouched.
    expect(upgraded.record(checkIn(20_000), { key: keyOf(0), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: old[0]!.id });
    expect(upgraded.record(checkIn(30_000), { key: keyOf(1), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: old[1]!.id });
    // Another verdict is a check-in of its own, written with the v2 hash; a re-scan folds into it.
    const rejected = checkIn(40_000, { verdict: 'reject', reasons: ['inconsistent-id'] });
    expect(upgraded.record(rejected, { key: keyOf(1), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(upgraded.record(checkIn(45_000, { verdict: 'reject', reasons: ['inconsistent-id'] }), { key: keyOf(1), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: rejected.id });
    // Past the window of the last v1 row only the v2 hash is looked up; the latest check-in of the
    // key is the reject, so an accept is a check-in of its own.
    const late = checkIn(10_000 + WINDOW + 1);
    expect(upgraded.record(late, { key: keyOf(1), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    upgraded.close();
    expect(storedHash(old[1]!.id)).toEqual(v1(keyOf(1)));
    expect(storedHash(rejected.id)).toEqual(hmac(hmac(pepper, salt), keyOf(1)));
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('finds rows written before v7 through the former (text) key while the window reaches back to them', () => {
    // A v6 kiosk keyed every scan by its text.
    const store = open(dir);
    const old = [checkIn(0, { format: 'ckd1', reasons: [] }), checkIn(5_000, { format: 'ckd1', reasons: [] })];
    old.forEach((c, i) => expect(store.record(c, { key: textKeyOf(i), windowMs: WINDOW })).toEqual({ kind: 'recorded' }));
    store.close();
    backToV6();

    const upgraded = open(dir);
    expect(upgraded.getSetting(DEDUP_TEXT_KEYS_UNTIL_SETTING)).toBe(String(T0 + 5_000));
    const ckd1 = (ms: number) => checkIn(ms, { format: 'ckd1', reasons: [] });
    // The same reading after the upgrade: its new key is unknown, its former key finds the row.
    expect(upgraded.record(ckd1(10_000), { key: signedKeyOf(0), formerKey: textKeyOf(0), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: old[0]!.id });
    // Another encoding of the second credential (another text, so no former key matches): recorded
    // under the new key, the one extra check-in the upgrade may cost.
    const reencoded = ckd1(11_000);
    expect(upgraded.record(reencoded, { key: signedKeyOf(1), formerKey: textKeyOf(9), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    // From then on the latest check-in of the credential, under either key, is that one.
    expect(upgraded.record(ckd1(12_000), { key: signedKeyOf(1), formerKey: textKeyOf(1), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: reencoded.id });
    // The former key alone is never written: the row has the hash of the new key.
    const { salt, pepper } = secrets();
    upgraded.close();
    expect(storedHash(reencoded.id)).toEqual(hmac(hmac(pepper, salt), signedKeyOf(1)));
  });

  it('stops looking up former keys once the window has passed the last row written before v7', () => {
    const store = open(dir);
    expect(store.record(checkIn(0, { format: 'ckd1', reasons: [] }), { key: textKeyOf(0), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    store.close();
    backToV6();
    const upgraded = open(dir);
    const lookups = countLookups(upgraded);
    // Within the window of the text-keyed row a scan with a former key always looks (the in-memory
    // hashes are asked about the new key only)...
    expect(upgraded.record(checkIn(30_000, { format: 'ckd1', reasons: [] }), { key: signedKeyOf(7), formerKey: textKeyOf(7), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(lookups.n).toBe(1);
    // ...past it, an unseen credential costs no lookup, as before the upgrade.
    expect(upgraded.record(checkIn(WINDOW + 1, { format: 'ckd1', reasons: [] }), { key: signedKeyOf(8), formerKey: textKeyOf(8), windowMs: WINDOW })).toEqual({ kind: 'recorded' });
    expect(lookups.n).toBe(1);
    upgraded.close();
  });

  it('finds v1 hashes written before v6 through the former (text) key', () => {
    const store = open(dir);
    const old = checkIn(0, { format: 'ckd1', reasons: [] });
    store.record(old, { key: textKeyOf(0), windowMs: WINDOW });
    store.close();
    const { salt, pepper } = secrets();
    const raw = new Database(file);
    raw.prepare('UPDATE checkins SET dedup_hash = ? WHERE id = ?').run(hmac(pepper, hmac(salt, textKeyOf(0))), old.id);
    raw.prepare('DELETE FROM settings WHERE key IN (?, ?)').run(DEDUP_V1_UNTIL_SETTING, DEDUP_TEXT_KEYS_UNTIL_SETTING);
    raw.pragma('user_version = 5');
    raw.close();
    const upgraded = open(dir);
    expect(upgraded.record(checkIn(20_000, { format: 'ckd1', reasons: [] }), { key: signedKeyOf(0), formerKey: textKeyOf(0), windowMs: WINDOW })).toEqual({ kind: 'duplicate', of: old.id });
    upgraded.close();
  });

  it('notes no text-keyed rows in a new database', () => {
    const store = open(dir);
    store.record(checkIn(0), { key: keyOf(1), windowMs: WINDOW });
    expect(store.getSetting(DEDUP_TEXT_KEYS_UNTIL_SETTING)).toBeUndefined();
    store.close();
  });
});
