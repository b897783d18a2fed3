/**
 * IPC between the renderer and main (docs/OPERATIONS.md): one invoke channel for API calls, one send
 * channel for events. Main validates every call before the API sees it:
 *   - the sender is the top frame of our window, showing app://kiosk (not a subframe, not a
 *     page that navigated elsewhere);
 *   - the method is one of API_METHODS and its arguments pass validateCall().
 * Results travel as {ok, value} | {ok: false, error, code} envelopes so the preload can rebuild
 * an error with its code (Electron would otherwise keep only the message).
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { Logger } from '../shared/ports.js';
import { API_EVENTS, type KioskApi } from '../shared/api.js';
import { sessionProblem, validateCall } from '../shared/api-validation.js';
import { isAppUrl } from './window.js';

export const IPC_CALL = 'kiosk:call';
export const IPC_EVENT = 'kiosk:event';

export type IpcEnvelope = { ok: true; value: unknown } | { ok: false; error: string; code: string };

type Sender = { id: number; send(channel: string, ...args: unknown[]): void; isDestroyed(): boolean };

export interface IpcOptions {
  api: KioskApi;
  logger: Logger;
  /** The window's webContents id: calls from any other contents are refused. */
  trustedContentsId: () => number | undefined;
}

/** Why a call's sender is refused, or undefined when it is our window's top frame on app://. */
export function senderProblem(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, trustedId: number | undefined): string | undefined {
  if (trustedId === undefined || event.sender.id !== trustedId) return 'unknown sender';
  const frame = event.senderFrame;
  if (!frame) return 'sender frame gone';
  if (frame.parent !== null) return 'subframe sender';
  if (!isAppUrl(frame.url)) return 'sender not on app://kiosk';
  return undefined;
}

export async function handleCall(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, method: unknown, args: unknown, opts: IpcOptions): Promise<IpcEnvelope> {
  const log = opts.logger.child('ipc');
  const refused = senderProblem(event, opts.trustedContentsId());
  if (refused) {
    log.warn('ipc call refused', { reason: refused });
    return { ok: false, error: 'refused', code: 'refused' };
  }
  // A call that needs a session: without a live one, that is the answer, not the argument rules.
  const denied = sessionProblem(opts.api, method, args);
  if (denied) return { ok: false, ...denied };
  const problem = validateCall(method, args);
  if (problem) {
    log.warn('bad ipc call', { problem: problem.slice(0, 120) });
    return { ok: false, error: problem, code: 'invalid' };
  }
  const name = method as keyof KioskApi;
  try {
    const fn = opts.api[name] as (...a: unknown[]) => Promise<unknown>;
    const value = await fn.apply(opts.api, args as unknown[]);
    return { ok: true, value: value ?? null };
  } catch (err) {
    const e = err as { name?: string; message?: string; code?: string };
    if (e?.name === 'ApiError') return { ok: false, error: String(e.message), code: String(e.code) };
    log.error('ipc call failed', { method: String(name), error: String(e?.message ?? err) });
    return { ok: false, error: 'internal error', code: 'internal' };
  }
}

/** Registers the call handler and forwards API events to the window. Returns an unregister. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, target: () => Sender | undefined, opts: IpcOptions): () => void {
  ipcMain.handle(IPC_CALL, (event, method: unknown, args: unknown) => handleCall(event, method, args, opts));
  const offs = API_EVENTS.map((name) =>
    opts.api.on(name, (payload) => {
      const t = target();
      if (t && !t.isDestroyed()) t.send(IPC_EVENT, name, payload);
    }),
  );
  return () => {
    ipcMain.removeHandler(IPC_CALL);
    offs.forEach((off) => off());
  };
}
