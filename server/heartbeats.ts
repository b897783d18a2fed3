/** Heartbeats: the latest one per device (queue depth, oldest pending, last scan, scanners...). */
import type { CentralDb } from './db.js';

export interface HeartbeatBody {
  queueDepth: number;
  oldestPendingAt: string | null;
  lastScanAt: string | null;
  scanners: unknown[];
  trustIssuedAt: string | null;
  version: string;
  /** Kiosk clock minus server clock (ms), when the kiosk measured it (shared protocol extension). */
  clockOffsetMs?: number;
  appliedConfigVersion?: string | number;
  updateState?: string;
  oldestIdentityAt?: string | null;
}

/** The optional heartbeat members other issues add; stored as given (in `body`), absence tolerated. */
export const OPTIONAL_HEARTBEAT_KEYS = ['clockOffsetMs', 'appliedConfigVersion', 'updateState', 'oldestIdentityAt'] as const;

export function recordHeartbeat(db: CentralDb, deviceId: string, body: HeartbeatBody, nowMs: number): void {
  db.prepare(
    `INSERT INTO heartbeats (device_id, received_at, received_ms, queue_depth, oldest_pending_at, last_scan_at, trust_issued_at, version, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT(device_id) DO UPDATE SET received_at = excluded.received_at, received_ms = excluded.received_ms,
       queue_depth = excluded.queue_depth, oldest_pending_at = excluded.oldest_pending_at, last_scan_at = excluded.last_scan_at,
       trust_issued_at = excluded.trust_issued_at, version = excluded.version, body = excluded.body`,
  ).run(
    deviceId,
    new Date(nowMs).toISOString(),
    nowMs,
    body.queueDepth,
    body.oldestPendingAt,
    body.lastScanAt,
    body.trustIssuedAt,
    body.version,
    JSON.stringify(body),
  );
}

/** JSON schema of the heartbeat body (fastify validates before the handler runs). */
const nullableTime = { anyOf: [{ type: 'string', maxLength: 40 }, { type: 'null' }] } as const;
export const heartbeatSchema = {
  type: 'object',
  required: ['queueDepth', 'version'],
  // Unknown members are allowed (and not stored as columns): newer kiosks may send more.
  properties: {
    queueDepth: { type: 'integer', minimum: 0, maximum: 1e12 },
    oldestPendingAt: nullableTime,
    lastScanAt: nullableTime,
    trustIssuedAt: nullableTime,
    version: { type: 'string', maxLength: 64 },
    // ±10 years in ms: anything larger is a broken clock reading, not an offset.
    clockOffsetMs: { type: 'number', minimum: -315_360_000_000, maximum: 315_360_000_000 },
    appliedConfigVersion: { anyOf: [{ type: 'string', maxLength: 64 }, { type: 'integer', minimum: 0 }] },
    updateState: { type: 'string', maxLength: 32 },
    oldestIdentityAt: nullableTime,
    scanners: {
      type: 'array',
      maxItems: 16,
      items: {
        type: 'object',
        maxProperties: 16,
        properties: {
          deviceId: { type: 'string', maxLength: 128 },
          uri: { type: 'string', maxLength: 256 },
          state: { type: 'string', maxLength: 32 },
          lastReadAt: { type: 'string', maxLength: 40 },
          lastError: { type: 'string', maxLength: 500 },
          reads: { type: 'integer', minimum: 0 },
          errors: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
} as const;
