/**
 * Crash safety (issue 2): the real `checkpoint-kiosk run` reads a real pty scanner; scans stream
 * in; the process is SIGKILLed at a random moment; a restart on the same data dir must show
 * every check-in that was printed exactly once in `export` — printed means committed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../helpers/cli.js';
import { setTechPin } from '../helpers/tech-pin.js';
import { startPtyPair, type PtyPair } from '../helpers/pty.js';

const ROUNDS = 10;
let pty: PtyPair;
let dir: string;
let serial = 0;

/** A valid CCCD payload with a fresh ID number, so no scan is a duplicate of another. */
function nextScan(): string {
  serial++;
  const tail = String(serial).padStart(6, '0');
  return `001090${tail}|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021`;
}

// Seeded so a failure can be replayed: the kill moments are the same on every run.
let seed = 20211009;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-crash-'));
  pty = await startPtyPair();
});
afterAll(async () => {
  await pty.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SIGKILL at a random moment, then restart', () => {
  it(`keeps every printed check-in exactly once over ${ROUNDS} rounds`, async () => {
    const data = join(dir, 'data');
    const printed = new Set<string>();
    for (let round = 0; round < ROUNDS; round++) {
      const p = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`, '--checkpoint', 'HN-01']);
      await p.waitFor((l) => l.event === 'ready', 20_000);
      const killAfterMs = 30 + Math.floor(random() * 400);
      let streaming = true;
      const writer = (async () => {
        while (streaming) {
          // Scans go out in bursts split at arbitrary points, like a real USB-CDC scanner.
          const burst = Array.from({ length: 1 + Math.floor(random() * 4) }, nextScan).join('\r\n') + '\r\n';
          const cut = Math.floor(random() * burst.length);
          await pty.writeChunks([burst.slice(0, cut), burst.slice(cut)]);
          await new Promise((r) => setTimeout(r, 2 + Math.floor(random() * 8)));
        }
      })();
      await new Promise((r) => setTimeout(r, killAfterMs));
      p.child.kill('SIGKILL');
      const exit = await p.exited;
      streaming = false;
      await writer;
      expect(exit.signal).toBe('SIGKILL');
      for (const l of p.lines) if (l.event === 'checkin') printed.add(l.id as string);
    }
    expect(printed.size).toBeGreaterThan(ROUNDS); // the kills really landed mid-stream

    // A final clean run on the same data dir still works after all those kills.
    const last = startCli(['run', '--data-dir', data, '--scanner', `serial:${pty.devicePath}`]);
    await last.waitFor((l) => l.event === 'ready', 20_000);
    const from = last.lines.length;
    const probe = nextScan();
    await pty.write(`\r\n${probe}\r\n`);
    const probeLine = await last.waitFor((l) => l.event === 'checkin' && l.verdict === 'accept', 10_000, from);
    last.child.kill('SIGTERM');
    expect((await last.exited).code).toBe(0);

    await setTechPin(data, '2468');
    const exported = runCli(['export', '--data-dir', data, '--reveal'], '2468\n');
    expect(exported.code).toBe(0);
    const ids = exported.lines.map((l) => l.id as string);
    expect(new Set(ids).size).toBe(ids.length);
    const missing = [...printed].filter((id) => !ids.includes(id));
    expect(missing).toEqual([]);
    expect(ids).toContain(probeLine.id);
    // No accepted person was recorded twice (the same ID number is never scanned twice here).
    const accepted = exported.lines.filter((l) => l.verdict === 'accept').map((l) => (l.subject as { idNo: string }).idNo);
    expect(new Set(accepted).size).toBe(accepted.length);
  }, 180_000);
});
