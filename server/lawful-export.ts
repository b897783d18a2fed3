/**
 * `central export --from --to --checkpoint --requested-by --reason --out FILE`: the check-ins of a
 * time range (optionally one checkpoint) for an authorised request, written as one signed,
 * timestamped file, with who asked and why recorded in the audit log.
 *
 * The file is a compact JWS (RFC 7515), ES256, signed with the server's root key (the key kiosks
 * pin at enrollment; `kid` = first 8 bytes of SHA-256 of its SubjectPublicKeyInfo, base64), header
 * `typ: "checkpoint-kiosk-export+jws"`. Its payload:
 * `{"v":1,"exportedAt":ISO,"request":{"requestedBy","reason","from","to","checkpoint"?},"count":N,"checkins":[CheckIn…]}`.
 * Anyone holding the root public key can check that the file is the server's and unaltered.
 */
import { createHash, type KeyObject } from 'node:crypto';
import { CompactSign } from 'jose';
import type { CheckIn } from '../src/shared/types.js';
import { kidOfPublicKey } from '../src/credentials/trust/kid.js';
import type { CentralStorage } from './storage/types.js';
import { dateTimeProblem, resolveDateTime } from './trace.js';

export const EXPORT_JWS_TYPE = 'checkpoint-kiosk-export+jws';

export interface LawfulRequest {
  fromMs: number;
  toMs: number;
  checkpoint?: string;
  requestedBy: string;
  reason: string;
}

export interface LawfulExport {
  jws: string;
  count: number;
  /** SHA-256 hex of the JWS text (what the audit entry names). */
  sha256: string;
}

/**
 * Checks and bounds the request; returns an error text naming the flag, or the request. `from`
 * and `to` are ISO 8601: with `Z` or an offset as given, without a zone in `timeZone` (IANA).
 */
export function parseLawfulRequest(v: { from?: unknown; to?: unknown; checkpoint?: unknown; requestedBy?: unknown; reason?: unknown }, timeZone: string): LawfulRequest | string {
  // Read as `central trace` reads them (resolveDateTime): a time without a zone is wall-clock time
  // in the server's --time-zone, not the machine's; 30 February is refused, not rolled into March.
  const fromMs = typeof v.from === 'string' ? resolveDateTime(v.from, timeZone, 'first') : NaN;
  const toMs = typeof v.to === 'string' ? resolveDateTime(v.to, timeZone, 'last') : NaN;
  if (!Number.isFinite(fromMs)) return dateTimeProblem('--from', v.from, timeZone);
  if (!Number.isFinite(toMs)) return dateTimeProblem('--to', v.to, timeZone);
  if (toMs < fromMs) return '--to: before --from';
  if (typeof v.requestedBy !== 'string' || v.requestedBy.trim().length < 2 || v.requestedBy.length > 200) return '--requested-by: required, who asked (2..200 characters)';
  if (typeof v.reason !== 'string' || v.reason.trim().length < 3 || v.reason.length > 1000) return '--reason: required, why (the legal basis or case number, 3..1000 characters)';
  if (v.checkpoint !== undefined && (typeof v.checkpoint !== 'string' || !/^[\w.:-]{1,64}$/.test(v.checkpoint))) return '--checkpoint: 1-64 letters, digits or . _ : -';
  return { fromMs, toMs, requestedBy: v.requestedBy.trim(), reason: v.reason.trim(), ...(typeof v.checkpoint === 'string' ? { checkpoint: v.checkpoint } : {}) };
}

/** Builds and signs the export, then appends the `lawful-export` audit entry. */
export async function lawfulExport(storage: CentralStorage, req: LawfulRequest, root: { privateKey: KeyObject; publicKey: KeyObject }, nowMs: number): Promise<LawfulExport> {
  const checkins: CheckIn[] = [];
  for await (const c of storage.exportCheckIns()) {
    const at = Date.parse(c.scannedAt);
    if (at < req.fromMs || at > req.toMs) continue;
    if (req.checkpoint !== undefined && c.checkpointId !== req.checkpoint) continue;
    checkins.push(c);
  }
  const exportedAt = new Date(nowMs).toISOString();
  const request = { requestedBy: req.requestedBy, reason: req.reason, from: new Date(req.fromMs).toISOString(), to: new Date(req.toMs).toISOString(), ...(req.checkpoint ? { checkpoint: req.checkpoint } : {}) };
  const payload = Buffer.from(JSON.stringify({ v: 1, exportedAt, request, count: checkins.length, checkins }), 'utf8');
  const jws = await new CompactSign(payload)
    .setProtectedHeader({ alg: 'ES256', typ: EXPORT_JWS_TYPE, kid: kidOfPublicKey(root.publicKey), iat: Math.floor(nowMs / 1000) })
    .sign(root.privateKey);
  const sha256 = createHash('sha256').update(jws).digest('hex');
  await storage.appendAudit({ at: exportedAt, actor: req.requestedBy, action: 'lawful-export', detail: { ...request, count: checkins.length, sha256 } });
  return { jws, count: checkins.length, sha256 };
}
