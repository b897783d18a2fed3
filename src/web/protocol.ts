/**
 * Web-mode wire protocol: JSON text frames over one WebSocket at /api.
 *   client → server  {"t":"call","id":N,"method":"getStatus","args":[...]}
 *   server → client  {"t":"result","id":N,"ok":true,"value":...}
 *                    {"t":"result","id":N,"ok":false,"error":"...","code":"..."}
 *                    {"t":"event","event":"outcome","payload":{...}}
 * Shared by the server (src/web) and the renderer's client; no Node or DOM imports.
 */
import { API_LIMITS, type ApiMethodName } from '../shared/api.js';
import { validateCall } from '../shared/api-validation.js';

export interface CallMessage {
  t: 'call';
  id: number;
  method: ApiMethodName;
  args: unknown[];
}

export type ServerMessage =
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: string; code?: string }
  | { t: 'event'; event: string; payload: unknown };

/** Parses and validates one client frame; returns the call or a specific problem. */
export function parseCall(raw: string): { call: CallMessage } | { problem: string; id?: number; method?: unknown; args?: unknown } {
  if (raw.length > API_LIMITS.message) return { problem: `message larger than ${API_LIMITS.message} bytes` };
  let msg: unknown;
  try {
    msg = JSON.parse(raw);
  } catch {
    return { problem: 'message is not JSON' };
  }
  if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) return { problem: 'message must be a JSON object' };
  const m = msg as Record<string, unknown>;
  if (m.t !== 'call') return { problem: 'message type must be "call"' };
  if (!Number.isSafeInteger(m.id) || (m.id as number) < 0) return { problem: 'call id must be a non-negative integer' };
  const id = m.id as number;
  const problem = validateCall(m.method, m.args);
  if (problem) return { problem, id, method: m.method, args: m.args };
  return { call: { t: 'call', id, method: m.method as ApiMethodName, args: m.args as unknown[] } };
}
