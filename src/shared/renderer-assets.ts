/**
 * How the renderer's files are served, the same for the Electron app:// protocol and for web
 * mode: the Content-Security-Policy (only `connect-src` differs: IPC needs no network, web mode
 * needs its own WebSocket) and the content types of what `vite build` emits.
 */
export function rendererCsp(connectSrc: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSrc}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

/** Content type for a file extension such as '.js'; unknown ones are served as opaque bytes. */
export function rendererContentType(extension: string): string {
  return CONTENT_TYPES[extension] ?? 'application/octet-stream';
}
