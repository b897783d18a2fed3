/**
 * The app:// protocol (instead of file://): serves renderer/dist under app://kiosk/ with a strict
 * Content-Security-Policy. Only files inside the renderer folder are served; anything else is
 * 404. Registering the scheme as standard + secure gives the page a real origin (app://kiosk).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './window.js';
import { rendererContentType, rendererCsp } from '../shared/renderer-assets.js';

/** Electron's renderer CSP: nothing remote at all (the API goes through IPC, not the network). */
export const ELECTRON_CSP = rendererCsp("'none'");

/** Must run before app 'ready'. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

/** Maps an app:// URL to a file under `root`, or undefined when it is not ours / escapes root. */
export function resolveAppPath(url: string, root: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return undefined;
  let rel: string;
  try {
    rel = decodeURIComponent(u.pathname);
  } catch {
    return undefined;
  }
  if (rel.includes('\0')) return undefined;
  if (rel.endsWith('/')) rel += 'index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, `.${rel}`);
  return file.startsWith(base + path.sep) ? file : undefined;
}

/** A protocol handler for app:// (a fetch-style Request → Response function). */
export function appProtocolHandler(root: string): (request: Request) => Promise<Response> {
  return async (request) => {
    const file = resolveAppPath(request.url, root);
    if (!file || request.method !== 'GET') return new Response('not found', { status: 404 });
    try {
      const body = await readFile(file);
      return new Response(new Uint8Array(body), {
        status: 200,
        headers: {
          'content-type': rendererContentType(path.extname(file)),
          'content-security-policy': ELECTRON_CSP,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('not found', { status: 404 });
    }
  };
}

export function handleAppProtocol(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, appProtocolHandler(root));
}
