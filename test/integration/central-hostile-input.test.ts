/**
 * Hostile and odd input on the protocol v1 routes, over real HTTP on 127.0.0.1, on SQLite and on a
 * real PostgreSQL cluster: characters PostgreSQL text cannot hold (one used to fail the whole batch
 * with a 500, which a kiosk retries for ever), control characters that would reach the fleet page
 * raw, scan times no clock should give, ids differing only in case, members the server does not
 * know (ignored, as the protocol promises), and the admin token in a URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { PostgresStorage } from '../../server/storage/postgres-storage.js';
import { SqliteStorage } from '../../server/storage/sqlite-storage.js';
import { pgBackend } from '../helpers/postgres.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';

const T0 = Date.parse('2026-11-25T03:00:00Z');
const clock = { now: () => T0 };
const ids = uuidv7Source(clock);
/** Any raw control character (C0, DEL, C1, U+2028/9) or lone surrogate. */
const RAW_CONTROL = /[\p{Cc}\u2028\u2029\p{Cs}]/u;
/** The same, less the line breaks and tabs an HTML page is laid out with. */
const RAW_CONTROL_IN_PAGE = /(?![\t\n\r])[\p{Cc}\u2028\u2029\p{Cs}]/u;

function checkIn(over: Record<string, unknown> = {}): CheckIn {
  return {
    id: ids.next(),
    deviceId: 'kiosk-a',
    checkpointId: 'cp-1',
    direction: 'in',
    scannedAt: new Date(T0).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: { idType: 'cccd', idNo: '001090000001', name: 'Nguyễn Văn An' },
    ...over,
  } as CheckIn;
}

describe.each(['sqlite', 'postgres'] as const)('hostile protocol input on %s', (backend) => {
  const pg = pgBackend(backend);
  let dir: string;
  let central: CentralServer;

  async function post(p: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(central.url + p, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  async function enroll(code: string, device: Record<string, unknown> = { name: 'kiosk', version: '0.1.0', platform: 'linux' }): Promise<Record<string, string>> {
    const r = await post('/api/v1/enroll', { code, device });
    expect(r.status).toBe(200);
    return { authorization: `Bearer ${r.json.token as string}` };
  }

  async function exported(): Promise<Map<string, CheckIn>> {
    const out = new Map<string, CheckIn>();
    for await (const c of central.storage.exportCheckIns()) out.set(c.id, c);
    return out;
  }

  /** The stored heartbeat row of the only device, every column as text. */
  async function storedHeartbeat(): Promise<Record<string, unknown>> {
    const s = central.storage;
    if (s instanceof SqliteStorage) return s.db.prepare('SELECT * FROM heartbeats').get() as Record<string, unknown>;
    if (s instanceof PostgresStorage) return (await s.pool.query('SELECT * FROM heartbeats')).rows[0] as Record<string, unknown>;
    throw new Error('unknown storage');
  }

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'central-hostile-'));
    central = await startCentral({ dataDir: dir, database: await pg.database(), port: 0, logger: silentLogger, clock, enrollmentCodes: ['CODE-ONE', 'CODE-TWO'] });
  });

  afterEach(async () => {
    await central.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses alone, naming the field, a record with a NUL, a control character in an identifier or a lone surrogate; the rest of the batch is stored', async () => {
    const auth = await enroll('CODE-ONE');
    const good = checkIn();
    const bad = [
      checkIn({ checkpointId: 'cp\u00001' }),
      checkIn({ deviceId: 'kiosk\u0000' }),
      checkIn({ checkpointId: 'cp\u001b[31m' }),
      checkIn({ reasons: ['expired\n'] }),
      checkIn({ subject: { idNo: '0010900\u000000001' } }),
      checkIn({ subject: { name: 'An\ud800' } }),
      checkIn({ override: { by: 'officer\u0000', reason: 'seen', verdict: 'accept', at: new Date(T0).toISOString() } }),
    ];
    const r = await post('/api/v1/checkins', { checkins: [...bad, good] }, auth);
    expect(r.status).toBe(200);
    expect(r.json.accepted).toEqual([good.id]);
    expect(r.json.rejected).toEqual([
      { id: bad[0]!.id, reason: 'checkpointId: contains a control character (U+0000)' },
      { id: bad[1]!.id, reason: 'deviceId: contains a control character (U+0000)' },
      { id: bad[2]!.id, reason: 'checkpointId: contains a control character (U+001B)' },
      { id: bad[3]!.id, reason: 'reasons: contains a control character (U+000A)' },
      { id: bad[4]!.id, reason: 'subject.idNo: contains a NUL character (U+0000)' },
      { id: bad[5]!.id, reason: 'subject.name: contains a lone surrogate (U+D800), not well-formed Unicode' },
      { id: bad[6]!.id, reason: 'override.by: contains a NUL character (U+0000)' },
    ]);
    expect([...(await exported()).keys()]).toEqual([good.id]);
    // Free text keeps what is printable (a name with a tab is a name).
    const tabbed = checkIn({ subject: { name: 'Nguyễn\tAn' } });
    expect((await post('/api/v1/checkins', { checkins: [tabbed] }, auth)).json.accepted).toEqual([tabbed.id]);
  });

  it('refuses an override with a NUL or dated more than a day ahead alone; the others are stored', async () => {
    const auth = await enroll('CODE-ONE');
    const c = checkIn();
    await post('/api/v1/checkins', { checkins: [c] }, auth);
    const at = new Date(T0).toISOString();
    const ok = { id: ids.next(), checkinId: c.id, verdict: 'refer', reasons: [], by: 'officer-1', reason: 'seen', at };
    const nul = { id: ids.next(), checkinId: c.id, verdict: 'refer', reasons: [], by: 'officer-1', reason: 'se\u0000en', at };
    // The latest override by `at` decides the verdict: one dated years ahead would outrank every later one.
    const ahead = { id: ids.next(), checkinId: c.id, verdict: 'reject', reasons: [], by: 'officer-1', reason: 'seen', at: '2099-01-01T00:00:00.000Z' };
    const r = await post('/api/v1/overrides', { overrides: [nul, ok, ahead] }, auth);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      accepted: [ok.id],
      rejected: [
        { id: nul.id, reason: 'reason: contains a NUL character (U+0000)' },
        { id: ahead.id, reason: "at: 2099-01-01T00:00:00.000Z is more than 24 hours after the server's time (2026-11-25T03:00:00.000Z); check the kiosk's clock" },
      ],
    });
    const embedded = checkIn({ override: { by: 'officer-1', reason: 'seen', verdict: 'accept', at: '2099-01-01T00:00:00.000Z' } });
    expect((await post('/api/v1/checkins', { checkins: [embedded] }, auth)).json.rejected).toEqual([
      { id: embedded.id, reason: "override.at: 2099-01-01T00:00:00.000Z is more than 24 hours after the server's time (2026-11-25T03:00:00.000Z); check the kiosk's clock" },
    ]);
  });

  it('refuses a scan time before 2000, more than a day ahead of the server or on a day that does not exist; a day ahead is still taken', async () => {
    const auth = await enroll('CODE-ONE');
    const ahead = checkIn({ scannedAt: new Date(T0 + 23 * 3_600_000).toISOString() });
    const far = checkIn({ scannedAt: '9999-12-31T23:59:59.999Z' });
    const tomorrowPlus = checkIn({ scannedAt: new Date(T0 + 25 * 3_600_000).toISOString() });
    const unset = checkIn({ scannedAt: '1970-01-01T00:00:05.000Z' });
    const feb30 = checkIn({ scannedAt: '2026-02-30T08:00:00Z' });
    const r = await post('/api/v1/checkins', { checkins: [ahead, far, tomorrowPlus, unset, feb30] }, auth);
    expect(r.json.accepted).toEqual([ahead.id]);
    expect(r.json.rejected).toEqual([
      { id: far.id, reason: "scannedAt: 9999-12-31T23:59:59.999Z is more than 24 hours after the server's time (2026-11-25T03:00:00.000Z); check the kiosk's clock" },
      { id: tomorrowPlus.id, reason: "scannedAt: 2026-11-26T04:00:00.000Z is more than 24 hours after the server's time (2026-11-25T03:00:00.000Z); check the kiosk's clock" },
      { id: unset.id, reason: "scannedAt: 1970-01-01T00:00:05.000Z is before 2000; the kiosk's clock was not set" },
      { id: feb30.id, reason: "scannedAt: 2026-02-30T08:00:00Z names a date or time that does not exist; check the kiosk's clock" },
    ]);
    if (central.storage instanceof PostgresStorage) {
      // No day partition was made for a day nothing was stored on.
      const { rows } = await central.storage.pool.query<{ relname: string }>("SELECT relname FROM pg_class WHERE relname LIKE 'checkins_p%' AND relkind = 'r' ORDER BY 1");
      expect(rows.map((x) => x.relname)).toEqual(['checkins_p20261126']);
    }
  });

  it('stores a scan time sent with an offset as the same instant in UTC (the protocol\'s times are UTC); a UTC one as sent', async () => {
    const auth = await enroll('CODE-ONE');
    const offset = checkIn({ scannedAt: '2026-11-25T09:30:00+07:00' });
    const utc = checkIn({ scannedAt: '2026-11-25T02:31:00Z' });
    const r = await post('/api/v1/checkins', { checkins: [offset, utc] }, auth);
    expect(r.json).toMatchObject({ accepted: [offset.id, utc.id], rejected: [] });
    const stored = await exported();
    expect(stored.get(offset.id)?.scannedAt).toBe('2026-11-25T02:30:00.000Z');
    expect(stored.get(utc.id)?.scannedAt).toBe('2026-11-25T02:31:00Z');
  });

  it('answers a check-in that arrives past retention as accepted without storing it, with a purge receipt (no day partition either)', async () => {
    const auth = await enroll('CODE-ONE');
    const fresh = checkIn();
    const old = [22, 22, 400].map((days) => checkIn({ scannedAt: new Date(T0 - days * 86_400_000).toISOString() }));
    const r = await post('/api/v1/checkins', { checkins: [old[0], fresh, old[1], old[2]] }, auth);
    expect(r.json).toMatchObject({ accepted: [fresh.id, ...old.map((c) => c!.id)], duplicate: [], rejected: [] });
    expect([...(await exported()).keys()]).toEqual([fresh.id]);
    const receipts: { action: string; detail: string | null }[] = [];
    for await (const row of central.storage.auditRows()) if (row.action === 'purge') receipts.push(row);
    expect(receipts).toHaveLength(1);
    expect(JSON.parse(receipts[0]!.detail ?? '{}')).toEqual({
      rule: 'central-retention: check-ins scanned more than retentionDays ago; arrived past retention, not stored',
      retentionDays: 21,
      before: new Date(T0 - 21 * 86_400_000).toISOString(),
      removed: 3,
      days: { '2025-10-21': 1, '2026-11-03': 2 },
    });
    if (central.storage instanceof PostgresStorage) {
      const { rows } = await central.storage.pool.query<{ relname: string }>("SELECT relname FROM pg_class WHERE relname LIKE 'checkins_p%' AND relkind = 'r' ORDER BY 1");
      expect(rows.map((x) => x.relname)).toEqual(['checkins_p20261125']);
    }
  });

  it('takes ids that differ only in case as one record, and answers each id as it was sent', async () => {
    const auth = await enroll('CODE-ONE');
    const lower = checkIn();
    const upper = { ...lower, id: lower.id.toUpperCase() };
    const first = await post('/api/v1/checkins', { checkins: [upper, lower] }, auth);
    expect(first.json).toMatchObject({ accepted: [upper.id], duplicate: [lower.id] });
    const again = await post('/api/v1/checkins', { checkins: [lower] }, auth);
    expect(again.json).toMatchObject({ accepted: [], duplicate: [lower.id] });
    expect(await central.storage.countCheckIns()).toBe(1);
    const override = { id: ids.next().toUpperCase(), checkinId: upper.id, verdict: 'refer', reasons: [], by: 'officer-1', reason: 'seen', at: new Date(T0).toISOString() };
    expect((await post('/api/v1/overrides', { overrides: [override] }, auth)).json).toMatchObject({ accepted: [override.id] });
    expect((await post('/api/v1/overrides', { overrides: [{ ...override, id: override.id.toLowerCase() }] }, auth)).json).toMatchObject({ duplicate: [override.id.toLowerCase()] });
  });

  it('ignores members it does not know (a newer kiosk): at enrollment, in a record and in its subject, which are not stored', async () => {
    const auth = await enroll('CODE-ONE', { name: 'kiosk', version: '2.0.0', platform: 'linux', hostname: 'booth-3' });
    const c = { ...checkIn(), colour: 'red', subject: { idNo: '001090000001', nationality: 'VN' } };
    const r = await post('/api/v1/checkins', { checkins: [c] }, auth);
    expect(r.json).toMatchObject({ accepted: [c.id], rejected: [] });
    const stored = (await exported()).get(c.id);
    expect(stored?.subject).toEqual({ idNo: '001090000001' });
    expect(JSON.stringify(stored)).not.toMatch(/colour|nationality/);
    const extraTop = await post('/api/v1/enroll', { code: 'CODE-TWO', device: { name: 'k', version: '1', platform: 'linux' }, capabilities: ['camera'] });
    expect(extraTop.status).toBe(200);
  });

  it('cleans control characters out of what a kiosk reports (heartbeat, device name): the fleet page, the stats and the database never hold them raw', async () => {
    const auth = await enroll('CODE-ONE', { name: 'booth\u001b[2J\r\n3', version: '0.1.0', platform: 'linux' });
    const hb = await post(
      '/api/v1/heartbeat',
      {
        queueDepth: 0,
        version: '0.1.0\u001b[31m',
        updateState: 'downloading\u0007',
        appliedConfigVersion: 'v\u00002',
        scanners: [{ deviceId: 'serial:/dev/ttyACM0', uri: 'serial:/dev/ttyACM0', state: 'disconnected', lastError: 'read failed\u0000\u001b[2J\r\n{"level":"error"}\u2028\u0085', reads: 0, errors: 1 }],
        future: { note: 'x\u0001y' },
      },
      auth,
    );
    expect(hb.status).toBe(200);
    const row = await storedHeartbeat();
    for (const [k, v] of Object.entries(row)) expect([k, RAW_CONTROL.test(String(v))]).toEqual([k, false]);
    const body = JSON.parse(String(row.body)) as { scanners: { lastError: string }[]; future: { note: string } };
    expect(body.scanners[0]!.lastError).toBe('read failed\ufffd\ufffd[2J  {"level":"error"}  ');
    expect(body.future.note).toBe('x\ufffdy');
    expect(row.version).toBe('0.1.0\ufffd[31m');

    const admin = { authorization: `Bearer ${central.adminToken}` };
    const page = await (await fetch(`${central.url}/dashboard/fleet?lang=en`, { headers: { ...admin, accept: 'text/html' } })).text();
    expect(page).toContain('booth\ufffd[2J  3');
    expect(page).toContain('downloading\ufffd');
    expect(RAW_CONTROL_IN_PAGE.test(page)).toBe(false);
    const stats = await (await fetch(`${central.url}/api/v1/stats`, { headers: admin })).text();
    expect(stats).toContain('0.1.0\ufffd[31m');
    expect(RAW_CONTROL.test(stats)).toBe(false);
  });

  it("takes a heartbeat whose scanner error text is longer than it keeps (an older kiosk sends a driver's message as it is), storing 500 characters", async () => {
    const auth = await enroll('CODE-ONE');
    const long = `${'e'.repeat(498)}😀${'x'.repeat(600)}`;
    const r = await post('/api/v1/heartbeat', { queueDepth: 0, version: '1', scanners: [{ deviceId: 'camera:0', uri: 'camera:0', state: 'disconnected', lastError: long }] }, auth);
    expect(r.status).toBe(200);
    const stored = (JSON.parse(String((await storedHeartbeat()).body)) as { scanners: { lastError: string }[] }).scanners[0]!.lastError;
    // Cut before the pair it would split: 498 characters and the ellipsis.
    expect(stored).toBe(`${'e'.repeat(498)}…`);
    const absurd = await post('/api/v1/heartbeat', { queueDepth: 0, version: '1', scanners: [{ lastError: 'x'.repeat(4097) }] }, auth);
    expect([absurd.status, absurd.json.error]).toEqual([400, 'invalid-request']);
  });

  it('stores a heartbeat time it cannot read as null, says so, still takes the heartbeat (a kiosk is never silenced over it), and the room flags a queue whose age it cannot read', async () => {
    const auth = await enroll('CODE-ONE');
    const r = await post('/api/v1/heartbeat', { queueDepth: 5, version: '1', oldestPendingAt: 'garbage', lastScanAt: '2026-02-30T00:00:00Z', trustIssuedAt: '2026-11-25T10:00:00+07:00', oldestIdentityAt: null }, auth);
    expect(r.status).toBe(200);
    expect(r.json.ignored).toEqual(['oldestPendingAt: garbage', 'lastScanAt: 2026-02-30T00:00:00Z']);
    const row = await storedHeartbeat();
    expect([row.oldest_pending_at, row.last_scan_at, row.trust_issued_at]).toEqual([null, null, '2026-11-25T10:00:00+07:00']);
    expect(JSON.parse(String(row.body))).toMatchObject({ oldestPendingAt: null, lastScanAt: null });
    expect(row.unreadable_times).toBe('oldestPendingAt,lastScanAt');
    // Five check-ins waiting for an unknown time: the duty officer is told, not shown an empty age.
    const admin = { authorization: `Bearer ${central.adminToken}` };
    type Health = { problems: string[]; queueOld: boolean; queueAgeUnreadable: boolean };
    const health = async () => ((await (await fetch(`${central.url}/api/v1/stats`, { headers: admin })).json()) as { devices: Health[]; devicesByState: Record<string, number> });
    const flagged = await health();
    expect(flagged.devices[0]).toMatchObject({ problems: ['queue-age-unreadable'], queueOld: false, queueAgeUnreadable: true });
    expect(flagged.devicesByState['queue-age-unreadable']).toBe(1);
    const room = await (await fetch(`${central.url}/dashboard?lang=en`, { headers: { ...admin, accept: 'text/html' } })).text();
    expect(room).toContain('<span class="chip" data-state="queue-age-unreadable">Queue age unreadable</span>');
    expect(room).toContain('<small data-queue-age="unreadable">oldest: time unreadable</small>');
    const fleetPage = await (await fetch(`${central.url}/dashboard/fleet?lang=vi`, { headers: { ...admin, accept: 'text/html' } })).text();
    expect(fleetPage).toContain('data-state="queue-age-unreadable">Không đọc được tuổi hàng đợi</span>');
    // A readable time is stored as sent and answered without `ignored`; another JSON type is still a 400.
    const good = await post('/api/v1/heartbeat', { queueDepth: 5, version: '1', oldestPendingAt: '2026-11-25T01:00:00.000Z' }, auth);
    expect([good.status, good.json.ignored]).toEqual([200, undefined]);
    expect((await storedHeartbeat()).oldest_pending_at).toBe('2026-11-25T01:00:00.000Z');
    expect((await storedHeartbeat()).unreadable_times).toBeNull();
    expect((await health()).devices[0]).toMatchObject({ queueOld: true, queueAgeUnreadable: false });
    // An empty queue has no age to read: an unreadable time beside it is said in `ignored` only.
    const empty = await post('/api/v1/heartbeat', { queueDepth: 0, version: '1', oldestPendingAt: 'garbage' }, auth);
    expect(empty.json.ignored).toEqual(['oldestPendingAt: garbage']);
    expect((await health()).devices[0]!.problems).not.toContain('queue-age-unreadable');
    expect((await post('/api/v1/heartbeat', { queueDepth: 5, version: '1', oldestPendingAt: 17 }, auth)).status).toBe(400);
  });

  it('ignores a "__proto__" or "constructor" member like any unknown field: the batch is valid JSON and is stored', async () => {
    const auth = await enroll('CODE-ONE');
    const [a, b] = [checkIn(), checkIn()];
    const rec = (c: CheckIn, extra: string) => JSON.stringify(c).replace(/^\{/, `{${extra},`);
    const body = `{"checkins":[${rec(a, '"__proto__":{"x":1}')},${rec(b, '"constructor":{"prototype":{"y":2}}')}]}`;
    const r = await post('/api/v1/checkins', body, auth);
    expect([r.status, r.json.accepted, r.json.rejected]).toEqual([200, [a.id, b.id], []]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(({} as Record<string, unknown>).y).toBeUndefined();
    const stored = await exported();
    expect(Object.prototype.hasOwnProperty.call(stored.get(a.id), '__proto__')).toBe(false);
    const hb = await post('/api/v1/heartbeat', '{"queueDepth":0,"version":"1","__proto__":{"queueDepth":9}}', auth);
    expect(hb.status).toBe(200);
  });

  it('answers 400, not 500, to a heartbeat nested deeper than any kiosk sends', async () => {
    const auth = await enroll('CODE-ONE');
    const deep = `{"queueDepth":0,"version":"1","x":${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
    const r = await post('/api/v1/heartbeat', deep, auth);
    expect([r.status, r.json.error, r.json.message]).toEqual([400, 'invalid-request', 'body: nested deeper than 32 levels']);
    expect((await post('/api/v1/heartbeat', { queueDepth: 0, version: '1' }, auth)).status).toBe(200);
  });

  it('refuses the admin token in a URL (token-in-url), even beside a good Bearer; Bearer alone works', async () => {
    const bearer = { authorization: `Bearer ${central.adminToken}` };
    for (const [url, headers] of [
      [`/api/v1/stats?token=${central.adminToken}`, {}],
      [`/api/v1/stats?token=${central.adminToken}`, bearer],
      ['/api/v1/stats?token=', bearer],
      [`/api/v1/trace?token=${central.adminToken}&idNo=001090000001&from=2026-11-20&to=2026-11-26`, {}],
    ] as const) {
      const res = await fetch(central.url + url, { headers });
      const body = (await res.json()) as { error: string; message: string };
      expect([url.slice(0, 14), res.status, body.error]).toEqual([url.slice(0, 14), 401, 'token-in-url']);
      expect(body.message).toContain('Authorization: Bearer');
      expect(body.message).not.toContain(central.adminToken);
    }
    const census = await post(`/api/v1/checkins/census?token=${central.adminToken}`, { checkins: [] });
    expect([census.status, census.json.error]).toEqual([401, 'token-in-url']);
    expect((await fetch(`${central.url}/api/v1/stats`, { headers: bearer })).status).toBe(200);
  });

  it('says how large a body may be when it refuses one, gzip bomb included', async () => {
    const auth = await enroll('CODE-ONE');
    const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20));
    const r = await post('/api/v1/checkins', bomb, { ...auth, 'content-encoding': 'gzip' });
    expect([r.status, r.json.error, r.json.message]).toEqual([413, 'body-too-large', 'request body larger than 2,048 KiB (after gzip decompression) for /api/v1/checkins: send fewer records per request']);
    const hb = await post('/api/v1/heartbeat', { queueDepth: 0, version: '1', pad: 'x'.repeat(70 * 1024) }, auth);
    expect([hb.status, hb.json.message]).toEqual([413, 'request body larger than 64 KiB (after gzip decompression) for /api/v1/heartbeat: send a smaller body']);
  });

  it('refuses a text/plain body with 415 naming the type to send', async () => {
    const auth = await enroll('CODE-ONE');
    const r = await post('/api/v1/checkins', JSON.stringify({ checkins: [checkIn()] }), { ...auth, 'content-type': 'text/plain' });
    expect([r.status, r.json.error]).toEqual([415, 'unsupported-media-type']);
    expect(r.json.message).toBe('Content-Type text/plain is not accepted: send application/json (a form page: application/x-www-form-urlencoded)');
    expect(await central.storage.countCheckIns()).toBe(0);
  });

  it('refuses with 415 a JSON API body sent without a Content-Type or as a form, on every JSON route', async () => {
    const auth = await enroll('CODE-ONE');
    const admin = { authorization: `Bearer ${central.adminToken}` };
    const raw = async (p: string, body: string, headers: Record<string, string>) => {
      const res = await fetch(central.url + p, { method: 'POST', headers, body: Buffer.from(body) });
      return [res.status, ((await res.json()) as { error: string; message: string })] as const;
    };
    const cases: [string, string, Record<string, string>][] = [
      ['/api/v1/checkins', JSON.stringify({ checkins: [checkIn()] }), auth],
      ['/api/v1/overrides', JSON.stringify({ overrides: [] }), auth],
      ['/api/v1/heartbeat', JSON.stringify({ queueDepth: 0, version: '1' }), auth],
      ['/api/v1/enroll', JSON.stringify({ code: 'CODE-TWO', device: { name: 'k', version: '1', platform: 'linux' } }), {}],
      ['/api/v1/trace', 'idNo=001090000001&from=2026-11-20T00%3A00&to=2026-11-26T00%3A00', { ...admin, 'content-type': 'application/x-www-form-urlencoded' }],
      ['/api/v1/enrollment-codes', 'count=1', { ...admin, 'content-type': 'application/x-www-form-urlencoded' }],
      ['/api/v1/checkins/census', JSON.stringify({ checkins: [] }), admin],
    ];
    for (const [p, body, headers] of cases) {
      const [status, json] = await raw(p, body, headers);
      expect([p, status, json.error]).toEqual([p, 415, 'unsupported-media-type']);
      expect(json.message).toMatch(/send application\/json/);
    }
    expect((await raw('/api/v1/checkins', '{}', auth))[1].message).toMatch(/^Content-Type none is not accepted: send application\/json/);
    // No body at all either: the answer is about the type, not a missing 'checkins'.
    const empty = await fetch(`${central.url}/api/v1/checkins`, { method: 'POST', headers: auth });
    expect([empty.status, ((await empty.json()) as { error: string }).error]).toEqual([415, 'unsupported-media-type']);
    expect(await central.storage.countCheckIns()).toBe(0);
    // JSON with a charset parameter is JSON.
    const ok = await raw('/api/v1/heartbeat', JSON.stringify({ queueDepth: 0, version: '1' }), { ...auth, 'content-type': 'Application/JSON; charset=utf-8' });
    expect(ok[0]).toBe(200);
  });
});
