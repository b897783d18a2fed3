/**
 * Times without a zone in a trace are read in the server's time zone — the one its operations room
 * uses (`central --time-zone`, recorded in the database for the CLI) — not as UTC; a time with `Z`
 * or an offset stays as given; the answer echoes the range with its offset. On a real SQLite data
 * dir with a server started in Asia/Tokyo (+09:00, not the default zone).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { ingestCheckIns } from '../../server/checkins.js';
import { centralMain } from '../../server/cli.js';
import { silentLogger, systemClock } from '../../src/core/system.js';

const ID = '001090000001';
let dir: string;
let central: CentralServer;
const morning = { id: '01a51000-0000-7000-8000-000000000001', scannedAt: '2026-12-05T23:30:00.000Z' }; // 08:30 in Tokyo
const afternoon = { id: '01a51000-0000-7000-8000-000000000002', scannedAt: '2026-12-06T08:30:00.000Z' }; // 08:30 UTC

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-trace-tz-'));
  central = await startCentral({ dataDir: dir, port: 0, logger: silentLogger, clock: systemClock, timeZone: 'Asia/Tokyo' });
  const records = [morning, afternoon].map((r) => ({ ...r, deviceId: 'k', checkpointId: 'cp-1', direction: 'in', format: 'cccd', verdict: 'accept', reasons: [], subject: { idType: 'cccd', idNo: ID } }));
  expect((await ingestCheckIns(central.storage, 'k', records, new Date().toISOString())).accepted).toHaveLength(2);
}, 60_000);
afterAll(async () => {
  await central?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Answer = { from: string; to: string; timeZone: string; fromLocal: string; toLocal: string; landmarks: { checkIn: { id: string } }[] };

async function cliTrace(from: string, to: string, extra: string[] = []): Promise<{ code: number; answer?: Answer; stderr: string }> {
  let out = '';
  let stderr = '';
  const code = await centralMain(['trace', '--data-dir', dir, '--id', ID, '--from', from, '--to', to, ...extra], { stdout: (t) => (out += t), stderr: (t) => (stderr += t) });
  return { code, stderr, ...(out ? { answer: JSON.parse(out) as Answer } : {}) };
}

it('central trace reads a time without a zone in the server time zone and echoes the range with its offset', async () => {
  const local = await cliTrace('2026-12-06T08:00', '2026-12-06T09:00');
  expect(local.code).toBe(0);
  expect(local.answer).toMatchObject({
    from: '2026-12-05T23:00:00.000Z',
    to: '2026-12-06T00:00:00.000Z',
    timeZone: 'Asia/Tokyo',
    fromLocal: '2026-12-06T08:00:00+09:00',
    toLocal: '2026-12-06T09:00:00+09:00',
  });
  expect(local.answer!.landmarks.map((l) => l.checkIn.id)).toEqual([morning.id]);

  // With Z or an offset: as given.
  const utc = await cliTrace('2026-12-06T08:00Z', '2026-12-06T09:00:00.000Z');
  expect(utc.answer).toMatchObject({ from: '2026-12-06T08:00:00.000Z', fromLocal: '2026-12-06T17:00:00+09:00' });
  expect(utc.answer!.landmarks.map((l) => l.checkIn.id)).toEqual([afternoon.id]);
  const offset = await cliTrace('2026-12-06T15:00+07:00', '2026-12-06T16:00+07:00');
  expect(offset.answer!.landmarks.map((l) => l.checkIn.id)).toEqual([afternoon.id]);

  // A date alone is local midnight; --time-zone overrides the server's zone.
  const day = await cliTrace('2026-12-06', '2026-12-06T12:00');
  expect(day.answer).toMatchObject({ from: '2026-12-05T15:00:00.000Z', fromLocal: '2026-12-06T00:00:00+09:00' });
  expect(day.answer!.landmarks.map((l) => l.checkIn.id)).toEqual([morning.id]);
  const asUtc = await cliTrace('2026-12-06T08:00', '2026-12-06T09:00', ['--time-zone', 'UTC']);
  expect(asUtc.answer).toMatchObject({ timeZone: 'UTC', fromLocal: '2026-12-06T08:00:00+00:00' });
  expect(asUtc.answer!.landmarks.map((l) => l.checkIn.id)).toEqual([afternoon.id]);

  const bad = await cliTrace('yesterday', '2026-12-06T09:00');
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('central trace: --from: not an ISO date-time: yesterday (e.g. 2026-12-06T08:00, read in Asia/Tokyo, or 2026-12-06T08:00:00Z)');
  expect((await cliTrace('2026-12-06T08:00', '2026-12-06T09:00', ['--time-zone', 'Mars/Olympus'])).code).toBe(2);
});

it('/api/v1/trace reads a time without a zone in the server time zone too', async () => {
  const res = await fetch(`${central.url}/api/v1/trace?idNo=${ID}&from=2026-12-06T08:00&to=2026-12-06T09:00`, { headers: { authorization: `Bearer ${central.adminToken}` } });
  expect(res.status).toBe(200);
  const answer = (await res.json()) as Answer;
  expect(answer).toMatchObject({ from: '2026-12-05T23:00:00.000Z', timeZone: 'Asia/Tokyo', fromLocal: '2026-12-06T08:00:00+09:00' });
  expect(answer.landmarks.map((l) => l.checkIn.id)).toEqual([morning.id]);
});
