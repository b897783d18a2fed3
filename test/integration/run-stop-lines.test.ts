/**
 * What `run` and `central` print while a scanner comes and goes and when they are stopped, on
 * real processes and real ptys (socat): one `scanner` line per change of state (not one per
 * failed reconnection attempt), a scanner closed by the stop says `closed` without the "…;
 * retrying" of its last problem, and one `stopping` log line per stop, however many reasons
 * (a signal, then the end of a finite input; SIGTERM then SIGINT) arrive.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli, type CliProcess, type JsonLine } from '../helpers/cli.js';
import { startPtyPair, waitFor, type PtyPair } from '../helpers/pty.js';

let dir: string;
const cleanups: Array<() => Promise<unknown>> = [];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ck-stoplines-'));
});
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  rmSync(dir, { recursive: true, force: true });
});

function start(args: string[]): CliProcess {
  const p = startCli(args, { CHECKPOINT_KIOSK_LOG: 'info' });
  cleanups.push(async () => {
    if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    await p.exited;
  });
  return p;
}

/** The structured log lines (stderr) with msg `msg`. */
function logLines(p: CliProcess, msg: string): Record<string, unknown>[] {
  return p
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.msg === msg);
}

const scannerLines = (p: CliProcess, deviceId: string): JsonLine[] => p.lines.filter((l) => l.event === 'scanner' && l.deviceId === deviceId);

describe('run: scanner lines', () => {
  it('says disconnected once while reconnecting, connected when back, and closed without "retrying" at the stop', async () => {
    const pty: PtyPair = await startPtyPair();
    cleanups.push(() => pty.close());
    const p = start(['run', '--data-dir', join(dir, 'serial'), '--scanner', `serial:${pty.devicePath}`]);
    const id = `serial:${pty.devicePath}`;
    await p.waitFor((l) => l.event === 'ready', 30_000);
    await pty.unplug();
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'disconnected', 20_000);
    // Long enough for several reconnection attempts to fail (a missing path, not the first "went
    // away"): the backoff starts well under a second. Not an assertion on time.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const before = p.lines.length;
    await pty.replug();
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'connected', 20_000, before);
    await pty.unplug();
    await p.waitFor((l) => l.event === 'scanner' && l.state === 'disconnected', 20_000, before);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);

    const lines = scannerLines(p, id);
    expect(lines.map((l) => l.state)).toEqual(['connected', 'disconnected', 'connected', 'disconnected', 'closed']);
    expect(lines[1]?.error).toBe(`${pty.devicePath} went away: the scanner was unplugged or its cable came loose; it reconnects by itself when plugged back`);
    expect(lines.at(-1)).toEqual({ event: 'scanner', deviceId: id, state: 'closed' });
    expect(logLines(p, 'stopping')).toEqual([expect.objectContaining({ signal: 'SIGTERM' })]);
  }, 90_000);
});

describe('one "stopping" line per stop', () => {
  it('run with a finite input: SIGTERM closes the input too, and SIGINT follows; one line, SIGTERM', async () => {
    const p = start(['run', '--data-dir', join(dir, 'stdin'), '--scanner', 'stdin']);
    await p.waitFor((l) => l.event === 'ready', 30_000);
    p.child.kill('SIGTERM');
    await waitFor(() => logLines(p, 'stopping').length > 0, { timeoutMs: 20_000, what: 'the stopping line' });
    if (p.child.exitCode === null) p.child.kill('SIGINT');
    const end = await p.exited;
    expect(p.lines.at(-1)).toEqual({ event: 'stopped' });
    // Exit 0; or SIGINT landed after the stop had finished (`stopped` printed), while Node was
    // tearing the process down with its signal handlers gone: ended the default way, stop complete.
    if (end.code !== 0) expect(end.signal).toBe('SIGINT');
    expect(logLines(p, 'stopping')).toEqual([expect.objectContaining({ ns: 'kiosk', signal: 'SIGTERM' })]);
    expect(scannerLines(p, 'stdin').map((l) => l.state)).toEqual(['connected', 'closed']);
  }, 60_000);

  it('central: one line naming the signal', async () => {
    const p = start(['central', '--data-dir', join(dir, 'central'), '--port', '0']);
    await p.waitFor((l) => l.event === 'listening', 30_000);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
    expect(p.lines.map((l) => l.event)).toEqual(['listening', 'stopped']);
    expect(logLines(p, 'stopping')).toEqual([expect.objectContaining({ signal: 'SIGTERM' })]);
  }, 60_000);
});
