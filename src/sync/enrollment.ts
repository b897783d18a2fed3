/**
 * Enrollment from the kiosk (`run --server URL --enroll CODE`): trades a one-time code for a device
 * token and the root key that signs trust bundles (pinned from now on). Both are kept in
 * `<dataDir>/enrollment.json`, mode 0600. The token is a secret: it is never logged.
 */
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from './atomic-file.js';
import { createHttpClient, describeError, serverList } from './http.js';

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
  constructor(code: string, message: string, status?: number) {
    super(message);
    this.name = 'EnrollmentError';
    this.code = code;
    if (status !== undefined) this.status = status;
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
  /** Aborts the request (a stopping kiosk): rejects with EnrollmentError code 'aborted', nothing saved. */
  signal?: AbortSignal;
}): Promise<Enrollment> {
  const servers = serverList(opts.serverUrl);
  const http = createHttpClient({ serverUrl: servers, timeoutMs: opts.timeoutMs ?? 30_000, ...(opts.ca ? { ca: opts.ca } : {}) });
  let res;
  let answeredBy: string;
  try {
    res = await http.client.post('/api/v1/enroll', { code: opts.code, device: opts.device }, opts.signal ? { signal: opts.signal } : undefined);
    answeredBy = http.currentServer();
  } catch (err) {
    if (opts.signal?.aborted) throw new EnrollmentError('aborted', 'enrollment aborted: the kiosk is stopping');
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
    throw new EnrollmentError(code, `enrollment refused: ${message}`, res.status);
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
  return enrollment;
}

/** The saved enrollment, or undefined when the device is not enrolled (or the file is damaged). */
export function readEnrollment(dataDir: string): Enrollment | undefined {
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
  const servers = Array.isArray(e.servers) && e.servers.length > 0 && e.servers.length <= 16 && e.servers.every((u) => typeof u === 'string') ? e.servers : [e.serverUrl];
  return { serverUrl: e.serverUrl, servers, deviceId: e.deviceId, token: e.token, trustKey: e.trustKey, enrolledAt: String(e.enrolledAt ?? '') };
}
