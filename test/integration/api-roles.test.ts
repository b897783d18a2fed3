/**
 * Roles are enforced by the service, not by the screens: over the web-mode WebSocket and over the
 * Electron IPC handler, a real KioskApiService (real SQLite store) refuses every booth and
 * technician method called without the right session, on a venue and on a booth kiosk, and the
 * public methods reveal nothing about anyone but the person just scanned (masked).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { buildKiosk } from '../../src/app/build.js';
import type { KioskService } from '../../src/app/kiosk.js';
import { createKioskApi, type KioskApiService } from '../../src/app/api.js';
import { startWebUi, type WebUi } from '../../src/web/server.js';
import { handleCall } from '../../src/electron/ipc.js';
import { API_METHODS, API_ROLES, type ApiMethodName } from '../../src/shared/api.js';
import { silentLogger, systemClock, systemTimers } from '../../src/core/system.js';
import { CCCD_VALID } from '../fixtures/identity/samples.js';

const SESSION = 'f'.repeat(64);
/** Well-formed arguments for each method, with a made-up session where one is needed. */
function argsFor(method: ApiMethodName, session: string, checkInId: string): unknown[] {
  const table: Record<ApiMethodName, unknown[]> = {
    getStatus: [],
    submitScan: [{ text: 'x', source: 'wedge' }],
    officerSignIn: ['CB-1', '12345678'],
    officerSignOut: [session],
    recentScans: [session, 50],
    scanDetails: [session, checkInId],
    setDirection: [session, 'out'],
    overrideCheckIn: [session, { id: checkInId, verdict: 'accept', reason: 'paper seen' }],
    manualEntry: [session, { idNo: '001085012345', name: 'A', dob: '1985-03-15', sex: 'M' }],
    shiftCounts: [session],
    startShift: [session],
    cancelChunks: [],
    techState: [],
    techUnlock: ['1234'],
    techSetup: ['12345678', '123456'],
    techSetPin: [session, '123456', '123456'],
    techLock: [session],
    techInfo: [session],
    techConfigure: [session, { profile: 'booth' }],
    techTestScan: [session, 'x'],
    techExport: [session, 'checkins'],
    techSelfTest: [session, 1000],
    techIssueOfficerCode: [session, 'CB-1'],
    techRevokeOfficer: [session, 'CB-1'],
    techRotateWebToken: [session],
  };
  return table[method];
}

let dir: string;
let kiosk: KioskService;
let api: KioskApiService;
let ui: WebUi;
let ws: WebSocket;
let nextId = 1;
let checkInId = '';
let reprovisionArmed = 0;

function wsCall(method: string, args: unknown[]): Promise<{ ok: boolean; code?: string; value?: unknown }> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMsg = (data: WebSocket.RawData) => {
      const msg = JSON.parse(data.toString()) as { t: string; id: number; ok: boolean; code?: string; value?: unknown };
      if (msg.t === 'result' && msg.id === id) {
        ws.off('message', onMsg);
        resolve(msg);
      }
    };
    ws.on('message', onMsg);
    ws.send(JSON.stringify({ t: 'call', id, method, args }));
  });
}

const ipcEvent = { sender: { id: 7 }, senderFrame: { url: 'app://kiosk/index.html', parent: null } } as unknown as Parameters<typeof handleCall>[0];
const ipcCall = (method: string, args: unknown[]): Promise<{ ok: boolean; code?: string; value?: unknown }> => handleCall(ipcEvent, method, args, { api, logger: silentLogger, trustedContentsId: () => 7 });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ck-roles-'));
  const stat = path.join(dir, 'static');
  mkdirSync(stat);
  writeFileSync(path.join(stat, 'index.html'), '<!doctype html>');
  kiosk = await buildKiosk({ dataDir: path.join(dir, 'data'), scanners: [], clock: systemClock, timers: systemTimers, logger: silentLogger });
  await kiosk.start();
  api = createKioskApi({ kiosk, clock: systemClock, timers: systemTimers, logger: silentLogger, exportDir: path.join(dir, 'exports'), reprovision: () => reprovisionArmed++, pin: { scryptN: 1024, setupCodeFile: path.join(dir, 'data', 'setup-code') } });
  ui = await startWebUi({ api, port: 0, staticDir: stat, logger: silentLogger });
  const url = new URL(ui.url);
  ws = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`, { origin: ui.origin });
  await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
  for (const card of CCCD_VALID.slice(0, 3)) await api.submitScan({ text: card.text, source: 'wedge' });
  checkInId = [...kiosk.store.all()][0]!.id;
});

afterAll(async () => {
  ws?.close();
  await ui?.close();
  api?.close();
  await kiosk?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const guarded = API_METHODS.filter((m) => API_ROLES[m] !== 'public');

describe.each([
  ['web-mode WebSocket', wsCall],
  ['Electron IPC', ipcCall],
] as const)('%s', (_name, call) => {
  it('refuses every officer and technician method without a session, on a venue kiosk', async () => {
    expect(guarded.length).toBeGreaterThan(15);
    for (const m of guarded) {
      const r = await call(m, argsFor(m, SESSION, checkInId));
      expect(r.ok, m).toBe(false);
      expect(['unauthorized', 'refused'], m).toContain(r.code);
    }
    expect(kiosk.store.get(checkInId)?.override).toBeUndefined();
  });

  it('refuses arming re-provisioning by card (a technician action) without a technician session', async () => {
    for (const patch of [{ reprovision: true }, { reprovision: true, profile: 'booth' }]) {
      const r = await call('techConfigure', [SESSION, patch]);
      expect(r).toMatchObject({ ok: false, code: 'unauthorized' });
    }
    expect(reprovisionArmed).toBe(0);
    expect((await api.getStatus()).profile).toBe('venue');
  });

  it('refuses booth calls on a booth kiosk with a technician session or a forged one, and the public getStatus names nobody', async () => {
    let tech = await api.techUnlock('246813');
    if (!tech.ok) tech = await api.techSetup(readFileSync(path.join(dir, 'data', 'setup-code'), 'utf8').trim(), '246813');
    if (!tech.ok) throw new Error('no technician session');
    await api.techConfigure(tech.session, { profile: 'booth' });
    try {
      for (const m of guarded.filter((x) => API_ROLES[x] === 'officer')) {
        for (const s of [SESSION, tech.session]) {
          const r = await call(m, argsFor(m, s, checkInId));
          expect(r, `${m} with ${s === SESSION ? 'a forged' : 'a technician'} session`).toMatchObject({ ok: false, code: 'unauthorized' });
        }
      }
      const status = JSON.stringify((await call('getStatus', [])).value);
      for (const card of CCCD_VALID.slice(0, 3)) {
        const [idNo, , name] = card.text.split('|');
        expect(status).not.toContain(idNo);
        expect(status).not.toContain(name);
      }
    } finally {
      await api.techConfigure(tech.session, { profile: 'venue' });
      await api.techLock(tech.session);
    }
  });
});
