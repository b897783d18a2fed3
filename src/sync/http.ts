/**
 * The HTTP client every sync component uses. TLS is always verified: a custom CA (PEM) may be
 * added for a private central server, but `rejectUnauthorized: false` is never set. Statuses are
 * handled by the callers (validateStatus accepts all), redirects and environment proxies are off
 * (a kiosk talks only to its configured servers).
 *
 * Several servers (`run --server A --server B`, nodes sharing one database): every request goes to
 * the server that answered last; when it cannot be reached (connection refused or reset, timeout)
 * or answers 500/502/503/504, the same request is sent to the next one at once, each server at
 * most once per request. The protocol is idempotent (check-ins by id), so a retry elsewhere never
 * duplicates anything. With one server this is a plain client.
 */
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, AxiosStatic } from 'axios';
import http from 'node:http';
import https from 'node:https';
import { ProgramChangedError, lazyImport } from '../shared/program-changed.js';

export interface HttpOptions {
  /** One server URL, or several nodes of one central server (tried in order, sticky). */
  serverUrl: string | readonly string[];
  /** Extra trusted CA certificate(s), PEM. */
  ca?: string;
  /** Socket inactivity timeout per request (ms). */
  timeoutMs?: number;
  /** Largest response body accepted (bytes). */
  maxResponseBytes?: number;
}

/** The subset of axios the sync components use, with failover between servers. */
export interface FailoverClient {
  get<T = unknown>(url: string, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
  post<T = unknown>(url: string, data?: unknown, config?: AxiosRequestConfig): Promise<AxiosResponse<T>>;
}

export interface HttpClient {
  client: FailoverClient;
  /** The server the next request goes to first (the one that answered last). */
  currentServer(): string;
  /**
   * Aborts every request in flight (they reject at once with axios' ERR_CANCELED; a request made
   * afterwards rejects the same way) and closes pooled sockets. A stopping kiosk calls it first, so
   * a server that accepts connections but never answers cannot hold the stop for a request timeout.
   */
  close(): void;
}

/** Answers that mean "this node cannot serve now; another may". */
const FAILOVER_STATUSES = new Set([500, 502, 503, 504]);

/** The server URLs of `serverUrl` (one or several), validated: http(s) only, at least one. */
export function serverList(serverUrl: string | readonly string[]): string[] {
  const list = typeof serverUrl === 'string' ? [serverUrl] : [...serverUrl];
  if (list.length === 0) throw new Error('no server URL');
  return list.map((u) => {
    const url = new URL(u);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`server URL must be http(s): ${url.protocol}`);
    return url.toString().replace(/\/+$/, '');
  });
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

export function createHttpClient(opts: HttpOptions): HttpClient {
  const servers = serverList(opts.serverUrl);
  const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 4, ...(opts.ca ? { ca: opts.ca } : {}) });
  // axios (with its mime table, form-data, follow-redirects: about 0.7 MB of code) is loaded at
  // the first request, not at start: a kiosk without a central server never pays for it.
  let clients: Promise<AxiosInstance[]> | undefined;
  const axiosClients = () =>
    (clients ??= loadAxios().then((axios) =>
      servers.map((baseURL) =>
        axios.create({
          baseURL,
          timeout: opts.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
          proxy: false,
          maxRedirects: 0,
          maxContentLength: opts.maxResponseBytes ?? 8 * 1024 * 1024,
          validateStatus: () => true,
          httpAgent,
          httpsAgent,
        }),
      ),
    ));
  let current = 0;
  // Aborted by close(): every request carries it, joined with the caller's own signal.
  const closing = new AbortController();
  const withClosing = (config: AxiosRequestConfig | undefined): { config: AxiosRequestConfig; release: () => void } => {
    const own = config?.signal as AbortSignal | undefined;
    if (!own) return { config: { ...config, signal: closing.signal }, release: noop };
    const joined = eitherSignal(own, closing.signal);
    return { config: { ...config, signal: joined.signal }, release: joined.release };
  };

  async function send<T>(call: (c: AxiosInstance) => Promise<AxiosResponse<T>>, signal: AxiosRequestConfig['signal']): Promise<AxiosResponse<T>> {
    const clients = await axiosClients();
    const first = current;
    let lastError: unknown;
    let lastAnswer: AxiosResponse<T> | undefined;
    for (let i = 0; i < clients.length; i++) {
      const index = (first + i) % clients.length;
      try {
        const res = await call(clients[index] as AxiosInstance);
        if (!FAILOVER_STATUSES.has(res.status) || clients.length === 1) {
          current = index;
          return res;
        }
        lastAnswer = res;
      } catch (err) {
        lastError = err;
      }
      // This node failed: the next request starts at the next one, even if we stop here.
      current = (index + 1) % clients.length;
      if ((signal as AbortSignal | undefined)?.aborted) break;
    }
    if (lastAnswer) return lastAnswer;
    throw lastError;
  }

  return {
    client: {
      get: <T>(url: string, config?: AxiosRequestConfig) => {
        const { config: c2, release } = withClosing(config);
        return send<T>((c) => c.get<T>(url, c2), c2.signal).finally(release);
      },
      post: <T>(url: string, data?: unknown, config?: AxiosRequestConfig) => {
        const { config: c2, release } = withClosing(config);
        return send<T>((c) => c.post<T>(url, data, c2), c2.signal).finally(release);
      },
    },
    currentServer: () => servers[current] as string,
    close() {
      closing.abort();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

const noop = (): void => {};

/**
 * A signal aborted when either `a` or `b` is (AbortSignal.any, which Node has only from 20.3 while
 * the package allows any Node 20), and `release`, which takes its listeners off both: `b` is the
 * client's closing signal, alive for the kiosk's whole run, so a listener left on it per request
 * (every forwarded batch carries its own signal) would pile up for days.
 */
export function eitherSignal(a: AbortSignal, b: AbortSignal): { signal: AbortSignal; release: () => void } {
  if (a.aborted) return { signal: a, release: noop };
  if (b.aborted) return { signal: b, release: noop };
  const joined = new AbortController();
  const abort = () => {
    release();
    joined.abort();
  };
  const release = () => {
    a.removeEventListener('abort', abort);
    b.removeEventListener('abort', abort);
  };
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return { signal: joined.signal, release };
}

/**
 * The axios module, imported on first use (cached by the module loader afterwards). Its chunk
 * removed by an upgrade under the running kiosk is a ProgramChangedError, not a network fault.
 */
async function loadAxios(): Promise<AxiosStatic> {
  return (await lazyImport('the HTTP client', () => import('axios'))).default;
}

/**
 * A short, PII- and secret-free description of a transport error (never the request config).
 * An axios error is recognised by its `isAxiosError` flag, as axios.isAxiosError() does, so this
 * never loads axios itself.
 */
export function describeError(err: unknown): string {
  // Whole: it says what to do (restart), and it holds no request data.
  if (err instanceof ProgramChangedError) return err.message;
  if (isAxiosError(err)) return `${err.code ?? 'ERR'}: ${err.message}`.slice(0, 200);
  if (err instanceof Error) return err.message.slice(0, 200);
  return String(err).slice(0, 200);
}

function isAxiosError(err: unknown): err is { isAxiosError: true; code?: string; message: string } {
  return typeof err === 'object' && err !== null && (err as { isAxiosError?: unknown }).isAxiosError === true;
}
