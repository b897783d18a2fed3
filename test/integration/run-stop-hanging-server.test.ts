/**
 * SIGTERM while the central server hangs (accepts connections, never answers): the kiosk aborts its
 * requests in flight (enrollment, heartbeat, trust and config sync, forwarding) at once, commits and
 * prints every scan it already received, and exits 0 within a couple of seconds — well inside the
 * systemd unit's TimeoutStopSec (README, docs/OPERATIONS.md), so no scan is lost to a SIGKILL.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { newEcKey } from '../helpers/keys.js';

const AN = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021';
let dir: string;
let server: net.Server;
let url: string;
const sockets = new Set<net.Socket>();
let connections = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-hang-'));
  // Reads every request and never answers.
  server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('data', () => undefined);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

async function until(pred: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** SIGTERM, then how long the exit took and its code. */
async function stopTimed(p: CliProcess): Promise<{ ms: number; code: number | null }> {
  const t0 = Date.now();
  p.child.kill('SIGTERM');
  const { code } = await p.exited;
  return { ms: Date.now() - t0, code };
}

describe('SIGTERM with a central server that never answers', () => {
  it('--enroll in flight: the held scan is committed and printed, exit 0 within 3 s', async () => {
    const data = join(dir, 'enrolling');
    const scans = join(dir, 'one.txt');
    writeFileSync(scans, `${AN}\n`);
    const before = connections;
    const p = startCli(['run', '--data-dir', data, '--scanner', `sim:${scans}?loop=1&intervalMs=60000`, '--server', url, '--enroll', 'ABCD-EFGH-JKLM']);
    await p.waitFor((l) => l.event === 'ready', 30_000);
    await until(() => connections > before);
    // Let the scan be read (it waits behind the enrollment).
    await new Promise((r) => setTimeout(r, 500));
    const { ms, code } = await stopTimed(p);
    expect(code, p.stderr()).toBe(0);
    expect(ms).toBeLessThan(3_000);
    const events = p.lines.map((l) => l.event);
    expect(events).toContain('checkin');
    expect(events.indexOf('checkin')).toBeLessThan(events.indexOf('stopped'));
    expect(runCli(['export', '--data-dir', data]).lines).toHaveLength(1);
  }, 60_000);

  it('an enrolled kiosk (heartbeat, trust sync, forwarder all hanging): the scan is kept pending, exit 0 within 3 s', async () => {
    const data = join(dir, 'enrolled');
    mkdirSync(data, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(data, 'enrollment.json'),
      JSON.stringify({ serverUrl: url, servers: [url], deviceId: 'dev-hang', token: 't'.repeat(40), trustKey: newEcKey().publicJwk, enrolledAt: new Date().toISOString() }),
      { mode: 0o600 },
    );
    const scans = join(dir, 'two.txt');
    writeFileSync(scans, `${AN}\n`);
    const before = connections;
    const p = startCli(['run', '--data-dir', data, '--scanner', `sim:${scans}?loop=1&intervalMs=60000`]);
    await p.waitFor((l) => l.event === 'checkin', 30_000);
    // Heartbeat, trust sync and the forwarder's batch: all waiting for an answer.
    await until(() => connections >= before + 3);
    const { ms, code } = await stopTimed(p);
    expect(code, p.stderr()).toBe(0);
    expect(ms).toBeLessThan(3_000);
    expect(p.lines.at(-1)?.event).toBe('stopped');
    const exported = runCli(['export', '--data-dir', data]).lines;
    expect(exported).toHaveLength(1);
    expect(exported[0]).toMatchObject({ delivery: 'pending' });
  }, 60_000);

  it('a signal during the end of input\'s delivery try (--drain-seconds 30) stops within 3 s, naming what is left', async () => {
    const data = join(dir, 'draining');
    mkdirSync(data, { recursive: true, mode: 0o700 });
    writeFileSync(
      join(data, 'enrollment.json'),
      JSON.stringify({ serverUrl: url, servers: [url], deviceId: 'dev-drain', token: 'd'.repeat(40), trustKey: newEcKey().publicJwk, enrolledAt: new Date().toISOString() }),
      { mode: 0o600 },
    );
    const scans = join(dir, 'once.txt');
    writeFileSync(scans, `${AN}\n`);
    // A finite source: the run ends its input after one scan and tries to deliver for up to 30 s.
    const p = startCli(['run', '--data-dir', data, '--scanner', `sim:${scans}`, '--drain-seconds', '30']);
    await p.waitFor((l) => l.event === 'checkin', 30_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const { ms, code } = await stopTimed(p);
    expect(code, p.stderr()).toBe(0);
    expect(ms).toBeLessThan(3_000);
    const pending = p.lines.find((l) => l.event === 'pending') as { checkins?: number; message?: string } | undefined;
    expect(pending?.checkins).toBe(1);
    expect(pending?.message).not.toMatch(/ERR_CANCELED/);
    expect(p.lines.at(-1)?.event).toBe('stopped');
  }, 60_000);
});
