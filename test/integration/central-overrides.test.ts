/**
 * POST /api/v1/overrides on the real central server over HTTP on 127.0.0.1: exactly once by
 * override id, `unknown-checkin` for a check-in not stored yet, `foreign-checkin` for another
 * device's check-in, bad records refused one by one, and `central export` / tracing carrying the
 * current verdict, the original one and the override history (latest by time wins, whatever the
 * arrival order). Survives a restart of the server. Run on both storage backends (SQLite file,
 * PostgreSQL cluster started by the test).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { addEnrollmentCode } from '../../server/enrollment.js';
import { successionProof } from '../../src/sync/succession-proof.js';
import { pgBackend } from '../helpers/postgres.js';

const T0 = Date.parse('2026-11-25T03:00:00Z');
const clock = { now: () => T0 };
const ids = uuidv7Source(clock);
let dir: string;
let central: CentralServer;
let database: string | undefined;

const start = async () => {
  central = await startCentral({ dataDir: dir, database, port: 0, logger: silentLogger, clock, enrollmentCodes: ['CODE-ONE', 'CODE-TWO'] });
};

async function post(p: string, body: unknown, token?: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(central.url + p, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body instanceof Uint8Array ? { 'content-encoding': 'gzip' } : {}) },
    body: body instanceof Uint8Array ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

const enroll = async (code: string) => (await post('/api/v1/enroll', { code, device: { name: 'k', version: '1', platform: 'linux' } })).json.token as string;

function checkIn(over: Partial<CheckIn> = {}): CheckIn {
  return {
    id: ids.next(),
    deviceId: 'kiosk-a',
    checkpointId: 'cp-1',
    direction: 'in',
    scannedAt: new Date(T0).toISOString(),
    format: 'cccd',
    verdict: 'refer',
    reasons: ['identity-only', 'status:f1'],
    subject: { idType: 'cccd', idNo: '001090000001' },
    ...over,
  };
}

const override = (checkinId: string, over: Record<string, unknown> = {}) => ({
  id: ids.next(),
  checkinId,
  verdict: 'accept',
  reasons: ['identity-only', 'status:f1'],
  by: 'officer-7',
  reason: 'cleared by phone with the health station',
  at: new Date(T0 + 60_000).toISOString(),
  ...over,
});

async function exportLines(): Promise<Record<string, unknown>[]> {
  let out = '';
  await centralMain(['export', ...(database ? ['--database', database] : []), '--data-dir', dir], { stdout: (t) => (out += t), stderr: () => undefined });
  return out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe.each(['sqlite', 'postgres'] as const)('POST /api/v1/overrides on %s', (backend) => {
  const pg = pgBackend(backend);
  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'central-ovr-'));
    database = await pg.database();
    await start();
  });
  afterEach(async () => {
    await central.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores an override once by id; export shows current verdict, originalVerdict and the history', async () => {
    const token = await enroll('CODE-ONE');
    const c = checkIn();
    const plain = checkIn({ verdict: 'accept', reasons: ['identity-only'] });
    expect((await post('/api/v1/checkins', { checkins: [c, plain] }, token)).status).toBe(200);
    // An override to accept clears the reasons: the current verdict's are the override's.
    const o = override(c.id, { reasons: [] });
    const first = await post('/api/v1/overrides', zlib.gzipSync(JSON.stringify({ overrides: [o] })), token);
    expect(first).toMatchObject({ status: 200, json: { accepted: [o.id], duplicate: [], rejected: [], serverTime: new Date(T0).toISOString() } });
    // A retry (the kiosk never saw the answer) is a duplicate, not a second override.
    expect((await post('/api/v1/overrides', { overrides: [o] }, token)).json).toMatchObject({ accepted: [], duplicate: [o.id], rejected: [] });

    await central.close();
    await start(); // from the file
    const lines = await exportLines();
    const { checkinId: _c, ...entry } = o;
    expect(lines.find((l) => l.id === c.id)).toMatchObject({ verdict: 'accept', originalVerdict: 'refer', reasons: [], originalReasons: c.reasons, overrides: [entry] });
    const untouched = lines.find((l) => l.id === plain.id)!;
    expect(untouched).toMatchObject({ verdict: 'accept', originalVerdict: 'accept' });
    expect(untouched.overrides ?? []).toEqual([]);
    expect(untouched).not.toHaveProperty('originalReasons');

    // Tracing answers carry the current verdict too.
    const q = new URLSearchParams({ idNo: '001090000001', from: new Date(T0 - 3_600_000).toISOString(), to: new Date(T0 + 3_600_000).toISOString() });
    const traced = (await (await fetch(`${central.url}/api/v1/trace?${q}`, { headers: { authorization: `Bearer ${central.adminToken}` } })).json()) as { landmarks: { checkIn: Record<string, unknown> }[] };
    expect(traced.landmarks.find((l) => l.checkIn.id === c.id)?.checkIn).toMatchObject({ verdict: 'accept', originalVerdict: 'refer' });
  });

  it('the latest override by time is the current verdict, whatever order they arrive in', async () => {
    const token = await enroll('CODE-ONE');
    const c = checkIn();
    await post('/api/v1/checkins', { checkins: [c] }, token);
    const later = override(c.id, { verdict: 'reject', reasons: ['status:f1'], at: new Date(T0 + 120_000).toISOString(), by: 'officer-8' });
    const earlier = override(c.id, { at: new Date(T0 + 60_000).toISOString() });
    expect((await post('/api/v1/overrides', { overrides: [later] }, token)).json.accepted).toEqual([later.id]);
    expect((await post('/api/v1/overrides', { overrides: [earlier] }, token)).json.accepted).toEqual([earlier.id]);
    const line = (await exportLines()).find((l) => l.id === c.id)!;
    expect(line).toMatchObject({ verdict: 'reject', reasons: ['status:f1'], originalVerdict: 'refer', originalReasons: c.reasons });
    expect((line.overrides as { by: string }[]).map((o) => o.by)).toEqual(['officer-7', 'officer-8']);
  });

  it('refuses one by one: unknown-checkin, foreign-checkin, malformed records; the rest is stored; an unknown field is ignored', async () => {
    const tokenA = await enroll('CODE-ONE');
    const tokenB = await enroll('CODE-TWO');
    const mine = checkIn();
    const theirs = checkIn({ deviceId: 'kiosk-b' });
    await post('/api/v1/checkins', { checkins: [mine] }, tokenA);
    await post('/api/v1/checkins', { checkins: [theirs] }, tokenB);
    const ok = override(mine.id);
    const early = override(ids.next());
    const foreign = override(theirs.id);
    const badVerdict = override(mine.id, { verdict: 'maybe' });
    const extra = override(mine.id, { colour: 'red' });
    const r = await post('/api/v1/overrides', { overrides: [ok, early, foreign, badVerdict, extra, 'junk'] }, tokenA);
    expect(r.status).toBe(200);
    // A field this server does not know (a newer kiosk's) is ignored, as PROTOCOL.md promises, and not stored.
    expect(r.json.accepted).toEqual([ok.id, extra.id]);
    expect(r.json.rejected).toHaveLength(4);
    expect(r.json.rejected).toEqual(
      expect.arrayContaining([
        { id: early.id, reason: 'unknown-checkin' },
        { id: foreign.id, reason: 'foreign-checkin' },
        { id: badVerdict.id, reason: 'verdict: not accept|reject|refer' },
        { id: '', reason: 'record: not an object' },
      ]),
    );
    expect(JSON.stringify(await exportLines())).not.toContain('colour');
    // The early one is accepted once its check-in arrives (the kiosk retries it).
    const late = checkIn({ id: early.checkinId });
    await post('/api/v1/checkins', { checkins: [late] }, tokenA);
    expect((await post('/api/v1/overrides', { overrides: [early] }, tokenA)).json.accepted).toEqual([early.id]);
  });

  it('a kiosk enrolled again may override what its earlier devices delivered, once it proves it held their token; no other device may', async () => {
    const device = { name: 'k', version: '1', platform: 'linux' };
    for (const code of ['CODE-THREE', 'CODE-FOUR', 'CODE-FIVE', 'CODE-SIX']) await addEnrollmentCode(central.storage, code, T0);
    const enrollAs = async (code: string, predecessor?: { deviceId: string; token: string }, proofToken?: string) =>
      (
        await post('/api/v1/enroll', {
          code,
          device,
          ...(predecessor ? { predecessor: { deviceId: predecessor.deviceId, proof: successionProof(proofToken ?? predecessor.token, predecessor.deviceId, code) } } : {}),
        })
      ).json as { deviceId: string; token: string; succession?: { deviceId: string; outcome: string } };
    const a = await enrollAs('CODE-ONE');
    expect(a.succession).toBeUndefined();
    const delivered = checkIn();
    await post('/api/v1/checkins', { checkins: [delivered] }, a.token);
    expect(await central.storage.fleet.revokeDevice(a.deviceId, T0)).toBe(true);

    // A wrong proof (another token) and an unknown device enroll, but succeed nobody.
    const forger = await enrollAs('CODE-TWO', a, 'not-the-token');
    expect(forger.succession).toEqual({ deviceId: a.deviceId, outcome: 'proof-invalid' });
    const stranger = await enrollAs('CODE-THREE', { deviceId: 'no-such-device', token: 'x' });
    expect(stranger.succession).toEqual({ deviceId: 'no-such-device', outcome: 'unknown-device' });
    // The same kiosk, enrolled again with the old token's proof (sent with the code in lower case: codes are compared so).
    const b = await enrollAs('code-four', a);
    expect(b.succession).toEqual({ deviceId: a.deviceId, outcome: 'recorded' });
    // A second claim on the same device (a copied enrollment file) is not recorded.
    const copy = await enrollAs('CODE-FIVE', a);
    expect(copy.succession).toEqual({ deviceId: a.deviceId, outcome: 'already-succeeded' });

    const byB = override(delivered.id);
    expect((await post('/api/v1/overrides', { overrides: [byB] }, b.token)).json).toMatchObject({ accepted: [byB.id], rejected: [] });
    for (const other of [forger, stranger, copy]) {
      const o = override(delivered.id);
      expect((await post('/api/v1/overrides', { overrides: [o] }, other.token)).json).toMatchObject({ accepted: [], rejected: [{ id: o.id, reason: 'foreign-checkin' }] });
    }
    // The successor's own check-ins stay its own: the device it succeeded cannot reach them (revoked), nor can others.
    const newer = checkIn();
    await post('/api/v1/checkins', { checkins: [newer] }, b.token);
    const intruder = override(newer.id);
    expect((await post('/api/v1/overrides', { overrides: [intruder] }, forger.token)).json).toMatchObject({ rejected: [{ id: intruder.id, reason: 'foreign-checkin' }] });

    // Down a chain: enrolled a third time, it still reaches the first device's check-ins.
    const c = await enrollAs('CODE-SIX', b);
    expect(c.succession).toEqual({ deviceId: b.deviceId, outcome: 'recorded' });
    const byC = override(delivered.id, { verdict: 'reject', reasons: ['status:f1'], at: new Date(T0 + 120_000).toISOString() });
    expect((await post('/api/v1/overrides', { overrides: [byC] }, c.token)).json).toMatchObject({ accepted: [byC.id] });
    expect((await exportLines()).find((l) => l.id === delivered.id)).toMatchObject({ verdict: 'reject', originalVerdict: 'refer' });
  });

  it('needs the device token, and bounds the batch', async () => {
    expect((await post('/api/v1/overrides', { overrides: [] })).status).toBe(401);
    const token = await enroll('CODE-ONE');
    expect((await post('/api/v1/overrides', { overrides: Array.from({ length: 1001 }, () => ({})) }, token)).status).toBe(400);
    expect((await post('/api/v1/overrides', { nothing: true }, token)).status).toBe(400);
  });
});
