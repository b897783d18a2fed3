/**
 * Two edges of `run`'s graceful stop: a SIGTERM while the kiosk is still starting (store opening,
 * lock just taken) stops it gracefully — exit 0, `stopped`, the lock's pid file removed — instead
 * of a silent exit 143; and a serial scan sent without a terminator, still waiting for its 100 ms
 * idle timeout when SIGTERM comes, is recorded and printed, not dropped. Real command; a real pty
 * pair (socat) and the serialport binding for the second.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { startPtyPair } from '../helpers/pty.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';
let dir: string;
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-stop-edges-'));
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

describe('run: stop edges', () => {
  it('SIGTERM right after the data dir is locked (still starting): exit 0, stopped, lock released', async () => {
    const data = join(dir, 'early');
    const p = startCli(['run', '--data-dir', data, '--scanner', 'stdin']);
    cleanups.push(async () => {
      p.child.kill('SIGKILL');
      await p.exited;
    });
    const pidFile = join(data, 'kiosk.lock');
    const end = Date.now() + 30_000;
    while (!existsSync(pidFile)) {
      if (Date.now() > end || p.child.exitCode !== null) throw new Error(`kiosk.lock never appeared; stderr: ${p.stderr()}`);
      await new Promise((r) => setTimeout(r, 2));
    }
    p.child.kill('SIGTERM');
    const { code, signal } = await p.exited;
    expect({ code, signal }, p.stderr()).toEqual({ code: 0, signal: null });
    expect(p.lines.at(-1)?.event).toBe('stopped');
    expect(existsSync(pidFile)).toBe(false);
    // The next start is not refused.
    expect(runCli(['run', '--data-dir', data, '--scanner', 'stdin'], `${AN}\n`).code).toBe(0);
  }, 60_000);

  it('a serial scan without terminator still waiting for its idle timeout at SIGTERM is recorded', async () => {
    const pty = await startPtyPair();
    cleanups.push(() => pty.close());
    const p = startCli(['run', '--data-dir', join(dir, 'serial'), '--scanner', `serial:${pty.devicePath}?baud=9600`]);
    cleanups.push(async () => {
      p.child.kill('SIGKILL');
      await p.exited;
    });
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'connected', 60_000);
    await pty.write(AN);
    // The bytes reach the kiosk; the 100 ms silence that would end the scan has not passed yet.
    await new Promise((r) => setTimeout(r, 30));
    p.child.kill('SIGTERM');
    expect((await p.exited).code, p.stderr()).toBe(0);
    const events = p.lines.map((l) => l.event);
    expect(events).toContain('checkin');
    expect(events.indexOf('checkin')).toBeLessThan(events.indexOf('stopped'));
    expect(p.lines.find((l) => l.event === 'checkin')).toMatchObject({ format: 'cccd', verdict: 'accept' });
  }, 60_000);
});
