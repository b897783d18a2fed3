/**
 * A kiosk enrolled with a bare enrollment code (no card, no profile) reports the checkpoint and
 * direction it stamps on its check-ins in its heartbeat, and both the fleet page and the
 * operations room's fleet table show them: a real kiosk process against a real central server on
 * 127.0.0.1. The protocol extension stays compatible (a heartbeat without the fields is still
 * stored; malformed ones are refused), and the storage reads it back on SQLite and PostgreSQL.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { openPostgresStorage } from '../../server/storage/postgres-storage.js';
import { openSqliteStorage } from '../../server/storage/sqlite-storage.js';
import type { CentralStorage, StoredHeartbeat } from '../../server/storage/types.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { startCli, type CliProcess } from '../helpers/cli.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';
import { startPgCluster } from '../helpers/postgres.js';
import { waitFor } from '../helpers/pty.js';

let dir: string;
let server: CentralServer;
let kiosk: CliProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-hbplace-'));
  server = await startCentral({ dataDir: join(dir, 'central'), port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['BARE-CODE-1', 'BARE-CODE-2'] });
});
afterAll(async () => {
  if (kiosk && kiosk.child.exitCode === null) kiosk.child.kill('SIGTERM');
  await kiosk?.exited;
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The `<tr>` of a device on a page. */
function rowOf(html: string, deviceId: string): string {
  const start = html.indexOf(`<tr data-device="${deviceId}"`);
  expect(start, `row of ${deviceId}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</tr>', start));
}

describe('a kiosk enrolled with a bare code', () => {
  it('shows the checkpoint and direction its heartbeat reports on the fleet page and in the operations room', async () => {
    const data = join(dir, 'kiosk');
    kiosk = startCli(['run', '--data-dir', data, '--scanner', 'stdin', '--server', server.url, '--enroll', 'BARE-CODE-1', '--checkpoint', 'QL1A-Km12', '--direction', 'out', '--heartbeat-seconds', '5']);
    await kiosk.waitFor((l) => l.event === 'ready', 30_000);
    const { deviceId } = await waitFor(
      () => {
        try {
          return JSON.parse(readFileSync(join(data, 'enrollment.json'), 'utf8')) as { deviceId: string };
        } catch {
          return undefined;
        }
      },
      { timeoutMs: 30_000, what: 'enrollment' },
    );
    await waitFor(async () => ((await server.storage.devicesWithHeartbeat(10)).find((d) => d.deviceId === deviceId)?.lastHeartbeatAt ? true : undefined), { timeoutMs: 30_000, intervalMs: 200, what: 'first heartbeat' });

    const cookie = await signIn(server.url, server.adminToken);
    const fleet = rowOf(await (await getSignedIn(`${server.url}/dashboard/fleet?lang=en`, cookie)).text(), deviceId);
    expect(fleet).toContain('<b data-checkpoint="QL1A-Km12">QL1A-Km12</b><small>reported by the kiosk</small>');
    expect(fleet).toContain('<td>Out</td>');
    expect(fleet).not.toContain('>unknown<');

    const room = await (await getSignedIn(`${server.url}/dashboard?lang=vi`, cookie)).text();
    expect(room).toContain('<th>Chốt</th>');
    expect(rowOf(room, deviceId)).toContain('<b data-checkpoint="QL1A-Km12">QL1A-Km12</b><small>Ra</small>');
  }, 90_000);

  it('accepts a heartbeat without the fields (an older kiosk) and shows "unknown"; refuses malformed ones', async () => {
    const enrolled = (await (await fetch(`${server.url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: 'BARE-CODE-2', device: { name: 'old', version: '0.9.0', platform: 'linux' } }) })).json()) as { deviceId: string; token: string };
    const beat = (body: Record<string, unknown>) =>
      fetch(`${server.url}/api/v1/heartbeat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${enrolled.token}` }, body: JSON.stringify({ queueDepth: 0, version: '0.9.0', ...body }) });
    expect((await beat({})).status).toBe(200);
    const cookie = await signIn(server.url, server.adminToken);
    expect(rowOf(await (await getSignedIn(`${server.url}/dashboard/fleet?lang=en`, cookie)).text(), enrolled.deviceId)).toContain('<td><span class="muted">unknown</span></td>');
    expect(rowOf(await (await getSignedIn(`${server.url}/dashboard?lang=en`, cookie)).text(), enrolled.deviceId)).toContain('<td><span class="muted">unknown</span></td>');

    expect((await beat({ checkpointId: 'G-1', direction: 'up' })).status).toBe(400);
    expect((await beat({ checkpointId: 'G\u00001' })).status).toBe(400);
    expect((await beat({ checkpointId: '' })).status).toBe(400);
    expect((await beat({ checkpointId: 'x'.repeat(129) })).status).toBe(400);
    expect((await beat({ checkpointId: null, direction: null })).status).toBe(200);
  });
});

const heartbeat = (body: Record<string, unknown>): StoredHeartbeat => ({
  queueDepth: 0,
  oldestPendingAt: null,
  lastScanAt: null,
  trustIssuedAt: null,
  version: '1.0.0',
  clockOffsetMs: null,
  appliedConfigVersion: null,
  updateState: null,
  oldestIdentityAt: null,
  checkpointId: typeof body.checkpointId === 'string' ? body.checkpointId : null,
  direction: typeof body.direction === 'string' ? body.direction : null,
  body: JSON.stringify({ queueDepth: 0, version: '1.0.0', ...body }),
});

const backends: Record<string, () => Promise<{ storage: CentralStorage; addDevice(id: string): Promise<void>; close(): Promise<void> }>> = {
  sqlite: async () => {
    const d = mkdtempSync(join(tmpdir(), 'ck-hbplace-st-'));
    const storage = openSqliteStorage(d);
    return {
      storage,
      addDevice: async (id) => void storage.db.prepare("INSERT INTO devices (id, name, version, platform, token_hash, enrolled_at) VALUES (?, 'k', '1', 'linux', ?, ?)").run(id, `h-${id}`, `2026-12-06T00:00:0${id.slice(-1)}Z`),
      close: async () => {
        await storage.close();
        rmSync(d, { recursive: true, force: true });
      },
    };
  },
  postgres: async () => {
    const cluster = await startPgCluster({ fsync: 'off' });
    const storage = await openPostgresStorage(await cluster.createDatabase());
    return {
      storage,
      addDevice: async (id) => void (await storage.pool.query("INSERT INTO devices VALUES ($1, 'k', '1', 'linux', $2, $3)", [id, `h-${id}`, `2026-12-06T00:00:0${id.slice(-1)}Z`])),
      close: async () => {
        await storage.close();
        await cluster.stop();
      },
    };
  },
};

describe.each(Object.keys(backends))('the reported checkpoint in storage on %s', (name) => {
  it('reads checkpoint and direction back from the latest heartbeat, null when not reported or never seen', async () => {
    const b = await backends[name]!();
    try {
      for (const id of ['dev-1', 'dev-2', 'dev-3']) await b.addDevice(id);
      // A NUL elsewhere in the body (a scanner's error text) must not break reading the fleet.
      await b.storage.recordHeartbeat('dev-1', heartbeat({ checkpointId: 'CT-DaiLo', direction: 'in', scanners: [{ lastError: 'bad\u0000byte' }] }), Date.UTC(2026, 11, 6, 10));
      await b.storage.recordHeartbeat('dev-2', heartbeat({}), Date.UTC(2026, 11, 6, 10));
      const rows = await b.storage.devicesWithHeartbeat(10);
      expect(rows.map((r) => [r.deviceId, r.checkpointId, r.direction])).toEqual([
        ['dev-1', 'CT-DaiLo', 'in'],
        ['dev-2', null, null],
        ['dev-3', null, null],
      ]);
      // The latest heartbeat wins: a kiosk moved by its technician reports its new place.
      await b.storage.recordHeartbeat('dev-1', heartbeat({ checkpointId: 'CT-Moi', direction: 'out' }), Date.UTC(2026, 11, 6, 11));
      expect((await b.storage.devicesWithHeartbeat(10))[0]).toMatchObject({ checkpointId: 'CT-Moi', direction: 'out' });
    } finally {
      await b.close();
    }
  }, 60_000);
});
