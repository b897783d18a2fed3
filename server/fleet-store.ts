/**
 * Fleet records of the central server: provisioning cards issued, revoked devices, device groups
 * and versioned configuration profiles, the server's public URL. A narrow interface over the
 * server's database so the routes and the CLI do not write SQL; the SQLite implementation keeps
 * its own tables (created idempotently when the database is opened).
 *
 * Configuration versions come from one counter for the whole server: a device's effective
 * version is the highest version among the profiles that apply to it (its group's and its own),
 * so any change to either raises it.
 */
import type { CentralDb } from './db.js';

export interface CardRecord {
  codeHash: string;
  checkpoint: string;
  direction?: string;
  profile?: string;
  issuedAt: string;
  expiresAt: string;
  /** Set once a kiosk enrolled with the card's code. */
  usedAt?: string;
  usedBy?: string;
}

export type ProfileScope = 'device' | 'group';

export interface ConfigProfile {
  scope: ProfileScope;
  target: string;
  version: number;
  config: Record<string, unknown>;
  setAt: string;
}

export interface EffectiveConfig {
  /** 0 when no profile applies. */
  version: number;
  /** Group profile overlaid by the device profile, key by key. */
  config: Record<string, unknown>;
}

export interface FleetStore {
  recordCard(card: Omit<CardRecord, 'usedAt' | 'usedBy'>): void;
  cards(limit: number): CardRecord[];
  /** Marks the device revoked (idempotent); false when no such device exists. */
  revokeDevice(deviceId: string, atIso: string): boolean;
  revokedDevices(): { deviceId: string; revokedAt: string }[];
  setGroup(deviceId: string, group: string | undefined): void;
  groupOf(deviceId: string): string | undefined;
  /** Stores a new version of a profile; returns its version. */
  setProfile(scope: ProfileScope, target: string, config: Record<string, unknown>, atIso: string): number;
  profiles(): ConfigProfile[];
  effectiveConfig(deviceId: string): EffectiveConfig;
  setPublicUrl(url: string): void;
  publicUrl(): string | undefined;
}

/** Creates the fleet tables if missing (safe on every open). */
export function ensureFleetTables(db: CentralDb): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS fleet_cards (
      code_hash  TEXT PRIMARY KEY REFERENCES enrollment_codes (code_hash),
      checkpoint TEXT NOT NULL,
      direction  TEXT,
      profile    TEXT,
      issued_at  TEXT NOT NULL,
      expires_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS fleet_revocations (
      device_id  TEXT PRIMARY KEY,
      revoked_at TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS fleet_groups (
      device_id  TEXT PRIMARY KEY,
      grp        TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS fleet_profiles (
      version    INTEGER PRIMARY KEY AUTOINCREMENT,
      scope      TEXT NOT NULL CHECK (scope IN ('device', 'group')),
      target     TEXT NOT NULL,
      config     TEXT NOT NULL,
      set_at     TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS fleet_profiles_by_target ON fleet_profiles (scope, target, version);
    CREATE TABLE IF NOT EXISTS fleet_settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );
  `);
}

interface ProfileRow {
  version: number;
  scope: ProfileScope;
  target: string;
  config: string;
  set_at: string;
}

export function sqliteFleetStore(db: CentralDb): FleetStore {
  ensureFleetTables(db);
  const latest = db.prepare('SELECT version, scope, target, config, set_at FROM fleet_profiles WHERE scope = ? AND target = ? ORDER BY version DESC LIMIT 1');
  const groupOf = (deviceId: string): string | undefined =>
    (db.prepare('SELECT grp FROM fleet_groups WHERE device_id = ?').get(deviceId) as { grp: string } | undefined)?.grp;
  return {
    recordCard(card) {
      db.prepare('INSERT INTO fleet_cards (code_hash, checkpoint, direction, profile, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run(
        card.codeHash,
        card.checkpoint,
        card.direction ?? null,
        card.profile ?? null,
        card.issuedAt,
        card.expiresAt,
      );
    },
    cards(limit) {
      const rows = db
        .prepare(
          `SELECT c.code_hash, c.checkpoint, c.direction, c.profile, c.issued_at, c.expires_at, e.used_at, e.used_by
           FROM fleet_cards c JOIN enrollment_codes e ON e.code_hash = c.code_hash ORDER BY c.issued_at DESC LIMIT ?`,
        )
        .all(limit) as Record<string, string | null>[];
      return rows.map((r) => ({
        codeHash: r.code_hash as string,
        checkpoint: r.checkpoint as string,
        ...(r.direction ? { direction: r.direction } : {}),
        ...(r.profile ? { profile: r.profile } : {}),
        issuedAt: r.issued_at as string,
        expiresAt: r.expires_at as string,
        ...(r.used_at ? { usedAt: r.used_at } : {}),
        ...(r.used_by ? { usedBy: r.used_by } : {}),
      }));
    },
    revokeDevice(deviceId, atIso) {
      const exists = db.prepare('SELECT 1 FROM devices WHERE id = ?').get(deviceId) !== undefined;
      if (!exists) return false;
      db.prepare('INSERT OR IGNORE INTO fleet_revocations (device_id, revoked_at) VALUES (?, ?)').run(deviceId, atIso);
      return true;
    },
    revokedDevices() {
      return (db.prepare('SELECT device_id, revoked_at FROM fleet_revocations ORDER BY revoked_at DESC').all() as { device_id: string; revoked_at: string }[]).map((r) => ({
        deviceId: r.device_id,
        revokedAt: r.revoked_at,
      }));
    },
    setGroup(deviceId, group) {
      if (group === undefined) db.prepare('DELETE FROM fleet_groups WHERE device_id = ?').run(deviceId);
      else db.prepare('INSERT INTO fleet_groups (device_id, grp) VALUES (?, ?) ON CONFLICT(device_id) DO UPDATE SET grp = excluded.grp').run(deviceId, group);
    },
    groupOf,
    setProfile(scope, target, config, atIso) {
      const info = db.prepare('INSERT INTO fleet_profiles (scope, target, config, set_at) VALUES (?, ?, ?, ?)').run(scope, target, JSON.stringify(config), atIso);
      return Number(info.lastInsertRowid);
    },
    profiles() {
      const rows = db
        .prepare('SELECT p.version, p.scope, p.target, p.config, p.set_at FROM fleet_profiles p WHERE p.version = (SELECT MAX(version) FROM fleet_profiles q WHERE q.scope = p.scope AND q.target = p.target) ORDER BY p.scope, p.target')
        .all() as ProfileRow[];
      return rows.map((r) => ({ scope: r.scope, target: r.target, version: r.version, config: JSON.parse(r.config) as Record<string, unknown>, setAt: r.set_at }));
    },
    effectiveConfig(deviceId) {
      const group = groupOf(deviceId);
      const g = group === undefined ? undefined : (latest.get('group', group) as ProfileRow | undefined);
      const d = latest.get('device', deviceId) as ProfileRow | undefined;
      const config = { ...(g ? (JSON.parse(g.config) as Record<string, unknown>) : {}), ...(d ? (JSON.parse(d.config) as Record<string, unknown>) : {}) };
      return { version: Math.max(g?.version ?? 0, d?.version ?? 0), config };
    },
    setPublicUrl(url) {
      db.prepare("INSERT INTO fleet_settings (key, value) VALUES ('public-url', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(url);
    },
    publicUrl() {
      return (db.prepare("SELECT value FROM fleet_settings WHERE key = 'public-url'").get() as { value: string } | undefined)?.value;
    },
  };
}

/** SQL condition (on `devices`) true while the device is not revoked. */
export function isRevokedSql(): string {
  return 'NOT EXISTS (SELECT 1 FROM fleet_revocations r WHERE r.device_id = devices.id)';
}
