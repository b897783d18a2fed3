/**
 * A trace is bounded in work and answer. Before, each landmark read and listed up to 2,000
 * check-ins of its own window: a frequently scanned ID (staff scanned every 20 s at a busy
 * checkpoint) with a wide window listed the same people once per landmark (1,000 × 2,000 records:
 * 3 GB, then a 500 "Invalid string length"; the audit said "nearby": 2000000). Now overlapping
 * windows at one checkpoint are read once and each contact is listed once, under the nearest
 * landmark, with `nearLandmarks` naming the run of landmarks it was near; a trace with more than
 * TRACE_LIMITS.maxNearbyTotal check-ins near its landmarks is refused (API 422 trace-too-large,
 * CLI exit 2, the operations room's form error, the CSV 422), naming the bound and how to narrow,
 * and the audit log records the refusal with nothing handed out. SQLite and PostgreSQL (sealed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { ingestCheckIns } from '../../server/checkins.js';
import { centralMain } from '../../server/cli.js';
import { TRACE_LIMITS } from '../../server/trace.js';
import { silentLogger, systemClock } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { signIn } from '../helpers/ops-session.js';
import { pgBackend } from '../helpers/postgres.js';

const HOUR = 3_600_000;
/** A whole hour three days ago (within retention whenever the suite runs). */
const T0 = Math.floor(Date.now() / HOUR) * HOUR - 72 * HOUR;
let n = 0;

function checkIn(checkpointId: string, atMs: number, idNo: string | undefined): CheckIn {
  return {
    id: `01a42000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    deviceId: 'k',
    checkpointId,
    direction: 'in',
    scannedAt: new Date(atMs).toISOString(),
    format: idNo ? 'cccd' : 'unknown',
    verdict: idNo ? 'accept' : 'reject',
    reasons: idNo ? ['identity-only'] : ['unknown-format'],
    subject: idNo ? { idType: 'cccd', idNo, name: `Person ${idNo}` } : {},
  };
}

// STAFF: scanned every 20 s for 10 minutes at BUSY, where others pass every 7 s (and 5 unreadable
// codes); once more at QUIET six hours later with one other person 2 minutes after.
const staff = Array.from({ length: 31 }, (_, k) => checkIn('BUSY', T0 + k * 20_000, 'STAFF'));
const others = Array.from({ length: 91 }, (_, j) => checkIn('BUSY', T0 - 5_000 + j * 7_000, `P${j}`));
const unreadable = Array.from({ length: 5 }, (_, j) => checkIn('BUSY', T0 + 1_000 + j * 100_000, undefined));
const quiet = checkIn('QUIET', T0 + 6 * HOUR, 'STAFF');
const quietContact = checkIn('QUIET', T0 + 6 * HOUR + 120_000, 'Q1');
// BIG: one check-in at HUGE with more than the bound of others within ±24 h (one every 1.5 s, 4 h 10 min either side).
const bigAt = T0 + 30 * HOUR;
const big = checkIn('HUGE', bigAt, 'BIG');
const crowd = Array.from({ length: TRACE_LIMITS.maxNearbyTotal + 1 }, (_, i) => checkIn('HUGE', bigAt - 15_000_000 + i * 1_500, `C${i}`));

// TIED: check-ins sharing a millisecond across the storage pages the trace reads (1,000 rows each):
// 600 at one instant, 900 at the next second, 10 after.
const tiedAt = T0 + 50 * HOUR;
const tiedMark = checkIn('TIED', tiedAt, 'TIE');
const tied = [...Array.from({ length: 600 }, (_, i) => checkIn('TIED', tiedAt + 1_000, `A${i}`)), ...Array.from({ length: 900 }, (_, i) => checkIn('TIED', tiedAt + 2_000, `B${i}`)), ...Array.from({ length: 10 }, (_, i) => checkIn('TIED', tiedAt + 3_000 + i, `D${i}`))];

type Contact = { id: string; scannedAt: string; nearLandmarks?: { count: number; first: string; last: string } };
type Answer = { landmarks: { checkIn: { id: string; scannedAt: string }; nearby: Contact[]; unidentifiedNearby: number; truncated: boolean }[]; truncated: boolean };

describe.each(['sqlite', 'postgres'] as const)('on %s', (backend) => {
  const pgb = pgBackend(backend);
  let dir: string;
  let central: CentralServer;
  let storageArgs: string[];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-trace-bound-'));
    const database = await pgb.database();
    central = await startCentral({ dataDir: dir, ...(database ? { database } : {}), port: 0, logger: silentLogger, clock: systemClock, timeZone: 'UTC' });
    storageArgs = database ? ['--database', database, '--data-dir', dir] : ['--data-dir', dir];
    const all = [...staff, ...others, ...unreadable, quiet, quietContact, big, ...crowd, tiedMark, ...tied];
    for (let i = 0; i < all.length; i += 1000) {
      const batch = all.slice(i, i + 1000);
      expect((await ingestCheckIns(central.storage, 'k', batch, new Date().toISOString())).accepted).toHaveLength(batch.length);
    }
  }, 300_000);
  afterAll(async () => {
    await central?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const api = (body: Record<string, unknown>) =>
    fetch(`${central.url}/api/v1/trace`, { method: 'POST', headers: { authorization: `Bearer ${central.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const traces = async () => {
    const out: Record<string, unknown>[] = [];
    for await (const r of central.storage.auditRows()) if (r.action === 'trace') out.push(JSON.parse(r.detail ?? '{}') as Record<string, unknown>);
    return out;
  };
  const range = { from: new Date(T0 - HOUR).toISOString(), to: new Date(T0 + 40 * HOUR).toISOString() };

  it('overlapping windows list each contact once, under the nearest landmark, with the landmarks it was near', async () => {
    const res = await api({ idNo: 'STAFF', ...range, windowMinutes: 1440 });
    expect(res.status).toBe(200);
    const a = (await res.json()) as Answer;
    expect(a.landmarks.map((l) => l.checkIn.id)).toEqual([...staff, quiet].map((c) => c.id));
    const listed = a.landmarks.flatMap((l) => l.nearby.map((c) => c.id));
    // Each once (not 31 times): the 91 people at BUSY and the one at QUIET.
    expect(listed).toHaveLength(92);
    expect(new Set(listed).size).toBe(92);
    expect(a.landmarks.reduce((s, l) => s + l.unidentifiedNearby, 0)).toBe(5);
    for (const [i, l] of a.landmarks.slice(0, 31).entries()) {
      for (const c of l.nearby) {
        const t = Date.parse(c.scannedAt);
        const dist = staff.map((s) => Math.abs(Date.parse(s.scannedAt) - t));
        expect(dist.indexOf(Math.min(...dist))).toBe(i);
        expect(c.nearLandmarks).toEqual({ count: 31, first: staff[0]!.id, last: staff[30]!.id });
      }
      expect(l.truncated).toBe(false);
    }
    // A contact near one landmark only carries no extra member: the answer as it always was.
    expect(a.landmarks[31]!.nearby.map((c) => c.id)).toEqual([quietContact.id]);
    expect(Object.keys(a.landmarks[31]!.nearby[0]!)).not.toContain('nearLandmarks');
    expect((await traces()).at(-1)).toMatchObject({ via: 'api', landmarks: 32, nearby: 92, truncated: false });
  });

  it('a small window near a run of landmarks names the run each contact was near', async () => {
    const a = (await (await api({ idNo: 'STAFF', ...range, windowMinutes: 1 })).json()) as Answer;
    const contacts = a.landmarks.flatMap((l) => l.nearby);
    // ±60 s around landmarks 20 s apart: each person is near 3 to 7 landmarks, listed once.
    expect(new Set(contacts.map((c) => c.id)).size).toBe(contacts.length);
    for (const c of contacts.filter((x) => x.nearLandmarks)) {
      const t = Date.parse(c.scannedAt);
      const near = [...staff, quiet].filter((s) => s.checkpointId === 'BUSY' && Math.abs(Date.parse(s.scannedAt) - t) <= 60_000);
      expect(c.nearLandmarks).toEqual({ count: near.length, first: near[0]!.id, last: near.at(-1)!.id });
    }
  });

  it('reads check-ins sharing a millisecond across page boundaries once each, none lost', async () => {
    const res = await api({ idNo: 'TIE', from: new Date(tiedAt).toISOString(), to: new Date(tiedAt + 1).toISOString(), windowMinutes: 5 });
    expect(res.status).toBe(200);
    const listed = ((await res.json()) as Answer).landmarks[0]!.nearby.map((c) => c.id);
    expect(listed.length).toBe(tied.length);
    expect(new Set(listed)).toEqual(new Set(tied.map((c) => c.id)));
  });

  it('more than the bound near the landmarks is refused everywhere, saying how to narrow, and the refusal is audited', async () => {
    const asked = { idNo: 'BIG', ...range, windowMinutes: 1440 };
    const before = (await traces()).length;
    const res = await api(asked);
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('trace-too-large');
    expect(body.message).toContain(`more than ${TRACE_LIMITS.maxNearbyTotal} check-ins within ±1440 minutes`);
    expect(body.message).toMatch(/shorter range .* smaller windowMinutes/);
    expect(body.message).not.toContain('BIG');

    let err = '';
    let out = '';
    const code = await centralMain(['trace', ...storageArgs, '--id', 'BIG', '--from', range.from, '--to', range.to, '--window-minutes', '1440'], {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
    });
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toContain(`central trace: nearby: more than ${TRACE_LIMITS.maxNearbyTotal} check-ins`);
    expect(err).toContain('--window-minutes');

    const cookie = await signIn(central.url, central.adminToken);
    const form = { idNo: 'BIG', from: new Date(T0 - HOUR).toISOString().slice(0, 16), to: new Date(T0 + 40 * HOUR).toISOString().slice(0, 16), windowMinutes: '1440', lang: 'en' };
    const post = (route: string) => fetch(`${central.url}${route}`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams(form).toString() });
    const page = await post('/dashboard');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('More than 20,000 check-ins lie near this person&#39;s landmarks');
    const csv = await post('/dashboard/trace.csv');
    expect(csv.status).toBe(422);
    expect(((await csv.json()) as { error: string }).error).toBe('trace-too-large');

    const entries = (await traces()).slice(before);
    expect(entries.map((e) => e.via)).toEqual(['api', 'cli', 'dashboard', 'dashboard-csv']);
    for (const e of entries) expect(e).toMatchObject({ landmarks: 0, nearby: 0, refused: 'trace-too-large', limit: TRACE_LIMITS.maxNearbyTotal, windowMinutes: 1440 });

    // Narrowed (±60 minutes), the same person is answered.
    const narrowed = await api({ ...asked, windowMinutes: 60 });
    expect(narrowed.status).toBe(200);
    const a = (await narrowed.json()) as Answer;
    expect(a.landmarks[0]!.nearby).toHaveLength(2 * 2400 + 1);
    expect((await traces()).at(-1)).toMatchObject({ via: 'api', landmarks: 1, nearby: 4801 });
  }, 120_000);
});
