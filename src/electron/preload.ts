/**
 * Preload (sandboxed, contextIsolation): exposes the kiosk API to the page as `window.kioskApi`,
 * method by method through contextBridge. The page never gets ipcRenderer, an IPC event object
 * or a way to name a channel: each method sends exactly its own name, and event listeners get
 * only the payload of the known events (API_EVENTS).
 *
 * Bundled to one CommonJS file (dist/src/electron/preload.cjs) by esbuild: a sandboxed preload
 * can require nothing but 'electron'.
 */
import type { ContextBridge, IpcRenderer, IpcRendererEvent } from 'electron';
import { API_EVENTS, API_METHODS, type ApiEventName } from '../shared/api.js';
import { IPC_CALL, IPC_EVENT, type IpcEnvelope } from './ipc.js';

export type PreloadElectron = { contextBridge: Pick<ContextBridge, 'exposeInMainWorld'>; ipcRenderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'> };

/** Builds the object exposed to the page. */
export function buildBridgeApi(ipcRenderer: PreloadElectron['ipcRenderer']): Record<string, unknown> {
  const api: Record<string, unknown> = {};
  for (const method of API_METHODS) {
    api[method] = async (...args: unknown[]) => {
      const result = (await ipcRenderer.invoke(IPC_CALL, method, args)) as IpcEnvelope;
      if (result.ok) return result.value;
      // contextBridge copies an Error's message only: carry the code in the message prefix too.
      const err = new Error(result.error) as Error & { code: string };
      err.code = result.code;
      throw err;
    };
  }
  api.on = (event: unknown, listener: unknown) => {
    if (!(API_EVENTS as readonly unknown[]).includes(event) || typeof listener !== 'function') throw new Error('unknown event or listener');
    const name = event as ApiEventName;
    const handler = (_e: IpcRendererEvent, got: unknown, payload: unknown) => {
      if (got === name) (listener as (p: unknown) => void)(payload);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => void ipcRenderer.removeListener(IPC_EVENT, handler);
  };
  return api;
}

export function exposeKioskApi(electron: PreloadElectron): void {
  electron.contextBridge.exposeInMainWorld('kioskApi', buildBridgeApi(electron.ipcRenderer));
}
