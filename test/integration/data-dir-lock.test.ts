/**
 * The data-dir lock dies with its process (src/app/data-dir-lock.ts): a pid file naming a live
 * process that is not a kiosk (pids are reused after a power cut), or a kiosk killed with SIGKILL a
 * moment ago, never keeps the next kiosk out; a kiosk that really runs still does, with its pid.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, LOCK_FILE, lockDataDir } from '../../src/app/data-dir-lock.js';
import { runCli, startCli } from '../helpers/cli.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-lock-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('lockDataDir', () => {
  it('takes over a pid file naming a live process that is not a kiosk', () => {
    const data = join(dir, 'reused');
    mkdirSync(data);
    // This test's own parent (vitest's main process) is alive and holds no lock.
    writeFileSync(join(data, LOCK_FILE), `${process.ppid}\n`);
    const lock = lockDataDir(data);
    lock.release();
    expect(existsSync(join(data, LOCK_FILE))).toBe(false);
  });
  it('refuses a second lock while the first is held, and gives it once released', () => {
    const data = join(dir, 'twice');
    mkdirSync(data);
    const first = lockDataDir(data);
    expect(() => lockDataDir(data, 4242)).toThrow(DataDirLockedError);
    expect(() => lockDataDir(data, 4242)).toThrow(`another kiosk (pid ${process.pid}) is using the data dir`);
    first.release();
    lockDataDir(data).release();
  });
  it('replaces a lock database overwritten with something else', () => {
    const data = join(dir, 'garbage');
    mkdirSync(data);
    writeFileSync(join(data, `${LOCK_FILE}.db`), 'x'.repeat(200));
    lockDataDir(data).release();
  });
});

describe('run and the lock', () => {
  it('starts although kiosk.lock names a live process that is not a kiosk', () => {
    const data = join(dir, 'run-reused');
    mkdirSync(data);
    const other = spawn('sleep', ['30']);
    try {
      writeFileSync(join(data, LOCK_FILE), `${other.pid}\n`);
      const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin'], `${AN}\n`);
      expect(r.stderr).not.toContain('another kiosk');
      expect(r.code).toBe(0);
      expect(r.lines.filter((l) => l.event === 'checkin')).toHaveLength(1);
    } finally {
      other.kill('SIGKILL');
    }
  });
  it('refuses a second kiosk naming the first one, and starts at once after the first was killed with SIGKILL', async () => {
    const data = join(dir, 'run-kill');
    const scans = join(dir, 'one.txt');
    writeFileSync(scans, `${AN}\n`);
    const first = startCli(['run', '--data-dir', data, '--scanner', `sim:${scans}?loop=1&intervalMs=60000`]);
    await first.waitFor((l) => l.event === 'checkin');
    const second = runCli(['run', '--data-dir', data, '--scanner', 'stdin'], '');
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`another kiosk (pid ${first.child.pid}) is using the data dir`);
    first.child.kill('SIGKILL');
    await first.exited;
    const third = runCli(['run', '--data-dir', data, '--scanner', 'stdin'], `${AN}\n`);
    expect(third.stderr).not.toContain('another kiosk');
    expect(third.code).toBe(0);
  }, 60_000);
});
