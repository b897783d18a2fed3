/**
 * `FleetStorage` on PostgreSQL (several nodes, one database): the same tables as SQLite's
 * migration v3, added to the PostgreSQL schema history as its own versioned step
 * (`POSTGRES_FLEET_MIGRATION`). Enrollment codes there keep their expiry as epoch ms
 * (`expires_ms`); cards keep ISO times like the rest of the fleet tables.
 */
import type pg from 'pg';
import { highestRelease } from '../release-version.js';
import { pgTransaction } from './postgres-transaction.js';
import type { CardRecord, ConfigProfileRecord, EffectiveConfig, FleetStorage, ProfileScope, ReleaseRecord, ServerSettingKey } from './fleet-types.js';
import type { NewEnrollmentCode } from './types.js';

export const POSTGRES_FLEET_MIGRATION = `
  CREATE TABLE fleet_cards (
    code_hash text PRIMARY KEY REFERENCES enrollment_codes (code_hash),
    checkpoint text NOT NULL,
    direction text,
    profile text,
    issued_at text NOT NULL,
    expires_at text NOT NULL
  );
  CREATE TABLE fleet_revocations (
    device_id text PRIMARY KEY,
    revoked_at text NOT NULL
  );
  CREATE TABLE fleet_groups (
    device_id text PRIMARY KEY,
    grp text NOT NULL
  );
  CREATE TABLE fleet_profiles (
    version bigserial PRIMARY KEY,
    scope text NOT NULL CHECK (scope IN ('device', 'group')),
    target text NOT NULL,
    config text NOT NULL,
    set_at text NOT NULL
  );
  CREATE INDEX fleet_profiles_by_target ON fleet_profiles (scope, target, version);
  CREATE TABLE fleet_settings (
    key text PRIMARY KEY,
    value text NOT NULL
  );
  CREATE TABLE fleet_releases (
    version text PRIMARY KEY,
    file text NOT NULL,
    sha512 text NOT NULL,
    size bigint NOT NULL,
    staging_percentage integer NOT NULL CHECK (staging_percentage BETWEEN 0 AND 100),
    released_at text NOT NULL
  );`;

/** SQL condition on `devices` (aliased or not) that is true while the device is not revoked. */
export const NOT_REVOKED_SQL = 'NOT EXISTS (SELECT 1 FROM fleet_revocations r WHERE r.device_id = devices.id)';

interface ProfileRow {
  version: string | number;
  scope: ProfileScope;
  target: string;
  config: string;
  set_at: string;
}

interface ReleaseRow {
  version: string;
  file: string;
  sha512: string;
  size: string | number;
  staging_percentage: number;
  released_at: string;
}

const releaseOf = (r: ReleaseRow): ReleaseRecord => ({
  version: r.version,
  file: r.file,
  sha512: r.sha512,
  size: Number(r.size),
  stagingPercentage: Number(r.staging_percentage),
  releasedAt: r.released_at,
});

const iso = (ms: number) => new Date(ms).toISOString();

export class PostgresFleetStorage implements FleetStorage {
  constructor(private readonly pool: pg.Pool) {}

  async addProvisioningCard(code: NewEnrollmentCode, card: Omit<CardRecord, 'usedAt' | 'usedBy'>): Promise<boolean> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await client.query('INSERT INTO enrollment_codes (code_hash, created_at, expires_ms) VALUES ($1, $2, $3) ON CONFLICT (code_hash) DO NOTHING', [code.codeHash, iso(code.createdAtMs), code.expiresAtMs]);
      if (r.rowCount !== 1) {
        await client.query('ROLLBACK');
        return false;
      }
      await client.query('INSERT INTO fleet_cards (code_hash, checkpoint, direction, profile, issued_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)', [
        code.codeHash,
        card.checkpoint,
        card.direction ?? null,
        card.profile ?? null,
        card.issuedAt,
        card.expiresAt,
      ]);
      await client.query('COMMIT');
      return true;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async provisioningCards(limit: number): Promise<CardRecord[]> {
    const { rows } = await this.pool.query<Record<string, string | null>>(
      `SELECT c.checkpoint, c.direction, c.profile, c.issued_at, c.expires_at, e.used_at, e.used_by
       FROM fleet_cards c JOIN enrollment_codes e ON e.code_hash = c.code_hash ORDER BY c.issued_at DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      checkpoint: r.checkpoint as string,
      ...(r.direction ? { direction: r.direction } : {}),
      ...(r.profile ? { profile: r.profile } : {}),
      issuedAt: r.issued_at as string,
      expiresAt: r.expires_at as string,
      ...(r.used_at ? { usedAt: r.used_at } : {}),
      ...(r.used_by ? { usedBy: r.used_by } : {}),
    }));
  }

  async revokeDevice(deviceId: string, nowMs: number): Promise<boolean> {
    // One statement: inserts only when the device exists; an existing revocation counts as done.
    const r = await this.pool.query(
      'INSERT INTO fleet_revocations (device_id, revoked_at) SELECT id, $2 FROM devices WHERE id = $1 ON CONFLICT (device_id) DO NOTHING RETURNING device_id',
      [deviceId, iso(nowMs)],
    );
    if (r.rowCount === 1) return true;
    const known = await this.pool.query('SELECT 1 FROM fleet_revocations WHERE device_id = $1', [deviceId]);
    return known.rowCount === 1;
  }

  async deviceExists(deviceId: string): Promise<boolean> {
    const r = await this.pool.query('SELECT 1 FROM devices WHERE id = $1', [deviceId]);
    return r.rowCount === 1;
  }

  async revocation(deviceId: string): Promise<{ revokedAt: string } | undefined> {
    const { rows } = await this.pool.query<{ revoked_at: string }>('SELECT revoked_at FROM fleet_revocations WHERE device_id = $1', [deviceId]);
    return rows[0] ? { revokedAt: rows[0].revoked_at } : undefined;
  }

  async revokedDevices(limit: number): Promise<{ deviceId: string; revokedAt: string }[]> {
    const { rows } = await this.pool.query<{ device_id: string; revoked_at: string }>('SELECT device_id, revoked_at FROM fleet_revocations ORDER BY revoked_at DESC LIMIT $1', [limit]);
    return rows.map((r) => ({ deviceId: r.device_id, revokedAt: r.revoked_at }));
  }

  async setDeviceGroup(deviceId: string, group: string | undefined): Promise<void> {
    if (group === undefined) await this.pool.query('DELETE FROM fleet_groups WHERE device_id = $1', [deviceId]);
    else await this.pool.query('INSERT INTO fleet_groups (device_id, grp) VALUES ($1, $2) ON CONFLICT (device_id) DO UPDATE SET grp = excluded.grp', [deviceId, group]);
  }

  async deviceGroups(): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ device_id: string; grp: string }>('SELECT device_id, grp FROM fleet_groups');
    return new Map(rows.map((r) => [r.device_id, r.grp]));
  }

  async setConfigProfile(scope: ProfileScope, target: string, config: Record<string, unknown>, nowMs: number): Promise<number> {
    const { rows } = await this.pool.query<{ version: string }>('INSERT INTO fleet_profiles (scope, target, config, set_at) VALUES ($1, $2, $3, $4) RETURNING version', [scope, target, JSON.stringify(config), iso(nowMs)]);
    return Number(rows[0]?.version);
  }

  async configProfiles(limit: number): Promise<ConfigProfileRecord[]> {
    const { rows } = await this.pool.query<ProfileRow>(
      `SELECT DISTINCT ON (scope, target) version, scope, target, config, set_at FROM fleet_profiles ORDER BY scope, target, version DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({ scope: r.scope, target: r.target, version: Number(r.version), config: JSON.parse(r.config) as Record<string, unknown>, setAt: r.set_at }));
  }

  async effectiveConfig(deviceId: string): Promise<EffectiveConfig> {
    const { rows } = await this.pool.query<ProfileRow>(
      `SELECT DISTINCT ON (p.scope) p.version, p.scope, p.target, p.config, p.set_at FROM fleet_profiles p
       WHERE (p.scope = 'device' AND p.target = $1)
          OR (p.scope = 'group' AND p.target = (SELECT grp FROM fleet_groups WHERE device_id = $1))
       ORDER BY p.scope, p.version DESC`,
      [deviceId],
    );
    const g = rows.find((r) => r.scope === 'group');
    const d = rows.find((r) => r.scope === 'device');
    const config = { ...(g ? (JSON.parse(g.config) as Record<string, unknown>) : {}), ...(d ? (JSON.parse(d.config) as Record<string, unknown>) : {}) };
    return { version: Math.max(Number(g?.version ?? 0), Number(d?.version ?? 0)), config };
  }

  async setServerSetting(key: ServerSettingKey, value: string): Promise<void> {
    await this.pool.query('INSERT INTO fleet_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
  }

  async serverSetting(key: ServerSettingKey): Promise<string | undefined> {
    const { rows } = await this.pool.query<{ value: string }>('SELECT value FROM fleet_settings WHERE key = $1', [key]);
    return rows[0]?.value;
  }

  async initServerSetting(key: ServerSettingKey, value: string): Promise<string> {
    await this.pool.query('INSERT INTO fleet_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
    return (await this.serverSetting(key)) ?? value;
  }

  async putRelease(r: ReleaseRecord): Promise<void> {
    await upsertRelease(this.pool, r);
  }

  async addRelease(decide: (published: readonly ReleaseRecord[]) => ReleaseRecord | undefined): Promise<void> {
    await pgTransaction(this.pool, async (client) => {
      // SHARE ROW EXCLUSIVE conflicts with itself (and with writes): a second add on any node waits
      // here until the first commits, then reads its release. Readers (the feed) are not blocked.
      await client.query('LOCK TABLE fleet_releases IN SHARE ROW EXCLUSIVE MODE');
      const { rows } = await client.query<ReleaseRow>('SELECT * FROM fleet_releases');
      const r = decide(rows.map(releaseOf));
      if (r) await upsertRelease(client, r);
    });
  }

  async latestRelease(): Promise<ReleaseRecord | undefined> {
    // Highest version, not latest released_at: semver order is not SQL's text order ("1.10.0" < "1.9.0").
    const { rows } = await this.pool.query<ReleaseRow>('SELECT * FROM fleet_releases');
    return highestRelease(rows.map(releaseOf));
  }

  async releases(limit: number): Promise<ReleaseRecord[]> {
    const { rows } = await this.pool.query<ReleaseRow>('SELECT * FROM fleet_releases ORDER BY released_at DESC LIMIT $1', [limit]);
    return rows.map(releaseOf);
  }
}

async function upsertRelease(db: pg.Pool | pg.PoolClient, r: ReleaseRecord): Promise<void> {
  await db.query(
    `INSERT INTO fleet_releases (version, file, sha512, size, staging_percentage, released_at) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (version) DO UPDATE SET file = excluded.file, sha512 = excluded.sha512, size = excluded.size,
       staging_percentage = excluded.staging_percentage, released_at = excluded.released_at`,
    [r.version, r.file, r.sha512, r.size, r.stagingPercentage, r.releasedAt],
  );
}
