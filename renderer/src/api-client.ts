/**
 * The renderer's handle on the kiosk API. In Electron the preload exposes `window.kioskApi`
 * (method by method through contextBridge); in web mode this file speaks the WebSocket protocol
 * of src/web/protocol.ts to the server that served the page, with the token from the page URL.
 * When the socket keeps failing, the page asks the server whether its URL is still valid: after a
 * token rotation it is not, and reloading shows the server's full-screen wrong-token notice.
 */
import { API_EVENTS, API_METHODS, type ApiEventName, type KioskApi, type KioskApiEvents } from '../../src/shared/api.js';
import type { ServerMessage } from '../../src/web/protocol.js';

declare global {
  interface Window {
    kioskApi?: KioskApi;
  }
}

export type ConnectionListener = (connected: boolean) => void;

export interface ApiHandle {
  api: KioskApi;
  /** Reports transport state (always connected in Electron). Returns unsubscribe. */
  onConnection(listener: ConnectionListener): () => void;
}

export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

let current: KioskApi | undefined;

/** The API connected by connectApi(), for components that only listen (the camera preview). */
export function currentApi(): KioskApi | undefined {
  return current;
}

export function connectApi(): ApiHandle {
  const handle: ApiHandle = window.kioskApi ? { api: window.kioskApi, onConnection: (l) => (l(true), () => undefined) } : connectWebSocket();
  current = handle.api;
  return handle;
}

function connectWebSocket(): ApiHandle {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api?token=${encodeURIComponent(token)}`;
  const listeners = new Map<ApiEventName, Set<(p: unknown) => void>>(API_EVENTS.map((e) => [e, new Set()]));
  const connection = new Set<ConnectionListener>();
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let ws: WebSocket | undefined;
  let open = false;
  let nextId = 1;
  let retryMs = 500;
  let waiters: (() => void)[] = [];

  const setOpen = (value: boolean) => {
    open = value;
    connection.forEach((l) => l(value));
  };

  const connect = () => {
    ws = new WebSocket(url);
    ws.onopen = () => {
      retryMs = 500;
      setOpen(true);
      waiters.forEach((w) => w());
      waiters = [];
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(String(ev.data)) as ServerMessage;
      if (msg.t === 'event') {
        listeners.get(msg.event as ApiEventName)?.forEach((l) => l(msg.payload));
      } else {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (!p) return;
        if (msg.ok) p.resolve(msg.value);
        else p.reject(new ApiCallError(msg.error, msg.code ?? 'error'));
      }
    };
    ws.onclose = (ev) => {
      if (open) setOpen(false);
      if (ev.code === 4001 || retryMs >= 2000) void checkUrlStillValid();
      for (const p of pending.values()) p.reject(new ApiCallError('connection lost', 'disconnected'));
      pending.clear();
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };
  connect();

  const checkUrlStillValid = async () => {
    try {
      const res = await fetch(location.href, { cache: 'no-store' });
      if (res.status === 403) location.reload();
    } catch {
      // The service is down: the status bar says so; keep retrying.
    }
  };

  const call = async (method: string, args: unknown[]): Promise<unknown> => {
    if (!open) await new Promise<void>((resolve) => waiters.push(resolve));
    const id = nextId++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      ws!.send(JSON.stringify({ t: 'call', id, method, args }));
    });
  };

  const api = Object.fromEntries(API_METHODS.map((m) => [m, (...args: unknown[]) => call(m, args)])) as unknown as KioskApi;
  api.on = <E extends ApiEventName>(event: E, listener: (payload: KioskApiEvents[E]) => void) => {
    const set = listeners.get(event)!;
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  };
  return {
    api,
    onConnection: (l) => {
      connection.add(l);
      l(open);
      return () => connection.delete(l);
    },
  };
}
