/**
 * Web mode (README.md): serves the built renderer and the kiosk API over a WebSocket, on
 * 127.0.0.1 only. Another page open in the same browser (or any local process speaking HTTP)
 * must not be able to drive the kiosk, so the WebSocket upgrade requires:
 *   - the random token from the URL printed at start (compared in constant time),
 *   - an Origin equal to this server's own origin (no cross-site WebSocket hijacking),
 *   - a Host header naming this server (no DNS rebinding).
 * Frames are bounded (64 KiB) and validated against the API declaration before any call.
 * The page itself (index.html) is served only with the right token: without one, or with a wrong
 * one, the browser gets a full-screen notice saying so (403) instead of a kiosk that looks alive
 * but cannot reach the service. Scripts and styles are the same for everyone and need no token.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../shared/ports.js';
import { API_EVENTS, API_LIMITS, type KioskApi } from '../shared/api.js';
import { parseCall, type ServerMessage } from './protocol.js';
import { sessionProblem } from '../shared/api-validation.js';
import { rendererContentType, rendererCsp } from '../shared/renderer-assets.js';

export interface WebUiOptions {
  api: KioskApi;
  /** Only loopback is allowed: '127.0.0.1' (default) or '::1'. */
  host?: string;
  /** 0 = any free port. */
  port: number;
  /** The built renderer (renderer/dist). */
  staticDir: string;
  logger: Logger;
  /** Fixed token (kept in the data dir by `run`, see token-file.ts); default 32 random bytes, hex. */
  token?: string;
}

export interface WebUi {
  /** Full URL to open, token included: http://127.0.0.1:PORT/?token=... (changes with setToken). */
  readonly url: string;
  /** Replaces the token: every connected page is disconnected and must reopen with the new URL. */
  setToken(token: string): void;
  /** The origin browsers must send: http://127.0.0.1:PORT */
  origin: string;
  close(): Promise<void>;
}

/**
 * renderer/dist of this checkout or package, found by walking up from this file (it runs both
 * from src/web under tsx and from dist/src/web when compiled). Undefined when not built yet.
 */
export function defaultRendererDir(from = fileURLToPath(import.meta.url)): string | undefined {
  let dir = path.dirname(from);
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'renderer', 'dist', 'index.html');
    if (existsSync(candidate)) return path.dirname(candidate);
    dir = path.dirname(dir);
  }
  return undefined;
}

/**
 * The renderer's Content-Security-Policy; connect-src is set per server to its own ws origin, and
 * its http origin (the page asks whether its own URL is still valid after a token rotation).
 */
export function webCsp(wsOrigin: string): string {
  return rendererCsp(`${wsOrigin.replace(/^ws/, 'http')} ${wsOrigin}`);
}

/** Most calls a single connection may have in flight; more are refused, not queued. */
const MAX_IN_FLIGHT = 16;

export async function startWebUi(opts: WebUiOptions): Promise<WebUi> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1' && host !== '::1') throw new Error(`web UI must bind to loopback (127.0.0.1 or ::1), not "${host}"`);
  let token = opts.token ?? randomBytes(32).toString('hex');
  let tokenBuf = Buffer.from(token);
  const tokenOk = (given: string | null): boolean => {
    const buf = Buffer.from(given ?? '');
    return buf.length === tokenBuf.length && timingSafeEqual(buf, tokenBuf);
  };
  const log = opts.logger.child('web');
  const staticRoot = path.resolve(opts.staticDir);
  let allowedHosts: string[] = [];
  let origin = '';

  const server = createServer((req, res) => {
    serveStatic(req, res).catch((err: unknown) => {
      log.error('static file failed', { error: err instanceof Error ? err.message : String(err) });
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHosts.includes(req.headers.host ?? '')) return void res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
    const url = new URL(req.url ?? '/', origin);
    let rel: string;
    try {
      rel = decodeURIComponent(url.pathname);
    } catch {
      return void res.writeHead(400).end();
    }
    if (rel.endsWith('/')) rel += 'index.html';
    if (rel === '/index.html' && !tokenOk(url.searchParams.get('token'))) {
      const missing = !url.searchParams.get('token');
      log.warn('page refused', { reason: missing ? 'no token' : 'bad token' });
      return void res
        .writeHead(403, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': TOKEN_PAGE_CSP, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer', 'x-content-type-options': 'nosniff' })
        .end(req.method === 'HEAD' ? undefined : tokenPage(missing));
    }
    const file = path.resolve(staticRoot, `.${rel}`);
    if (!file.startsWith(staticRoot + path.sep) || rel.includes('\0')) return void res.writeHead(404).end();
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    const body = await readFile(file);
    res.writeHead(200, {
      'content-type': rendererContentType(path.extname(file)),
      'content-length': body.length,
      'content-security-policy': webCsp(origin.replace(/^http/, 'ws')),
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: API_LIMITS.message });
  /**
   * Connections with a techRotateWebToken call in flight: a rotation closes every other page at
   * once (4001), but the pressing page first gets its answer — the new URL, which it navigates to —
   * and only then is closed (1000 'token rotated'), so its own screen never lands on "Wrong token".
   */
  const rotating = new Set<WebSocket>();
  let rotations = 0;

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const refusal = checkUpgrade(req);
    if (refusal) {
      log.warn('websocket refused', { reason: refusal });
      socket.end(`HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refusal}`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveConnection(ws));
  });

  function checkUpgrade(req: IncomingMessage): string | undefined {
    if (!allowedHosts.includes(req.headers.host ?? '')) return 'wrong host';
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname !== '/api') return 'wrong path';
    // Same-origin only: the page this server served, under the host name it was opened with.
    if (req.headers.origin !== `http://${req.headers.host}`) return 'wrong origin';
    if (!tokenOk(url.searchParams.get('token'))) return 'bad token';
    return undefined;
  }

  function serveConnection(ws: WebSocket): void {
    let inFlight = 0;
    const send = (msg: ServerMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
    };
    const unsubscribe = API_EVENTS.map((event) => opts.api.on(event, (payload) => send({ t: 'event', event, payload })));
    ws.on('close', () => unsubscribe.forEach((off) => off()));
    ws.on('error', (err) => log.warn('websocket error', { error: err.message }));
    ws.on('message', (data, isBinary) => {
      if (isBinary) return void ws.close(1003, 'text frames only');
      const parsed = parseCall(data.toString());
      if ('problem' in parsed) {
        log.warn('bad api call', { problem: parsed.problem.slice(0, 120) });
        if (parsed.id === undefined) return void ws.close(1008, 'malformed message');
        // A call that needs a session: without a live one, that is the answer, not the argument rules.
        const denied = sessionProblem(opts.api, parsed.method, parsed.args);
        if (denied) return send({ t: 'result', id: parsed.id, ok: false, ...denied });
        return send({ t: 'result', id: parsed.id, ok: false, error: parsed.problem, code: 'invalid' });
      }
      const { id, method, args } = parsed.call;
      if (inFlight >= MAX_IN_FLIGHT) return send({ t: 'result', id, ok: false, error: 'too many calls in flight', code: 'busy' });
      inFlight++;
      const fn = opts.api[method] as (...a: unknown[]) => Promise<unknown>;
      const rotation = method === 'techRotateWebToken' ? rotations : undefined;
      if (rotation !== undefined) rotating.add(ws);
      Promise.resolve()
        .then(() => fn.apply(opts.api, args))
        .then(
          (value) => send({ t: 'result', id, ok: true, value: value ?? null }),
          (err: unknown) => {
            const e = err as { message?: string; code?: string; name?: string };
            const known = e?.name === 'ApiError';
            if (!known) log.error('api call failed', { method, error: String(e?.message ?? err) });
            send({ t: 'result', id, ok: false, error: known ? String(e.message) : 'internal error', code: known ? String(e.code) : 'internal' });
          },
        )
        .finally(() => {
          inFlight--;
          if (rotation === undefined) return;
          rotating.delete(ws);
          // The answer is queued before the close frame: the page reads its new URL, then the
          // connection made with the old token ends.
          if (rotations !== rotation) ws.close(1000, 'token rotated');
        });
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('web UI: no TCP address');
  const hostPart = host === '::1' ? '[::1]' : host;
  origin = `http://${hostPart}:${address.port}`;
  allowedHosts = [`${hostPart}:${address.port}`, `localhost:${address.port}`];
  log.info('web ui listening', { port: address.port });

  return {
    get url() {
      return `${origin}/?token=${token}`;
    },
    setToken(next: string) {
      token = next;
      tokenBuf = Buffer.from(next);
      rotations++;
      for (const client of wss.clients) if (!rotating.has(client)) client.close(4001, 'token rotated');
      log.info('web token rotated');
    },
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The notice page: no script, inline style only (its own CSP), both languages. */
const TOKEN_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'";

function tokenPage(missing: boolean): string {
  const vi = missing ? 'Địa chỉ kiosk thiếu mã truy cập (token).' : 'Mã truy cập (token) trong địa chỉ kiosk không đúng hoặc đã được đổi.';
  const en = missing ? 'This kiosk address has no access token.' : 'The access token in this kiosk address is wrong or was rotated.';
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Checkpoint kiosk: ${missing ? 'no token' : 'wrong token'}</title>
<style>html,body{margin:0;height:100%}body{display:flex;flex-direction:column;align-items:center;justify-content:center;gap:1em;background:#5a2a82;color:#fff;font:clamp(20px,4vmin,48px)/1.3 'Noto Sans','DejaVu Sans',sans-serif;text-align:center;padding:1em}h1{font-size:1.6em;margin:0}p{margin:0;max-width:30em}small{opacity:.85}</style></head>
<body data-screen="${missing ? 'token-missing' : 'token-wrong'}"><h1>⚠ ${missing ? 'Thiếu token / No token' : 'Sai token / Wrong token'}</h1><p>${vi}</p><p>${en}</p>
<p><small>Kỹ thuật viên: mở đúng địa chỉ in ra khi khởi động (sự kiện "ui") hoặc đọc tệp web-token trong thư mục dữ liệu. / Technician: open the URL the kiosk printed at start ("ui" event), or read the web-token file in its data dir.</small></p></body></html>`;
}
