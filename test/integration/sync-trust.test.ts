/**
 * Enrollment, trust-bundle sync and heartbeat against the real central server on 127.0.0.1:
 * the token file is private and the token never logged; a tampered or foreign-signed bundle is
 * refused and the old one kept; a real update is swapped in; ETag avoids downloads; stale alarm.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { jsonLogger, silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import { generateRootKey, signTrustBundle } from '../../src/credentials/trust/envelope.js';
import type { TrustIndex } from '../../src/credentials/trust/types.js';
import type { TrustBundleJson } from '../../src/shared/trust.js';
import { EnrollmentError, enroll, readEnrollment } from '../../src/sync/enrollment.js';
import type { Enrollment } from '../../src/sync/enrollment.js';
import { startHeartbeat } from '../../src/sync/heartbeat.js';
import { TRUST_BUNDLE_FILE, loadStoredTrustBundle, startTrustSync } from '../../src/sync/trust-sync.js';
import type { TrustSync } from '../../src/sync/trust-sync.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import type { FaultProxy } from '../helpers/fault-proxy.js';

let tmp: string;
let centralDir: string;
let kioskDir: string;
let central: CentralServer;
let enrollment: Enrollment;
let proxy: FaultProxy;
const logLines: string[] = [];
const logger = jsonLogger({ level: 'debug', write: (l) => logLines.push(l) });
const syncs: TrustSync[] = [];
let now = Date.now();
const clock = { now: () => now };

function trustSync(serverUrl: string, onBundle?: (i: TrustIndex, b: TrustBundleJson) => void, over: { staleAfterMs?: number } = {}): TrustSync {
  const s = startTrustSync({
    serverUrl,
    token: enrollment.token,
    trustKey: enrollment.trustKey,
    dataDir: kioskDir,
    clock,
    timers: systemTimers,
    logger,
    intervalMs: 3_600_000,
    backoff: { baseMs: 3_600_000, capMs: 3_600_000 }, // tests drive syncNow() themselves
    ...(onBundle ? { onBundle } : {}),
    ...over,
  });
  syncs.push(s);
  return s;
}

beforeEach(async () => {
  now = Date.now();
  logLines.length = 0;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sync-trust-'));
  centralDir = path.join(tmp, 'central');
  kioskDir = path.join(tmp, 'kiosk');
  central = await startCentral({ dataDir: centralDir, port: 0, logger: silentLogger, clock: systemClock, enrollmentCodes: ['TRUST-CODE'] });
  enrollment = await enroll({ serverUrl: central.url, code: 'TRUST-CODE', dataDir: kioskDir, device: { name: 'k', version: '0.1.0', platform: 'linux' } });
  proxy = await startFaultProxy({ target: central.url });
});

afterEach(async () => {
  for (const s of syncs.splice(0)) await s.stop();
  await proxy.close();
  await central.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('enrollment', () => {
  it('saves token and pinned root key in a 0600 file; a replayed code is refused', async () => {
    const file = path.join(kioskDir, 'enrollment.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(readEnrollment(kioskDir)).toEqual(enrollment);
    expect(enrollment.trustKey).toEqual(central.rootJwk);
    const replay = enroll({ serverUrl: central.url, code: 'TRUST-CODE', dataDir: path.join(tmp, 'other'), device: { name: 'k', version: '0', platform: 'linux' } });
    await expect(replay).rejects.toBeInstanceOf(EnrollmentError);
    await expect(replay).rejects.toMatchObject({ code: 'enrollment-code-used', status: 409 });
    expect(fs.existsSync(path.join(tmp, 'other', 'enrollment.json'))).toBe(false);
  });
});

describe('trust-bundle sync', () => {
  it('fetches, verifies and stores the bundle, then uses the ETag (304) and never logs the token', async () => {
    const bundles: TrustBundleJson[] = [];
    const sync = trustSync(proxy.url, (_i, b) => bundles.push(b));
    const first = await sync.syncNow();
    expect(first).toMatchObject({ status: 'ok', stale: false, refused: 0 });
    expect(bundles).toHaveLength(1);
    expect(bundles[0]?.declaration?.issuers).toHaveLength(1);
    expect(fs.statSync(path.join(kioskDir, TRUST_BUNDLE_FILE)).mode & 0o777).toBe(0o600);
    const requests = proxy.requests;
    now += 60_000;
    const second = await sync.syncNow();
    expect(proxy.requests).toBe(requests + 1);
    expect(bundles).toHaveLength(1); // 304: nothing new taken into use
    expect(Date.parse(second.lastSyncAt as string)).toBe(now);
    expect(logLines.join('')).not.toContain(enrollment.token);
  });

  it('refuses a tampered bundle and one signed by another key, keeping the old one', async () => {
    const sync = trustSync(proxy.url);
    await sync.syncNow();
    const stored = fs.readFileSync(path.join(kioskDir, TRUST_BUNDLE_FILE), 'utf8');

    const tamper = (jws: string) => {
      const [h, p, sig] = jws.split('.') as [string, string, string];
      const bundle = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as TrustBundleJson;
      bundle.status = { entries: [{ id: '001090000001', status: 'blocked' }] };
      return `${h}.${Buffer.from(JSON.stringify(bundle)).toString('base64url')}.${sig}`;
    };
    const foreign = generateRootKey();
    const forged = await signTrustBundle({ version: 1, issuedAt: new Date(Date.now() + 86_400_000).toISOString() }, foreign.privateKey);
    proxy.plan([{ kind: 'tamper', mutate: tamper }, { kind: 'tamper', mutate: () => forged }, { kind: 'tamper', mutate: () => 'not a jws' }]);
    for (let i = 0; i < 3; i++) {
      const s = await sync.syncNow();
      expect(s.lastError).toMatch(/refused/);
    }
    expect(sync.state()).toMatchObject({ refused: 3, status: 'ok' });
    expect(fs.readFileSync(path.join(kioskDir, TRUST_BUNDLE_FILE), 'utf8')).toBe(stored);
    // A kiosk restarting now still starts from the good bundle.
    expect((await loadStoredTrustBundle(kioskDir, enrollment.trustKey))?.jws).toBe(stored);
  });

  it('takes a genuinely new bundle into use, and starts offline from the stored one', async () => {
    const first = trustSync(central.url);
    await first.syncNow();
    await first.stop();
    // The server restarts with new content: a status-list entry.
    await central.close();
    const trustFile = path.join(tmp, 'trust.json');
    fs.writeFileSync(trustFile, JSON.stringify({ version: 1, issuedAt: '2026-11-25T00:00:00Z', status: { entries: [{ id: '001090000009', status: 'f1' }] } }));
    central = await startCentral({ dataDir: centralDir, port: 0, logger: silentLogger, clock: { now: () => Date.now() + 1000 }, trustFile });
    const indexes: TrustIndex[] = [];
    const second = trustSync(central.url, (i) => indexes.push(i));
    await second.syncNow();
    expect(indexes).toHaveLength(2); // the stored one at start, then the new one
    expect(indexes[0]?.statuses('001090000009', new Date())).toEqual([]);
    expect(indexes[1]?.statuses('001090000009', new Date())).toMatchObject([{ status: 'f1' }]);

    // Offline (server gone): the stored bundle is still taken into use at start.
    await central.close();
    central = await startCentral({ dataDir: path.join(tmp, 'elsewhere'), port: 0, logger: silentLogger, clock: systemClock });
    const offline: TrustIndex[] = [];
    const third = trustSync('http://127.0.0.1:9', (i) => offline.push(i), { staleAfterMs: 1_000 });
    const s = await third.syncNow();
    expect(offline).toHaveLength(1);
    expect(offline[0]?.statuses('001090000009', new Date())).toMatchObject([{ status: 'f1' }]);
    expect(s.lastError).toBeDefined();
    expect(s.stale).toBe(false);
    now += 2_000;
    expect(third.state()).toMatchObject({ stale: true, status: 'stale' });
  });
});

describe('heartbeat', () => {
  it('reports queue depth and versions, shown on the dashboard stats', async () => {
    const hb = startHeartbeat({
      serverUrl: central.url,
      token: enrollment.token,
      clock,
      timers: systemTimers,
      logger,
      intervalMs: 3_600_000,
      collect: () => ({ queueDepth: 42, oldestPendingAt: null, lastScanAt: null, scanners: [{ deviceId: 's1', uri: 'stdin', state: 'connected', reads: 3, errors: 0 }], trustIssuedAt: null, version: '0.1.0' }),
    });
    expect(await hb.sendNow()).toBe(true);
    await hb.stop();
    const stats = (await (await fetch(`${central.url}/api/v1/stats`, { headers: { authorization: `Bearer ${central.adminToken}` } })).json()) as {
      devices: { deviceId: string; queueDepth: number; version: string }[];
    };
    expect(stats.devices).toEqual([expect.objectContaining({ deviceId: enrollment.deviceId, queueDepth: 42, version: '0.1.0' })]);
  });
});
