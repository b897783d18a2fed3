/**
 * The traveller declaration form: GET /declare shows it, POST /declare issues a signed CKD1
 * declaration (valid 72 h, CKD1 format) and shows it as a QR image to present at a checkpoint.
 * Plain server-rendered HTML without scripts; every value escaped.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { issueDeclaration } from '../../src/credentials/declaration/index.js';
import type { Declaration, TestResult } from '../../src/credentials/declaration/index.js';
import type { CentralContext } from '../context.js';
import { HTML_SECURITY_HEADERS, esc, page } from '../html.js';

export const DECLARATION_VALID_HOURS = 72;
const FORM_BODY_LIMIT = 16 * 1024;
const SYMPTOMS = ['fever', 'cough', 'shortness-of-breath', 'sore-throat', 'loss-of-taste-or-smell', 'fatigue'] as const;
const ID_TYPES = ['cccd', 'cmnd', 'passport', 'qid', 'other'] as const;
const TEST_RESULTS = ['none', 'negative', 'positive', 'inconclusive'] as const;

type Form = Record<string, string | string[] | undefined>;

function first(form: Form, key: string): string {
  const v = form[key];
  return (Array.isArray(v) ? (v[0] ?? '') : (v ?? '')).trim();
}

/** Validates the form; returns the declaration content or a list of problems to show. */
export function declarationFromForm(form: Form, id: string): { ok: true; decl: Declaration } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const text = (key: string, label: string, max: number, required = true): string => {
    const v = first(form, key);
    if (required && !v) problems.push(`${label} is required`);
    if (v.length > max) problems.push(`${label} is longer than ${max} characters`);
    return v;
  };
  const idType = first(form, 'idType');
  if (!(ID_TYPES as readonly string[]).includes(idType)) problems.push('ID type must be one of ' + ID_TYPES.join(', '));
  const idNo = text('idNo', 'ID number', 32);
  if (idNo && !/^[A-Za-z0-9]+$/.test(idNo)) problems.push('ID number may contain only letters and digits');
  const name = text('name', 'Full name', 100);
  const dob = text('dob', 'Date of birth', 10);
  if (dob && !/^\d{4}-\d{2}-\d{2}$/.test(dob)) problems.push('Date of birth must be YYYY-MM-DD');
  const from = text('from', 'Travelling from', 100);
  const to = text('to', 'Travelling to', 100);
  const purpose = text('purpose', 'Purpose', 100, false);
  const raw = form.symptoms;
  const symptoms = (Array.isArray(raw) ? raw : raw ? [raw] : []).slice(0, SYMPTOMS.length);
  if (!symptoms.every((s) => (SYMPTOMS as readonly string[]).includes(s))) problems.push('unknown symptom');
  const exposure = first(form, 'exposure') === 'yes';
  const testResult = first(form, 'testResult') || 'none';
  if (!(TEST_RESULTS as readonly string[]).includes(testResult)) problems.push('test result must be one of ' + TEST_RESULTS.join(', '));
  const testAt = first(form, 'testAt');
  if (testResult !== 'none' && !/^\d{4}-\d{2}-\d{2}$/.test(testAt)) problems.push('test date must be YYYY-MM-DD');
  if (problems.length) return { ok: false, problems };
  const decl: Declaration = {
    id,
    sub: { idType: idType as Declaration['sub']['idType'], idNo, name, dob },
    trip: { from, to, purpose },
    health: { symptoms, exposure },
  };
  if (testResult !== 'none') decl.health.test = { result: testResult as TestResult, at: testAt };
  return { ok: true, decl };
}

function formPage(problems: string[] = [], form: Form = {}): string {
  const v = (k: string) => esc(first(form, k));
  const opt = (name: string, values: readonly string[]) =>
    values.map((x) => `<option value="${esc(x)}"${first(form, name) === x ? ' selected' : ''}>${esc(x)}</option>`).join('');
  const errors = problems.length ? `<ul class="bad">${problems.map((p) => `<li>${esc(p)}</li>`).join('')}</ul>` : '';
  return page(
    'Entry declaration',
    `<h1>Entry declaration</h1>${errors}
<form method="post" action="/declare">
<fieldset><legend>Traveller</legend>
<label>ID type <select name="idType">${opt('idType', ID_TYPES)}</select></label>
<label>ID number <input name="idNo" maxlength="32" required value="${v('idNo')}"></label>
<label>Full name <input name="name" maxlength="100" required value="${v('name')}"></label>
<label>Date of birth <input name="dob" type="date" required value="${v('dob')}"></label></fieldset>
<fieldset><legend>Trip</legend>
<label>From <input name="from" maxlength="100" required value="${v('from')}"></label>
<label>To <input name="to" maxlength="100" required value="${v('to')}"></label>
<label>Purpose <input name="purpose" maxlength="100" value="${v('purpose')}"></label></fieldset>
<fieldset><legend>Health (last 14 days)</legend>
${SYMPTOMS.map((s) => `<label><input type="checkbox" name="symptoms" value="${esc(s)}"> ${esc(s.replace(/-/g, ' '))}</label>`).join('')}
<label><input type="checkbox" name="exposure" value="yes"> Close contact with a confirmed case</label>
<label>COVID-19 test <select name="testResult">${opt('testResult', TEST_RESULTS)}</select></label>
<label>Test date <input name="testAt" type="date" value="${v('testAt')}"></label></fieldset>
<button type="submit">Declare</button>
</form>`,
  );
}

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

  app.get('/declare', async (_request, reply) => reply.headers(HTML_SECURITY_HEADERS).type('text/html; charset=utf-8').send(formPage()));

  app.post('/declare', { bodyLimit: FORM_BODY_LIMIT }, async (request, reply) => {
    reply.headers(HTML_SECURITY_HEADERS).type('text/html; charset=utf-8');
    const form = (request.body ?? {}) as Form;
    if (typeof form !== 'object' || Array.isArray(form)) return reply.code(400).send(formPage(['send the form']));
    const parsed = declarationFromForm(form, randomUUID());
    if (!parsed.ok) return reply.code(400).send(formPage(parsed.problems, form));
    const now = new Date(ctx.clock.now());
    let qrText: string;
    try {
      qrText = issueDeclaration(parsed.decl, ctx.declarationSigner, { iss: ctx.issuer(), now, validHours: DECLARATION_VALID_HOURS });
    } catch (err) {
      // The issuer refuses what kiosks would refuse (over-long fields...): say so on the form.
      return reply.code(400).send(formPage([`cannot issue this declaration: ${(err as Error).message}`], form));
    }
    await ctx.storage.recordDeclaration({
      id: parsed.decl.id,
      kid: ctx.declarationSigner.kid,
      issuedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + DECLARATION_VALID_HOURS * 3_600_000).toISOString(),
    });
    const dataUrl = await QRCode.toDataURL(qrText, { errorCorrectionLevel: 'M', margin: 2, scale: 6 });
    const expires = new Date(now.getTime() + DECLARATION_VALID_HOURS * 3_600_000).toISOString();
    ctx.logger.info('declaration issued', { symptoms: parsed.decl.health.symptoms.length, exposure: parsed.decl.health.exposure });
    return reply.send(
      page(
        'Your entry declaration',
        `<h1>Your entry declaration</h1>
<p>Show this QR code at the checkpoint. Valid until ${esc(expires)} (${DECLARATION_VALID_HOURS} hours).</p>
<img alt="declaration QR code" src="${esc(dataUrl)}">
<details><summary>QR content</summary><pre style="white-space:pre-wrap;word-break:break-all">${esc(qrText)}</pre></details>
<p><a href="/declare">New declaration</a></p>`,
      ),
    );
  });
}
