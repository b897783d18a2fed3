/**
 * scripts/demo-lock.ts: one demo per kept data dir; a lock left by a demo that no longer runs is
 * taken over, a live one names its pid.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEMO_LOCK_FILE, takeDemoLock } from '../../scripts/demo-lock.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ck-demo-lock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const lockFile = path.join(dir, DEMO_LOCK_FILE);

describe('takeDemoLock', () => {
  it('takes a free folder, writes its pid, and frees it on release', () => {
    const lock = takeDemoLock(dir);
    expect(lock.ok).toBe(true);
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    if (lock.ok) lock.release();
    expect(existsSync(lockFile)).toBe(false);
  });

  it('names the pid of a live demo holding the folder, and leaves its lock alone', () => {
    const holder = process.ppid; // a process that runs and is not this one
    writeFileSync(lockFile, `${holder}\n`);
    expect(takeDemoLock(dir)).toEqual({ ok: false, heldBy: holder });
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(holder));
    rmSync(lockFile);
  });

  it('takes over a lock whose demo is gone (killed without cleaning up) or that holds garbage', () => {
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    for (const content of [`${gone.stdout}\n`, 'not a pid\n', '']) {
      writeFileSync(lockFile, content);
      const lock = takeDemoLock(dir);
      expect({ content, ok: lock.ok }).toEqual({ content, ok: true });
      expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
      if (lock.ok) lock.release();
    }
  });
});
