/**
 * Storage faults on real files and real file systems: damaged files (left byte-for-byte as they
 * were), a read-only folder, a folder that cannot be created, a database locked by another
 * process, a full disk. Each must give a StoreError with the right code and a message naming the
 * file. Root here can mount tmpfs; without that, the read-only and full-disk cases fall back to
 * chmod and max_page_count (noted in each test).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError, toStoreError, type StoreErrorCode } from '../../src/store/index.js';
import { canMount, checkIn, execOk, open, removeDir, sha256File, tempDir } from '../fixtures/store/helpers.js';

const MOUNT = canMount();
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
let dir: string;
let file: string;

beforeEach(() => {
  dir = tempDir();
  file = path.join(dir, 'kiosk.db');
});
afterEach(() => removeDir(dir));

/** Runs fn, which must throw a StoreError; returns it. */
function storeErrorOf(fn: () => unknown): StoreError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StoreError);
    return err as StoreError;
  }
  throw new Error('expected a StoreError, nothing was thrown');
}

function expectClear(e: StoreError, code: StoreErrorCode, target = file): void {
  expect(e.code).toBe(code);
  expect(e.file).toBe(target);
  expect(e.message).toContain(target);
}

/** A real database with `n` check-ins, closed (WAL folded in). */
function populated(n: number): void {
  const s = open(dir);
  for (let i = 0; i < n; i++) s.record(checkIn(i, { subject: { name: `N ${i} ${'x'.repeat(200)}` } }));
  s.close();
}

describe('a damaged database file', () => {
  function expectCorruptAndUntouched(why: RegExp): void {
    const before = sha256File(file);
    const size = fs.statSync(file).size;
    const e = storeErrorOf(() => open(dir));
    expectClear(e, 'corrupt');
    expect(e.message).toMatch(/left untouched/);
    expect(e.detail).toMatch(why);
    expect(sha256File(file)).toBe(before);
    expect(fs.statSync(file).size).toBe(size);
    // Nothing was journaled against it either.
    const wal = `${file}-wal`;
    expect(fs.existsSync(wal) ? fs.statSync(wal).size : 0).toBe(0);
  }

  it('random bytes: refused, file unchanged, no WAL next to it', () => {
    fs.writeFileSync(file, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919 + 13) % 256)));
    expectCorruptAndUntouched(/not an SQLite database/);
    expect(fs.readdirSync(dir)).toEqual(['kiosk.db']);
  });

  it('a text file shorter than a header: refused', () => {
    fs.writeFileSync(file, 'hello');
    expectCorruptAndUntouched(/not an SQLite database/);
  });

  it('truncated at a page boundary: refused', () => {
    populated(300);
    const size = fs.statSync(file).size;
    fs.truncateSync(file, Math.floor(size / 2 / 4096) * 4096);
    expectCorruptAndUntouched(/truncated/);
  });

  it('truncated mid-page: refused', () => {
    populated(50);
    fs.truncateSync(file, fs.statSync(file).size - 1000);
    expectCorruptAndUntouched(/truncated/);
  });

  it('a page in the middle overwritten with garbage: refused by the integrity check', () => {
    populated(300);
    const fd = fs.openSync(file, 'r+');
    const pages = fs.fstatSync(fd).size / 4096;
    fs.writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(pages / 2) * 4096);
    fs.closeSync(fd);
    expectCorruptAndUntouched(/integrity|malformed|not a database/);
  });
});

describe('a read-only data folder', () => {
  /** Makes `target` read-only for real: a read-only tmpfs remount as root, else chmod (non-root). */
  function withReadOnly(target: string, prepare: () => void, check: () => void): void {
    if (MOUNT) {
      fs.mkdirSync(target, { recursive: true });
      execOk('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', target]);
      try {
        prepare();
        execOk('mount', ['-o', 'remount,ro', target]);
        check();
      } finally {
        execOk('umount', [target]);
      }
    } else {
      fs.mkdirSync(target, { recursive: true });
      prepare();
      fs.chmodSync(target, 0o555);
      try {
        check();
      } finally {
        fs.chmodSync(target, 0o755);
      }
    }
  }

  it('with an existing database: read-only error naming the file, data and file untouched', () => {
    const ro = path.join(dir, 'ro');
    const roFile = path.join(ro, 'kiosk.db');
    let before = '';
    withReadOnly(
      ro,
      () => {
        const s = open(ro);
        s.record(checkIn(0));
        s.close();
        before = sha256File(roFile);
      },
      () => {
        const e = storeErrorOf(() => open(ro));
        expectClear(e, 'read-only', roFile);
        expect(e.message).toMatch(/writable/);
        expect(sha256File(roFile)).toBe(before);
      },
    );
  });

  it('without a database yet: read-only error, nothing created', () => {
    const ro = path.join(dir, 'ro');
    withReadOnly(
      ro,
      () => undefined,
      () => {
        expectClear(storeErrorOf(() => open(ro)), 'read-only', path.join(ro, 'kiosk.db'));
        expect(fs.readdirSync(ro)).toEqual([]);
        // A data folder to be created inside it cannot be.
        const below = path.join(ro, 'data');
        expectClear(storeErrorOf(() => open(below)), 'read-only', path.join(below, 'kiosk.db'));
      },
    );
  });
});

describe('a data folder that cannot be created', () => {
  it('because a file stands where a parent folder should be: io error naming the file', () => {
    fs.writeFileSync(path.join(dir, 'plain-file'), 'x');
    const target = path.join(dir, 'plain-file', 'data');
    const e = storeErrorOf(() => open(target));
    expectClear(e, 'io', path.join(target, 'kiosk.db'));
    expect(e.detail).toMatch(/cannot create the data folder/);
  });

  it('because kiosk.db is a folder: io error', () => {
    fs.mkdirSync(file);
    expectClear(storeErrorOf(() => open(dir)), 'io');
  });
});

describe('a database locked by another process', () => {
  /** A child process holding the database: 'exclusive' = locking_mode EXCLUSIVE, 'write' = an open write transaction. */
  async function holdLock(mode: 'exclusive' | 'write'): Promise<() => Promise<void>> {
    const script = `
      const Database = require('better-sqlite3');
      const db = new Database(process.argv[1]);
      if (process.argv[2] === 'exclusive') db.pragma('locking_mode = EXCLUSIVE'); else db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT INTO settings (key, value) VALUES ('lock', '1') ON CONFLICT (key) DO UPDATE SET value = '2'").run();
      process.stdout.write('locked\\n');
      process.stdin.resume();
      process.stdin.on('end', () => { db.close(); process.exit(0); });`;
    const child = spawn(process.execPath, ['-e', script, file, mode], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (code) => reject(new Error(`lock holder exited ${code}: ${stderr}`)));
    });
    return async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.stdin.end();
      await exited;
    };
  }

  it('refuses to open with a locked error while another process holds it exclusively', async () => {
    populated(3);
    const release = await holdLock('exclusive');
    try {
      const e = storeErrorOf(() => open(dir, { busyTimeoutMs: 100 }));
      expectClear(e, 'locked');
      expect(e.message).toMatch(/another program/);
    } finally {
      await release();
    }
    const s = open(dir);
    expect([...s.all()]).toHaveLength(3);
    s.close();
  });

  it('fails record() as locked while another process writes, then recovers without reopening', async () => {
    const s = open(dir, { busyTimeoutMs: 100 });
    try {
      s.record(checkIn(0));
      const release = await holdLock('write');
      const doomed = checkIn(1);
      try {
        expectClear(storeErrorOf(() => s.record(doomed)), 'locked');
      } finally {
        await release();
      }
      expect(s.get(doomed.id)).toBeUndefined();
      expect(s.record(doomed)).toEqual({ kind: 'recorded' });
      expect(s.queueStats().depth).toBe(2);
    } finally {
      s.close();
    }
  });
});

describe('a full disk', () => {
  const big = () => ({ name: 'x'.repeat(2000) });

  /** Records until a StoreError; returns how many succeeded and the error. */
  function fill(s: ReturnType<typeof open>): { ok: number; err: StoreError } {
    for (let i = 0; i < 100_000; i++) {
      try {
        s.record(checkIn(i, { subject: big() }));
      } catch (err) {
        expect(err).toBeInstanceOf(StoreError);
        return { ok: i, err: err as StoreError };
      }
    }
    throw new Error('the disk never filled');
  }

  it('fails the check-in that does not fit as disk-full, keeps the others, and recovers when space is freed', () => {
    if (MOUNT) {
      // A real 1 MiB tmpfs, mostly taken by a filler file that is deleted to "free space".
      const m = path.join(dir, 'small');
      fs.mkdirSync(m);
      execOk('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', m]);
      try {
        const s = open(m);
        fs.writeFileSync(path.join(m, 'filler'), Buffer.alloc(600 * 1024));
        const { ok, err } = fill(s);
        expectClear(err, 'disk-full', path.join(m, 'kiosk.db'));
        expect(err.message).toMatch(/NOT recorded/);
        expect([...s.all()]).toHaveLength(ok);
        fs.unlinkSync(path.join(m, 'filler'));
        expect(s.record(checkIn(1e7, { subject: big() }))).toEqual({ kind: 'recorded' });
        expect(s.queueStats().depth).toBe(ok + 1);
        s.close();
      } finally {
        execOk('umount', [m]);
      }
    } else {
      // Without mount rights: the database's own size cap gives SQLite's SQLITE_FULL.
      const s = open(dir, { maxPageCount: 64 });
      const { ok, err } = fill(s);
      expectClear(err, 'disk-full');
      expect([...s.all()]).toHaveLength(ok);
      s.close();
    }
  });

  it('reports SQLite\'s own size limit (max_page_count) as disk-full too', () => {
    const s = open(dir, { maxPageCount: 48 });
    const { ok, err } = fill(s);
    expectClear(err, 'disk-full');
    expect(ok).toBeGreaterThan(0);
    expect([...s.all()]).toHaveLength(ok);
    s.close();
  });
});

describe('StoreError', () => {
  it('maps SQLite and errno codes', () => {
    const cases: [string, StoreErrorCode][] = [
      ['SQLITE_READONLY_DBMOVED', 'read-only'],
      ['SQLITE_FULL', 'disk-full'],
      ['SQLITE_BUSY', 'locked'],
      ['SQLITE_BUSY_SNAPSHOT', 'locked'],
      ['SQLITE_LOCKED', 'locked'],
      ['SQLITE_CORRUPT', 'corrupt'],
      ['SQLITE_NOTADB', 'corrupt'],
      ['SQLITE_IOERR_WRITE', 'io'],
      ['SQLITE_CANTOPEN', 'io'],
      ['EROFS', 'read-only'],
      ['ENOSPC', 'disk-full'],
      ['SQLITE_CONSTRAINT_UNIQUE', 'internal'],
    ];
    for (const [code, expected] of cases) {
      const err = Object.assign(new Error('x'), { code });
      expect(toStoreError(err, '/data/kiosk.db').code, code).toBe(expected);
    }
  });

  it('crosses a process boundary through JSON', () => {
    const e = new StoreError('disk-full', '/data/kiosk.db', { detail: 'database or disk is full', sqliteCode: 'SQLITE_FULL' });
    const back = StoreError.fromJSON(JSON.parse(JSON.stringify(e)));
    expect(back).toBeInstanceOf(StoreError);
    expect(back.toJSON()).toEqual(e.toJSON());
    expect(back.message).toContain('/data/kiosk.db');
  });

  it('wraps a real SqliteError from better-sqlite3', () => {
    const db = new Database(':memory:');
    try {
      db.exec('SELECT * FROM nope');
    } catch (err) {
      expect(toStoreError(err, 'f').code).toBe('internal');
      expect(toStoreError(err, 'f').sqliteCode).toBe('SQLITE_ERROR');
    }
    db.close();
  });
});
