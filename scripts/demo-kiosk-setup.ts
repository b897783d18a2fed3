/**
 * Prepares the demo kiosk through its own web-mode API (the same WebSocket the screens use, with
 * the token from the printed URL and the page's origin): sets a known technician PIN when none is
 * set yet, and names the checkpoint, so the kiosk screen opens on the attract screen rather than
 * the first-start technician setup. Returns the PIN it set, or undefined when one was already set
 * (a kept --data-dir). `stop` ends it at once (the socket closed, pending calls rejected).
 */
import WebSocket from 'ws';
import type { TechConfigPatch, TechState, UnlockResult } from '../src/shared/api.js';

/** Per call, ms. */
const CALL_TIMEOUT_MS = 10_000;

export async function prepareTechnician(kioskUrl: string, pin: string, patch: TechConfigPatch, stop?: AbortSignal): Promise<string | undefined> {
  const url = new URL(kioskUrl);
  const ws = new WebSocket(`ws://${url.host}/api?token=${encodeURIComponent(url.searchParams.get('token') ?? '')}`, { origin: url.origin });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  ws.on('message', (data) => {
    const msg = JSON.parse(String(data)) as { t: string; id: number; ok: boolean; value?: unknown; error?: string };
    if (msg.t !== 'result') return;
    const p = pending.get(msg.id);
    pending.delete(msg.id);
    if (msg.ok) p?.resolve(msg.value);
    else p?.reject(new Error(msg.error ?? 'call failed'));
  });
  const call = <T>(method: string, ...args: unknown[]) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => (pending.delete(id), reject(new Error(`${method}: no answer`))), CALL_TIMEOUT_MS);
      pending.set(id, { resolve: (v) => (clearTimeout(timer), resolve(v as T)), reject: (e) => (clearTimeout(timer), reject(e)) });
      ws.send(JSON.stringify({ t: 'call', id, method, args }));
    });
  const onStop = () => {
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new Error('demo stopping'));
    }
    ws.terminate();
  };
  stop?.addEventListener('abort', onStop, { once: true });
  try {
    const state = await call<TechState>('techState');
    if (state.pinSet) return undefined;
    await call<TechState>('techSetPin', null, pin);
    const unlocked = await call<UnlockResult>('techUnlock', pin);
    if (unlocked.ok) {
      await call('techConfigure', unlocked.session, patch);
      await call('techLock', unlocked.session);
    }
    return pin;
  } finally {
    stop?.removeEventListener('abort', onStop);
    ws.close();
  }
}
