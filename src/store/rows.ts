/**
 * Row <-> record mapping for the checkins table. The JSON columns were written by this store from
 * typed values, so they are parsed without re-validation; only editing the file by hand could make
 * JSON.parse throw here.
 */
import type { CheckIn, Direction, FormatId, Override, VerdictKind } from '../shared/types.js';
import type { ReasonCode } from '../shared/reasons.js';
import type { DeliveryState, StoredCheckIn } from './types.js';
import type { IdentitySeal } from './identity-seal.js';

/** The checkins columns every read selects (see CHECKIN_COLUMNS). */
export interface CheckInRow {
  seq: number;
  id: string;
  device_id: string;
  checkpoint_id: string;
  direction: Direction;
  scanned_at: string;
  format: FormatId;
  verdict: VerdictKind;
  reasons: string;
  /** Sealed blob (identity-seal.ts); clear JSON text only in rows not yet sealed after an upgrade. */
  subject: Buffer | string;
  override: string | null;
  /** CheckIn.manual as JSON (schema v9); NULL for a scanned check-in. */
  manual: string | null;
}

export interface StoredRow extends CheckInRow {
  /** StoredCheckIn.message (schema v8); NULL when there is none. */
  message: string | null;
  state: DeliveryState | null;
  reject_reason: string | null;
  /** JSON array of the check-in's overrides the server refused ([] when none; absent in other reads). */
  overrides_rejected?: string | null;
}

export const CHECKIN_COLUMNS =
  'c.seq, c.id, c.device_id, c.checkpoint_id, c.direction, c.scanned_at, c.format, c.verdict, c.reasons, c.subject, c.override, c.manual';

export function rowToCheckIn(row: CheckInRow, seal: IdentitySeal): CheckIn {
  const checkIn: CheckIn = {
    id: row.id,
    deviceId: row.device_id,
    checkpointId: row.checkpoint_id,
    direction: row.direction,
    scannedAt: row.scanned_at,
    format: row.format,
    verdict: row.verdict,
    reasons: JSON.parse(row.reasons) as ReasonCode[],
    subject: seal.open(row.subject, row.id),
  };
  if (row.override !== null) checkIn.override = JSON.parse(row.override) as Override;
  if (row.manual !== null) checkIn.manual = JSON.parse(row.manual) as { by: string };
  return checkIn;
}

/**
 * The check-in's JSON text as it travels to the server, byte for byte JSON.stringify(rowToCheckIn(row)):
 * the same keys in the same order, with the JSON columns (reasons, override) and the subject's
 * sealed JSON text spliced in as stored instead of parsed and serialised again. Those texts were
 * written by JSON.stringify in this store, and parse → stringify gives them back unchanged.
 */
export function rowToWireJson(row: CheckInRow, seal: IdentitySeal): string {
  const q = JSON.stringify;
  const head =
    `{"id":${q(row.id)},"deviceId":${q(row.device_id)},"checkpointId":${q(row.checkpoint_id)},"direction":${q(row.direction)},` +
    `"scannedAt":${q(row.scanned_at)},"format":${q(row.format)},"verdict":${q(row.verdict)},"reasons":${row.reasons},` +
    `"subject":${seal.openText(row.subject, row.id)}`;
  const override = row.override === null ? '' : `,"override":${row.override}`;
  const manual = row.manual === null ? '' : `,"manual":${row.manual}`;
  return `${head}${override}${manual}}`;
}

export function rowToStored(row: StoredRow, seal: IdentitySeal): StoredCheckIn {
  // Every check-in gets its outbox row in the same transaction; a missing one can only come from
  // outside tampering, and reporting it as pending keeps it visible rather than hiding it.
  const stored: StoredCheckIn = { ...rowToCheckIn(row, seal), delivery: row.state ?? 'pending' };
  if (row.reject_reason !== null) stored.rejectReason = row.reject_reason;
  if (row.message !== null) stored.message = row.message;
  if (row.overrides_rejected) {
    const refused = JSON.parse(row.overrides_rejected) as NonNullable<StoredCheckIn['overridesRejected']>;
    if (refused.length > 0) stored.overridesRejected = refused;
  }
  return stored;
}
