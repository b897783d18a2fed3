/**
 * Fleet routes: the signed configuration profile (`GET /api/v1/config`, device token, ETag), the
 * fleet page (`GET /dashboard/fleet`), its Revoke… button (`POST /dashboard/devices/:id/revoke`,
 * two steps: the first POST answers a confirmation page, only a POST carrying `confirm=yes`
 * revokes) and its card form (`POST /dashboard/cards`) — these behind the operations room's
 * sign-in (../ops/access.ts) — and the Electron update feed (`GET /updates/latest-linux.yml`,
 * `GET /updates/:file`, public like any download mirror).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signConfigProfile } from '../../src/fleet/signed-profile.js';
import { RemoteConfigError, parseRemoteConfig } from '../../src/fleet/remote-config.js';
import type { CentralContext } from '../context.js';
import { CHECKPOINT_ID } from '../../src/fleet/remote-config.js';
import { DEFAULT_CARD_TTL_HOURS, PROVISIONING_LIMITS } from '../../src/credentials/provisioning/index.js';
import { cardPng, issueCard } from '../provision.js';
import { authenticateDevice, formBody, ifNoneMatchHits, sendError } from '../http-support.js';
import { langOf, rememberLang } from '../i18n.js';
import { formGuard, pageGuard, sessionState } from '../ops/access.js';
import { REVOKE_CONFIRMATION, renderCardPage, renderRevokeConfirmPage } from '../ops/fleet-confirm.js';
import { renderFleetPage } from '../ops/fleet-page.js';
import type { CardFormState } from '../ops/fleet-page.js';
import type { FleetPageContext } from '../ops/fleet-shell.js';
import { loadFleetView, loadManagedDevice } from '../ops/fleet-view.js';
import type { FleetViewOptions } from '../ops/fleet-view.js';
import { formatters } from '../ops/format.js';
import { DASHBOARD_SECURITY_HEADERS } from '../ops/page.js';
import { OPS_STRINGS } from '../ops/strings.js';
import { RELEASE_FILE, latestLinuxYml } from '../update-feed.js';

/** Largest body of a fleet form (a few short fields). */
const FLEET_FORM_LIMIT = 4096;

/** A browser asking for a page (a script asking for JSON gets JSON errors instead of pages). */
function wantsHtml(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('text/html');
}

/** Sends an HTML page of the room (its CSP, no-store, no-referrer). */
function sendPage(reply: FastifyReply, html: string): FastifyReply {
  return reply.headers(DASHBOARD_SECURITY_HEADERS).type('text/html; charset=utf-8').send(html);
}

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
    if (ifNoneMatchHits(request.headers['if-none-match'], etag)) return reply.code(304).send();
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

  /** The language of this request (`?lang=`, the posted `lang`, the cookie; remembered like /dashboard) and the frame of the page. */
  const pageContext = (request: FastifyRequest, reply: FastifyReply, bodyLang?: unknown): FleetPageContext => {
    const lang = langOf(request, bodyLang);
    rememberLang(request, reply, lang);
    const nowMs = clock.now();
    return { t: OPS_STRINGS[lang], lang, f: formatters(lang, ctx.timeZone, nowMs), timeZone: ctx.timeZone, nowMs };
  };
  const viewOptions = (nowMs: number): FleetViewOptions => ({ nowMs, publishedTrustIssuedAtMs: Date.parse(ctx.bundle.issuedAt), ...ctx.fleet });

  /*
   * Revoking strands a kiosk until someone brings it a new card, so it takes two POSTs: without
   * `confirm=yes` a browser gets a page naming the device (checkpoint, last heartbeat) with
   * Revoke and Cancel, and nothing changes; a script gets 400 `confirmation-required`. Both POSTs
   * pass formGuard (session + Sec-Fetch-Site, or the admin token as Bearer / field).
   */
  // The confirmation page's address reloaded, or typed again: back to the fleet page, never a
  // JSON 404 in the browser (a GET revokes nothing).
  app.get('/dashboard/devices/:id/revoke', async (_request, reply) => reply.code(303).headers(DASHBOARD_SECURITY_HEADERS).header('location', '/dashboard/fleet').send());

  app.post('/dashboard/devices/:id/revoke', { preHandler: requireForm, bodyLimit: FLEET_FORM_LIMIT }, async (request, reply) => {
    const { id } = request.params as { id: string };
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) return sendError(reply, 400, 'invalid-request', 'bad device id');
    const form = formBody(request);
    if (form[REVOKE_CONFIRMATION.field] !== REVOKE_CONFIRMATION.value) {
      const c = pageContext(request, reply, form.lang);
      const device = await loadManagedDevice(storage, viewOptions(c.nowMs), id);
      if (!device) return sendError(reply, 404, 'not-found', 'no such device');
      if (!wantsHtml(request)) {
        return sendError(reply, 400, 'confirmation-required', `nothing revoked: add ${REVOKE_CONFIRMATION.field}=${REVOKE_CONFIRMATION.value} to the form body to revoke device ${id}`);
      }
      return sendPage(reply, renderRevokeConfirmPage(c, device));
    }
    const earlier = await storage.fleet.revocation(id);
    if (!earlier && !(await storage.fleet.revokeDevice(id, clock.now()))) return sendError(reply, 404, 'not-found', 'no such device');
    if (!earlier) {
      // Who: a signed-in browser, or a script holding the admin token (Bearer, field or ?token=).
      const via = (await sessionState(ctx, request)) === 'ok' ? 'session' : 'admin-token';
      logger.warn('device revoked from the dashboard', { deviceId: id, via });
      await storage.appendAudit({ at: new Date(clock.now()).toISOString(), actor: 'dashboard', action: 'device-revoked', detail: { deviceId: id, via } });
    }
    return reply.code(303).headers(DASHBOARD_SECURITY_HEADERS).header('location', `/dashboard/fleet?revoked=${encodeURIComponent(id)}`).send();
  });

  app.get('/dashboard/fleet', { onRequest: requirePage }, async (request, reply) => {
    const c = pageContext(request, reply);
    const view = await loadFleetView(storage, viewOptions(c.nowMs));
    const revoked = (request.query as Record<string, unknown> | undefined)?.revoked;
    return sendPage(reply, renderFleetPage(view, c, typeof revoked === 'string' ? { revokedNow: revoked.slice(0, 128) } : {}));
  });

  // Issue a provisioning card from the fleet page (form fields: checkpoint, direction, ttlHours, lang).
  app.post('/dashboard/cards', { preHandler: requireForm, bodyLimit: FLEET_FORM_LIMIT }, async (request, reply) => {
    const form = formBody(request);
    const one = (k: string) => (typeof form[k] === 'string' ? (form[k] as string).trim() : '');
    const checkpoint = one('checkpoint');
    const direction = one('direction');
    const ttl = Number(one('ttlHours') || DEFAULT_CARD_TTL_HOURS);
    const c = pageContext(request, reply, form.lang);
    // A browser gets the page again with its values and the reason in its language; a script the JSON error.
    const refuse = async (problem: CardFormState['problem'], message: string) => {
      if (!wantsHtml(request)) return sendError(reply, 400, 'invalid-request', message);
      const view = await loadFleetView(storage, viewOptions(c.nowMs));
      const card = { problem, checkpoint: checkpoint.slice(0, 128), direction: direction.slice(0, 8), ttlHours: one('ttlHours').slice(0, 8) };
      return sendPage(reply.code(400), renderFleetPage(view, c, { card }));
    };
    if (!CHECKPOINT_ID.test(checkpoint)) return refuse('checkpoint', 'checkpoint: 1-64 letters, digits or . _ : -');
    if (direction !== '' && direction !== 'in' && direction !== 'out') return refuse('direction', 'direction: in or out');
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > PROVISIONING_LIMITS.maxValidHours) return refuse('ttlHours', `ttlHours: 1-${PROVISIONING_LIMITS.maxValidHours}`);
    const url = (await storage.fleet.serverSetting('public-url')) ?? ctx.issuer();
    const issued = await issueCard(storage, ctx.rootPrivateKey, { url, checkpoint, ...(direction ? { direction: direction as 'in' | 'out' } : {}), ttlHours: ttl }, c.nowMs);
    logger.info('provisioning card issued from the dashboard', { checkpoint, expiresAt: issued.expiresAt });
    const png = await cardPng(issued.card);
    return sendPage(reply, renderCardPage(c, issued, `data:image/png;base64,${png.toString('base64')}`));
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
