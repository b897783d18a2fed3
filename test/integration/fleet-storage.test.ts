/**
 * The fleet part of the storage seam, run against both backends: SQLite in a temp data dir and a
 * real throwaway PostgreSQL cluster migrated by the PostgreSQL storage itself. Cards with their use, revocation (idempotent, unknown device),
 * groups, versioned profiles overlaid group → device, settings, releases.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStorage } from '../../server/storage/sqlite-storage.js';
import { openPostgresStorage } from '../../server/storage/postgres-storage.js';
import type { FleetStorage } from '../../server/storage/fleet-types.js';
import type { CentralStorage } from '../../server/storage/types.js';
import { startPgCluster } from '../helpers/postgres.js';

interface Backend {
  fleet: FleetStorage;
  storage: CentralStorage;
  addDevice(id: string): Promise<void>;
  spend(codeHash: string, deviceId: string): Promise<void>;
  close(): Promise<void>;
}

const backends: Record<string, () => Promise<Backend>> = {
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ck-fleetst-'));
    const storage = openSqliteStorage(dir);
    return {
      fleet: storage.fleet,
      storage,
      addDevice: async (id) => void storage.db.prepare("INSERT INTO devices (id, name, version, platform, token_hash, enrolled_at) VALUES (?, 'k', '1', 'linux', ?, '2026-11-29T00:00:00Z')").run(id, `h-${id}`),
      spend: async (hash, id) => void storage.db.prepare('UPDATE enrollment_codes SET used_at = ?, used_by = ? WHERE code_hash = ?').run('2026-11-29T10:00:00.000Z', id, hash),
      close: async () => {
        await storage.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
  postgres: async () => {
    const cluster = await startPgCluster({ fsync: 'off' });
    const storage = await openPostgresStorage(await cluster.createDatabase());
    return {
      fleet: storage.fleet,
      storage,
      addDevice: async (id) => void (await storage.pool.query("INSERT INTO devices VALUES ($1, 'k', '1', 'linux', $2, '2026-11-29T00:00:00Z')", [id, `h-${id}`])),
      spend: async (hash, id) => void (await storage.pool.query('UPDATE enrollment_codes SET used_at = $1, used_by = $2 WHERE code_hash = $3', ['2026-11-29T10:00:00.000Z', id, hash])),
      close: async () => {
        await storage.close();
        await cluster.stop();
      },
    };
  },
};

const T = Date.UTC(2026, 10, 29, 9);

describe.each(Object.keys(backends))('fleet storage on %s', (name) => {
  let b: Backend;
  beforeAll(async () => {
    b = await backends[name]!();
  }, 120_000);
  afterAll(async () => b?.close());

  it('records cards and their use', async () => {
    const card = { checkpoint: 'G-1', direction: 'out', issuedAt: new Date(T).toISOString(), expiresAt: new Date(T + 3600_000).toISOString() };
    expect(await b.fleet.addProvisioningCard({ codeHash: 'a'.repeat(64), createdAtMs: T, expiresAtMs: T + 3600_000 }, card)).toBe(true);
    expect(await b.fleet.addProvisioningCard({ codeHash: 'a'.repeat(64), createdAtMs: T, expiresAtMs: T + 3600_000 }, card)).toBe(false);
    expect(await b.fleet.provisioningCards(10)).toEqual([card]);
    await b.addDevice('dev-1');
    await b.spend('a'.repeat(64), 'dev-1');
    expect(await b.fleet.provisioningCards(10)).toEqual([{ ...card, usedAt: '2026-11-29T10:00:00.000Z', usedBy: 'dev-1' }]);
  });

  it('revokes known devices only, idempotently', async () => {
    expect(await b.fleet.revokeDevice('nobody', T)).toBe(false);
    expect(await b.fleet.deviceExists('dev-2')).toBe(false);
    await b.addDevice('dev-2');
    expect(await b.fleet.deviceExists('dev-2')).toBe(true);
    expect(await b.storage.deviceForTokenHash('h-dev-2')).toBe('dev-2');
    expect(await b.fleet.revokeDevice('dev-2', T)).toBe(true);
    expect(await b.storage.deviceForTokenHash('h-dev-2')).toBeUndefined();
    expect(await b.fleet.revokeDevice('dev-2', T + 1000)).toBe(true);
    // A revoked device still exists: its profile and group can still be set and shown.
    expect(await b.fleet.deviceExists('dev-2')).toBe(true);
    expect(await b.fleet.revokedDevices(10)).toEqual([{ deviceId: 'dev-2', revokedAt: new Date(T).toISOString() }]);
    // The first revocation is the one in force, and the one reported.
    expect(await b.fleet.revocation('dev-2')).toEqual({ revokedAt: new Date(T).toISOString() });
    expect(await b.fleet.revocation('dev-1')).toBeUndefined();
    expect(await b.fleet.revocation('nobody')).toBeUndefined();
  });

  it('versions profiles and overlays group then device', async () => {
    expect(await b.fleet.effectiveConfig('dev-3')).toEqual({ version: 0, config: {} });
    const g1 = await b.fleet.setConfigProfile('group', 'north', { duplicateWindowMinutes: 3, language: 'vi' }, T);
    await b.fleet.setDeviceGroup('dev-3', 'north');
    expect(await b.fleet.effectiveConfig('dev-3')).toEqual({ version: g1, config: { duplicateWindowMinutes: 3, language: 'vi' } });
    const d1 = await b.fleet.setConfigProfile('device', 'dev-3', { duplicateWindowMinutes: 0 }, T + 1);
    expect(d1).toBeGreaterThan(g1);
    expect(await b.fleet.effectiveConfig('dev-3')).toEqual({ version: d1, config: { duplicateWindowMinutes: 0, language: 'vi' } });
    const g2 = await b.fleet.setConfigProfile('group', 'north', { language: 'en' }, T + 2);
    expect(await b.fleet.effectiveConfig('dev-3')).toEqual({ version: g2, config: { language: 'en', duplicateWindowMinutes: 0 } });
    expect((await b.fleet.configProfiles(10)).map((p) => [p.scope, p.target, p.version])).toEqual([
      ['device', 'dev-3', d1],
      ['group', 'north', g2],
    ]);
    expect((await b.fleet.deviceGroups()).get('dev-3')).toBe('north');
    await b.fleet.setDeviceGroup('dev-3', undefined);
    expect(await b.fleet.effectiveConfig('dev-3')).toEqual({ version: d1, config: { duplicateWindowMinutes: 0 } });
  });

  it('keeps settings and releases', async () => {
    expect(await b.fleet.serverSetting('public-url')).toBeUndefined();
    await b.fleet.setServerSetting('public-url', 'https://a');
    await b.fleet.setServerSetting('public-url', 'https://b');
    expect(await b.fleet.serverSetting('public-url')).toBe('https://b');
    const r1 = { version: '1.0.0', file: 'k-1.0.0.AppImage', sha512: 'x', size: 10, stagingPercentage: 100, releasedAt: new Date(T).toISOString() };
    const r2 = { ...r1, version: '1.1.0', file: 'k-1.1.0.AppImage', stagingPercentage: 10, releasedAt: new Date(T + 1000).toISOString() };
    await b.fleet.putRelease(r1);
    await b.fleet.putRelease(r2);
    expect(await b.fleet.latestRelease()).toEqual(r2);
    await b.fleet.putRelease({ ...r2, stagingPercentage: 60 });
    expect((await b.fleet.latestRelease())?.stagingPercentage).toBe(60);
    expect((await b.fleet.releases(10)).map((r) => r.version)).toEqual(['1.1.0', '1.0.0']);
    // Added later but lower: the feed keeps the highest version (1.10.0 above 1.9.0, numerically).
    await b.fleet.putRelease({ ...r1, version: '1.0.9', file: 'k-1.0.9.AppImage', releasedAt: new Date(T + 2000).toISOString() });
    expect((await b.fleet.latestRelease())?.version).toBe('1.1.0');
    await b.fleet.putRelease({ ...r1, version: '1.10.0', file: 'k-1.10.0.AppImage', releasedAt: new Date(T + 3000).toISOString() });
    await b.fleet.putRelease({ ...r1, version: '1.9.0', file: 'k-1.9.0.AppImage', releasedAt: new Date(T + 4000).toISOString() });
    expect((await b.fleet.latestRelease())?.version).toBe('1.10.0');
  });
});
