/** `POST /api/v1/overrides` (protocol v1 extension, see server/overrides.ts). */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CentralContext } from '../context.js';
import { authenticateDevice } from '../http-support.js';
import { MAX_OVERRIDES_PER_REQUEST, ingestOverrides } from '../overrides.js';

/** Decompressed body bound: 1,000 overrides of ~1 KB and headroom. */
const OVERRIDES_BODY_LIMIT = 2 * 1024 * 1024;

const overridesSchema = {
  body: {
    type: 'object',
    required: ['overrides'],
    properties: {
      // Records are validated one by one in the handler: a bogus record is rejected alone.
      overrides: { type: 'array', maxItems: MAX_OVERRIDES_PER_REQUEST },
    },
  },
} as const;

export function registerOverrideRoutes(app: FastifyInstance, ctx: CentralContext): void {
  const { storage, clock, logger } = ctx;
  // Runs before the body is read: a wrong token never costs parsing a large body.
  const auth = async (request: FastifyRequest, reply: FastifyReply) => {
    const deviceId = await authenticateDevice(storage, request, reply);
    if (!deviceId) return reply;
    request.deviceId = deviceId;
    return undefined;
  };
  app.post('/api/v1/overrides', { schema: overridesSchema, bodyLimit: OVERRIDES_BODY_LIMIT, onRequest: auth }, async (request) => {
    const { overrides } = request.body as { overrides: unknown[] };
    const result = await ingestOverrides(storage, request.deviceId, overrides, new Date(clock.now()).toISOString());
    logger.info('overrides received', {
      deviceId: request.deviceId,
      accepted: result.accepted.length,
      duplicate: result.duplicate.length,
      rejected: result.rejected.length,
    });
    return { ...result, serverTime: new Date(clock.now()).toISOString() };
  });
}
