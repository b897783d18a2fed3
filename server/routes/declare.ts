/**
 * The traveller declaration form: GET /declare shows it (Vietnamese unless `?lang=en`), POST
 * /declare issues a signed CKD1 declaration (valid 72 h) and shows it as a QR image to present at
 * a checkpoint. A refused submit answers 400 with the same form: every field as the person filled
 * it in (ticked symptoms included) and each problem next to its field.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import type { CentralContext } from '../context.js';
import { EMPTY_FORM, DECLARE_SECURITY_HEADERS, renderForm, renderIssued } from '../declare/render.js';
import { readForm, validateForm } from '../declare/form.js';
import type { RawForm } from '../declare/form.js';
import { DECLARE_STRINGS } from '../declare/strings.js';
import { LOCALE, langOf, rememberLang } from '../i18n.js';
import { localDate } from '../ops/local-time.js';

export const DECLARATION_VALID_HOURS = 72;
const FORM_BODY_LIMIT = 16 * 1024;

export function registerDeclarationRoutes(app: FastifyInstance, ctx: CentralContext): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT }, (_req, body, done) => {
    const params = new URLSearchParams(body as string);
    const form: Record<string, string | string[]> = {};
    for (const key of new Set(params.keys())) {
      const all = params.getAll(key);
      form[key] = all.length === 1 ? (all[0] as string) : all;
    }
    done(null, form);
  });

  app.get('/declare', async (request, reply) => {
    const lang = langOf(request);
    rememberLang(request, reply, lang);
    return reply.headers(DECLARE_SECURITY_HEADERS).type('text/html; charset=utf-8').send(renderForm(lang, EMPTY_FORM));
  });

  app.post('/declare', { bodyLimit: FORM_BODY_LIMIT }, async (request, reply) => {
    reply.headers(DECLARE_SECURITY_HEADERS).type('text/html; charset=utf-8');
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      const lang = langOf(request);
      return reply.code(400).send(renderForm(lang, EMPTY_FORM, {}, DECLARE_STRINGS[lang].sendForm));
    }
    const form = body as RawForm;
    const lang = langOf(request, form.lang);
    const values = readForm(form);
    const nowMs = ctx.clock.now();
    const parsed = validateForm(values, randomUUID(), localDate(ctx.timeZone, nowMs));
    if (!parsed.ok) {
      ctx.logger.info('declaration refused', { fields: Object.keys(parsed.problems).join(',') });
      return reply.code(400).send(renderForm(lang, values, parsed.problems));
    }
    const now = new Date(nowMs);
    let qrText: string;
    try {
      qrText = issueDeclaration(parsed.decl, ctx.declarationSigner, { iss: ctx.issuer(), now, validHours: DECLARATION_VALID_HOURS });
    } catch (err) {
      // The issuer refuses what kiosks would refuse (a declaration too large for one QR...): say so, keep the form.
      return reply.code(400).send(renderForm(lang, values, {}, `${DECLARE_STRINGS[lang].cannotIssue}: ${(err as Error).message}`));
    }
    await ctx.storage.recordDeclaration({
      id: parsed.decl.id,
      kid: ctx.declarationSigner.kid,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + DECLARATION_VALID_HOURS * 3_600_000).toISOString(),
    });
    const dataUrl = await QRCode.toDataURL(qrText, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
    const until = new Intl.DateTimeFormat(LOCALE[lang], { timeZone: ctx.timeZone, dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23' }).format(
      new Date(nowMs + DECLARATION_VALID_HOURS * 3_600_000),
    );
    ctx.logger.info('declaration issued', { symptoms: parsed.decl.health.symptoms.length, exposure: parsed.decl.health.exposure });
    return reply.send(renderIssued(lang, dataUrl, qrText, until, DECLARATION_VALID_HOURS));
  });
}
