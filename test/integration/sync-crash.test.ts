/**
 * Crashes on both ends, with real processes: the central server SIGKILLed and restarted mid-run,
 * and a kiosk process SIGKILLed while a batch is in flight. Afterwards every check-in is on the
 * server exactly once and the kiosk queue is empty.
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import type { CheckInStore } from '../../src/store/types.js';
import { enroll } from '../../src/sync/enrollment.js';
import { startForwarder } from '../../src/sync/forwarder.js';
import type { Forwarder } from '../../src/sync/forwarder.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';
import { freePort, killAndWait, openKioskStore, repoRoot, seed, spawnCentral, waitFor } from '../helpers/sync-fixtures.js';
import type { ChildProcess } from 'node:child_process';

let tmp: string;
let store: CheckInStore | undefined;
let forwarder: Forwarder | undefined;
let proxy: FaultProxy | undefined;
const children: ChildProcess[] = [];

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-crash-'));
});

afterEach(async () => {
  await forwarder?.stop();
  forwarder = undefined;
  store?.close();
  store = undefined;
  await proxy?.close();
  proxy = undefined;
  for (const c of children.splice(0)) await killAndWait(c, 'SIGKILL');
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Ids on the server, read with `central export` after a clean stop. */
function exportedIds(centralDir: string): string[] {
  const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/main.ts'), 'export', '--data-dir', centralDir], { cwd: repoRoot, encoding: 'utf8' });
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

it('central SIGKILLed and restarted mid-run: every check-in exactly once', async () => {
  const centralDir = path.join(tmp, 'central');
  const port = await freePort();
  const args = ['--data-dir', centralDir, '--port', String(port), '--enrollment-code', 'CRASH-CODE'];
  let server = await spawnCentral(args);
  children.push(server.child);
  const kioskDir = path.join(tmp, 'kiosk');
  const { token } = await enroll({ serverUrl: server.url, code: 'CRASH-CODE', dataDir: kioskDir, device: { name: 'k', version: '0', platform: 'linux' } });
  store = openKioskStore(kioskDir);
  const s = store;
  const ids = seed(s, 1500);
  // Slow answers keep the run long enough to kill the server in the middle of it.
  proxy = await startFaultProxy({ target: server.url });
  proxy.plan([], { kind: 'slow', delayMs: 40 });
  forwarder = startForwarder({ store: s, serverUrl: proxy.url, token, clock: systemClock, timers: systemTimers, logger: silentLogger, batchSize: 50, backoff: { baseMs: 20, capMs: 200 }, requestTimeoutMs: 2_000, idlePollMs: 50 });
  await waitFor(() => s.queueStats().depth < 1200, 'some progress');
  expect(await killAndWait(server.child, 'SIGKILL')).toBeNull();
  const depthAtKill = s.queueStats().depth;
  expect(depthAtKill).toBeGreaterThan(0);
  await waitFor(() => (forwarder?.state().failures ?? 0) >= 2, 'forwarder notices the outage');
  server = await spawnCentral(args.slice(0, 4)); // same port; the spent code is not needed again
  children.push(server.child);
  await waitFor(() => s.queueStats().depth === 0, 'queue drained after restart', 60_000);
  expect(await killAndWait(server.child, 'SIGTERM')).toBe(0);
  const onServer = exportedIds(centralDir);
  expect(onServer.length).toBe(1500);
  expect([...onServer].sort()).toEqual([...ids].sort());
});

it('kiosk SIGKILLed mid-batch: the restarted kiosk delivers the rest, exactly once', async () => {
  const centralDir = path.join(tmp, 'central');
  const server = await spawnCentral(['--data-dir', centralDir, '--port', '0', '--enrollment-code', 'KIOSK-CODE']);
  children.push(server.child);
  const kioskDir = path.join(tmp, 'kiosk');
  const { token } = await enroll({ serverUrl: server.url, code: 'KIOSK-CODE', dataDir: kioskDir, device: { name: 'k', version: '0', platform: 'linux' } });
  const seeding = openKioskStore(kioskDir);
  const ids = seed(seeding, 600);
  seeding.close();

  proxy = await startFaultProxy({ target: server.url });
  proxy.plan([], { kind: 'slow', delayMs: 150 });
  const script = path.join(tmp, 'kiosk-forwarder.ts');
  fs.writeFileSync(
    script,
    `import { openStore } from ${JSON.stringify(path.join(repoRoot, 'src/store/index.ts'))};
import { startForwarder } from ${JSON.stringify(path.join(repoRoot, 'src/sync/forwarder.ts'))};
import { silentLogger, systemClock, systemTimers } from ${JSON.stringify(path.join(repoRoot, 'src/core/system.ts'))};
const [dir, serverUrl, token] = process.argv.slice(2);
const store = openStore({ dir, logger: silentLogger, clock: systemClock });
startForwarder({ store, serverUrl, token, clock: systemClock, timers: systemTimers, logger: silentLogger, batchSize: 50 });
console.log('started');
`,
  );
  const kiosk = spawn(process.execPath, ['--import', 'tsx', script, kioskDir, proxy.url, token], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(kiosk);
  await new Promise<void>((resolve) => readline.createInterface({ input: kiosk.stdout }).once('line', () => resolve()));
  const p = proxy;
  // Let a few batches through, then kill while the next one is in flight (committed on the server,
  // its answer held by the proxy): the killed kiosk never learns it was delivered.
  await waitFor(() => p.requests >= 4 && p.inFlight === 1, 'a batch in flight');
  await new Promise((r) => setTimeout(r, 60));
  expect(await killAndWait(kiosk, 'SIGKILL')).toBeNull();

  store = openKioskStore(kioskDir);
  const s = store;
  const pendingAtKill = s.queueStats().depth;
  expect(pendingAtKill).toBeGreaterThan(0);
  // The batch in flight was committed on the server but never acknowledged to the kiosk.
  const peek = new Database(path.join(centralDir, 'central.sqlite'), { readonly: true });
  const onServerAtKill = (peek.prepare('SELECT count(*) AS n FROM checkins').get() as { n: number }).n;
  peek.close();
  expect(onServerAtKill).toBeGreaterThan(600 - pendingAtKill);
  forwarder = startForwarder({ store: s, serverUrl: server.url, token, clock: systemClock, timers: systemTimers, logger: silentLogger, batchSize: 50 });
  await waitFor(() => s.queueStats().depth === 0, 'queue drained by the restarted kiosk');
  expect(await killAndWait(server.child, 'SIGTERM')).toBe(0);
  const onServer = exportedIds(centralDir);
  expect(onServer.length).toBe(600);
  expect([...onServer].sort()).toEqual([...ids].sort());
});
