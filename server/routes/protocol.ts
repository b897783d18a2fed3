/** Central protocol v1 (contract): enroll, checkins, trust-bundle, heartbeat. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CentralContext } from '../context.js';
import { ingestCheckIns } from '../checkins.js';
import { enrollDevice, type PredecessorClaim } from '../enrollment.js';
import { createEnrollThrottle } from '../enroll-throttle.js';
import { heartbeatSchema, readableHeartbeatTimes, recordHeartbeat } from '../heartbeats.js';
import type { HeartbeatBody } from '../heartbeats.js';
import { authenticateDevice, ifNoneMatchHits, sendError } from '../http-support.js';
import { MAX_REPORTED_DEPTH, cleanReportedText, cleanReportedValue } from '../text-safety.js';

/** At most this many check-ins per POST (contract). */
export const MAX_CHECKINS_PER_REQUEST = 1000;
/** Body limit of the check-in route (decompressed bytes): 1,000 records of ~1 KB and headroom. */
export const CHECKINS_BODY_LIMIT = 2 * 1024 * 1024;

const enrollSchema = {
  body: {
    type: 'object',
    required: ['code', 'device'],
    // Members this server does not know (a newer kiosk's) are ignored, as the protocol promises.
    properties: {
      code: { type: 'string', minLength: 4, maxLength: 128 },
      device: {
        type: 'object',
        required: ['name', 'version', 'platform'],
        properties: {
          name: { type: 'string', minLength: 1, maxLength: 128 },
          version: { type: 'string', minLength: 1, maxLength: 64 },
          platform: { type: 'string', minLength: 1, maxLength: 64 },
        },
      },
      // Extension: the device a re-enrolling kiosk was before, and its proof (../enrollment.ts).
      predecessor: {
        type: 'object',
        required: ['deviceId', 'proof'],
        properties: {
          deviceId: { type: 'string', minLength: 1, maxLength: 128 },
          proof: { type: 'string', minLength: 64, maxLength: 64 },
        },
      },
      // Extension: the kiosk's attempt secret, the same on every retry with this code: an
      // enrollment whose answer was lost is resumed rather than refused as used (../enrollment.ts).
      attempt: { type: 'string', minLength: 32, maxLength: 128, pattern: '^[A-Za-z0-9_-]+$' },
    },
  },
} as const;

const checkinsSchema = {
  body: {
    type: 'object',
    required: ['checkins'],
    properties: {
      // Records are validated one by one in the handler: a bogus record is rejected alone.
      checkins: { type: 'array', maxItems: MAX_CHECKINS_PER_REQUEST },
    },
  },
} as const;

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated device (set by the onRequest auth hook of device routes). */
    deviceId: string;
  }
}

export function registerProtocolRoutes(app: FastifyInstance, ctx: CentralContext): void {
  const { storage, clock, logger } = ctx;
  app.decorateRequest('deviceId', '');
  // Runs before the body is read: a wrong token never costs us parsing a large body.
  const auth = async (request: FastifyRequest, reply: FastifyReply) => {
    const deviceId = await authenticateDevice(storage, request, reply);
    if (!deviceId) return reply;
    request.deviceId = deviceId;
    return undefined;
  };

  const throttle = createEnrollThrottle(clock, ctx.enrollThrottle);
  app.post('/api/v1/enroll', { schema: enrollSchema, bodyLimit: 16 * 1024 }, async (request, reply) => {
    // Too many wrong codes lately (from this address, or from all): refused before the code is
    // looked at, so guessing gets no answer at all (enroll-throttle.ts).
    const wait = throttle.retryAfterSeconds(request.ip);
    if (wait !== undefined) {
      logger.warn('enrollment throttled', { retryAfterSeconds: wait });
      reply.header('Retry-After', String(wait));
      return sendError(reply, 429, 'too-many-attempts', `too many wrong enrollment codes lately; try again in ${wait} s`);
    }
    const body = request.body as { code: string; device: { name: string; version: string; platform: string }; predecessor?: PredecessorClaim; attempt?: string };
    // The name is the fleet page's hostname column: no control character reaches it.
    const { name, version, platform } = body.device;
    const device = { name: cleanReportedText(name), version: cleanReportedText(version), platform: cleanReportedText(platform) };
    const out = await enrollDevice(storage, body.code, device, clock.now(), body.predecessor, body.attempt);
    if (!out.ok) {
      throttle.failed(request.ip);
      logger.warn('enrollment refused', { error: out.error });
      return sendError(reply, out.status, out.error, out.message);
    }
    if (out.resumed) {
      logger.info('device enrollment resumed (its answer was lost): new token for the same device', { deviceId: out.deviceId });
      return { deviceId: out.deviceId, token: out.token, trustKey: ctx.rootJwk, resumed: true, ...(out.succession ? { succession: out.succession } : {}) };
    }
    logger.info('device enrolled', { deviceId: out.deviceId, ...(out.succession ? { predecessor: out.succession.deviceId, succession: out.succession.outcome } : {}) });
    return { deviceId: out.deviceId, token: out.token, trustKey: ctx.rootJwk, ...(out.succession ? { succession: out.succession } : {}) };
  });

  app.post('/api/v1/checkins', { schema: checkinsSchema, bodyLimit: CHECKINS_BODY_LIMIT, onRequest: auth }, async (request) => {
    const deviceId = request.deviceId;
    const { checkins } = request.body as { checkins: unknown[] };
    const result = await ingestCheckIns(storage, deviceId, checkins, new Date(clock.now()).toISOString(), { retentionDays: ctx.retentionDays });
    logger.info('checkins received', {
      deviceId,
      accepted: result.accepted.length,
      duplicate: result.duplicate.length,
      rejected: result.rejected.length,
    });
    // serverTime lets the kiosk learn how far off its own clock is.
    return { ...result, serverTime: new Date(clock.now()).toISOString() };
  });

  app.get('/api/v1/trust-bundle', { onRequest: auth }, async (request, reply) => {
    const { jws, etag } = ctx.bundle;
    reply.header('ETag', etag).header('Cache-Control', 'no-cache');
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('application/jose').send(jws);
  });

  app.post('/api/v1/heartbeat', { schema: { body: heartbeatSchema }, bodyLimit: 64 * 1024, onRequest: auth }, async (request, reply) => {
    // What a kiosk reports about itself (a scanner's error text, its version...) reaches the fleet
    // page, the stats and the database: control characters are replaced, never stored raw.
    const body = cleanReportedValue(request.body as HeartbeatBody);
    if (body === undefined) return sendError(reply, 400, 'invalid-request', `body: nested deeper than ${MAX_REPORTED_DEPTH} levels`);
    // A time that cannot be read is stored as null and said (log, answer), never a 400 that would
    // silence a kiosk in the field (heartbeats.ts readableHeartbeatTimes).
    const read = readableHeartbeatTimes(body);
    if (read.ignored.length) logger.warn('heartbeat time unreadable, stored as null', { deviceId: request.deviceId, fields: read.ignored.join('; ') });
    await recordHeartbeat(storage, request.deviceId, read.body, clock.now(), read.fields);
    return { ok: true, serverTime: new Date(clock.now()).toISOString(), ...(read.ignored.length ? { ignored: read.ignored } : {}) };
  });
}
