/**
 * The fleet simulator against a real central server on both storage backends: simulated kiosks
 * enroll with codes made through the admin API, forward with the real forwarder and heartbeat,
 * and the census finds every sent id stored exactly once. Out-of-bounds and non-loopback runs are
 * refused before anything is sent.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import { checkFleetOptions, runFleet } from '../../scripts/fleet-sim.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';

const base = { kiosks: 10, ratePerKiosk: 1, minutes: 1, servers: ['http://127.0.0.1:8080'], adminToken: 'a'.repeat(43) };

it('refuses other hosts and unbounded runs with a message naming the flag', () => {
  expect(() => checkFleetOptions({ ...base, servers: ['http://10.0.0.5:8080'] })).toThrow(/only talks to this machine/);
  expect(() => checkFleetOptions({ ...base, servers: ['https://central.example'] })).toThrow(/only talks to this machine/);
  expect(() => checkFleetOptions({ ...base, servers: ['http://127.0.0.1:1', 'http://192.168.1.2:1'] })).toThrow(/192\.168\.1\.2/);
  expect(() => checkFleetOptions({ ...base, servers: [] })).toThrow(/--server/);
  expect(() => checkFleetOptions({ ...base, kiosks: 0 })).toThrow(/--kiosks/);
  expect(() => checkFleetOptions({ ...base, kiosks: 100_000 })).toThrow(/--kiosks/);
  expect(() => checkFleetOptions({ ...base, ratePerKiosk: 0 })).toThrow(/--rate/);
  expect(() => checkFleetOptions({ ...base, minutes: 600 })).toThrow(/--minutes/);
  expect(() => checkFleetOptions({ ...base, kiosks: 5000, ratePerKiosk: 50, minutes: 60 })).toThrow(/at most/);
  expect(() => checkFleetOptions({ ...base, adminToken: 'x' })).toThrow(/--admin-token/);
  expect(() => checkFleetOptions({ ...base, servers: ['http://[::1]:8080', 'http://localhost:1'] })).not.toThrow();
});

describe.each(['sqlite', 'postgres'] as const)('fleet simulator on %s', (backend) => {
  let cluster: PgCluster | undefined;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-'));
    if (backend === 'postgres') cluster = await startPgCluster({ fsync: 'off' });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('enrolls, forwards and heartbeats; every sent id is stored exactly once', async () => {
    const central = await startCentral({ dataDir: dir, ...(cluster ? { database: await cluster.createDatabase() } : {}), port: 0, logger: silentLogger, clock: systemClock });
    try {
      const denied = await fetch(`${central.url}/api/v1/enrollment-codes`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"count":1}' });
      expect(denied.status).toBe(401);
      const report = await runFleet({ kiosks: 12, ratePerKiosk: 4, minutes: 0.05, servers: [central.url], adminToken: central.adminToken, heartbeatSeconds: 1 });
      expect(report.sent).toBeGreaterThan(50);
      expect(report.acked).toBe(report.sent);
      expect(report.verified).toEqual({ stored: report.sent, missing: 0, duplicated: 0 });
      expect(report.rejected).toBe(0);
      expect(report.heartbeats).toBeGreaterThanOrEqual(12);
      expect(report.ackLatencyMs.p99).toBeGreaterThanOrEqual(report.ackLatencyMs.p50);
      expect(await central.storage.countCheckIns()).toBe(report.sent);
      const devices = await central.storage.devicesWithHeartbeat(100);
      expect(devices).toHaveLength(12);
      expect(devices.every((d) => d.lastHeartbeatAt !== null)).toBe(true);
      // The census tells "missing" from "stored".
      const census = await fetch(`${central.url}/api/v1/checkins/census`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${central.adminToken}` },
        body: JSON.stringify({ checkins: [{ id: '01a21000-0000-7000-8000-000000000999', scannedAt: '2026-11-25T08:00:00.000Z' }] }),
      });
      expect(await census.json()).toEqual({ counts: { '01a21000-0000-7000-8000-000000000999': 0 } });
    } finally {
      await central.close();
    }
  }, 120_000);
});
