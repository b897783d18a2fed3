/**
 * The whole service on a real pty scanner: an unplugged scanner is reported, and after the
 * replug scans are recorded again by the same process — no restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { startPtyPair, type PtyPair } from '../helpers/pty.js';

const scan = (n: number) => `00109000000${n}|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021\r`;
let pty: PtyPair;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-replug-'));
  pty = await startPtyPair();
});
afterAll(async () => {
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('run with a scanner that is unplugged and replugged', () => {
  it('reports the unplug and records scans after the replug without a restart', async () => {
    const data = join(dir, 'data');
    const p = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`]);
    await p.waitFor((l) => l.event === 'ready', 20_000);
    await pty.write(scan(1));
    const first = await p.waitFor((l) => l.event === 'checkin');
    await pty.unplug();
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'disconnected', 10_000);
    await pty.replug();
    const mark = p.lines.length;
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'connected', 15_000, mark);
    await pty.write(scan(2));
    const second = await p.waitFor((l) => l.event === 'checkin', 10_000, mark);
    expect(second).toMatchObject({ format: 'cccd', verdict: 'accept' });
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expect(runCli(['export', '--data-dir', data]).lines.map((l) => l.id)).toEqual([first.id, second.id]);
  }, 60_000);
});
