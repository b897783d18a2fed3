/**
 * The kiosk screen's WebSocket API from a test: connect with the token of the `{"event":"ui","url"}`
 * line `run --ui web` prints, and call a method the way the renderer does
 * (`{t: 'call', id, method, args}` → `{t: 'result', id, …}`).
 */
import WebSocket from 'ws';

/** Opens the UI socket of the kiosk whose UI URL (token included) is `uiUrl`. */
export function connectUi(uiUrl: string): Promise<WebSocket> {
  const url = new URL(uiUrl);
  const ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`, { origin: url.origin });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

let callId = 0;

/** Calls `method` with `args` and resolves with its result message. */
export function callUi(ws: WebSocket, method: string, args: unknown[]): Promise<Record<string, unknown>> {
  const id = ++callId;
  return new Promise((resolve) => {
    const onMsg = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as Record<string, unknown>;
      if (msg.t === 'result' && msg.id === id) {
        ws.off('message', onMsg);
        resolve(msg);
      }
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ t: 'call', id, method, args }));
  });
}
