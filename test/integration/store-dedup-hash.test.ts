/**
 * The duplicate hash on real kiosk.db files: from schema v6 one HMAC-SHA-256 under a key made from
 * the database's salt and the data key's pepper; a database written before v6 keeps its v1 hashes
 * (HMAC(pepper, HMAC(salt, key))) and a re-scan whose duplicate window reaches back to them still
 * folds into them after the upgrade.
 */
import { createHmac, hkdfSync } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src/store/index.js';
import { fileDataKey } from '../../src/store/data-key.js';
import { DEDUP_SALT_SETTING, DEDUP_V1_UNTIL_SETTING } from '../../src/store/dedup-hash.js';
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
});
