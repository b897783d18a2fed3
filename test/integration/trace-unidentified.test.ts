/**
 * Contacts are people: a tracing answer lists the check-ins near a landmark that name someone (ID
 * number, second identifier or name) and only counts the scans that name nobody (unreadable or
 * unknown codes) as `unidentifiedNearby` — in `central trace`, GET /api/v1/trace, the operations
 * room's tracing answer and its CSV. On SQLite and on a real throwaway PostgreSQL (sealed both).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral } from '../../server/app.js';
import type { CentralServer } from '../../server/app.js';
import { ingestCheckIns } from '../../server/checkins.js';
import { centralMain } from '../../server/cli.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { signIn } from '../helpers/ops-session.js';
import { pgBackend } from '../helpers/postgres.js';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const TRACED = '001090000001';
let n = 0;

function checkIn(checkpointId: string, minutes: number, over: Partial<CheckIn>): CheckIn {
  return {
    id: `01a41000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    deviceId: 'k',
    checkpointId,
    direction: 'in',
    scannedAt: new Date(T0 + minutes * 60_000).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: {},
    ...over,
  };
}

const unknown = (checkpointId: string, minutes: number) => checkIn(checkpointId, minutes, { format: 'unknown', verdict: 'reject', reasons: ['unknown-format'], subject: {} });

describe.each(['sqlite', 'postgres'] as const)('on %s', (backend) => {
  const pg = pgBackend(backend);
  let dir: string;
  let central: CentralServer;
  let storageArgs: string[];
  const person = checkIn('cp-1', 0, { subject: { idType: 'cccd', idNo: TRACED, name: 'Nguyễn Văn An' } });
  const byId = checkIn('cp-1', 5, { subject: { idType: 'cccd', idNo: '001090000002', name: 'Trần Thị Bình' } });
  const byName = checkIn('cp-1', -3, { format: 'dcc', verdict: 'accept', reasons: [], subject: { idType: 'other', name: 'MUSTERMANN ERIKA' } });
  const second = checkIn('cp-2', 120, { subject: { idType: 'cccd', idNo: TRACED, name: 'Nguyễn Văn An' } });
  const noise = [unknown('cp-1', 1), unknown('cp-1', 2), unknown('cp-1', -10), unknown('cp-2', 121), unknown('cp-2', 119)];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-trace-unid-'));
    const database = await pg.database();
    central = await startCentral({ dataDir: dir, ...(database ? { database } : {}), port: 0, logger: silentLogger, clock: systemClock, timeZone: 'Asia/Ho_Chi_Minh' });
    storageArgs = database ? ['--database', database, '--data-dir', dir] : ['--data-dir', dir];
    const all = [person, byId, byName, second, ...noise];
    expect((await ingestCheckIns(central.storage, 'k', all, new Date(T0).toISOString())).accepted).toHaveLength(all.length);
  }, 120_000);
  afterAll(async () => {
    await central?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  type Answer = { landmarks: { checkIn: { id: string }; nearby: { id: string; subject: { idNo?: string; name?: string } }[]; unidentifiedNearby: number }[] };
  const expectPeopleOnly = (a: Answer) => {
    expect(a.landmarks.map((l) => l.checkIn.id)).toEqual([person.id, second.id]);
    expect(a.landmarks[0]!.nearby.map((c) => c.id)).toEqual([byName.id, byId.id]);
    expect(a.landmarks[0]!.unidentifiedNearby).toBe(3);
    expect(a.landmarks[1]!.nearby).toEqual([]);
    expect(a.landmarks[1]!.unidentifiedNearby).toBe(2);
  };

  it('central trace and /api/v1/trace list people and count the scans that name nobody', async () => {
    let out = '';
    const code = await centralMain(['trace', ...storageArgs, '--id', TRACED, '--from', '2026-11-25T00:00:00Z', '--to', '2026-11-26T00:00:00Z', '--window-minutes', '15'], {
      stdout: (t) => (out += t),
      stderr: () => undefined,
    });
    expect(code).toBe(0);
    expectPeopleOnly(JSON.parse(out) as Answer);
    const res = await fetch(`${central.url}/api/v1/trace?idNo=${TRACED}&from=2026-11-25T00:00:00Z&to=2026-11-26T00:00:00Z&windowMinutes=15`, { headers: { authorization: `Bearer ${central.adminToken}` } });
    expect(res.status).toBe(200);
    expectPeopleOnly((await res.json()) as Answer);
  });

  it('the operations room shows the count under each landmark, and its CSV carries it in a column after the check-in id', async () => {
    const cookie = await signIn(central.url, central.adminToken);
    const form = { idNo: TRACED, from: '2026-11-25T07:00', to: '2026-11-26T07:00', windowMinutes: '15', lang: 'en' };
    const post = (route: string) => fetch(`${central.url}${route}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams(form).toString() });
    const page = await (await post('/dashboard')).text();
    expect([...page.matchAll(/data-unidentified="(\d+)"/g)].map((m) => m[1])).toEqual(['3', '2']);
    expect(page).toContain('3 scans without identity (unreadable or unknown codes) at this checkpoint within the window, not listed.');
    expect(page.match(/<tr data-contact=/g)).toHaveLength(2);
    expect(page).toContain('MUSTERMANN ERIKA');

    const csv = new TextDecoder('utf-8', { ignoreBOM: true }).decode(await (await post('/dashboard/trace.csv')).arrayBuffer());
    const lines = csv.slice(1).split('\r\n').filter(Boolean);
    expect(lines[0]!.endsWith(',check-in id,Scans without identity nearby,Near landmarks: count,Near landmarks: first (check-in id),Near landmarks: last (check-in id)')).toBe(true);
    const rows = lines.slice(1).map((l) => l.split(','));
    // Two contacts of the first landmark (with its count), one row for the second landmark: no contact, its count.
    expect(rows.map((r) => [r[1], r[6], r[10], r[11]])).toEqual([
      ['cp-1', '', byName.id, '3'],
      ['cp-1', '001090000002', byId.id, '3'],
      ['cp-2', '', '', '2'],
    ]);
    expect(rows.every((r) => r.length === 15)).toBe(true);
  });
});
