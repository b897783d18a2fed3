/**
 * The reference central server over real HTTP on 127.0.0.1: enrollment, idempotent ingest, bad
 * input (clear 4xx, nothing stored, still serving), signed trust bundle with ETag, heartbeat,
 * stats, tracing and the declaration form — the whole protocol suite on both storage backends:
 * SQLite in the data dir, and a real PostgreSQL cluster started for this file.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { addEnrollmentCode } from '../../server/enrollment.js';
import { PostgresStorage } from '../../server/storage/postgres-storage.js';
import { SqliteStorage } from '../../server/storage/sqlite-storage.js';
import { pgBackend } from '../helpers/postgres.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import { verifySignedTrustBundle } from '../../src/credentials/trust/envelope.js';
import { parseTrustBundle } from '../../src/credentials/trust/load.js';
import { verifyDeclaration } from '../../src/credentials/declaration/index.js';
import type { CheckIn } from '../../src/shared/types.js';
import { getSignedIn, signIn } from '../helpers/ops-session.js';

const T0 = Date.parse('2026-11-25T03:00:00Z');
let now = T0;
const clock = { now: () => now };
let dir: string;
let central: CentralServer;

function checkIn(over: Partial<CheckIn> = {}): CheckIn {
  return {
    id: uuidv7Source(clock).next(),
    deviceId: 'kiosk-a',
    checkpointId: 'cp-1',
    direction: 'in',
    scannedAt: new Date(now).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: { idType: 'cccd', idNo: '001090000001' },
    ...over,
  };
}

async function post(p: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(central.url + p, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function enrollWith(code: string): Promise<string> {
  const r = await post('/api/v1/enroll', { code, device: { name: 'kiosk', version: '0.1.0', platform: 'linux' } });
  expect(r.status).toBe(200);
  return r.json.token as string;
}

describe.each(['sqlite', 'postgres'] as const)('central server on %s', (backend) => {
  const pg = pgBackend(backend);
  let database: string | undefined;

  /** Everything the storage holds, as text (to prove secrets are not in it). */
  async function storedText(): Promise<string> {
    const storage = central.storage;
    if (storage instanceof SqliteStorage) {
      storage.db.pragma('wal_checkpoint(PASSIVE)');
      return ['central.sqlite', 'central.sqlite-wal'].map((f) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f)).toString('latin1') : '')).join('');
    }
    if (storage instanceof PostgresStorage) {
      const tables = ['devices', 'enrollment_codes', 'checkins', 'heartbeats', 'declarations'];
      const parts = await Promise.all(tables.map(async (t) => (await storage.pool.query(`SELECT coalesce(string_agg(x::text, '|'), '') AS s FROM ${t} x`)).rows[0].s as string));
      return parts.join('|');
    }
    throw new Error('unknown storage');
  }


  beforeEach(async () => {
    now = T0;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'central-'));
    database = await pg.database();
    central = await startCentral({ dataDir: dir, database, port: 0, logger: silentLogger, clock, enrollmentCodes: ['CODE-ONE', 'CODE-TWO'] });
  });

  afterEach(async () => {
    await central.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('enrollment', () => {
    it('gives a token and the root key once; a replayed, unknown or expired code is refused', async () => {
      const r = await post('/api/v1/enroll', { code: 'code-one', device: { name: 'k', version: '1', platform: 'linux' } });
      expect(r.status).toBe(200);
      expect(r.json.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(r.json.trustKey).toMatchObject({ kty: 'EC', crv: 'P-256' });
      expect((r.json.trustKey as Record<string, unknown>).d).toBeUndefined();

      const replay = await post('/api/v1/enroll', { code: 'CODE-ONE', device: { name: 'k', version: '1', platform: 'linux' } });
      expect(replay.status).toBe(409);
      expect(replay.json.error).toBe('enrollment-code-used');

      const unknown = await post('/api/v1/enroll', { code: 'NOPE-NOPE', device: { name: 'k', version: '1', platform: 'linux' } });
      expect(unknown.status).toBe(403);
      expect(unknown.json.error).toBe('enrollment-code-invalid');

      now = T0 + 25 * 3_600_000;
      const expired = await post('/api/v1/enroll', { code: 'CODE-TWO', device: { name: 'k', version: '1', platform: 'linux' } });
      expect(expired.status).toBe(403);
      expect(expired.json.error).toBe('enrollment-code-expired');
    });

    it('stores only hashes of codes and tokens', async () => {
      const token = await enrollWith('CODE-ONE');
      const raw = await storedText();
      expect(raw).toContain('kiosk'); // the device row is there...
      expect(raw).not.toContain(token); // ...but not its token
      expect(raw).not.toContain('CODE-ONE');
    });

    it('does not revive a spent code when the server restarts with the same --enrollment-code', async () => {
      await enrollWith('CODE-ONE');
      expect(await addEnrollmentCode(central.storage, 'CODE-ONE', now)).toBe(false);
      const replay = await post('/api/v1/enroll', { code: 'CODE-ONE', device: { name: 'k', version: '1', platform: 'linux' } });
      expect(replay.status).toBe(409);
    });
  });

  describe('check-in ingest', () => {
    it('is idempotent by id and rejects bogus records one by one', async () => {
      const token = await enrollWith('CODE-ONE');
      const auth = { authorization: `Bearer ${token}` };
      const good = [checkIn(), checkIn({ direction: 'out' })];
      const bogus = [
        { ...checkIn(), id: 'not-a-uuid' },
        { ...checkIn(), verdict: 'maybe' },
        { ...checkIn(), direction: 'sideways' },
        { ...checkIn(), scannedAt: 'yesterday' },
        { ...checkIn(), reasons: 'expired' },
        { ...checkIn(), reasons: [42] },
        { ...checkIn(), format: 'x'.repeat(100) },
        { ...checkIn(), subject: { name: 'x'.repeat(10_000) } },
        'a string',
      ];
      const first = await post('/api/v1/checkins', { checkins: [...good, ...bogus] }, auth);
      expect(first.status).toBe(200);
      expect(first.json.accepted).toEqual(good.map((c) => c.id));
      expect(first.json.duplicate).toEqual([]);
      const rejected = first.json.rejected as { id: string; reason: string }[];
      expect(rejected).toHaveLength(bogus.length);
      expect(rejected.map((r) => r.reason.split(':')[0])).toEqual(['id', 'verdict', 'direction', 'scannedAt', 'reasons', 'reasons', 'format', 'record', 'record']);

      const again = await post('/api/v1/checkins', { checkins: good }, auth);
      expect(again.json).toEqual({ accepted: [], duplicate: good.map((c) => c.id), rejected: [], serverTime: expect.any(String) });
      expect(await central.storage.countCheckIns()).toBe(2);
    });

    it("keeps which enrolled device delivered a record apart from the deviceId the record names (senderDeviceId, only when they differ)", async () => {
      const r = await post('/api/v1/enroll', { code: 'CODE-ONE', device: { name: 'kiosk', version: '0.1.0', platform: 'linux' } });
      const { token, deviceId } = r.json as { token: string; deviceId: string };
      const own = checkIn({ deviceId });
      const claimed = checkIn({ deviceId: '00000000-0000-4000-8000-000000000000' });
      const withField = { ...checkIn({ deviceId }), senderDeviceId: 'someone-else' };
      const sent = await post('/api/v1/checkins', { checkins: [own, claimed, withField] }, { authorization: `Bearer ${token}` });
      expect(sent.json.accepted).toEqual([own.id, claimed.id, withField.id]);
      const exported = new Map<string, CheckIn>();
      for await (const c of central.storage.exportCheckIns()) exported.set(c.id, c);
      expect(exported.get(own.id)).toEqual(own);
      expect(exported.get(claimed.id)).toEqual({ ...claimed, senderDeviceId: deviceId });
      // A kiosk cannot write the field itself: the server sets it from the token alone.
      expect(exported.get(withField.id)?.senderDeviceId).toBeUndefined();
    });

    it('accepts gzip bodies', async () => {
      const token = await enrollWith('CODE-ONE');
      const batch = Array.from({ length: 300 }, () => checkIn());
      const body = zlib.gzipSync(JSON.stringify({ checkins: batch }));
      const r = await post('/api/v1/checkins', body, { authorization: `Bearer ${token}`, 'content-encoding': 'gzip' });
      expect(r.status).toBe(200);
      expect(r.json.accepted).toHaveLength(300);
      expect(await central.storage.countCheckIns()).toBe(300);
    });

    it('answers bad requests with a clear 4xx, stores nothing and keeps serving', async () => {
      const token = await enrollWith('CODE-ONE');
      const auth = { authorization: `Bearer ${token}` };
      const one = { checkins: [checkIn()] };

      const missing = await post('/api/v1/checkins', one);
      expect([missing.status, missing.json.error]).toEqual([401, 'missing-token']);
      const wrong = await post('/api/v1/checkins', one, { authorization: 'Bearer wrong-token' });
      expect([wrong.status, wrong.json.error]).toEqual([401, 'invalid-token']);
      // Two tokens, or an empty one, are bad credentials, not missing ones (RFC 6750 §2.1).
      for (const authorization of [`Bearer ${token}, Bearer x`, 'Bearer', 'Bearer  ']) {
        const two = await post('/api/v1/checkins', one, { authorization });
        expect([authorization, two.status, two.json.error]).toEqual([authorization, 401, 'invalid-token']);
      }
      const basic = await post('/api/v1/checkins', one, { authorization: 'Basic dXNlcjpwdw==' });
      expect([basic.status, basic.json.error]).toEqual([401, 'missing-token']);
      // The scheme name is case-insensitive (RFC 9110 §11.1).
      for (const scheme of ['bearer', 'BEARER']) {
        const lower = await post('/api/v1/heartbeat', { queueDepth: 0, version: '1' }, { authorization: `${scheme} ${token}` });
        expect([scheme, lower.status]).toEqual([scheme, 200]);
      }
      expect((await fetch(`${central.url}/api/v1/stats`, { headers: { authorization: `bearer ${central.adminToken}` } })).status).toBe(200);
      const malformed = await post('/api/v1/checkins', '{"checkins": [', auth);
      expect([malformed.status, malformed.json.error]).toEqual([400, 'malformed-json']);
      const notGzip = await post('/api/v1/checkins', 'plain text', { ...auth, 'content-encoding': 'gzip' });
      expect([notGzip.status, notGzip.json.error]).toEqual([400, 'bad-gzip']);
      const noArray = await post('/api/v1/checkins', { records: [] }, auth);
      expect([noArray.status, noArray.json.error]).toEqual([400, 'invalid-request']);
      const tooMany = await post('/api/v1/checkins', { checkins: Array.from({ length: 1001 }, () => checkIn()) }, auth);
      expect([tooMany.status, tooMany.json.error]).toEqual([400, 'invalid-request']);
      const huge = await post('/api/v1/checkins', `{"checkins":[],"pad":"${'x'.repeat(10 * 1024 * 1024)}"}`, auth);
      expect([huge.status, huge.json.error]).toEqual([413, 'body-too-large']);
      const bomb = zlib.gzipSync(Buffer.alloc(20 * 1024 * 1024, 0x20));
      const bombed = await post('/api/v1/checkins', bomb, { ...auth, 'content-encoding': 'gzip' });
      expect([bombed.status, bombed.json.error]).toEqual([413, 'body-too-large']);
      const hb = await post('/api/v1/heartbeat', { queueDepth: -1, version: '1' }, auth);
      expect([hb.status, hb.json.error]).toEqual([400, 'invalid-request']);

      expect(await central.storage.countCheckIns()).toBe(0);
      const ok = await post('/api/v1/checkins', one, auth);
      expect(ok.json.accepted).toHaveLength(1);
    });
  });

  describe('trust bundle', () => {
    it('is signed by the root key, carries the declaration issuer, and honours If-None-Match', async () => {
      const token = await enrollWith('CODE-ONE');
      const res = await fetch(`${central.url}/api/v1/trust-bundle`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(200);
      const etag = res.headers.get('etag');
      expect(etag).toMatch(/^".+"$/);
      const bundle = await verifySignedTrustBundle(await res.text(), central.rootJwk);
      expect(bundle.declaration?.issuers).toHaveLength(1);
      const cached = await fetch(`${central.url}/api/v1/trust-bundle`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': etag as string } });
      expect(cached.status).toBe(304);
      // Weak comparison (RFC 9110 §13.1.2), a list, and *; on the configuration profile too.
      const cfg = await fetch(`${central.url}/api/v1/config`, { headers: { authorization: `Bearer ${token}` } });
      const cfgTag = cfg.headers.get('etag') as string;
      for (const [path, tag] of [['trust-bundle', etag as string], ['config', cfgTag]] as const) {
        for (const inm of [`W/${tag}`, `"other", ${tag}`, `W/"other",W/${tag}`, '*']) {
          const r = await fetch(`${central.url}/api/v1/${path}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': inm } });
          expect([path, inm, r.status]).toEqual([path, inm, 304]);
        }
        const miss = await fetch(`${central.url}/api/v1/${path}`, { headers: { authorization: `Bearer ${token}`, 'if-none-match': 'W/"other"' } });
        expect([path, miss.status]).toEqual([path, 200]);
      }
      const anon = await fetch(`${central.url}/api/v1/trust-bundle`);
      expect(anon.status).toBe(401);
    });

    it('keeps the same signature (ETag) across a restart when the content did not change', async () => {
      const token = await enrollWith('CODE-ONE');
      const get = async () => (await fetch(`${central.url}/api/v1/trust-bundle`, { headers: { authorization: `Bearer ${token}` } })).headers.get('etag');
      const before = await get();
      await central.close();
      central = await startCentral({ dataDir: dir, database, port: 0, logger: silentLogger, clock });
      expect(await get()).toBe(before);
      if (backend === 'sqlite') {
        for (const f of ['root-key.pem', 'declaration-key.pem', 'admin-token']) {
          expect(fs.statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
        }
      } else {
        // PostgreSQL keeps the signing keys in the database; the data dir holds only the data key
        // that seals identity fields (kept out of the database on purpose).
        expect(fs.readdirSync(dir)).toEqual(['data-key.json']);
      }
    });
  });

  describe('heartbeat, stats and tracing', () => {
    it('stores heartbeats and shows figures and stale devices to an admin only', async () => {
      const token = await enrollWith('CODE-ONE');
      const auth = { authorization: `Bearer ${token}` };
      const hb = await post('/api/v1/heartbeat', { queueDepth: 7, oldestPendingAt: new Date(T0 - 2 * 3_600_000).toISOString(), lastScanAt: null, scanners: [], trustIssuedAt: null, version: '0.1.0' }, auth);
      expect(hb.status).toBe(200);
      await post('/api/v1/checkins', { checkins: [checkIn({ checkpointId: 'cp-1' }), checkIn({ checkpointId: 'cp-1' }), checkIn({ checkpointId: 'cp-2' })] }, auth);

      const denied = await fetch(`${central.url}/api/v1/stats`);
      expect(denied.status).toBe(401);
      const stats = (await (await fetch(`${central.url}/api/v1/stats`, { headers: { authorization: `Bearer ${central.adminToken}` } })).json()) as Record<string, unknown>;
      expect(stats.checkinsToday).toBe(3);
      expect(stats.scanPointsActiveToday).toBe(1);
      expect(stats.byCheckpoint).toEqual([{ checkpointId: 'cp-1', count: 2 }, { checkpointId: 'cp-2', count: 1 }]);
      expect((stats.byHour as number[])[10]).toBe(3); // 03:00Z = 10:00 in Hanoi
      expect(stats.attention).toMatchObject([{ queueDepth: 7, queueOld: true, heartbeatStale: false }]);

      expect((await fetch(`${central.url}/dashboard`)).status).toBe(401);
      const html = await getSignedIn(`${central.url}/dashboard`, await signIn(central.url, central.adminToken));
      expect(html.status).toBe(200);
      expect(await html.text()).toContain('Lượt check-in hôm nay');
    });

    it('counts every check-in in its local hour, with timestamps that are not on the hour', async () => {
      const token = await enrollWith('CODE-ONE');
      now = Date.parse('2026-11-25T09:41:13.250Z'); // 16:41 in Hanoi
      // Hanoi hour ← UTC time: 07:00:00.001 ← 00:00:00.001Z, 07:59:59.999 ← 00:59:59.999Z,
      // 10:17 ← 03:17:42Z, 10:59 ← 03:59:59.5Z, 16:30 ← 09:30:01Z, 00:00:00.000 (day start) ← 17:00Z the day before.
      const times = ['2026-11-25T00:00:00.001Z', '2026-11-25T00:59:59.999Z', '2026-11-25T03:17:42Z', '2026-11-25T03:59:59.500Z', '2026-11-25T09:30:01+00:00', '2026-11-24T17:00:00.000Z'];
      const outside = ['2026-11-24T16:59:59.999Z', '2026-11-25T17:00:00.000Z']; // the previous and the next local day
      const r = await post('/api/v1/checkins', { checkins: [...times, ...outside].map((t) => checkIn({ scannedAt: t })) }, { authorization: `Bearer ${token}` });
      expect(r.json.accepted).toHaveLength(8);
      const stats = (await (await fetch(`${central.url}/api/v1/stats`, { headers: { authorization: `Bearer ${central.adminToken}` } })).json()) as { byHour: number[]; checkinsToday: number; dayStart: string };
      expect(stats.dayStart).toBe('2026-11-24T17:00:00.000Z');
      const expected = new Array<number>(24).fill(0);
      expected[0] = 1;
      expected[7] = 2;
      expected[10] = 2;
      expected[16] = 1;
      expect(stats.byHour).toEqual(expected);
      expect(stats.checkinsToday).toBe(6);
      const html = await (await fetch(`${central.url}/dashboard`, { headers: { authorization: `Bearer ${central.adminToken}` } })).text();
      // The operations room draws the same hours: its hourly chart data is in the page.
      const charts = JSON.parse(/<script type="application\/json" id="ops-charts">([^<]*)<\/script>/.exec(html)?.[1] ?? '{}') as { charts: { id: string; series: { values: number[] }[] }[] };
      expect(charts.charts.find((c) => c.id === 'hourly')?.series[0]?.values).toEqual(expected);
    });

    it('stores the heartbeat extension fields as given and tolerates their absence', async () => {
      const token = await enrollWith('CODE-ONE');
      const auth = { authorization: `Bearer ${token}` };
      const full = { queueDepth: 2, version: '0.2.0', clockOffsetMs: -1250, appliedConfigVersion: 7, updateState: 'downloading', oldestIdentityAt: '2026-11-20T01:02:03.000Z', futureField: { x: 1 } };
      const hb = await post('/api/v1/heartbeat', full, auth);
      expect(hb.status).toBe(200);
      expect(Date.parse(hb.json.serverTime as string)).toBe(now);
      const [row] = await central.storage.devicesWithHeartbeat(10);
      expect(row).toMatchObject({ queueDepth: 2, version: '0.2.0', clockOffsetMs: -1250, appliedConfigVersion: '7', updateState: 'downloading', oldestIdentityAt: '2026-11-20T01:02:03.000Z' });
      await post('/api/v1/heartbeat', { queueDepth: 0, version: '0.2.1' }, auth);
      const [later] = await central.storage.devicesWithHeartbeat(10);
      expect(later).toMatchObject({ queueDepth: 0, version: '0.2.1', clockOffsetMs: null, appliedConfigVersion: null, updateState: null, oldestIdentityAt: null });
      const absurd = await post('/api/v1/heartbeat', { queueDepth: 0, version: '1', clockOffsetMs: 1e15 }, auth);
      expect([absurd.status, absurd.json.error]).toEqual([400, 'invalid-request']);
    });

    it('finds a person and everyone at the same checkpoint within the window', async () => {
      const token = await enrollWith('CODE-ONE');
      const at = (min: number) => new Date(T0 + min * 60_000).toISOString();
      const person = checkIn({ scannedAt: at(0), subject: { idNo: '001090000001' } });
      const near = checkIn({ scannedAt: at(20), subject: { idNo: '001090000002' } });
      const far = checkIn({ scannedAt: at(90), subject: { idNo: '001090000003' } });
      const elsewhere = checkIn({ scannedAt: at(5), checkpointId: 'cp-9', subject: { idNo: '001090000004' } });
      await post('/api/v1/checkins', { checkins: [person, near, far, elsewhere] }, { authorization: `Bearer ${token}` });
      const q = new URLSearchParams({ idNo: '001090000001', from: at(-60), to: at(60), windowMinutes: '30' });
      const res = await fetch(`${central.url}/api/v1/trace?${q}`, { headers: { authorization: `Bearer ${central.adminToken}` } });
      const body = (await res.json()) as { landmarks: { checkIn: CheckIn; nearby: CheckIn[] }[] };
      expect(body.landmarks.map((l) => l.checkIn.id)).toEqual([person.id]);
      expect(body.landmarks[0]?.nearby.map((c) => c.id)).toEqual([near.id]);
      const bad = await fetch(`${central.url}/api/v1/trace?idNo=x&from=nope&to=nope`, { headers: { authorization: `Bearer ${central.adminToken}` } });
      expect(bad.status).toBe(400);
    });
  });

  describe('declaration form', () => {
    it('issues a CKD1 that verifies against the published bundle, shown as a QR image', async () => {
      const token = await enrollWith('CODE-ONE');
      const form = new URLSearchParams({ idType: 'cccd', idNo: '001090000001', name: 'Nguyen Van A', dob: '1990-05-01', from: 'Bac Ninh', to: 'Ha Noi', purpose: 'work', exposure: 'yes' });
      const res = await fetch(`${central.url}/declare`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('src="data:image/png;base64,');
      const qr = /<pre[^>]*>(CKD1:[^<]+)<\/pre>/.exec(html)?.[1] as string;
      const jws = await (await fetch(`${central.url}/api/v1/trust-bundle`, { headers: { authorization: `Bearer ${token}` } })).text();
      const trust = parseTrustBundle(await verifySignedTrustBundle(jws, central.rootJwk));
      const result = await verifyDeclaration(qr, { now: new Date(T0 + 71 * 3_600_000), trust });
      expect(result.failures).toEqual([]);
      expect(result.findings).toContain('exposure');
      const late = await verifyDeclaration(qr, { now: new Date(T0 + 73 * 3_600_000), trust });
      expect(late.failures).toContain('expired');
      expect(await central.storage.countDeclarations()).toBe(1);
    });

    it('escapes what it echoes and refuses an incomplete form with 400', async () => {
      const form = new URLSearchParams({ lang: 'en', idType: 'cccd', idNo: '', name: '<script>alert(1)</script>', dob: '1990-05-01', from: 'a', to: 'b' });
      const res = await fetch(`${central.url}/declare`, { method: 'POST', body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toMatch(/id="err-idNo">Please fill in this field\./);
      expect(html).not.toContain('<script>');
      expect(html).toContain('&lt;script&gt;');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    });
  });
});
