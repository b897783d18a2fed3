/**
 * What a person's browser gets while the database is out of reach (503 storage-unavailable) on
 * the server's own pages — the operations room (ops/unavailable-page.ts) and the traveller
 * declaration form (declare/unavailable.ts) — instead of the raw JSON error that scripts and
 * kiosks read: a page in the page's language, with Retry-After as the JSON answer has. Each page
 * family renders its own HTML; telling a browser page apart and sending it is shared here.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';

/** Seconds before trying again (a restart or failover takes about that long). */
export const UNAVAILABLE_RETRY_SECONDS = 10;

/** Whether a refused request came from a browser (Accept: text/html) opening a page whose path `isPage` accepts. */
export function isBrowserPageRequest(request: FastifyRequest, isPage: (path: string) => boolean): boolean {
  const accept = request.headers.accept;
  const path = request.url.split('?')[0] ?? '';
  return typeof accept === 'string' && accept.includes('text/html') && isPage(path);
}

/** Sends `html` with status 503, the page family's security headers and Retry-After. */
export function sendUnavailableHtml(reply: FastifyReply, securityHeaders: Record<string, string>, html: string): FastifyReply {
  return reply.code(503).headers(securityHeaders).header('Retry-After', String(UNAVAILABLE_RETRY_SECONDS)).type('text/html; charset=utf-8').send(html);
}

/** A family of pages that answers a database outage itself: which requests, and how. */
export interface OutagePage {
  matches(request: FastifyRequest): boolean;
  send(request: FastifyRequest, reply: FastifyReply): FastifyReply;
}

/** The error handler's hook (registerErrorHandling): the first page family that takes the request answers it. */
export function outagePages(pages: readonly OutagePage[]): (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined {
  return (request, reply) => pages.find((p) => p.matches(request))?.send(request, reply);
}
