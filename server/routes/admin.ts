/**
 * Health-official views, behind the admin token: GET /api/v1/stats (JSON), GET /dashboard (HTML),
 * GET /api/v1/trace (JSON); and for operators: POST /api/v1/enrollment-codes (many codes at once)
 * and POST /api/v1/checkins/census (how often given check-ins are stored).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CentralContext } from '../context.js';
import { HTML_SECURITY_HEADERS, esc, page } from '../html.js';
import { DEFAULT_CODE_TTL_HOURS, addEnrollmentCode, newEnrollmentCode } from '../enrollment.js';
import { isAdmin, sendError } from '../http-support.js';
import type { CheckInRef } from '../storage/types.js';
import { computeStats } from '../stats.js';
import type { Stats } from '../stats.js';
import { parseTraceQuery, trace } from '../trace.js';

const enrollmentCodesSchema = {
  body: {
    type: 'object',
    required: ['count'],
    additionalProperties: false,
    properties: { count: { type: 'integer', minimum: 1, maximum: 5000 }, ttlHours: { type: 'integer', minimum: 1, maximum: 24 * 90 } },
  },
} as const;

const censusSchema = {
  body: {
    type: 'object',
    required: ['checkins'],
    additionalProperties: false,
    properties: {
      checkins: {
        type: 'array',
        maxItems: 1000,
        items: {
          type: 'object',
          required: ['id', 'scannedAt'],
          additionalProperties: false,
          properties: { id: { type: 'string', format: 'uuid' }, scannedAt: { type: 'string', format: 'date-time', maxLength: 40 } },
        },
      },
    },
  },
} as const;

export function registerAdminRoutes(app: FastifyInstance, ctx: CentralContext): void {
  const requireAdmin = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isAdmin(request, ctx.adminToken)) {
      return sendError(reply, 401, 'admin-token-required', 'admin token required (Authorization: Bearer or ?token=); see `central admin-token`');
    }
    return undefined;
  };
  const stats = () =>
    computeStats(ctx.storage, {
      nowMs: ctx.clock.now(),
      utcOffsetMinutes: ctx.utcOffsetMinutes,
      staleHeartbeatMs: ctx.staleHeartbeatMs,
      oldQueueMs: ctx.oldQueueMs,
      clockToleranceMs: ctx.clockToleranceMs,
    });

  app.get('/api/v1/stats', { onRequest: requireAdmin }, async () => stats());

  app.get('/api/v1/trace', { onRequest: requireAdmin }, async (request, reply) => {
    const q = parseTraceQuery(request.query as Record<string, unknown>);
    if (typeof q === 'string') return sendError(reply, 400, 'invalid-request', q);
    return trace(ctx.storage, q);
  });

  // Enrollment codes for many kiosks at once (a roll-out, the fleet simulator).
  app.post('/api/v1/enrollment-codes', { onRequest: requireAdmin, schema: enrollmentCodesSchema, bodyLimit: 1024 }, async (request) => {
    const { count, ttlHours } = request.body as { count: number; ttlHours?: number };
    const now = ctx.clock.now();
    const ttl = ttlHours ?? DEFAULT_CODE_TTL_HOURS;
    const codes: string[] = [];
    for (let i = 0; i < count; i++) {
      const code = newEnrollmentCode();
      if (await addEnrollmentCode(ctx.storage, code, now, ttl)) codes.push(code);
    }
    ctx.logger.info('enrollment codes issued', { count: codes.length });
    return { codes, expiresAt: new Date(now + ttl * 3_600_000).toISOString() };
  });

  // How many times each check-in is stored (0, 1 — never more): delivery audits, the fleet simulator.
  app.post('/api/v1/checkins/census', { onRequest: requireAdmin, schema: censusSchema, bodyLimit: 256 * 1024 }, async (request) => {
    const { checkins } = request.body as { checkins: CheckInRef[] };
    return { counts: Object.fromEntries(await ctx.storage.countCheckInsById(checkins)) };
  });

  app.get('/dashboard', { onRequest: requireAdmin }, async (_request, reply) => {
    return reply.headers(HTML_SECURITY_HEADERS).type('text/html; charset=utf-8').send(renderDashboard(await stats()));
  });
}

export function renderDashboard(s: Stats): string {
  const maxHour = Math.max(1, ...s.byHour);
  const hours = s.byHour
    .map((n, h) => `<tr><td>${String(h).padStart(2, '0')}:00</td><td class="num">${n}</td><td><span class="bar" style="width:${Math.round((n / maxHour) * 300)}px"></span></td></tr>`)
    .join('');
  const checkpoints = s.byCheckpoint.map((c) => `<tr><td>${esc(c.checkpointId || '(none)')}</td><td class="num">${c.count}</td></tr>`).join('');
  const devices = s.devices
    .map(
      (d) => `<tr><td>${esc(d.name)}<br><small>${esc(d.deviceId)}</small></td>
<td class="${d.heartbeatStale ? 'bad' : 'ok'}">${esc(d.lastHeartbeatAt ?? 'never')}</td>
<td class="num">${esc(d.queueDepth ?? '–')}</td>
<td class="${d.queueOld ? 'bad' : ''}">${esc(d.oldestPendingAt ?? '–')}</td>
<td>${esc(d.trustIssuedAt ?? '–')}</td><td>${esc(d.version ?? '–')}</td>
<td class="num ${d.clockOff ? 'bad' : ''}" data-clock-off="${d.clockOff}">${d.clockOffsetMs === null ? '–' : `${d.clockOffsetMs > 0 ? '+' : ''}${esc((d.clockOffsetMs / 1000).toFixed(1))} s`}</td></tr>`,
    )
    .join('');
  return page(
    'Check-in dashboard',
    `<h1>Check-ins</h1>
<p>Generated ${esc(s.generatedAt)}; day starts ${esc(s.dayStart)}. Refreshes every minute.</p>
<div class="figures">
<div><div class="figure">${s.scanPointsActiveToday}</div>scan points active today</div>
<div><div class="figure">${s.checkpointsActiveToday}</div>checkpoints active today</div>
<div><div class="figure">${s.checkinsToday}</div>check-ins today</div>
<div><div class="figure">${s.sevenDayAverage}</div>7-day daily average</div>
<div><div class="figure ${s.attention.length ? 'bad' : 'ok'}">${s.attention.length}</div>devices needing attention</div>
</div>
<h2>By checkpoint (today)</h2><table><tr><th>checkpoint</th><th>check-ins</th></tr>${checkpoints || '<tr><td colspan="2">none yet</td></tr>'}</table>
<h2>By hour (today)</h2><table><tr><th>hour</th><th>check-ins</th><th></th></tr>${hours}</table>
<h2>Devices</h2><p>Red: heartbeat stale, oldest unsent check-in old, or the kiosk clock off by more than the tolerance.</p>
<table><tr><th>device</th><th>last heartbeat</th><th>queue</th><th>oldest pending</th><th>trust bundle</th><th>version</th><th>clock offset</th></tr>${devices || '<tr><td colspan="7">no devices enrolled</td></tr>'}</table>`,
    { refreshSeconds: 60 },
  );
}
