/**
 * `run --server URL --enroll CODE` whose first enrollment attempt fails (the server answers 503):
 * stdout says so (`error`, reason `enrollment`), and when the kiosk's own retry 30 s later
 * succeeds, stdout says that too — `{"event":"enrolled","deviceId","server"}`, never the token or
 * the code — instead of only a log line on stderr. Real central server in its own process, a proxy
 * in front of its enrollment endpoint.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { startCli } from '../helpers/cli.js';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { freePort, killAndWait, spawnCentral } from '../helpers/sync-fixtures.js';

const CODE = 'RETRY-EVENT-4K';
let dir: string;
let central: { child: ChildProcess; url: string };
let proxy: FaultProxy;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-enroll-retry-'));
  central = await spawnCentral(['--data-dir', join(dir, 'central'), '--port', String(await freePort()), '--enrollment-code', CODE]);
  proxy = await startFaultProxy({ target: central.url, match: (req) => req.url === '/api/v1/enroll' });
}, 90_000);
afterAll(async () => {
  await proxy.close();
  await killAndWait(central.child, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

it('an enrollment retried in the background that succeeds prints an enrolled event', async () => {
  proxy.plan([{ kind: 'status', status: 503 }]);
  const p = startCli(['run', '--data-dir', join(dir, 'kiosk'), '--scanner', 'stdin', '--server', proxy.url, '--enroll', CODE]);
  try {
    const failed = await p.waitFor((l) => l.event === 'error' && l.reason === 'enrollment', 30_000);
    expect(failed.message).toMatch(/enrollment failed/);
    expect(p.lines.filter((l) => l.event === 'enrolled')).toEqual([]);
    const enrolled = await p.waitFor((l) => l.event === 'enrolled', 60_000);
    const db = new Database(join(dir, 'central', 'central.sqlite'), { readonly: true });
    const devices = db.prepare('SELECT id FROM devices').all() as { id: string }[];
    db.close();
    expect(devices).toHaveLength(1);
    expect(enrolled).toEqual({ event: 'enrolled', deviceId: devices[0]!.id, server: proxy.url });
    expect(JSON.stringify(p.lines)).not.toContain(CODE);
  } finally {
    p.child.kill('SIGTERM');
  }
  expect((await p.exited).code, p.stderr()).toBe(0);
}, 120_000);
