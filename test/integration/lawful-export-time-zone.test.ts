/**
 * `central export --from/--to` (the signed lawful export) reads a time without a zone the way
 * `central trace` and the operations room do: in the server's --time-zone (recorded in the
 * database by the last start), or in `--time-zone ZONE`; it echoes the range as exported with its
 * offset, and refuses a date that does not exist instead of rolling it into the next month. Real
 * SQLite data dir and a real throwaway PostgreSQL database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCheckIns } from '../../server/checkins.js';
import { centralMain } from '../../server/cli.js';
import { openStorage } from '../../server/storage/open.js';
import type { CheckIn } from '../../src/shared/types.js';
import { plantedSubject } from '../fixtures/store/pre-seal.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';

let cluster: PgCluster;
let dir: string;
beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-export-tz-'));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Check-ins every hour from 2026-11-25T00:00Z (07:00 in Hanoi, 01:00 in Berlin). */
const T0 = Date.parse('2026-11-25T00:00:00.000Z');
function checkIn(i: number): CheckIn {
  return {
    id: `0190b000-0000-7000-8000-${i.toString(16).padStart(12, '0')}`,
    deviceId: 'dev-1',
    checkpointId: 'cp-a',
    direction: 'in',
    scannedAt: new Date(T0 + i * 3_600_000).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: plantedSubject(i),
  } as CheckIn;
}

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string }> {
  const out: string[] = [];
  let err = '';
  const code = await centralMain(args, { stdout: (t) => out.push(...t.split('\n').filter(Boolean)), stderr: (t) => (err += t) });
  return { code, out, err };
}

/** The scan times (UTC) in a signed export file. */
function exportedTimes(file: string): string[] {
  const payload = JSON.parse(Buffer.from(fs.readFileSync(file, 'utf8').trim().split('.')[1]!, 'base64url').toString('utf8')) as { checkins: CheckIn[] };
  return payload.checkins.map((c) => c.scannedAt);
}

describe.each(['sqlite', 'postgres'] as const)('central export --from/--to on %s', (backend) => {
  it('reads zone-less times in the server time zone (or --time-zone), echoes the range with its offset, refuses impossible dates', async () => {
    const where = backend === 'sqlite' ? ['--data-dir', path.join(dir, backend)] : ['--database', await cluster.createDatabase()];
    const storage = await openStorage(backend === 'sqlite' ? { dataDir: path.join(dir, backend) } : { database: where[1]! });
    try {
      await ingestCheckIns(storage, 'dev-1', Array.from({ length: 12 }, (_, i) => checkIn(i)), new Date(T0).toISOString());
      // What a server started with --time-zone Europe/Berlin records.
      await storage.fleet.setServerSetting('time-zone', 'Europe/Berlin');
    } finally {
      await storage.close();
    }
    const request = ['--requested-by', 'Inspector Lê Văn Tám', '--reason', 'Case 12/2026'];

    // 03:00–05:00 Berlin (+01:00) = 02:00–04:00 UTC, 04:00 itself not included (half-open).
    const berlin = path.join(dir, `${backend}-berlin.jws`);
    const a = await cli(['export', ...where, '--from', '2026-11-25T03:00', '--to', '2026-11-25T05:00', ...request, '--out', berlin]);
    expect(a.err).toBe('');
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out[0]!)).toMatchObject({ count: 2, timeZone: 'Europe/Berlin', fromLocal: '2026-11-25T03:00:00+01:00', toLocal: '2026-11-25T05:00:00+01:00' });
    expect(exportedTimes(berlin)).toEqual(['2026-11-25T02:00:00.000Z', '2026-11-25T03:00:00.000Z']);

    // --time-zone overrides the server's; a time with an offset is taken as given.
    const hanoi = path.join(dir, `${backend}-hanoi.jws`);
    const b = await cli(['export', ...where, '--from', '2026-11-25T09:00', '--to', '2026-11-25T03:00:00Z', '--time-zone', 'Asia/Ho_Chi_Minh', ...request, '--out', hanoi]);
    expect(b.code).toBe(0);
    expect(JSON.parse(b.out[0]!)).toMatchObject({ count: 1, timeZone: 'Asia/Ho_Chi_Minh', fromLocal: '2026-11-25T09:00:00+07:00', toLocal: '2026-11-25T10:00:00+07:00' });
    expect(exportedTimes(hanoi)).toEqual(['2026-11-25T02:00:00.000Z']);

    // 30 February does not exist: refused (usage), nothing written, not read as 2 March.
    const bad = path.join(dir, `${backend}-bad.jws`);
    const c = await cli(['export', ...where, '--from', '2026-02-30T00:00', '--to', '2026-11-26T00:00', ...request, '--out', bad]);
    expect(c.code).toBe(2);
    expect(c.err).toMatch(/^central export: --from: not an ISO date-time: 2026-02-30T00:00 \(e\.g\. 2026-12-06T08:00, read in Europe\/Berlin, or 2026-12-06T08:00:00Z\)/);
    expect(fs.existsSync(bad)).toBe(false);
    expect((await cli(['export', ...where, '--from', '2026-11-25', '--to', '2026-04-31', ...request, '--out', bad])).err).toMatch(/^central export: --to: not an ISO date-time: 2026-04-31/);
    expect((await cli(['export', ...where, '--from', '2026-11-25', '--to', '2026-11-26', '--time-zone', 'Mars/Olympus', ...request, '--out', bad])).err).toMatch(/^central export: --time-zone: unknown time zone "Mars\/Olympus"/);
    expect((await cli(['export', ...where, '--time-zone', 'UTC'])).err).toMatch(/^central export: --time-zone is only used with --from and --to/);
    expect(fs.existsSync(bad)).toBe(false);
  }, 90_000);
});
