/**
 * The ranges of `central trace`, /api/v1/trace and `central export --from/--to` are half-open:
 * check-ins scanned at or after `from` and before `to`. Before, both ends were included, so the
 * daily ranges `--from 2026-11-30 --to 2026-12-01` and `--from 2026-12-01 --to 2026-12-02` both
 * held a check-in at exactly local midnight (counted twice), and the operations room's form, which
 * has minute precision, missed 23:59:01–23:59:59 with "to 23:59". Now each such check-in is in one
 * daily range, the form's "to" covers its whole minute, and a range whose `to` equals its `from`
 * (which holds nothing now) is refused, saying how a whole day is written. SQLite and PostgreSQL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { ingestCheckIns } from '../../server/checkins.js';
import { centralMain } from '../../server/cli.js';
import { silentLogger } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { signIn } from '../helpers/ops-session.js';
import { pgBackend } from '../helpers/postgres.js';

const ZONE = 'Asia/Ho_Chi_Minh';
const NOW = Date.parse('2026-12-02T05:00:00.000Z');
let n = 0;

function checkIn(local: string): CheckIn {
  return {
    id: `01a44000-0000-7000-8000-${String(++n).padStart(12, '0')}`,
    deviceId: 'k',
    checkpointId: 'cp-1',
    direction: 'in',
    scannedAt: new Date(`${local}+07:00`).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: { idType: 'cccd', idNo: '001090000001', name: 'Nguyễn Văn An' },
  };
}

const lastMinute = checkIn('2026-11-30T23:59:30');
const midnight = checkIn('2026-12-01T00:00:00');
const noon = checkIn('2026-12-01T12:00:00');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await centralMain(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out, err };
}

describe.each(['sqlite', 'postgres'] as const)('on %s', (backend) => {
  const pgb = pgBackend(backend);
  let dir: string;
  let central: CentralServer;
  let where: string[];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-range-ends-'));
    const database = await pgb.database();
    central = await startCentral({ dataDir: dir, ...(database ? { database } : {}), port: 0, logger: silentLogger, clock: { now: () => NOW }, timeZone: ZONE });
    where = database ? ['--database', database, '--data-dir', dir] : ['--data-dir', dir];
    expect((await ingestCheckIns(central.storage, 'k', [lastMinute, midnight, noon], new Date(NOW).toISOString())).accepted).toHaveLength(3);
  }, 120_000);
  afterAll(async () => {
    await central?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('consecutive daily traces hold a check-in at local midnight once: in the day it starts', async () => {
    const day = async (from: string, to: string) => {
      const r = await cli(['trace', ...where, '--id', '001090000001', '--from', from, '--to', to, '--window-minutes', '0']);
      expect(r.err).toBe('');
      return (JSON.parse(r.out) as { landmarks: { checkIn: { id: string } }[]; toLocal: string }).landmarks.map((l) => l.checkIn.id);
    };
    expect(await day('2026-11-30', '2026-12-01')).toEqual([lastMinute.id]);
    expect(await day('2026-12-01', '2026-12-02')).toEqual([midnight.id, noon.id]);
    // A time as the end: the same rule.
    expect(await day('2026-11-30T12:00', '2026-12-01T00:00')).toEqual([lastMinute.id]);
    expect(await day('2026-12-01T00:00', '2026-12-01T12:00')).toEqual([midnight.id]);
  });

  it('consecutive daily lawful exports count a check-in at local midnight once', async () => {
    const request = ['--requested-by', 'Inspector Lê Văn Tám', '--reason', 'Case 12/2026'];
    const counts: number[] = [];
    for (const [from, to] of [['2026-11-30', '2026-12-01'], ['2026-12-01', '2026-12-02']] as const) {
      const r = await cli(['export', ...where, '--from', from, '--to', to, ...request, '--out', path.join(dir, `${backend}-${from}.jws`)]);
      expect(r.err).toBe('');
      counts.push((JSON.parse(r.out) as { count: number }).count);
    }
    expect(counts).toEqual([1, 2]);
  });

  it('a range whose to is its from is refused, saying how a whole day is written', async () => {
    const res = await fetch(`${central.url}/api/v1/trace`, {
      method: 'POST',
      headers: { authorization: `Bearer ${central.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ idNo: '001090000001', from: '2026-12-01', to: '2026-12-01' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      'to: the same instant as from: the range ends just before to, so it would hold nothing (a whole day is from 2026-12-01 to 2026-12-02)',
    );
    const r = await cli(['export', ...where, '--from', '2026-12-01', '--to', '2026-12-01', '--requested-by', 'Inspector', '--reason', 'Case 12/2026', '--out', path.join(dir, 'never.jws')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--to: the same instant as --from');
    expect(fs.existsSync(path.join(dir, 'never.jws'))).toBe(false);
  });

  it("the operations room's \"to 23:59\" covers the whole minute, and not the next day's midnight", async () => {
    const cookie = await signIn(central.url, central.adminToken);
    const form = { idNo: '001090000001', from: '2026-11-30T00:00', to: '2026-11-30T23:59', windowMinutes: '0', lang: 'en' };
    const page = await (
      await fetch(`${central.url}/dashboard`, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' }, body: new URLSearchParams(form).toString() })
    ).text();
    expect(page).toContain('data-trace-answer="found"');
    expect(page.match(/<article class="landmark">/g)).toHaveLength(1);
    expect(page).toContain('1 landmark, 0 contacts');
  });
});
