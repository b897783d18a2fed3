/**
 * `central export --from --to --checkpoint --requested-by --reason --out FILE`: the check-ins of a
 * time range (optionally one checkpoint) for an authorised request, written as one signed,
 * timestamped file, with who asked and why recorded in the audit log.
 *
 * The file is a compact JWS (RFC 7515), ES256, signed with the server's root key (the key kiosks
 * pin at enrollment; `kid` = first 8 bytes of SHA-256 of its SubjectPublicKeyInfo, base64), header
 * `typ: "checkpoint-kiosk-export+jws"`. Its payload:
 * `{"v":1,"exportedAt":ISO,"request":{"requestedBy","reason","from","to","checkpoint"?},"checkins":[CheckIn…],"count":N}`.
 * Anyone holding the root public key can check that the file is the server's and unaltered.
 */
import { createHash, createSign, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { kidOfPublicKey } from '../src/credentials/trust/kid.js';
import type { CentralStorage } from './storage/types.js';
import { dateTimeProblem, rangeOrderProblem, resolveDateTime } from './trace.js';
import { suggestion } from '../src/shared/known-keys.js';

export const EXPORT_JWS_TYPE = 'checkpoint-kiosk-export+jws';

export interface LawfulRequest {
  /** Scanned at or after `fromMs` and before `toMs` (epoch ms, half-open). */
  fromMs: number;
  toMs: number;
  checkpoint?: string;
  requestedBy: string;
  reason: string;
}

export interface LawfulExport {
  count: number;
  /** SHA-256 hex of the JWS text (what the audit entry names). */
  sha256: string;
}

/**
 * Checks and bounds the request; returns an error text naming the flag, or the request. `from`
 * and `to` are ISO 8601: with `Z` or an offset as given, without a zone in `timeZone` (IANA), a
 * date alone its local midnight. The range is half-open, as a trace's: check-ins scanned at or
 * after `from` and before `to`, so daily exports `--from D --to D+1` never share a check-in.
 */
export function parseLawfulRequest(v: { from?: unknown; to?: unknown; checkpoint?: unknown; requestedBy?: unknown; reason?: unknown }, timeZone: string): LawfulRequest | string {
  // Read as `central trace` reads them (resolveDateTime): a time without a zone is wall-clock time
  // in the server's --time-zone, not the machine's; 30 February is refused, not rolled into March.
  const fromMs = typeof v.from === 'string' ? resolveDateTime(v.from, timeZone, 'first') : NaN;
  const toMs = typeof v.to === 'string' ? resolveDateTime(v.to, timeZone, 'last') : NaN;
  if (!Number.isFinite(fromMs)) return dateTimeProblem('--from', v.from, timeZone);
  if (!Number.isFinite(toMs)) return dateTimeProblem('--to', v.to, timeZone);
  const order = rangeOrderProblem(fromMs, toMs, '--from', '--to');
  if (order) return order;
  if (typeof v.requestedBy !== 'string' || v.requestedBy.trim().length < 2 || v.requestedBy.length > 200) return '--requested-by: required, who asked (2..200 characters)';
  if (typeof v.reason !== 'string' || v.reason.trim().length < 3 || v.reason.length > 1000) return '--reason: required, why (the legal basis or case number, 3..1000 characters)';
  if (v.checkpoint !== undefined && (typeof v.checkpoint !== 'string' || !/^[\w.:-]{1,64}$/.test(v.checkpoint))) return '--checkpoint: 1-64 letters, digits or . _ : -';
  return { fromMs, toMs, requestedBy: v.requestedBy.trim(), reason: v.reason.trim(), ...(typeof v.checkpoint === 'string' ? { checkpoint: v.checkpoint } : {}) };
}

/** Known checkpoints listed in full by the warning below; beyond that only a close one is named. */
const KNOWN_LISTED = 10;

/**
 * A warning when `--checkpoint` names a checkpoint no stored check-in and no device's heartbeat
 * has ever named (a typo, the wrong case: the match is exact), undefined otherwise. It is a
 * warning, not a refusal: a checkpoint may have been retired, its check-ins past retention, and an
 * empty signed export is still a true answer. The text names the checkpoint and the known ones
 * when there are at most KNOWN_LISTED, or the closest one (another case, or a likely typo).
 */
export async function unknownCheckpointWarning(storage: CentralStorage, checkpoint: string): Promise<string | undefined> {
  if (await storage.checkpointSeen(checkpoint)) return undefined;
  const known = await storage.knownCheckpoints(KNOWN_LISTED + 1);
  const head = `--checkpoint ${checkpoint}: no stored check-in and no kiosk's heartbeat names this checkpoint (the match is exact, case included), so the export holds no check-in; it was written all the same`;
  if (known.length === 0) return `${head}; no checkpoint is known yet`;
  const sameCase = known.find((k) => k.toLowerCase() === checkpoint.toLowerCase());
  const near = sameCase ?? suggestion(checkpoint, known);
  if (known.length <= KNOWN_LISTED) return `${head}; ${near ? `did you mean ${near}? ` : ''}known checkpoints: ${known.join(', ')}`;
  return `${head}; ${near ? `did you mean ${near}? (more than ${KNOWN_LISTED} checkpoints are known)` : `more than ${KNOWN_LISTED} checkpoints are known, none close to it`}`;
}

/** Bytes of payload encoded per write (a multiple of 3: base64url then needs no padding between chunks). */
const CHUNK_BYTES = 48 * 1024;

/**
 * Writes the signed export to `out` in one pass, holding one check-in and one chunk at a time
 * (memory stays flat however large the range), then appends the `lawful-export` audit entry.
 *
 * The JWS is written as it is signed: the ES256 signature (RFC 7515 §5.1, raw r‖s as RFC 7518
 * §3.4 wants) is computed over the same ASCII bytes `BASE64URL(header) "." BASE64URL(payload)` as
 * they go to disk, so the payload never has to exist whole in memory. The payload lists the
 * check-ins first and `count` after them (a JSON object's members have no order). The file is
 * made beside `out` (mode 0600, exclusive) and linked to `out` only once complete, so a crash or
 * a database error leaves no partial export behind and an existing `out` is never replaced
 * (EEXIST). `count` and `sha256` (hex, of the JWS text) are what the audit entry records.
 */
export async function writeLawfulExport(storage: CentralStorage, req: LawfulRequest, root: { privateKey: KeyObject; publicKey: KeyObject }, nowMs: number, out: string): Promise<LawfulExport> {
  const exportedAt = new Date(nowMs).toISOString();
  const request = { requestedBy: req.requestedBy, reason: req.reason, from: new Date(req.fromMs).toISOString(), to: new Date(req.toMs).toISOString(), ...(req.checkpoint ? { checkpoint: req.checkpoint } : {}) };
  const header = { alg: 'ES256', typ: EXPORT_JWS_TYPE, kid: kidOfPublicKey(root.publicKey), iat: Math.floor(nowMs / 1000) };
  const partial = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.partial`);
  const fd = fs.openSync(partial, 'wx', 0o600);
  let count = 0;
  let sha256: string;
  try {
    const signer = createSign('SHA256');
    const digest = createHash('sha256');
    // What is signed goes to the file, the signer and the file's digest alike.
    const emit = (ascii: string) => {
      fs.writeSync(fd, ascii);
      signer.update(ascii);
      digest.update(ascii);
    };
    emit(`${Buffer.from(JSON.stringify(header), 'utf8').toString('base64url')}.`);
    // Payload text gathered until a chunk's worth, then encoded whole bytes-multiple-of-3 at a time.
    let parts: string[] = [];
    let partBytes = 0;
    let carry = Buffer.alloc(0);
    const payload = (text: string, last = false) => {
      parts.push(text);
      partBytes += Buffer.byteLength(text, 'utf8');
      if (!last && partBytes < CHUNK_BYTES) return;
      const bytes = Buffer.concat([carry, Buffer.from(parts.join(''), 'utf8')]);
      const whole = last ? bytes.length : bytes.length - (bytes.length % 3);
      emit(bytes.subarray(0, whole).toString('base64url'));
      carry = Buffer.from(bytes.subarray(whole));
      parts = [];
      partBytes = 0;
    };
    payload(`{"v":1,"exportedAt":${JSON.stringify(exportedAt)},"request":${JSON.stringify(request)},"checkins":[`);
    // Half-open [from, to): the storage reads closed ranges, so its last millisecond is to − 1.
    for await (const c of storage.exportCheckIns({ fromMs: req.fromMs, toMs: req.toMs - 1 })) {
      if (req.checkpoint !== undefined && c.checkpointId !== req.checkpoint) continue;
      payload(`${count ? ',' : ''}${JSON.stringify(c)}`);
      count++;
    }
    payload(`],"count":${count}}`, true);
    const signature = signer.sign({ key: root.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
    fs.writeSync(fd, `.${signature}\n`);
    digest.update(`.${signature}`);
    sha256 = digest.digest('hex');
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.linkSync(partial, out);
  } catch (err) {
    try {
      fs.closeSync(fd);
    } catch {
      // already closed
    }
    throw err;
  } finally {
    fs.rmSync(partial, { force: true });
  }
  await storage.appendAudit({ at: exportedAt, actor: req.requestedBy, action: 'lawful-export', detail: { ...request, count, sha256 } });
  return { count, sha256 };
}
