/**
 * Identity fields at rest on real kiosk.db files: sealed on write, readable through the store,
 * absent in clear from the database, WAL and SHM; the data key outside the database; databases
 * from before sealing migrated in place, in batches, surviving kill -9 mid-way.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { jsonLogger } from '../../src/core/system.js';
import { StoreError } from '../../src/store/index.js';
import { DATA_KEY_FILE, fileDataKey } from '../../src/store/data-key.js';
import { SEAL_SETTINGS } from '../../src/store/identity-seal.js';
import { verifyAuditChain } from '../../src/store/audit-chain.js';
import { FIXTURES, checkIn, open, removeDir, tempDir } from '../fixtures/store/helpers.js';
import { buildPreSealDb, plantedSubject } from '../fixtures/store/pre-seal.js';
import { findInFiles } from '../helpers/pii-scan.js';

const repoRoot = path.resolve(FIXTURES, '../../..');
let dir: string;
let file: string;
beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'kiosk.db');
});
afterEach(() => removeDir(dir));

const dbFiles = () => [file, `${file}-wal`, `${file}-shm`];
const needlesOf = (subjects: { idNo?: string; name?: string }[]) => subjects.flatMap((s) => [s.idNo!, s.name!]);

describe('a new database', () => {
  it('stores subjects sealed and reads them back; no name or ID number in the db, WAL or SHM', () => {
    const store = open(dir);
    const subjects = Array.from({ length: 50 }, (_, i) => plantedSubject(i));
    const ids = subjects.map((subject, i) => {
      const c = checkIn(i * 1000, { subject });
      expect(store.record(c, { key: `cccd:id:${subject.idNo}`, windowMs: 60_000 })).toEqual({ kind: 'recorded' });
      return c.id;
    });
    // Read while the WAL still holds the new pages: nothing in clear there either.
    expect(findInFiles(dbFiles(), needlesOf(subjects))).toEqual([]);
    expect(store.get(ids[7]!)?.subject).toEqual(subjects[7]);
    expect([...store.all()].map((c) => c.subject)).toEqual(subjects);
    expect(store.pendingBatch(3).map((c) => c.subject)).toEqual(subjects.slice(0, 3));
    // Duplicates still found through the keyed hash.
    expect(store.record(checkIn(49_500, { subject: subjects[49]! }), { key: `cccd:id:${subjects[49]!.idNo}`, windowMs: 60_000 })).toEqual({ kind: 'duplicate', of: ids[49] });
    store.close();

    const raw = new Database(file, { readonly: true });
    const kinds = raw.prepare('SELECT DISTINCT typeof(subject) FROM checkins').pluck().all();
    expect(kinds).toEqual(['blob']);
    // Verdicts, times, formats and reasons stay queryable in clear.
    expect(raw.prepare("SELECT COUNT(*) FROM checkins WHERE verdict = 'accept' AND format = 'cccd' AND reasons LIKE '%identity-only%'").pluck().get()).toBe(50);
    raw.close();
    expect(findInFiles(dbFiles(), needlesOf(subjects))).toEqual([]);
  });

  it('keeps the data key in a 0600 file beside the database, never inside it', () => {
    open(dir).close();
    const keyFile = path.join(dir, DATA_KEY_FILE);
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    const json = JSON.parse(fs.readFileSync(keyFile, 'utf8')) as { kind: string; key: string };
    expect(json.kind).toBe('plain');
    const key = Buffer.from(json.key, 'base64');
    expect(key).toHaveLength(32);
    expect(fs.readFileSync(file).includes(key)).toBe(false);
    expect(fs.readFileSync(file).includes(Buffer.from(json.key))).toBe(false);
  });

  it('refuses to open without its key file, or with another one, instead of starting a new key', () => {
    const store = open(dir);
    store.record(checkIn(0));
    store.close();
    const keyFile = path.join(dir, DATA_KEY_FILE);
    const saved = fs.readFileSync(keyFile);

    fs.rmSync(keyFile);
    const missing = (() => {
      try {
        open(dir);
      } catch (err) {
        return err;
      }
    })();
    expect(missing).toBeInstanceOf(StoreError);
    expect((missing as StoreError).code).toBe('key');
    expect((missing as StoreError).message).toMatch(/data-key\.json is missing/);
    expect(fs.existsSync(keyFile)).toBe(false);

    // Someone else's key (another kiosk's data dir): refused by key id, nothing written.
    const other = tempDir();
    try {
      open(other).close();
      fs.copyFileSync(path.join(other, DATA_KEY_FILE), keyFile);
    } finally {
      removeDir(other);
    }
    expect(() => open(dir)).toThrow(/data-key\.json holds key/);

    fs.writeFileSync(keyFile, saved);
    const again = open(dir);
    expect([...again.all()]).toHaveLength(1);
    again.close();
  });

  it('detects a sealed subject moved onto another check-in', () => {
    const store = open(dir);
    const a = checkIn(0, { subject: plantedSubject(1) });
    const b = checkIn(1, { subject: plantedSubject(2) });
    store.record(a);
    store.record(b);
    store.close();
    const raw = new Database(file);
    raw.prepare('UPDATE checkins SET subject = (SELECT subject FROM checkins WHERE id = ?) WHERE id = ?').run(a.id, b.id);
    raw.close();
    const again = open(dir);
    expect(again.get(a.id)?.subject).toEqual(a.subject);
    expect(() => again.get(b.id)).toThrow(/authentication failed/);
    again.close();
  });

  it('narrows a data-key.json restored as 0644 to 0600 at open and warns that it was too open', () => {
    open(dir).close();
    const keyFile = path.join(dir, DATA_KEY_FILE);
    fs.chmodSync(keyFile, 0o644);
    const warnings: { msg: string; fields?: Record<string, unknown> }[] = [];
    const logger = jsonLogger({ level: 'warn', write: (line) => void warnings.push(JSON.parse(line) as { msg: string }) });
    const again = open(dir, { logger });
    again.close();
    expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(warnings).toEqual([expect.objectContaining({ level: 'warn', msg: expect.stringMatching(/readable by group or others; narrowed to 0600/), file: DATA_KEY_FILE, mode: '644' })]);
    // Once narrowed, the next open has nothing to say.
    warnings.length = 0;
    open(dir, { logger }).close();
    expect(warnings).toEqual([]);
  });

  it('fileDataKey never replaces an existing key file', () => {
    const p = fileDataKey(dir);
    const k1 = p.load({ create: true });
    const k2 = fileDataKey(dir).load({ create: true });
    expect(k2.equals(k1)).toBe(true);
  });
});

describe('a database from before sealing', () => {
  it('is sealed in place: same answers, duplicate window kept, clear text gone from every file', () => {
    const rows = buildPreSealDb(dir, 300);
    expect(findInFiles(dbFiles(), needlesOf(rows.map((r) => r.subject))).length).toBeGreaterThan(0);

    const store = open(dir, { sealBatchSize: 64 });
    expect([...store.all()].map((c) => [c.id, c.subject])).toEqual(rows.map((r) => [r.id, r.subject]));
    expect(store.pendingBatch(1000).map((c) => c.id)).toEqual(rows.filter((_, i) => i % 2).map((r) => r.id));
    // A key recorded before the upgrade still makes a duplicate after it.
    const last = rows[rows.length - 1]!;
    expect(store.record(checkIn(300_000, { subject: last.subject }), { key: last.dedupKey, windowMs: 60_000 })).toEqual({ kind: 'duplicate', of: last.id });
    store.close();

    expect(findInFiles(dbFiles(), needlesOf(rows.map((r) => r.subject)))).toEqual([]);
    const raw = new Database(file, { readonly: true });
    expect(raw.prepare("SELECT COUNT(*) FROM checkins WHERE typeof(subject) <> 'blob'").pluck().get()).toBe(0);
    expect(raw.prepare('SELECT COUNT(*) FROM settings WHERE key = ?').pluck().get(SEAL_SETTINGS.pending)).toBe(0);
    // The audit entries written before the chain existed are part of it now.
    expect(verifyAuditChain(raw)).toMatchObject({ ok: true });
    raw.close();
  });

  it('survives kill -9 during the sealing pass: nothing lost, a restart finishes it', async () => {
    const rows = buildPreSealDb(dir, 3000);
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(FIXTURES, 'seal-migrator.ts'), dir, '40'], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exit = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        // Kill at a random batch between the 3rd and the 20th.
        if ((out.match(/^sealed /gm) ?? []).length >= 3 + Math.floor(Math.random() * 18)) {
          child.kill('SIGKILL');
          resolve();
        }
      });
      child.once('exit', () => reject(new Error(`migrator ended before being killed: ${out} ${err}`)));
    });
    expect(await exit).toBe('SIGKILL');
    const acknowledged = Number(out.match(/sealed (\d+)\n(?![\s\S]*sealed)/)?.[1]);
    expect(acknowledged).toBeGreaterThan(0);

    // Half-way: every row still there, the acknowledged batches sealed, the rest still clear.
    const mid = new Database(file, { readonly: true });
    expect(mid.prepare('SELECT COUNT(*) FROM checkins').pluck().get()).toBe(3000);
    const sealedMid = mid.prepare("SELECT COUNT(*) FROM checkins WHERE typeof(subject) = 'blob'").pluck().get() as number;
    expect(sealedMid).toBeGreaterThanOrEqual(acknowledged);
    expect(sealedMid).toBeLessThan(3000);
    mid.close();

    const store = open(dir);
    expect([...store.all()].map((c) => [c.id, c.subject])).toEqual(rows.map((r) => [r.id, r.subject]));
    // Peppered exactly once: old keys of rows sealed before and after the kill both still match.
    for (const r of [rows[0]!, rows[2999]!]) {
      expect(store.record(checkIn(Date.parse(r.scannedAt) - Date.parse(rows[0]!.scannedAt) + 1, { subject: r.subject }), { key: r.dedupKey, windowMs: 10_000 })).toEqual({ kind: 'duplicate', of: r.id });
    }
    store.close();
    expect(findInFiles(dbFiles(), needlesOf(rows.slice(0, 200).map((r) => r.subject)))).toEqual([]);
    expect(findInFiles(dbFiles(), needlesOf(rows.slice(-200).map((r) => r.subject)))).toEqual([]);
  }, 120_000);
});
