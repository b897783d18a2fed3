/**
 * Fleet routes: the signed configuration profile (`GET /api/v1/config`, device token, ETag), the
 * dashboard's revoke button (`POST /dashboard/devices/:id/revoke`), the fleet dashboard page
 * (`GET /dashboard/fleet`) and its card form (`POST /dashboard/cards`) — these three behind the
 * operations room's sign-in (../ops/access.ts) — and the Electron update feed
 * (`GET /updates/latest-linux.yml`, `GET /updates/:file`, public like any download mirror).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { signConfigProfile } from '../../src/fleet/signed-profile.js';
import { RemoteConfigError, parseRemoteConfig } from '../../src/fleet/remote-config.js';
import type { CentralContext } from '../context.js';
import { FLEET_PAGE_HEADERS as HTML_SECURITY_HEADERS, loadFleetView, page, renderFleetPage } from '../dashboard/fleet-section.js';
import { esc } from '../html.js';
import { CHECKPOINT_ID } from '../../src/fleet/remote-config.js';
import { DEFAULT_CARD_TTL_HOURS, PROVISIONING_LIMITS } from '../../src/credentials/provisioning/index.js';
import { cardPng, issueCard, type IssuedCard } from '../provision.js';
import { authenticateDevice, sendError } from '../http-support.js';
import { formGuard, pageGuard } from '../ops/access.js';
import { RELEASE_FILE, latestLinuxYml } from '../update-feed.js';

export function registerFleetRoutes(app: FastifyInstance, ctx: CentralContext): void {
  const { storage, clock, logger } = ctx;
  // The operations room's access rules (sign-in session, Bearer; ../ops/access.ts).
  const requirePage = pageGuard(ctx);
  const requireForm = formGuard(ctx);

  app.get('/api/v1/config', async (request, reply) => {
    const deviceId = await authenticateDevice(storage, request, reply);
    if (!deviceId) return reply;
    const eff = await storage.fleet.effectiveConfig(deviceId);
    const etag = `"${createHash('sha256').update(JSON.stringify([deviceId, eff.version, eff.config])).digest('base64url').slice(0, 32)}"`;
    reply.header('ETag', etag).header('Cache-Control', 'no-cache');
    const inm = request.headers['if-none-match'];
    if (typeof inm === 'string' && inm.split(',').some((t) => t.trim() === etag)) return reply.code(304).send();
    let config;
    try {
      // Stored profiles were validated when set; a newer server may know keys this one does not.
      config = parseRemoteConfig(eff.config, 'profile');
    } catch (err) {
      if (!(err instanceof RemoteConfigError)) throw err;
      logger.error('stored configuration profile invalid; sent as is, kiosks will refuse it', { deviceId, error: err.message });
      config = eff.config as never;
    }
    const jws = await signProfileUnchecked({ deviceId, version: eff.version, issuedAt: new Date(clock.now()).toISOString(), config }, ctx);
    return reply.type('application/jose').send(jws);
  });

  app.post('/dashboard/devices/:id/revoke', { preHandler: requireForm, bodyLimit: 4096 }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (typeof id !== 'string' || id.length > 128) return sendError(reply, 400, 'invalid-request', 'bad device id');
    if (!(await storage.fleet.revokeDevice(id, clock.now()))) return sendError(reply, 404, 'not-found', 'no such device');
    logger.warn('device revoked from the dashboard', { deviceId: id });
    return reply.code(303).header('Location', '/dashboard/fleet').send();
  });

  app.get('/dashboard/fleet', { onRequest: requirePage }, async (_request, reply) => {
    const view = await loadFleetView(storage, clock.now());
    return reply.headers(HTML_SECURITY_HEADERS).type('text/html; charset=utf-8').send(renderFleetPage(view));
  });

  // Issue a provisioning card from the fleet page (form fields: checkpoint, direction, ttlHours).
  app.post('/dashboard/cards', { preHandler: requireForm, bodyLimit: 4096 }, async (request, reply) => {
    const form = (request.body ?? {}) as Record<string, unknown>;
    const one = (k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
    const checkpoint = one('checkpoint');
    const direction = one('direction');
    const ttl = Number(one('ttlHours') || DEFAULT_CARD_TTL_HOURS);
    if (!CHECKPOINT_ID.test(checkpoint)) return sendError(reply, 400, 'invalid-request', 'checkpoint: 1-64 letters, digits or . _ : -');
    if (direction !== '' && direction !== 'in' && direction !== 'out') return sendError(reply, 400, 'invalid-request', 'direction: in or out');
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > PROVISIONING_LIMITS.maxValidHours) return sendError(reply, 400, 'invalid-request', `ttlHours: 1-${PROVISIONING_LIMITS.maxValidHours}`);
    const url = (await storage.fleet.serverSetting('public-url')) ?? ctx.issuer();
    const issued = await issueCard(storage, ctx.rootPrivateKey, { url, checkpoint, ...(direction ? { direction: direction as 'in' | 'out' } : {}), ttlHours: ttl }, clock.now());
    logger.info('provisioning card issued from the dashboard', { checkpoint, expiresAt: issued.expiresAt });
    const png = await cardPng(issued.card);
    return reply
      .headers(HTML_SECURITY_HEADERS)
      .header('Cache-Control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(renderCardPage(issued, `data:image/png;base64,${png.toString('base64')}`));
  });

  app.get('/updates/latest-linux.yml', async (_request, reply) => {
    const release = await storage.fleet.latestRelease();
    if (!release) return sendError(reply, 404, 'no-release', 'no release published (central release add)');
    return reply.type('text/yaml; charset=utf-8').header('Cache-Control', 'no-cache').send(latestLinuxYml(release));
  });

  app.get('/updates/:file', async (request, reply) => {
    const { file } = request.params as { file: string };
    if (!RELEASE_FILE.test(file)) return sendError(reply, 404, 'not-found', 'no such release file');
    const known = (await storage.fleet.releases(1000)).some((r) => r.file === file);
    const full = path.join(ctx.releasesDir, file);
    if (!known || !fs.existsSync(full)) return sendError(reply, 404, 'not-found', 'no such release file');
    return reply.type('application/octet-stream').header('Content-Length', fs.statSync(full).size).send(fs.createReadStream(full));
  });
}

function renderCardPage(issued: IssuedCard, qrDataUrl: string): string {
  return page(
    'Provisioning card',
    `<h1>Provisioning card — ${esc(issued.checkpoint)}</h1>
<p>Single use, valid until ${esc(issued.expiresAt)}. Scan it on a fresh kiosk (or one whose technician chose "re-provision"). Treat it like a key: it enrolls a device.</p>
<img alt="provisioning card QR" src="${esc(qrDataUrl)}">
<pre data-card style="white-space:pre-wrap;word-break:break-all">${esc(issued.card)}</pre>`,
  );
}

/**
 * Signs without re-validating: the server publishes what it stores, so a malformed stored profile
 * reaches kiosks and is refused there (they keep their last good one) rather than silently lost.
 */
async function signProfileUnchecked(profile: Parameters<typeof signConfigProfile>[0], ctx: CentralContext): Promise<string> {
  try {
    return await signConfigProfile(profile, ctx.rootPrivateKey);
  } catch (err) {
    if (!(err instanceof RemoteConfigError)) throw err;
    const { CompactSign } = await import('jose');
    return new CompactSign(Buffer.from(JSON.stringify({ v: 1, ...profile }))).setProtectedHeader({ alg: 'ES256', typ: 'config-profile+jws' }).sign(ctx.rootPrivateKey);
  }
}
