/**
 * The axios client every sync component uses. TLS is always verified: a custom CA (PEM) may be
 * added for a private central server, but `rejectUnauthorized: false` is never set. Statuses are
 * handled by the callers (validateStatus accepts all), redirects and environment proxies are off
 * (a kiosk talks to its one configured server).
 */
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import http from 'node:http';
import https from 'node:https';

export interface HttpOptions {
  serverUrl: string;
  /** Extra trusted CA certificate(s), PEM. */
  ca?: string;
  /** Socket inactivity timeout per request (ms). */
  timeoutMs?: number;
  /** Largest response body accepted (bytes). */
  maxResponseBytes?: number;
}

export interface HttpClient {
  client: AxiosInstance;
  /** Closes pooled sockets. */
  close(): void;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export function createHttpClient(opts: HttpOptions): HttpClient {
  const url = new URL(opts.serverUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`server URL must be http(s): ${url.protocol}`);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4, ...(opts.ca ? { ca: opts.ca } : {}) });
  const client = axios.create({
    baseURL: url.toString().replace(/\/+$/, ''),
    timeout: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    proxy: false,
    maxRedirects: 0,
    maxContentLength: opts.maxResponseBytes ?? 8 * 1024 * 1024,
    validateStatus: () => true,
    httpAgent,
    httpsAgent,
  });
  return {
    client,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** A short, PII- and secret-free description of a transport error (never the request config). */
export function describeError(err: unknown): string {
  if (axios.isAxiosError(err)) return `${err.code ?? 'ERR'}: ${err.message}`.slice(0, 200);
  if (err instanceof Error) return err.message.slice(0, 200);
  return String(err).slice(0, 200);
}
