/**
 * A power cut while a provisioning card is being applied, on real processes: the central server's
 * trust-bundle answer is held (a fault proxy in front of it), so the kiosk has saved its
 * enrollment and waits for the first bundle; it is killed with SIGKILL then. Restarted, its next
 * check-in is recorded at the card's checkpoint and direction, not at "unassigned"/"in".
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli, startCli, type CliProcess } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';

let dir: string;
let central: CliProcess;
let proxy: FaultProxy;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-card-crash-'));
  central = startCli(['central', '--data-dir', join(dir, 'central'), '--port', '0']);
  const url = (await central.waitFor((l) => l.event === 'listening', 20_000)).url as string;
  proxy = await startFaultProxy({ target: url, match: (req) => (req.url ?? '').startsWith('/api/v1/trust-bundle') });
  proxy.plan([], { kind: 'hang' });
}, 30_000);
afterAll(async () => {
  await proxy.close();
  central.child.kill('SIGTERM');
  await central.exited;
  rmSync(dir, { recursive: true, force: true });
});

/** runCli without blocking this process (the fault proxy in it must keep answering). */
async function runAsync(args: string[], input: string): Promise<{ code: number | null; stderr: string; lines: CliProcess['lines'] }> {
  const p = startCli(args);
  p.child.stdin!.end(input);
  const { code } = await p.exited;
  return { code, stderr: p.stderr(), lines: p.lines };
}

const CCCD = '001090000001|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021';

it('killed after enrolling and before the card settings were saved: the restart completes the card', async () => {
  const issued = runCli(['central', 'provision-card', '--data-dir', join(dir, 'central'), '--checkpoint', 'G7', '--direction', 'out', '--url', proxy.url, '--json']);
  expect(issued.code, issued.stderr).toBe(0);
  const card = issued.lines[0]!.card as string;
  const data = join(dir, 'kiosk');
  const kiosk = startCli(['run', '--data-dir', data, '--scanner', 'stdin']);
  await kiosk.waitFor((l) => l.event === 'ready', 20_000);
  kiosk.child.stdin!.write(`${card}\n`);
  // Enrolled (the file is written) and now waiting for the held trust bundle: the bad moment.
  const deadline = Date.now() + 20_000;
  while (!(existsSync(join(data, 'enrollment.json')) && proxy.inFlight > 0)) {
    if (Date.now() > deadline) throw new Error(`never reached the trust-bundle wait; stderr: ${kiosk.stderr().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  kiosk.child.kill('SIGKILL');
  await kiosk.exited;
  expect(kiosk.lines.some((l) => l.event === 'provisioned')).toBe(false);
  // The server answers again (the restarted kiosk's stop would otherwise wait for the held request).
  proxy.plan([], { kind: 'pass' });

  const again = await runAsync(['run', '--data-dir', data, '--scanner', 'stdin', '--drain-seconds', '0'], `${CCCD}\n`);
  expect(again.code, again.stderr).toBe(0);
  const exported = runCli(['export', '--data-dir', data]);
  expect(exported.code, exported.stderr).toBe(0);
  expect(exported.lines).toHaveLength(1);
  expect(exported.lines[0]).toMatchObject({ checkpointId: 'G7', direction: 'out' });
  // The card was used: scanned again it is ignored (enrolled), as before.
  const rescan = await runAsync(['run', '--data-dir', data, '--scanner', 'stdin', '--drain-seconds', '0'], `${card}\n`);
  expect(rescan.lines.find((l) => String(l.event).startsWith('provision'))).toMatchObject({ event: 'provisioning-ignored' });
}, 120_000);
