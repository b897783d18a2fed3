/**
 * The simple scan sources: `sim:FILE` on real files, `stdin` on an injected stream and on the
 * real process.stdin of a child process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScanner } from '../../drivers/factory.js';
import type { DriverDeps, ScannerDriver } from '../../drivers/types.js';
import type { ScanEvent, ScannerStatus } from '../../src/shared/types.js';
import type { Logger } from '../../src/shared/ports.js';
import { waitFor } from '../helpers/pty.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };

/** Real timers, with every requested delay recorded (to check intervals without timing). */
function realDeps(delays: number[] = []): DriverDeps {
  return {
    clock: { now: () => Date.now() },
    timers: {
      setTimeout: (fn, ms) => {
        delays.push(ms);
        return setTimeout(fn, ms);
      },
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
    },
    logger: silent,
  };
}

function collect(driver: ScannerDriver) {
  const scans: ScanEvent[] = [];
  const states: ScannerStatus['state'][] = [];
  driver.on('scan', (s) => scans.push(s));
  driver.on('status', (s) => states.push(s.state));
  return { scans, states, shown: () => scans.map((s) => (s.fault ? `<${s.fault}>` : s.text)) };
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sources-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('sim:FILE', () => {
  const file = () => path.join(dir, 'scans.txt');

  it('replays the scans in order, skipping blank and # lines, with faults for bad lines, then closes', async () => {
    writeFileSync(
      file(),
      Buffer.concat([
        Buffer.from('# a comment\r\n\r\n001099012345|Nguyễn Văn Ánh|01011990\r\n   \n  # indented comment\nHC1:ABC\r'),
        Buffer.from([0xff, 0xfe, 0x0a]),
        Buffer.from(`${'x'.repeat(100)}\nlast-without-newline`),
      ]),
    );
    const delays: number[] = [];
    const sim = await createScanner(`sim:${file()}?intervalMs=5&maxLine=64`, realDeps(delays));
    const { scans, states, shown } = collect(sim);
    await sim.open();
    await waitFor(() => sim.status().state === 'closed', { what: 'the simulator to finish' });
    expect(shown()).toEqual(['001099012345|Nguyễn Văn Ánh|01011990', 'HC1:ABC', '<unreadable>', '<too-large>', 'last-without-newline']);
    expect(scans.every((s) => s.source === 'sim' && s.deviceId === 'sim:scans.txt')).toBe(true);
    expect([...(scans[2]?.bytes ?? [])]).toEqual([0xff, 0xfe]);
    expect(states).toEqual(['connected', 'closed']);
    expect(sim.status()).toMatchObject({ reads: 5, errors: 2 });
    // First scan right away, then one every intervalMs.
    expect(delays).toEqual([0, 5, 5, 5, 5]);
  });

  it('loops with ?loop=1 until closed, and stops emitting after close()', async () => {
    writeFileSync(file(), 'A\nB\nC\n');
    const sim = await createScanner(`sim:${file()}?loop=1&intervalMs=1`, realDeps());
    const { shown } = collect(sim);
    await sim.open();
    await waitFor(() => shown().length >= 7, { what: 'two rounds and more' });
    await sim.close();
    const count = shown().length;
    expect(shown().slice(0, 7)).toEqual(['A', 'B', 'C', 'A', 'B', 'C', 'A']);
    expect(sim.status().state).toBe('closed');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(shown().length).toBe(count);
  });

  it('closes at once when the file holds only comments, even with loop', async () => {
    writeFileSync(file(), '# nothing here\n\n');
    const sim = await createScanner(`sim:${file()}?loop=1`, realDeps());
    const { scans } = collect(sim);
    await sim.open();
    expect(sim.status().state).toBe('closed');
    expect(scans).toEqual([]);
  });

  it('rejects open() with a message naming the file when it cannot be read', async () => {
    const missing = path.join(dir, 'missing.txt');
    await expect((await createScanner(`sim:${missing}`, realDeps())).open()).rejects.toThrow(`sim: cannot read scan file "${missing}": ENOENT`);
    const sub = path.join(dir, 'sub');
    mkdirSync(sub);
    await expect((await createScanner(`sim:${sub}`, realDeps())).open()).rejects.toThrow(/not a regular file/);
  });
});

describe('stdin source', () => {
  it('frames an injected stream, flushes the last unterminated line at end, then closes', async () => {
    const input = new PassThrough();
    const src = await createScanner('stdin?maxLine=32', realDeps(), { stdin: input });
    const { scans, states, shown } = collect(src);
    await src.open();
    expect(src.status().state).toBe('connected');
    const bytes = Buffer.from(`one\r\ntwo\rNguyễn\n${'z'.repeat(40)}\n`, 'utf8');
    for (const b of bytes) input.write(Uint8Array.of(b));
    input.write(Buffer.from([0xc3, 0x28, 0x0a]));
    input.end('tail');
    await waitFor(() => src.status().state === 'closed', { what: 'end of stream' });
    expect(shown()).toEqual(['one', 'two', 'Nguyễn', '<too-large>', '<unreadable>', 'tail']);
    expect(scans[0]).toMatchObject({ source: 'stdin', deviceId: 'stdin' });
    expect(states).toEqual(['connected', 'closed']);
  });

  it('close() detaches from the stream without destroying it', async () => {
    const input = new PassThrough();
    const src = await createScanner('stdin', realDeps(), { stdin: input });
    const { shown } = collect(src);
    await src.open();
    input.write('first\n');
    await waitFor(() => shown().length === 1, { what: 'first line' });
    await src.close();
    input.write('second\n');
    expect(input.destroyed).toBe(false);
    expect(input.listenerCount('data')).toBe(0);
    expect(shown()).toEqual(['first']);
    expect(src.status().state).toBe('closed');
  });

  it('reads the real process.stdin of a child process', async () => {
    const script = path.join(dir, 'stdin-child.mts');
    const factory = path.join(repoRoot, 'drivers/factory.ts');
    writeFileSync(
      script,
      `import { createScanner } from ${JSON.stringify(factory)};
const deps = { clock: { now: () => Date.now() }, timers: { setTimeout, clearTimeout },
  logger: { debug() {}, info() {}, warn() {}, error() {}, child() { return this; } } };
const src = await createScanner('stdin', deps);
src.on('scan', (s) => process.stdout.write(JSON.stringify({ text: s.text, fault: s.fault ?? null }) + '\\n'));
src.on('status', (s) => process.stdout.write(JSON.stringify({ state: s.state }) + '\\n'));
await src.open();
`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.stdin.write('SCAN-1\r\nSCAN');
    child.stdin.write('-2\n');
    child.stdin.end(Buffer.from([0xff, 0x0a, 0x41, 0x42]));
    const code = await exited;
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out.trim().split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { state: 'connected' },
      { text: 'SCAN-1', fault: null },
      { text: 'SCAN-2', fault: null },
      { text: '', fault: 'unreadable' },
      { text: 'AB', fault: null },
      { state: 'closed' },
    ]);
  });
});
