import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { startWebUi, type WebUi } from '../../src/web/server.js';
import { type KioskApi, type KioskStatus } from '../../src/shared/api.js';
import { validateCall } from '../../src/shared/api-validation.js';
import { ApiError } from '../../src/app/api.js';
import { silentLogger } from '../../src/core/system.js';

const STATUS = { apiVersion: 1, deviceId: 'd', checkpointId: 'cp', direction: 'in', scanners: [], delivery: { state: 'unknown', queueDepth: 0, pendingAlarm: false, rejected: 0 }, trustIssuedAt: '1970-01-01T00:00:00Z', needsSetup: false, profile: 'venue', timeZone: 'Asia/Ho_Chi_Minh' } satisfies KioskStatus;

function fakeApi() {
  const events = new EventEmitter();
  const calls: unknown[][] = [];
  const hooks: { rotate?: () => { url: string } } = {};
  const api = {
    techRotateWebToken: async () => hooks.rotate?.() ?? { url: '' },
    getStatus: async () => STATUS,
    submitScan: async (scan: unknown) => (calls.push(['submitScan', scan]), { ok: false, error: 'test' }),
    techInfo: async () => {
      throw new ApiError('unauthorized', 'enter the PIN again');
    },
    recentScans: async () => {
      throw new Error('secret internal detail');
    },
    on: (event: string, l: (p: unknown) => void) => (events.on(event, l), () => events.off(event, l)),
  } as unknown as KioskApi;
  return { api, events, calls, hooks };
}

function httpGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function open(url: string, origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function call(ws: WebSocket, id: number, method: string, args: unknown[]): Promise<Record<string, unknown>> {
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

describe('web mode server', () => {
  let dir: string;
  let ui: WebUi;
  let fake: ReturnType<typeof fakeApi>;
  let wsUrl: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'webui-'));
    mkdirSync(path.join(dir, 'static', 'assets'), { recursive: true });
    writeFileSync(path.join(dir, 'static', 'index.html'), '<!doctype html><p>kiosk</p>');
    writeFileSync(path.join(dir, 'static', 'assets', 'a.js'), 'console.log(1)');
    writeFileSync(path.join(dir, 'secret.txt'), 'do not serve');
    fake = fakeApi();
    ui = await startWebUi({ api: fake.api, port: 0, staticDir: path.join(dir, 'static'), logger: silentLogger, token: 'a'.repeat(64) });
    wsUrl = `${ui.origin.replace('http', 'ws')}/api?token=${'a'.repeat(64)}`;
  });
  afterAll(async () => {
    await ui.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL carrying the token', () => {
    expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=a{64}$/);
  });

  it('refuses to bind anywhere but loopback', async () => {
    await expect(startWebUi({ api: fake.api, host: '0.0.0.0', port: 0, staticDir: dir, logger: silentLogger })).rejects.toThrow(/loopback/);
  });

  it('serves the renderer with a CSP, and nothing outside its folder', async () => {
    const index = await httpGet(ui.url);
    expect(index.status).toBe(200);
    expect(index.body).toContain('kiosk');
    expect(String(index.headers['content-security-policy'])).toContain("script-src 'self'");
    expect(String(index.headers['content-security-policy'])).toContain(`connect-src ${ui.origin} ${ui.origin.replace('http', 'ws')}`);
    expect((await httpGet(`${ui.origin}/assets/a.js`)).headers['content-type']).toMatch(/javascript/);
    expect((await httpGet(`${ui.origin}/../secret.txt`)).status).toBe(404);
    expect((await httpGet(`${ui.origin}/%2e%2e/secret.txt`)).status).toBe(404);
    expect((await httpGet(ui.url, { host: 'evil.example:80' })).status).toBe(421);
  });

  it('answers a page without the token, or with a wrong one, with a full-screen notice saying so', async () => {
    for (const [url, screen] of [
      [`${ui.origin}/`, 'token-missing'],
      [`${ui.origin}/index.html?lang=en`, 'token-missing'],
      [`${ui.origin}/?token=${'b'.repeat(64)}`, 'token-wrong'],
      [`${ui.origin}/?token=a`, 'token-wrong'],
    ] as const) {
      const res = await httpGet(url);
      expect(res.status).toBe(403);
      expect(res.body).toContain(`data-screen="${screen}"`);
      expect(res.body).not.toContain('kiosk</p>');
      expect(String(res.headers['content-security-policy'])).toContain("default-src 'none'");
    }
  });

  it('refuses a WebSocket without the token, with a wrong token, or from another origin', async () => {
    await expect(open(`${ui.origin.replace('http', 'ws')}/api`, ui.origin)).rejects.toThrow(/refused 403/);
    await expect(open(wsUrl.replace(/a{64}$/, 'b'.repeat(64)), ui.origin)).rejects.toThrow(/refused 403/);
    await expect(open(wsUrl, 'http://evil.example')).rejects.toThrow(/refused 403/);
    await expect(open(wsUrl, 'http://127.0.0.1:1')).rejects.toThrow(/refused 403/);
  });

  it('serves calls and pushes events to a client with the token from the same origin', async () => {
    const ws = await open(wsUrl, ui.origin);
    const events: unknown[] = [];
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { t: string };
      if (m.t === 'event') events.push(m);
    });
    expect(await call(ws, 1, 'getStatus', [])).toMatchObject({ ok: true, value: { checkpointId: 'cp' } });
    await call(ws, 2, 'submitScan', [{ text: 'HC1:ABC', source: 'wedge' }]);
    expect(fake.calls).toEqual([['submitScan', { text: 'HC1:ABC', source: 'wedge' }]]);
    fake.events.emit('status', STATUS);
    await new Promise((r) => setTimeout(r, 50));
    expect(events).toEqual([{ t: 'event', event: 'status', payload: STATUS }]);
    ws.close();
  });

  it('answers invalid calls with a specific problem and never reaches the API', async () => {
    const ws = await open(wsUrl, ui.origin);
    expect(await call(ws, 1, 'submitScan', [{ text: 'x', source: 'serial' }])).toMatchObject({ ok: false, code: 'invalid', error: expect.stringMatching(/source" must be one of wedge$/) });
    expect(await call(ws, 5, 'submitScan', [{ text: 'x', source: 'manual' }])).toMatchObject({ ok: false, code: 'invalid' });
    expect(await call(ws, 2, 'dropDatabase', [])).toMatchObject({ ok: false, error: 'unknown method "dropDatabase"' });
    expect(await call(ws, 3, 'submitScan', [{ text: '', source: 'wedge', fault: 'big' }])).toMatchObject({ ok: false, error: expect.stringMatching(/field "fault" must be one of too-large$/) });
    expect(await call(ws, 4, 'techInfo', ['x'])).toMatchObject({ ok: false, error: expect.stringMatching(/not a valid session/) });
    expect(fake.calls).toHaveLength(1);
    ws.close();
  });

  it('passes refusals through and hides internal errors', async () => {
    const ws = await open(wsUrl, ui.origin);
    expect(await call(ws, 1, 'techInfo', ['c'.repeat(64)])).toMatchObject({ ok: false, code: 'unauthorized', error: 'enter the PIN again' });
    expect(await call(ws, 2, 'recentScans', ['d'.repeat(64), 5])).toEqual({ t: 'result', id: 2, ok: false, code: 'internal', error: 'internal error' });
    ws.close();
  });

  it('rotates the token: open pages are disconnected, the old URL gets the notice, the new one works', async () => {
    const ws = await open(wsUrl, ui.origin);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    const oldUrl = ui.url;
    ui.setToken('e'.repeat(64));
    try {
      expect(await closed).toBe(4001);
      expect(ui.url).toMatch(/token=e{64}$/);
      expect((await httpGet(oldUrl)).status).toBe(403);
      expect((await httpGet(ui.url)).status).toBe(200);
      await expect(open(wsUrl, ui.origin)).rejects.toThrow(/refused 403/);
      (await open(wsUrl.replace(/a{64}$/, 'e'.repeat(64)), ui.origin)).close();
    } finally {
      ui.setToken('a'.repeat(64));
    }
  });

  it('rotates from the technician panel: the pressing page gets the new URL before its socket ends, other pages get 4001', async () => {
    const pressing = await open(wsUrl, ui.origin);
    const other = await open(wsUrl, ui.origin);
    const seen: string[] = [];
    pressing.on('message', (d) => seen.push(`message ${JSON.parse(d.toString()).t}`));
    const pressingClosed = new Promise<number>((r) => pressing.once('close', (code) => (seen.push(`close ${code}`), r(code))));
    const otherClosed = new Promise<number>((r) => other.once('close', (code) => r(code)));
    fake.hooks.rotate = () => {
      ui.setToken('f'.repeat(64));
      return { url: ui.url };
    };
    try {
      const answer = await call(pressing, 1, 'techRotateWebToken', ['c'.repeat(64)]);
      expect(answer).toMatchObject({ ok: true, value: { url: expect.stringMatching(/token=f{64}$/) } });
      expect(await otherClosed).toBe(4001);
      expect(await pressingClosed).toBe(1000);
      expect(seen).toEqual(['message result', 'close 1000']);
      expect((await httpGet((answer.value as { url: string }).url)).status).toBe(200);
    } finally {
      delete fake.hooks.rotate;
      ui.setToken('a'.repeat(64));
    }
  });

  it('closes a connection that sends garbage or oversized frames', async () => {
    const ws = await open(wsUrl, ui.origin);
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send('not json');
    expect(await closed).toBe(1008);
    const ws2 = await open(wsUrl, ui.origin);
    const closed2 = new Promise<number>((r) => ws2.once('close', (code) => r(code)));
    ws2.send('x'.repeat(70 * 1024));
    expect(await closed2).toBe(1009);
  });
});

describe('validateCall', () => {
  it('accepts well-formed calls', () => {
    expect(validateCall('getStatus', [])).toBeUndefined();
    expect(validateCall('overrideCheckIn', ['a'.repeat(64), { id: 'abc-1', verdict: 'accept', reason: 'checked' }])).toBeUndefined();
    expect(validateCall('techSetPin', ['a'.repeat(64), '246813', '123456'])).toBeUndefined();
    expect(validateCall('techSetPin', ['a'.repeat(64), '123456'])).toBeDefined();
    expect(validateCall('techSetup', ['12345678', '123456'])).toBeUndefined();
  });
  it('takes a wedge text longer than a QR code (the kiosk records it as too-large), up to the transport bound', () => {
    expect(validateCall('submitScan', [{ text: 'x'.repeat(5000), source: 'wedge' }])).toBeUndefined();
    expect(validateCall('submitScan', [{ text: '', source: 'wedge', fault: 'too-large' }])).toBeUndefined();
    expect(validateCall('submitScan', [{ text: 'x'.repeat(60 * 1024 + 1), source: 'wedge' }])).toMatch(/at most 61440 characters/);
  });

  it('names the problem', () => {
    expect(validateCall('getStatus', [1])).toBe('getStatus: expected 0 argument(s), got 1');
    expect(validateCall('getStatus', 'x')).toBe('getStatus: arguments must be an array');
    const s = 'a'.repeat(64);
    expect(validateCall('overrideCheckIn', [s, { id: 'a', verdict: 'accept', reason: '  ' }])).toBe('overrideCheckIn: argument 2 field "reason" must not be empty');
    // Who overrode is the session's officer: a typed `by` is refused, not trusted.
    expect(validateCall('overrideCheckIn', [s, { id: 'a', verdict: 'accept', reason: 'r', by: 'nobody' }])).toBe('overrideCheckIn: argument 2 has an unknown field "by"');
    expect(validateCall('overrideCheckIn', [{ id: 'a', verdict: 'accept', reason: 'r' }])).toBe('overrideCheckIn: expected 2 argument(s), got 1');
    expect(validateCall('techUnlock', ['12ab'])).toMatch(/not a valid PIN/);
    expect(validateCall('techSetPin', [s, '246813', '1234'])).toMatch(/PIN \(6-12 digits\)/);
    expect(validateCall('techSetPin', [null, '246813', '123456'])).toMatch(/must be a string/);
    expect(validateCall('recentScans', [s, 1000])).toBe('recentScans: argument 2 must be an integer from 1 to 200');
    expect(validateCall('recentScans', [5])).toBe('recentScans: expected 2 argument(s), got 1');
    expect(validateCall('manualEntry', [s, { idNo: '123', name: 'A', dob: '1990-01-01', sex: 'M' }])).toMatch(/12-digit ID number/);
    expect(validateCall('techConfigure', [s, { profile: 'admin' }])).toMatch(/profile" must be one of venue, booth/);
    expect(validateCall('techConfigure', [s, { serverUrl: 'http://admin:Pw0rd@127.0.0.1:47320', enrollCode: 'K7QM-2XRP' }])).toBe(
      'techConfigure: argument 2 field "serverUrl" carries a user name or password before "@": give the server URL without them',
    );
    expect(validateCall('techConfigure', [s, { serverUrl: 'http://127.0.0.1:47320/a@b' }])).toBeUndefined();
    expect(validateCall('__proto__', [])).toMatch(/unknown method/);
  });
});
