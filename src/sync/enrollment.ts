/**
 * Enrollment from the kiosk (`run --server URL --enroll CODE`): trades a one-time code for a device
 * token and the root key that signs trust bundles (pinned from now on). Both are kept in
 * `<dataDir>/enrollment.json`, mode 0600. The token is a secret: it is never logged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { successionProof } from './succession-proof.js';
import { writeFileAtomic } from './atomic-file.js';
import { parseRetryAfter } from './backoff.js';
import { createHttpClient, describeError, serverList } from './http.js';
import { ProgramChangedError } from '../shared/program-changed.js';
import type { Logger } from '../shared/ports.js';
import { hasUserInfo, withoutUserInfo } from '../shared/server-url.js';

export const ENROLLMENT_FILE = 'enrollment.json';

export interface Enrollment {
  /** The server (node) that answered the enrollment. */
  serverUrl: string;
  /** Every node given at enrollment, in order (several nodes share one database); [serverUrl] for one. */
  servers: string[];
  deviceId: string;
  token: string;
  /** The central server's root public key (EC P-256 JWK): trust bundles must verify against it. */
  trustKey: Record<string, unknown>;
  enrolledAt: string;
  /**
   * What the server made of the `predecessor` this enrollment named (protocol extension): 'recorded'
   * when the new device succeeds the old one (it may override the check-ins the old one delivered),
   * else why not. Absent when none was named or the server predates succession. Not saved.
   */
  succession?: string;
  /**
   * True when the server handed back the device an earlier try with the same code and attempt
   * secret had enrolled (its answer was lost): the same device id, a new token. Not saved.
   */
  resumed?: true;
}

export interface DeviceDescription {
  name: string;
  version: string;
  platform: string;
}

export class EnrollmentError extends Error {
  /** Server error code (e.g. 'enrollment-code-used') or 'network' / 'bad-response'. */
  readonly code: string;
  readonly status?: number;
  /** A 429 (too many wrong codes lately, or a busy server): how long the server asked to wait (its `Retry-After`), ms. */
  readonly retryAfterMs?: number;
  constructor(code: string, message: string, status?: number, retryAfterMs?: number) {
    super(message);
    this.name = 'EnrollmentError';
    this.code = code;
    if (status !== undefined) this.status = status;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}

function isEcJwk(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const k = v as Record<string, unknown>;
  return k.kty === 'EC' && k.crv === 'P-256' && typeof k.x === 'string' && typeof k.y === 'string' && k.d === undefined;
}

/**
 * Enrolls and saves the result. With several servers (nodes of one central server) the first that
 * answers decides: an unreachable node is skipped, a refusal (4xx) is final. Throws
 * EnrollmentError with the server's reason.
 */
export async function enroll(opts: {
  serverUrl: string | readonly string[];
  code: string;
  dataDir: string;
  device: DeviceDescription;
  ca?: string;
  timeoutMs?: number;
  now?: () => number;
  /**
   * The root key the server must answer with (from a provisioning card). A different key is
   * refused ('root-key-mismatch') and nothing is saved: the card and the server disagree.
   */
  expectTrustKey?: { x: string; y: string };
  /**
   * The enrollment this kiosk had before (re-enrollment): its device id is named with a proof
   * that this kiosk holds its token (src/sync/succession-proof.ts; the token itself is not
   * sent), so the server lets the new device override the check-ins the old one delivered.
   */
  predecessor?: { deviceId: string; token: string };
  /** Aborts the request (a stopping kiosk): rejects with EnrollmentError code 'aborted', nothing saved. */
  signal?: AbortSignal;
  /**
   * The attempt secret (src/app/enroll-attempt.ts; 43 base64url characters), the same on every
   * retry with this code: a server that already spent the code for this secret hands the same
   * device back with a new token (`resumed: true`) instead of refusing it as used.
   */
  attempt?: string;
}): Promise<Enrollment> {
  const servers = serverList(opts.serverUrl);
  const http = createHttpClient({ serverUrl: servers, timeoutMs: opts.timeoutMs ?? 30_000, ...(opts.ca ? { ca: opts.ca } : {}) });
  let res;
  let answeredBy: string;
  try {
    const predecessor = opts.predecessor ? { predecessor: { deviceId: opts.predecessor.deviceId, proof: successionProof(opts.predecessor.token, opts.predecessor.deviceId, opts.code) } } : {};
    const attempt = opts.attempt !== undefined ? { attempt: opts.attempt } : {};
    res = await http.client.post('/api/v1/enroll', { code: opts.code, device: opts.device, ...predecessor, ...attempt }, opts.signal ? { signal: opts.signal } : undefined);
    answeredBy = http.currentServer();
  } catch (err) {
    if (opts.signal?.aborted) throw new EnrollmentError('aborted', 'enrollment aborted: the kiosk is stopping');
    // The HTTP client's file gone under the running kiosk (an upgrade in place): say so, not "cannot reach".
    if (err instanceof ProgramChangedError) throw new EnrollmentError('program-changed', err.message);
    throw new EnrollmentError('network', `cannot reach ${servers.join(', ')}: ${describeError(err)}`);
  } finally {
    http.close();
  }
  const data = res.data as Record<string, unknown> | undefined;
  // Stopped while the answer was read: nothing is saved (the kiosk enrolls at its next start).
  if (opts.signal?.aborted) throw new EnrollmentError('aborted', 'enrollment aborted: the kiosk is stopping');
  if (res.status !== 200) {
    const code = typeof data?.error === 'string' ? data.error.slice(0, 64) : `http-${res.status}`;
    const message = typeof data?.message === 'string' ? data.message.slice(0, 300) : `server answered ${res.status}`;
    const retryAfterMs = res.status === 429 ? parseRetryAfter(res.headers['retry-after'], (opts.now ?? Date.now)()) : undefined;
    throw new EnrollmentError(code, `enrollment refused: ${message}`, res.status, retryAfterMs);
  }
  if (typeof data?.token !== 'string' || typeof data.deviceId !== 'string' || !isEcJwk(data.trustKey) || data.token.length > 512 || data.deviceId.length > 128) {
    throw new EnrollmentError('bad-response', 'enrollment answer is not protocol v1 ({deviceId, token, trustKey})', res.status);
  }
  if (opts.expectTrustKey && (data.trustKey.x !== opts.expectTrustKey.x || data.trustKey.y !== opts.expectTrustKey.y)) {
    throw new EnrollmentError('root-key-mismatch', 'enrollment refused: the server answered with another root key than the provisioning card carries', res.status);
  }
  const enrollment: Enrollment = {
    serverUrl: answeredBy,
    servers,
    deviceId: data.deviceId,
    token: data.token,
    trustKey: data.trustKey,
    enrolledAt: new Date((opts.now ?? Date.now)()).toISOString(),
  };
  fs.mkdirSync(opts.dataDir, { recursive: true });
  writeFileAtomic(path.join(opts.dataDir, ENROLLMENT_FILE), `${JSON.stringify(enrollment, null, 2)}\n`, 0o600);
  const succession = (data.succession as { outcome?: unknown } | undefined)?.outcome;
  const resumed = data.resumed === true ? { resumed: true as const } : {};
  return typeof succession === 'string' ? { ...enrollment, succession: succession.slice(0, 64), ...resumed } : { ...enrollment, ...resumed };
}

/** The saved enrollment, or undefined when the device is not enrolled (or the file is damaged). */
/** `url` (one URL or a comma-separated list) without user-info in any of its parts, or unchanged. */
function stripUserInfo(url: string): string {
  const parts = url.split(',');
  if (!parts.some((part) => hasUserInfo(part.trim()))) return url;
  return parts.map((part) => (hasUserInfo(part.trim()) ? withoutUserInfo(part.trim()) : part)).join(',');
}

/**
 * The saved enrollment, or undefined when there is none readable. A server URL saved with
 * user-info (`http://bob:s3cret@host`, accepted by older versions) is read without it: the server
 * authenticates the kiosk by its token and never took user-info, while sending it made every
 * request 401 (then "reenroll-needed" with no cause named). `logger`, when given, is told so
 * (never the user name or password).
 */
export function readEnrollment(dataDir: string, logger?: Logger): Enrollment | undefined {
  let json: unknown;
  try {
    const file = path.join(dataDir, ENROLLMENT_FILE);
    if (fs.statSync(file).size > 64 * 1024) return undefined;
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const e = json as Partial<Enrollment>;
  if (typeof e.serverUrl !== 'string' || typeof e.deviceId !== 'string' || typeof e.token !== 'string' || !isEcJwk(e.trustKey)) return undefined;
  // Files written before several nodes existed have no `servers`.
  const saved = Array.isArray(e.servers) && e.servers.length > 0 && e.servers.length <= 16 && e.servers.every((u) => typeof u === 'string') ? e.servers : [e.serverUrl];
  const serverUrl = stripUserInfo(e.serverUrl);
  const servers = saved.map(stripUserInfo);
  if (logger && (serverUrl !== e.serverUrl || servers.some((u, i) => u !== saved[i]))) {
    logger.warn(`${ENROLLMENT_FILE}: the saved server URL carried a user name or password before "@" (written by an older version); user-info removed, the server authenticates the kiosk by its token and refused every request that carried it (401)`, { server: serverUrl });
  }
  return { serverUrl, servers, deviceId: e.deviceId, token: e.token, trustKey: e.trustKey, enrolledAt: String(e.enrolledAt ?? '') };
}
