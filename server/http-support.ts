/**
 * Cross-cutting HTTP behaviour of the central server: gzip request bodies, clear JSON errors for
 * every kind of bad input, bearer-token and admin-token checks.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Transform } from 'node:stream';
import zlib from 'node:zlib';
import type { Logger } from '../src/shared/ports.js';
import { deviceForToken } from './enrollment.js';
import { secretEquals } from './secrets.js';
import type { CentralStorage } from './storage/types.js';
import type { CentralContext } from './context.js';
import { DataKeyRefusedError } from './storage/errors.js';

export interface ErrorBody {
  error: string;
  message: string;
}

export function sendError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply.code(status).type('application/json; charset=utf-8').send({ error, message } satisfies ErrorBody);
}

/**
 * Accepts `Content-Encoding: gzip` bodies. The decompressed size is still bounded by the route's
 * bodyLimit (fastify counts what this stream yields; `receivedEncodedLength` bounds the input too),
 * so a zip bomb ends in 413 rather than in memory exhaustion.
 */
export function registerGzipBodies(app: FastifyInstance): void {
  app.addHook('preParsing', async (request, _reply, payload) => {
    const encoding = (request.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (encoding === 'identity') return payload;
    if (encoding !== 'gzip') {
      const err = new Error(`unsupported Content-Encoding "${encoding.slice(0, 32)}" (gzip or identity)`) as Error & { statusCode: number; code: string };
      err.statusCode = 415;
      err.code = 'unsupported-encoding';
      throw err;
    }
    let encoded = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        encoded += chunk.length;
        cb(null, chunk);
      },
    });
    const gunzip = zlib.createGunzip();
    payload.pipe(counter).pipe(gunzip);
    payload.on('error', (e) => gunzip.destroy(e));
    Object.defineProperty(gunzip, 'receivedEncodedLength', { get: () => encoded });
    return gunzip;
  });
}

/**
 * Maps fastify/parser errors to a stable `{error, message}` JSON body with a 4xx status.
 * `unavailablePage`, when given, answers a 503 storage-unavailable itself for requests it takes
 * (returns a reply) — the operations room's browser pages — instead of the JSON error.
 */
export function registerErrorHandling(app: FastifyInstance, logger: Logger, unavailablePage?: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined): void {
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    const status = err.statusCode ?? 500;
    if (err.validation) return sendError(reply, 400, 'invalid-request', err.message);
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE': {
        // Name the bound (decompressed, as gzip bodies are counted) and what to do about it.
        const limit = request.routeOptions.bodyLimit;
        const kib = typeof limit === 'number' ? `${Math.round(limit / 1024).toLocaleString('en-US')} KiB` : 'the limit';
        const route = request.routeOptions.url ?? 'this route';
        const fix = /checkins|overrides/.test(route) ? 'send fewer records per request' : 'send a smaller body';
        return sendError(reply, 413, 'body-too-large', `request body larger than ${kib} (after gzip decompression) for ${route}: ${fix}`);
      }
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return sendError(reply, 400, 'malformed-json', 'request body is not valid JSON');
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
        const type = String(request.headers['content-type'] ?? 'none').slice(0, 64).replace(/[^\x20-\x7e]/g, '?');
        return sendError(reply, 415, 'unsupported-media-type', `Content-Type ${type} is not accepted: send application/json (a form page: application/x-www-form-urlencoded)`);
      }
      case 'Z_DATA_ERROR':
      case 'Z_BUF_ERROR':
        return sendError(reply, 400, 'bad-gzip', 'request body is not valid gzip');
      default:
        break;
    }
    if (status >= 400 && status < 500) return sendError(reply, status, err.code ?? 'bad-request', err.message);
    if (err instanceof DataKeyRefusedError) {
      // Another node bound a data key to the database after this one started without: this node
      // must not add clear rows beside sealed ones. Kiosks go to a node that has the key.
      logger.error('refused: data key', { route: request.routeOptions.url ?? 'unknown', err: err.message });
      void reply.header('Retry-After', '30');
      return sendError(reply, 503, 'data-key-required', err.message);
    }
    if (storageUnavailable(err)) {
      // The database is out of reach (restart, failover): say so, so that kiosks try another node
      // or come back shortly, rather than reporting an internal error.
      logger.warn('storage unavailable', { route: request.routeOptions.url ?? 'unknown', code: err.code ?? 'none' });
      const page = unavailablePage?.(request, reply);
      if (page) return page;
      void reply.header('Retry-After', '5');
      return sendError(reply, 503, 'storage-unavailable', 'the database is not reachable right now; retry shortly');
    }
    logger.error('request failed', { route: request.routeOptions.url ?? 'unknown', err: err.message });
    return sendError(reply, 500, 'internal', 'internal server error');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not-found', `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 100)}`));
}

/**
 * The JSON API (`/api/v1/…`) takes JSON bodies only (docs/PROTOCOL.md, conventions): a request
 * with a body-carrying method whose Content-Type is not `application/json` — none at all, or a
 * form the page routes' parser would read — answers 415 `unsupported-media-type`. Without this a
 * body with no Content-Type reached the schema as nothing ("must have required property
 * 'checkins'") and a form body passed it. Runs after the route's own onRequest (authentication).
 */
export function registerJsonOnlyApi(app: FastifyInstance): void {
  app.addHook('preValidation', async (request, reply) => {
    if (!['POST', 'PUT', 'PATCH'].includes(request.method) || !(request.routeOptions.url ?? '').startsWith('/api/')) return;
    const raw = request.headers['content-type'];
    const essence = typeof raw === 'string' ? (raw.split(';')[0] ?? '').trim().toLowerCase() : '';
    if (essence === 'application/json') return;
    const type = typeof raw === 'string' ? raw.slice(0, 64).replace(/[^\x20-\x7e]/g, '?') : 'none';
    return sendError(reply, 415, 'unsupported-media-type', `Content-Type ${type} is not accepted: send application/json`);
  });
}

/**
 * Whether an `If-None-Match` header matches `etag` (a strong tag, `"…"`), by the weak comparison
 * RFC 9110 §13.1.2 prescribes for it: `W/"x"` matches `"x"`; the header may list several tags, and
 * `*` matches any current representation. A header that holds no well-formed tag matches nothing.
 */
export function ifNoneMatchHits(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const text = Array.isArray(header) ? header.join(',') : header;
  if (text.trim() === '*') return true;
  const opaque = etag.replace(/^W\//, '');
  for (const m of text.slice(0, 4096).matchAll(/(?:W\/)?("[^"]*")/g)) if (m[1] === opaque) return true;
  return false;
}

/** The posted form fields (the urlencoded parser of the form routes); {} for any other body. */
export function formBody(request: FastifyRequest): Record<string, unknown> {
  const b = request.body;
  return b && typeof b === 'object' && !Array.isArray(b) ? (b as Record<string, unknown>) : {};
}

/**
 * What the Authorization header holds (RFC 6750 §2.1, RFC 9110 §11.1 and §11.6.2): `none` (no
 * header, or another scheme), `malformed` (the Bearer scheme without exactly one well-formed token:
 * an empty one, two of them "Bearer T, Bearer x", a stray character), or the `token`. The scheme
 * name is case-insensitive ("bearer", "BEARER").
 */
export function bearerCredentials(request: FastifyRequest): { kind: 'none' } | { kind: 'malformed' } | { kind: 'token'; token: string } {
  const h = request.headers.authorization;
  if (typeof h !== 'string' || !/^\s*bearer(?:\s|$)/i.test(h)) return { kind: 'none' };
  // The token's characters as before (b64token, with "=" tolerated anywhere): no issued token may stop working.
  const m = h.length <= 512 ? /^\s*bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i.exec(h) : null;
  return m?.[1] ? { kind: 'token', token: m[1] } : { kind: 'malformed' };
}

/** Bearer token of a request, if well-formed (bearerCredentials). */
export function bearerToken(request: FastifyRequest): string | undefined {
  const c = bearerCredentials(request);
  return c.kind === 'token' ? c.token : undefined;
}

/** Resolves the calling device or answers 401 (missing-token without Bearer credentials, invalid-token for bad ones). */
export async function authenticateDevice(storage: CentralStorage, request: FastifyRequest, reply: FastifyReply): Promise<string | undefined> {
  const credentials = bearerCredentials(request);
  if (credentials.kind === 'none') {
    void sendError(reply, 401, 'missing-token', 'Authorization: Bearer <device token> required');
    return undefined;
  }
  if (credentials.kind === 'malformed') {
    void sendError(reply, 401, 'invalid-token', 'Authorization: Bearer must carry exactly one device token (letters, digits and - . _ ~ + / =); re-enroll the device if it has none');
    return undefined;
  }
  const token = credentials.token;
  const deviceId = await deviceForToken(storage, token);
  if (!deviceId) {
    void sendError(reply, 401, 'invalid-token', 'unknown or revoked device token; re-enroll the device');
    return undefined;
  }
  return deviceId;
}

/**
 * Admin token of the JSON API (/api/v1): `Authorization: Bearer` only (a `?token=` is refused
 * before this, routes/admin.ts). No cookie is read here, on purpose: the operations room's sign-in
 * session (ops/access.ts) opens only its browser routes, so a page of another site cannot make a
 * signed-in browser call the API.
 */
export async function isAdmin(request: FastifyRequest, ctx: Pick<CentralContext, 'adminToken' | 'recheckAdminToken'>): Promise<boolean> {
  const given = bearerToken(request);
  return typeof given === 'string' && adminTokenMatches(ctx, [given]);
}

/** Whether the request's query string has a `token` member (any value, even empty). */
export function tokenInQuery(request: FastifyRequest): boolean {
  const q = request.query;
  return typeof q === 'object' && q !== null && Object.prototype.hasOwnProperty.call(q, 'token');
}

/**
 * Whether one of `given` is the admin token. When none is, the stored token is re-read first
 * (bounded, ../admin-token.ts) and they are compared again: a token just rotated at another node
 * (or with the CLI) works at once, not after the next periodic re-read.
 */
export async function adminTokenMatches(ctx: Pick<CentralContext, 'adminToken' | 'recheckAdminToken'>, given: readonly string[]): Promise<boolean> {
  if (given.length === 0) return false;
  if (given.some((g) => secretEquals(g, ctx.adminToken))) return true;
  await ctx.recheckAdminToken();
  return given.some((g) => secretEquals(g, ctx.adminToken));
}

/**
 * Errors that mean "the database cannot be reached now" rather than "this request is wrong":
 * socket errors, and PostgreSQL classes 08 (connection exception) and 57P (operator intervention:
 * shutdown, crash recovery).
 */
export function storageUnavailable(err: { code?: string; message?: string }): boolean {
  const code = err.code ?? '';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH'].includes(code)) return true;
  if (/^08/.test(code) || /^57P0[1-3]$/.test(code)) return true;
  return /Connection terminated|timeout exceeded when trying to connect/i.test(err.message ?? '');
}

/**
 * `GET /favicon.ico` → 204, cached a day: browsers ask for it on every page (operations room,
 * declaration form); an empty answer keeps their console free of 404s without serving an icon.
 */
export function registerFavicon(app: FastifyInstance): void {
  app.get('/favicon.ico', async (_request, reply) => reply.code(204).header('cache-control', 'public, max-age=86400').send());
}
