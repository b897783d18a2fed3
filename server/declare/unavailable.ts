/**
 * The declaration form while the database is out of reach: a submit was checked and signed but
 * could not be registered, so no QR is shown. The person gets the form page in their language
 * (503, Retry-After, as the operations room's outage page: ../unavailable-page.ts) with every
 * answer written back and a line saying what happened and to send again shortly. Unlike the
 * room's page it does not reload itself: a reload would open an empty form and lose the answers.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { formBody } from '../http-support.js';
import { langOf } from '../i18n.js';
import { UNAVAILABLE_RETRY_SECONDS, isBrowserPageRequest, sendUnavailableHtml, type OutagePage } from '../unavailable-page.js';
import { readForm, type RawForm } from './form.js';
import { DECLARE_SECURITY_HEADERS, EMPTY_FORM, renderForm } from './render.js';
import { DECLARE_STRINGS } from './strings.js';

export function isDeclarePageRequest(request: FastifyRequest): boolean {
  return isBrowserPageRequest(request, (path) => path === '/declare');
}

export function sendDeclareUnavailablePage(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const body = formBody(request);
  const lang = langOf(request, body.lang);
  const values = request.method === 'POST' ? readForm(body as RawForm) : EMPTY_FORM;
  return sendUnavailableHtml(reply, DECLARE_SECURITY_HEADERS, renderForm(lang, values, {}, DECLARE_STRINGS[lang].unavailable(UNAVAILABLE_RETRY_SECONDS)));
}

export const DECLARE_OUTAGE_PAGE: OutagePage = { matches: isDeclarePageRequest, send: sendDeclareUnavailablePage };
