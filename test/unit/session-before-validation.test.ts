/**
 * A call that needs a session is answered 'unauthorized' without a live session before its
 * arguments are validated (manualEntry told a caller without a session its field rules), over the
 * web-mode WebSocket and Electron IPC alike; with a live session the argument problem is answered.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { createKioskApi, type KioskApiService } from '../../src/app/api.js';
import { KioskService } from '../../src/app/kiosk.js';
import { openStore } from '../../src/store/index.js';
import { silentLogger, systemClock, systemTimers, uuidv7Source } from '../../src/core/system.js';
import { startWebUi, type WebUi } from '../../src/web/server.js';
import { handleCall } from '../../src/electron/ipc.js';
import { callUi, connectUi } from '../helpers/ui-socket.js';

let dir: string;
let kiosk: KioskService;
let api: KioskApiService;
let ui: WebUi;
let ws: WebSocket;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-session-first-'));
  mkdirSync(join(dir, 'static'));
  const store = openStore({ dir: join(dir, 'data'), logger: silentLogger, clock: systemClock });
  kiosk = new KioskService({ store, scanners: [], config: { deviceId: 'local-1', checkpointId: 'GATE-1', direction: 'in' }, clock: systemClock, timers: systemTimers, ids: uuidv7Source(systemClock), logger: silentLogger });
  api = createKioskApi({ kiosk, clock: systemClock, timers: systemTimers, logger: silentLogger, exportDir: join(dir, 'exports'), pin: { scryptN: 1024, setupCodeFile: join(dir, 'setup-code') } });
  ui = await startWebUi({ api, port: 0, staticDir: join(dir, 'static'), logger: silentLogger });
  ws = await connectUi(ui.url);
});
afterEach(async () => {
  ws.close();
  await ui.close();
  api.close();
  await kiosk.stop();
  rmSync(dir, { recursive: true, force: true });
});

const badEntry = { idNo: '123', name: 'A', dob: '1990-01-01', sex: 'M' };

it('web mode: unauthorized before the argument rules without a session; the rules with one', async () => {
  expect(await callUi(ws, 'manualEntry', ['a'.repeat(64), badEntry])).toMatchObject({ ok: false, code: 'unauthorized' });
  expect(await callUi(ws, 'manualEntry', [null, badEntry])).toMatchObject({ ok: false, code: 'unauthorized' });
  expect(await callUi(ws, 'techConfigure', ['a'.repeat(64), { direction: 'sideways' }])).toMatchObject({ ok: false, code: 'unauthorized' });
  const set = await api.techSetup(readFileSync(join(dir, 'setup-code'), 'utf8').trim(), '482913');
  if (!set.ok) throw new Error('setup failed');
  expect(await callUi(ws, 'techConfigure', [set.session, { direction: 'sideways' }])).toMatchObject({ ok: false, code: 'invalid' });
  // Public calls keep their argument rules.
  expect(await callUi(ws, 'techUnlock', ['12ab'])).toMatchObject({ ok: false, code: 'invalid' });
});

it('Electron IPC: the same order', async () => {
  const trusted = { id: 1 };
  const event = { sender: trusted, senderFrame: { url: 'app://kiosk/index.html', parent: null } } as unknown as Electron.IpcMainInvokeEvent;
  const opts = { api, logger: silentLogger, trustedContentsId: () => 1 };
  expect(await handleCall(event, 'manualEntry', ['a'.repeat(64), badEntry], opts)).toMatchObject({ ok: false, code: 'unauthorized' });
  expect(await handleCall(event, 'getStatus', 'not-an-array', opts)).toMatchObject({ ok: false, code: 'invalid' });
});
