/**
 * `run` on a serial scanner that sends line noise (a baud-rate mismatch or a flaky cable looks
 * like random bytes), on a real pty pair (socat) and the real serialport binding: a burst becomes
 * a few `unreadable` rejects and one `line-noise` fault with the count dropped, not a check-in per
 * garbage line; a real scan right after is recorded; one or two garbage lines alone stay rejects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LineFramer, type Frame } from '../../drivers/framing/line-framer.js';
import { isFragment, isLineNoise } from '../../drivers/framing/line-noise.js';
import { FakeTime } from '../fakes/fake-time.js';
import { startCli, type CliProcess, type JsonLine } from '../helpers/cli.js';
import { startPtyPair, type PtyPair } from '../helpers/pty.js';

let dir: string;
const stops: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-serial-noise-'));
});
afterAll(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
  rmSync(dir, { recursive: true, force: true });
});

async function runOnPty(name: string): Promise<{ pty: PtyPair; p: CliProcess }> {
  const pty = await startPtyPair();
  stops.push(() => pty.close());
  const p = startCli(['run', '--data-dir', join(dir, name), '--scanner', `serial:${pty.devicePath}?baud=9600`]);
  stops.push(async () => {
    p.child.kill('SIGTERM');
    await p.exited;
  });
  await p.waitFor((l) => l.event === 'ready', 60_000);
  return { pty, p };
}

/** Deterministic PRNG (mulberry32): the same "random" bytes every run. */
function randomBytes(n: number, seed: number): Buffer {
  let a = seed >>> 0;
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

/** The frames the kiosk's framer makes of `bytes`. */
function frames(bytes: Buffer): Frame[] {
  const time = new FakeTime();
  const out: Frame[] = [];
  const framer = new LineFramer({ clock: time, timers: time, onFrame: (f) => out.push(f) });
  framer.push(bytes);
  framer.flush();
  return out;
}

const CCCD = '001099012345|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';
const recorded = (l: JsonLine) => l.event === 'checkin' || l.event === 'duplicate';
const noiseLine = (l: JsonLine) => l.event === 'scanner' && l.lineNoise !== undefined;

describe('run: line noise on a serial scanner', () => {
  it('20 KB of random bytes: at most 4 unreadable rejects and one fault with the count dropped; a scan right after is recorded', async () => {
    const { pty, p } = await runOnPty('burst');
    // The noise ends with a line end so the scan after it is not glued to its last fragment.
    const noise = Buffer.concat([randomBytes(20_000, 0x5ca11e), Buffer.from('\r\n')]);
    const expected = frames(noise);
    expect(expected.length).toBeGreaterThan(100);
    // Every frame of these bytes is noise (or a fragment a burst drops): nothing here is a scan.
    expect(expected.every((f, i) => isLineNoise(f) || (i >= 4 && isFragment(f)))).toBe(true);

    await pty.write(noise);
    const start = await p.waitFor((l) => noiseLine(l) && (l.lineNoise as { active: boolean }).active, 60_000);
    expect(start).toMatchObject({ state: 'connected', fault: 'line-noise', lineNoise: { active: true } });
    expect(start.error).toMatch(/^the scanner sends unreadable data \(\d+ frames? dropped\) — check the baud rate \(`\?baud=`\) and the cable$/);

    await pty.write(`${CCCD}\r\n`);
    const scan = await p.waitFor((l) => recorded(l) && l.format === 'cccd', 60_000);
    expect(scan).toMatchObject({ event: 'checkin', format: 'cccd' });

    const end = await p.waitFor((l) => noiseLine(l) && (l.lineNoise as { active: boolean }).active === false, 60_000);
    expect(end.fault).toBeUndefined();
    expect(end.error).toBeUndefined();
    const rejects = p.lines.filter((l) => recorded(l) && l.format !== 'cccd');
    expect(rejects.length).toBeLessThanOrEqual(4);
    for (const r of rejects) expect(r).toMatchObject({ event: 'checkin', verdict: 'reject', reasons: ['unreadable'] });
    // Nothing lost without a trace: every noise frame is a reject or counted as dropped.
    expect(rejects.length + (end.lineNoise as { dropped: number }).dropped).toBe(expected.length);
    expect(p.lines.filter((l) => noiseLine(l) && l.fault === 'line-noise')).toHaveLength(1);
    expect(p.lines.filter(noiseLine)).toHaveLength(2);
    // The log says so, without a byte of the noise.
    expect(p.stderr()).toContain('scanner sends line noise');
  });

  it('one or two garbage lines alone are still recorded as unreadable rejects, with no fault', async () => {
    const { pty, p } = await runOnPty('lone');
    await pty.write(Buffer.from([0x80, 0xff, 0xfe, 0x00, 0x11, 0xc3, 0x28, 0x0d, 0x0a]));
    await pty.write(Buffer.from([0x41, 0x42, 0x07, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x0d, 0x0a]));
    await pty.write(`${CCCD}\r\n`);
    await p.waitFor((l) => recorded(l) && l.format === 'cccd', 60_000);
    const checkins = p.lines.filter(recorded);
    expect(checkins.map((l) => [l.format, l.verdict, l.reasons])).toEqual([
      ['unknown', 'reject', ['unreadable']],
      ['unknown', 'reject', ['unreadable']],
      ['cccd', expect.any(String), expect.any(Array)],
    ]);
    expect(p.lines.filter((l) => l.event === 'scanner' && (l.fault !== undefined || l.lineNoise !== undefined))).toEqual([]);
  });
});
