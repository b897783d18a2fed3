/**
 * End to end: `checkpoint-kiosk run` reading stdin, with an LC-Tech serial gate relay on a real
 * socat pty. The bytes on the relay's far end must match what was committed: a rejected card and
 * its duplicate never open the gate; the correct card of the same ID number opens it; the same
 * accepted card read again ("already checked in") opens it again, for the committed accept.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, type CliProcess } from '../helpers/cli.js';
import { startPtyPair, waitFor, type PtyPair } from '../helpers/pty.js';

const GOOD = '001090001234|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';
const BAD = '001090001234|123456789|Nguyễn Văn An|01021991|Nam|Hà Nội|15082021';
const OFF = 'a0 01 00 a1';
const ON = 'a0 01 01 a2';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

async function farEnd(path: string): Promise<{ bytes: number[]; close: () => Promise<void> }> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const bytes: number[] = [];
  port.on('data', (chunk: Buffer) => bytes.push(...chunk));
  port.on('error', () => undefined);
  return { bytes, close: () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())) };
}

const frames = (bytes: number[]): string[] => {
  const out: string[] = [];
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(bytes.slice(i, i + 4).map((b) => b.toString(16).padStart(2, '0')).join(' '));
  return out;
};

describe('duplicates and the gate relay (run, stdin, serial relay on a pty)', () => {
  it('reject → correct card → same card again: the relay switches for the committed accepts only', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-duprelay-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const pty: PtyPair = await startPtyPair();
    cleanups.push(() => pty.close());
    const far = await farEnd(pty.hostPath);
    cleanups.push(() => far.close());

    const p: CliProcess = startCli(['run', '--data-dir', join(dir, 'data'), '--scanner', 'stdin', '--relay', `serial-relay:${pty.devicePath}?channel=1&pulseMs=60`]);
    cleanups.push(() => {
      if (p.child.exitCode === null) p.child.kill('SIGKILL');
    });
    await p.waitFor((l) => l.event === 'ready');
    await waitFor(() => far.bytes.length >= 4, { what: 'the OFF frame at start' });

    const send = async (text: string, event: string) => {
      const from = p.lines.length;
      p.child.stdin?.write(`${text}\n`);
      const line = await p.waitFor((l) => l.event === event, 15_000, from);
      return line;
    };

    const reject = await send(BAD, 'checkin');
    expect(reject).toMatchObject({ verdict: 'reject', reasons: ['inconsistent-id'] });
    const rejectAgain = await send(BAD, 'duplicate');
    expect(rejectAgain).toEqual({ event: 'duplicate', of: reject.id, verdict: 'reject', reasons: ['inconsistent-id'] });
    // The bug this guards against: the correct card folded into the reject and opened the gate.
    const accept = await send(GOOD, 'checkin');
    expect(accept).toMatchObject({ verdict: 'accept', reasons: ['identity-only'] });
    await waitFor(() => far.bytes.length >= 12, { what: 'ON and OFF for the accept' });
    const acceptAgain = await send(GOOD, 'duplicate');
    expect(acceptAgain).toEqual({ event: 'duplicate', of: accept.id, verdict: 'accept', reasons: ['identity-only'] });
    await waitFor(() => far.bytes.length >= 20, { what: 'ON and OFF for the duplicate of the accept' });

    p.child.stdin?.end();
    expect((await p.exited).code).toBe(0);
    // One ON/OFF pair per committed accept shown (the check-in and its duplicate), none for the reject.
    const committedAccepts = p.lines.filter((l) => (l.event === 'checkin' || l.event === 'duplicate') && l.verdict === 'accept').length;
    expect(committedAccepts).toBe(2);
    expect(frames(far.bytes)).toEqual([OFF, ...Array.from({ length: committedAccepts }, () => [ON, OFF]).flat()]);
  }, 90_000);
});
