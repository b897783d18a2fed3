/** `FleetStorage` on the server's SQLite database (tables of migration v3 in server/db.ts). */
import type { CentralDb } from '../db.js';
import { highestRelease } from '../release-version.js';
import type { CardRecord, ConfigProfileRecord, EffectiveConfig, FleetStorage, ProfileScope, ReleaseRecord, ServerSettingKey } from './fleet-types.js';
import type { NewEnrollmentCode } from './types.js';

interface ProfileRow {
  version: number;
  scope: ProfileScope;
  target: string;
  config: string;
  set_at: string;
}

interface ReleaseRow {
  version: string;
  file: string;
  sha512: string;
  size: number;
  staging_percentage: number;
  released_at: string;
}

const releaseOf = (r: ReleaseRow): ReleaseRecord => ({
  version: r.version,
  file: r.file,
  sha512: r.sha512,
  size: r.size,
  stagingPercentage: r.staging_percentage,
  releasedAt: r.released_at,
});

const iso = (ms: number) => new Date(ms).toISOString();

export class SqliteFleetStorage implements FleetStorage {
  private readonly latestProfile;

  constructor(private readonly db: CentralDb) {
    this.latestProfile = db.prepare('SELECT version, scope, target, config, set_at FROM fleet_profiles WHERE scope = ? AND target = ? ORDER BY version DESC LIMIT 1');
  }

  async addProvisioningCard(code: NewEnrollmentCode, card: Omit<CardRecord, 'usedAt' | 'usedBy'>): Promise<boolean> {
    return this.db.transaction(() => {
      const info = this.db
        .prepare('INSERT OR IGNORE INTO enrollment_codes (code_hash, created_at, expires_at) VALUES (?, ?, ?)')
        .run(code.codeHash, iso(code.createdAtMs), iso(code.expiresAtMs));
      if (info.changes !== 1) return false;
      this.db
        .prepare('INSERT INTO fleet_cards (code_hash, checkpoint, direction, profile, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(code.codeHash, card.checkpoint, card.direction ?? null, card.profile ?? null, card.issuedAt, card.expiresAt);
      return true;
    })();
  }

  async provisioningCards(limit: number): Promise<CardRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT c.checkpoint, c.direction, c.profile, c.issued_at, c.expires_at, e.used_at, e.used_by
         FROM fleet_cards c JOIN enrollment_codes e ON e.code_hash = c.code_hash ORDER BY c.issued_at DESC LIMIT ?`,
      )
      .all(limit) as Record<string, string | null>[];
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
    return this.db.transaction(() => {
      if (this.db.prepare('SELECT 1 FROM devices WHERE id = ?').get(deviceId) === undefined) return false;
      this.db.prepare('INSERT OR IGNORE INTO fleet_revocations (device_id, revoked_at) VALUES (?, ?)').run(deviceId, iso(nowMs));
      return true;
    })();
  }

  async deviceExists(deviceId: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM devices WHERE id = ?').get(deviceId) !== undefined;
  }

  async revocation(deviceId: string): Promise<{ revokedAt: string } | undefined> {
    const row = this.db.prepare('SELECT revoked_at FROM fleet_revocations WHERE device_id = ?').get(deviceId) as { revoked_at: string } | undefined;
    return row ? { revokedAt: row.revoked_at } : undefined;
  }

  async revokedDevices(limit: number): Promise<{ deviceId: string; revokedAt: string }[]> {
    const rows = this.db.prepare('SELECT device_id, revoked_at FROM fleet_revocations ORDER BY revoked_at DESC LIMIT ?').all(limit) as { device_id: string; revoked_at: string }[];
    return rows.map((r) => ({ deviceId: r.device_id, revokedAt: r.revoked_at }));
  }

  async setDeviceGroup(deviceId: string, group: string | undefined): Promise<void> {
    if (group === undefined) this.db.prepare('DELETE FROM fleet_groups WHERE device_id = ?').run(deviceId);
    else this.db.prepare('INSERT INTO fleet_groups (device_id, grp) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET grp = excluded.grp').run(deviceId, group);
  }

  async deviceGroups(): Promise<Map<string, string>> {
    const rows = this.db.prepare('SELECT device_id, grp FROM fleet_groups').all() as { device_id: string; grp: string }[];
    return new Map(rows.map((r) => [r.device_id, r.grp]));
  }

  async setConfigProfile(scope: ProfileScope, target: string, config: Record<string, unknown>, nowMs: number): Promise<number> {
    const info = this.db.prepare('INSERT INTO fleet_profiles (scope, target, config, set_at) VALUES (?, ?, ?, ?)').run(scope, target, JSON.stringify(config), iso(nowMs));
    return Number(info.lastInsertRowid);
  }

  async configProfiles(limit: number): Promise<ConfigProfileRecord[]> {
    const rows = this.db
      .prepare(
        `SELECT p.version, p.scope, p.target, p.config, p.set_at FROM fleet_profiles p
         WHERE p.version = (SELECT MAX(version) FROM fleet_profiles q WHERE q.scope = p.scope AND q.target = p.target)
         ORDER BY p.scope, p.target LIMIT ?`,
      )
      .all(limit) as ProfileRow[];
    return rows.map((r) => ({ scope: r.scope, target: r.target, version: r.version, config: JSON.parse(r.config) as Record<string, unknown>, setAt: r.set_at }));
  }

  async effectiveConfig(deviceId: string): Promise<EffectiveConfig> {
    const group = (this.db.prepare('SELECT grp FROM fleet_groups WHERE device_id = ?').get(deviceId) as { grp: string } | undefined)?.grp;
    const g = group === undefined ? undefined : (this.latestProfile.get('group', group) as ProfileRow | undefined);
    const d = this.latestProfile.get('device', deviceId) as ProfileRow | undefined;
    const config = { ...(g ? (JSON.parse(g.config) as Record<string, unknown>) : {}), ...(d ? (JSON.parse(d.config) as Record<string, unknown>) : {}) };
    return { version: Math.max(g?.version ?? 0, d?.version ?? 0), config };
  }

  async setServerSetting(key: ServerSettingKey, value: string): Promise<void> {
    this.db.prepare('INSERT INTO fleet_settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  async serverSetting(key: ServerSettingKey): Promise<string | undefined> {
    return (this.db.prepare('SELECT value FROM fleet_settings WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  async initServerSetting(key: ServerSettingKey, value: string): Promise<string> {
    this.db.prepare('INSERT OR IGNORE INTO fleet_settings (key, value) VALUES (?, ?)').run(key, value);
    return (await this.serverSetting(key)) ?? value;
  }

  async putRelease(r: ReleaseRecord): Promise<void> {
    this.upsertRelease(r);
  }

  private upsertRelease(r: ReleaseRecord): void {
    this.db
      .prepare(
        `INSERT INTO fleet_releases (version, file, sha512, size, staging_percentage, released_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(version) DO UPDATE SET file = excluded.file, sha512 = excluded.sha512, size = excluded.size,
           staging_percentage = excluded.staging_percentage, released_at = excluded.released_at`,
      )
      .run(r.version, r.file, r.sha512, r.size, r.stagingPercentage, r.releasedAt);
  }

  async addRelease(decide: (published: readonly ReleaseRecord[]) => ReleaseRecord | undefined): Promise<void> {
    // BEGIN IMMEDIATE takes the write lock before the read (waiting up to busy_timeout for another
    // process's add): the releases decided on are the ones the insert lands among.
    this.db
      .transaction(() => {
        const r = decide((this.db.prepare('SELECT * FROM fleet_releases').all() as ReleaseRow[]).map(releaseOf));
        if (r) this.upsertRelease(r);
      })
      .immediate();
  }

  async latestRelease(): Promise<ReleaseRecord | undefined> {
    // Highest version, not latest released_at: semver order is not SQL's text order ("1.10.0" < "1.9.0").
    return highestRelease((this.db.prepare('SELECT * FROM fleet_releases').all() as ReleaseRow[]).map(releaseOf));
  }

  async releases(limit: number): Promise<ReleaseRecord[]> {
    return (this.db.prepare('SELECT * FROM fleet_releases ORDER BY released_at DESC LIMIT ?').all(limit) as ReleaseRow[]).map(releaseOf);
  }
}
