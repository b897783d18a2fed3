/**
 * Several central nodes on one PostgreSQL, on real processes: two `central --database` nodes on
 * different ports, two kiosks on socat ptys, each given both nodes (`--server A --server B`, one
 * kiosk in each order). Any node answers any kiosk: same trust-bundle ETag, heartbeats and
 * dashboard on both. Node A is SIGKILLed mid-stream and restarted: every check-in the kiosks
 * printed is stored exactly once.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openStorage } from '../../server/storage/open.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';
import { startCli, type CliProcess } from '../helpers/cli.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';
import { startPtyPair, waitFor, type PtyPair } from '../helpers/pty.js';
import { freePort } from '../helpers/sync-fixtures.js';

const SCANS_PER_KIOSK = 300;
let dir: string;
let cluster: PgCluster;
let database: string;
const procs: CliProcess[] = [];
const ptys: PtyPair[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-nodes-'));
  cluster = await startPgCluster();
  database = await cluster.createDatabase();
}, 120_000);

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
  for (const p of ptys) await p.close();
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function startNode(port: number, extra: string[] = []): CliProcess {
  const p = startCli(['central', '--database', database, '--port', String(port), ...extra]);
  procs.push(p);
  return p;
}

function scan(kiosk: number, i: number): string {
  return `0010${kiosk}${String(i).padStart(7, '0')}|123456789|Nguyễn Văn An|01021990|Nam|Hà Nội|15082021`;
}

async function storedIds(): Promise<string[]> {
  const storage = await openStorage({ database, mustExist: true });
  try {
    const ids: string[] = [];
    for await (const c of storage.exportCheckIns()) ids.push(c.id);
    return ids;
  } finally {
    await storage.close();
  }
}

it('two nodes share one PostgreSQL; node A killed and restarted mid-stream loses and duplicates nothing', async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  const urlA = `http://127.0.0.1:${portA}`;
  const urlB = `http://127.0.0.1:${portB}`;
  let nodeA = startNode(portA, ['--enrollment-code', 'NODES-CODE-1', '--enrollment-code', 'NODES-CODE-2']);
  await nodeA.waitFor((l) => l.event === 'listening', 60_000);
  const nodeB = startNode(portB);
  await nodeB.waitFor((l) => l.event === 'listening', 60_000);

  const kiosks = [0, 1].map((k) => {
    const data = join(dir, `kiosk-${k}`);
    return { k, data, servers: k === 0 ? [urlA, urlB] : [urlB, urlA] };
  });
  const running: CliProcess[] = [];
  for (const k of kiosks) {
    const pty = await startPtyPair();
    ptys.push(pty);
    const servers = k.servers.flatMap((u) => ['--server', u]);
    const p = startCli(['run', '--data-dir', k.data, '--scanner', `serial:${pty.devicePath}`, ...servers, '--enroll', `NODES-CODE-${k.k + 1}`, '--heartbeat-seconds', '5', '--checkpoint', `CP-${k.k}`]);
    procs.push(p);
    running.push(p);
    await p.waitFor((l) => l.event === 'ready', 60_000);
  }
  // Each kiosk enrolled at the first node of its list; both nodes know both devices.
  const enrollments = await waitFor(
    () => {
      try {
        return kiosks.map((k) => JSON.parse(readFileSync(join(k.data, 'enrollment.json'), 'utf8')) as { serverUrl: string; servers: string[]; token: string; deviceId: string });
      } catch {
        return undefined;
      }
    },
    { timeoutMs: 60_000, intervalMs: 100, what: 'both kiosks enrolled' },
  );
  expect(enrollments.map((e) => e.serverUrl)).toEqual([urlA, urlB]);
  expect(enrollments[0]?.servers).toEqual([urlA, urlB]);
  // Same signed trust bundle (same ETag) from either node, for a device enrolled at either.
  const etags = await Promise.all(
    [urlA, urlB].flatMap((u) => enrollments.map(async (e) => (await fetch(`${u}/api/v1/trust-bundle`, { headers: { authorization: `Bearer ${e.token}` } })).headers.get('etag'))),
  );
  expect(new Set(etags).size).toBe(1);
  expect(etags[0]).toMatch(/^".+"$/);

  const printedBy = (p: CliProcess) => p.lines.filter((l) => l.event === 'checkin').map((l) => l.id as string);
  const feed = async (from: number, to: number) => {
    for (let i = from; i < to; i += 10) {
      await Promise.all(ptys.map((pty, k) => pty.write(Array.from({ length: Math.min(10, to - i) }, (_, j) => `${scan(k, i + j)}\r\n`).join(''))));
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  await feed(0, SCANS_PER_KIOSK / 3);
  // Mid-stream, with check-ins arriving: node A dies without a word.
  await waitFor(async () => (await storedIds()).length > 0, { timeoutMs: 60_000, intervalMs: 200, what: 'forwarding under way' });
  nodeA.child.kill('SIGKILL');
  await nodeA.exited;
  await feed(SCANS_PER_KIOSK / 3, (2 * SCANS_PER_KIOSK) / 3);
  // While A is down, the kiosk that enrolled at A fails over to B: all it printed so far arrives.
  await waitFor(() => running.every((p) => printedBy(p).length >= (2 * SCANS_PER_KIOSK) / 3), { timeoutMs: 60_000, intervalMs: 100, what: 'scans printed while A is down' });
  const printedWhileDown = printedBy(running[0] as CliProcess);
  await waitFor(
    async () => {
      const ids = new Set(await storedIds());
      return printedWhileDown.every((id) => ids.has(id));
    },
    { timeoutMs: 60_000, intervalMs: 250, what: "kiosk 0's check-ins stored through node B while A is down" },
  );
  nodeA = startNode(portA);
  await nodeA.waitFor((l) => l.event === 'listening', 60_000);
  await feed((2 * SCANS_PER_KIOSK) / 3, SCANS_PER_KIOSK);

  await waitFor(() => running.every((p) => printedBy(p).length >= SCANS_PER_KIOSK), { timeoutMs: 120_000, intervalMs: 100, what: 'every scan printed' });
  const printed = running.flatMap(printedBy);
  expect(printed).toHaveLength(2 * SCANS_PER_KIOSK);
  const stored = await waitFor(
    async () => {
      const ids = await storedIds();
      return ids.length >= printed.length ? ids : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 500, what: 'every printed check-in on the server' },
  );
  expect(stored).toHaveLength(printed.length);
  expect(new Set(stored).size).toBe(stored.length);
  expect([...stored].sort()).toEqual([...printed].sort());

  // Heartbeats reached the database through whichever node; both dashboards list both devices.
  const admin = (await fetch(`${urlB}/api/v1/stats`)).status;
  expect(admin).toBe(401);
  const storage = await openStorage({ database, mustExist: true });
  let adminToken: string;
  try {
    adminToken = ((await storage.readSecret('admin-token')) as string).trim();
    await waitFor(async () => (await storage.devicesWithHeartbeat(10)).every((d) => d.lastHeartbeatAt !== null), { timeoutMs: 30_000, intervalMs: 250, what: 'heartbeats of both kiosks' });
  } finally {
    await storage.close();
  }
  // One sign-in holds on every node: the session is keyed by the admin token they share.
  const signedInOnA = await signIn(urlA, adminToken);
  for (const u of [urlA, urlB]) {
    const stats = (await (await fetch(`${u}/api/v1/stats`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { totalCheckins: number; devices: { deviceId: string }[] };
    expect(stats.totalCheckins).toBe(printed.length);
    expect(stats.devices.map((d) => d.deviceId).sort()).toEqual(enrollments.map((e) => e.deviceId).sort());
    const html = await getSignedIn(`${u}/dashboard`, signedInOnA);
    expect(html.status).toBe(200);
    expect(await html.text()).toContain('data-section="fleet"');
  }
  for (const p of running) {
    expect(p.lines.filter((l) => l.event === 'error')).toEqual([]);
    p.child.kill('SIGTERM');
    expect((await p.exited).code).toBe(0);
  }
}, 400_000);
