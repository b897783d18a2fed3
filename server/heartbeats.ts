/**
 * Heartbeats: the latest one per device (queue depth, oldest pending, last scan, scanners...),
 * with the optional extension fields (clock offset, applied config version, update state, oldest
 * identity, checkpoint and direction) stored as given and tolerated when absent.
 */
import type { CentralStorage, StoredHeartbeat } from './storage/types.js';
import { cutText } from '../src/shared/cut-text.js';
import { isIsoTime } from './checkin-validation.js';

export interface HeartbeatBody {
  queueDepth: number;
  oldestPendingAt?: string | null;
  lastScanAt?: string | null;
  scanners?: unknown[];
  trustIssuedAt?: string | null;
  version: string;
  /** Kiosk clock minus server clock (ms). */
  clockOffsetMs?: number | null;
  /** The config profile version the kiosk applied (string or integer, stored as text). */
  appliedConfigVersion?: string | number | null;
  updateState?: string | null;
  oldestIdentityAt?: string | null;
  /** Where the kiosk stands now: the checkpoint id and direction it stamps on its check-ins (extension). */
  checkpointId?: string | null;
  direction?: 'in' | 'out' | null;
}

/** The heartbeat's time members: ISO 8601 date-times (`Z` or an offset) or null. */
export const HEARTBEAT_TIME_FIELDS = ['oldestPendingAt', 'lastScanAt', 'trustIssuedAt', 'oldestIdentityAt'] as const;

/**
 * `body` with every time member that is a string but not a real ISO date-time ("garbage",
 * "2026-02-30T00:00:00Z") replaced by null, what was replaced, one "field: value" each, and the
 * fields replaced (stored with the heartbeat: the room flags a queue whose age it cannot read).
 * Not refused with a 400: a kiosk whose clock or trust bundle produced such a text would lose
 * every heartbeat (the fleet page would show it silent), and a time that cannot be read is no
 * better than none — stored, it only hid an old queue from the room (Date.parse gives NaN); stored
 * as null without a word it hid it too, so the fields go with the heartbeat (`unreadableTimes`).
 * A member of another JSON type is still a 400 (heartbeatSchema).
 */
export function readableHeartbeatTimes(body: HeartbeatBody): { body: HeartbeatBody; ignored: string[]; fields: string[] } {
  const ignored: string[] = [];
  const fields: string[] = [];
  const out: HeartbeatBody = { ...body };
  for (const field of HEARTBEAT_TIME_FIELDS) {
    const v = out[field];
    if (typeof v === 'string' && !isIsoTime(v)) {
      ignored.push(`${field}: ${cutText(v, 40)}`);
      fields.push(field);
      out[field] = null;
    }
  }
  return { body: out, ignored, fields };
}

/**
 * Stores `body` (already validated by `heartbeatSchema`) as the device's latest heartbeat, with the
 * time members that could not be read (`unreadableTimes`, from readableHeartbeatTimes).
 */
export function recordHeartbeat(storage: CentralStorage, deviceId: string, body: HeartbeatBody, nowMs: number, unreadableTimes: readonly string[] = []): Promise<void> {
  const stored: StoredHeartbeat = {
    queueDepth: body.queueDepth,
    oldestPendingAt: body.oldestPendingAt ?? null,
    lastScanAt: body.lastScanAt ?? null,
    trustIssuedAt: body.trustIssuedAt ?? null,
    version: body.version,
    clockOffsetMs: body.clockOffsetMs ?? null,
    appliedConfigVersion: body.appliedConfigVersion === undefined || body.appliedConfigVersion === null ? null : String(body.appliedConfigVersion),
    updateState: body.updateState ?? null,
    oldestIdentityAt: body.oldestIdentityAt ?? null,
    checkpointId: body.checkpointId ?? null,
    direction: body.direction ?? null,
    unreadableTimes,
    body: JSON.stringify({ ...body, scanners: (body.scanners ?? []).map(storedScanner) }),
  };
  return storage.recordHeartbeat(deviceId, stored, nowMs);
}

/** Longest scanner error text stored (characters); a longer one is cut, ending in "…". */
export const STORED_SCANNER_ERROR_CHARS = 500;
/** Longest scanner error text accepted (characters): older kiosks send a driver's message as it is. */
const ACCEPTED_SCANNER_ERROR_CHARS = 4096;

/** A scanner entry as stored: its error text cut to STORED_SCANNER_ERROR_CHARS. */
function storedScanner(s: unknown): unknown {
  const entry = s as { lastError?: unknown };
  if (typeof entry.lastError !== 'string' || entry.lastError.length <= STORED_SCANNER_ERROR_CHARS) return s;
  return { ...entry, lastError: cutText(entry.lastError, STORED_SCANNER_ERROR_CHARS) };
}

/** JSON schema of the heartbeat body (fastify validates before the handler runs; times are read by readableHeartbeatTimes). */
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
    // Extension fields (optional): a year of offset either way is already absurd.
    clockOffsetMs: { anyOf: [{ type: 'integer', minimum: -366 * 86_400_000, maximum: 366 * 86_400_000 }, { type: 'null' }] },
    appliedConfigVersion: { anyOf: [{ type: 'string', maxLength: 64 }, { type: 'integer', minimum: 0 }, { type: 'null' }] },
    updateState: { anyOf: [{ type: 'string', maxLength: 64 }, { type: 'null' }] },
    oldestIdentityAt: nullableTime,
    // A check-in's bounds (checkin-validation.ts), without control characters (shown on pages;
    // PostgreSQL text cannot hold a NUL).
    checkpointId: { anyOf: [{ type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$' }, { type: 'null' }] },
    direction: { anyOf: [{ enum: ['in', 'out'] }, { type: 'null' }] },
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
          // Accepted longer than stored: refusing would cost the whole heartbeat (the fleet page would
          // show a live kiosk as silent) over a driver's long message.
          lastError: { type: 'string', maxLength: ACCEPTED_SCANNER_ERROR_CHARS },
          reads: { type: 'integer', minimum: 0 },
          errors: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
} as const;
