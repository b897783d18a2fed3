/**
 * `central export --checkpoint ID` matching no checkpoint ever seen (no stored check-in, no
 * device's heartbeat names it: a typo, another case) wrote an empty signed export without a word.
 * It still writes it (exit 0: a retired checkpoint has no data either, and the empty export is a
 * true answer) but warns on stderr and in the JSON answer's `warning`, naming the checkpoint and
 * the known ones when there are few, or the close one. A known checkpoint without data in the range
 * is not warned about. Real SQLite data dir and a real throwaway PostgreSQL database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestCheckIns } from '../../server/checkins.js';
import { centralMain } from '../../server/cli.js';
import { openStorage } from '../../server/storage/open.js';
import type { StoredHeartbeat } from '../../server/storage/types.js';
import type { CheckIn } from '../../src/shared/types.js';
import { plantedSubject } from '../fixtures/store/pre-seal.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';

let cluster: PgCluster;
let dir: string;
beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-export-cp-'));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.parse('2026-11-25T00:00:00.000Z');
let n = 0;
function checkIn(checkpointId: string, i: number): CheckIn {
  return {
    id: `0190c000-0000-7000-8000-${(++n).toString(16).padStart(12, '0')}`,
    deviceId: 'dev-1',
    checkpointId,
    direction: 'in',
    scannedAt: new Date(T0 + i * 3_600_000).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: plantedSubject(i),
  } as CheckIn;
}

const heartbeat = (checkpointId: string): StoredHeartbeat => ({
  queueDepth: 0,
  oldestPendingAt: null,
  lastScanAt: null,
  trustIssuedAt: null,
  version: '1.0.0',
  clockOffsetMs: null,
  appliedConfigVersion: null,
  updateState: null,
  oldestIdentityAt: null,
  checkpointId,
  direction: 'in',
  body: JSON.stringify({ queueDepth: 0, version: '1.0.0', checkpointId }),
});

async function cli(args: string[]): Promise<{ code: number; out: Record<string, unknown>; err: string }> {
  let out = '';
  let err = '';
  const code = await centralMain(args, { stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { code, out: out ? (JSON.parse(out) as Record<string, unknown>) : {}, err };
}

describe.each(['sqlite', 'postgres'] as const)('central export --checkpoint on %s', (backend) => {
  it('warns about a checkpoint nothing ever named, naming the known ones, and still writes the export', async () => {
    const where = backend === 'sqlite' ? ['--data-dir', path.join(dir, backend)] : ['--database', await cluster.createDatabase()];
    const open = () => openStorage(backend === 'sqlite' ? { dataDir: path.join(dir, backend) } : { database: where[1]! });
    let storage = await open();
    try {
      await ingestCheckIns(storage, 'dev-1', [checkIn('GATE-1', 0), checkIn('GATE-1', 1), checkIn('cp-a', 2)], new Date(T0).toISOString());
      // Named only by a kiosk's heartbeat: known, though it has no check-in yet.
      await storage.recordHeartbeat('dev-2', heartbeat('HB-only'), T0);
    } finally {
      await storage.close();
    }
    const base = ['export', ...where, '--from', '2026-11-25T00:00Z', '--to', '2026-11-26T00:00Z', '--requested-by', 'Inspector Lê Văn Tám', '--reason', 'Case 12/2026'];
    let k = 0;
    const run = (checkpoint: string, extra: string[] = []) => cli([...base, ...extra, '--checkpoint', checkpoint, '--out', path.join(dir, `${backend}-${++k}.jws`)]);

    // Known: no warning.
    const known = await run('GATE-1');
    expect([known.code, known.err, known.out.count, known.out.warning]).toEqual([0, '', 2, undefined]);
    const heartbeatOnly = await run('HB-only');
    expect([heartbeatOnly.code, heartbeatOnly.err, heartbeatOnly.out.count, heartbeatOnly.out.warning]).toEqual([0, '', 0, undefined]);
    // Known, no data in the range: an empty export, no warning.
    const elsewhere = await cli([...base.slice(0, -8), '--from', '2026-11-27T00:00Z', '--to', '2026-11-28T00:00Z', ...base.slice(-4), '--checkpoint', 'GATE-1', '--out', path.join(dir, `${backend}-${++k}.jws`)]);
    expect([elsewhere.code, elsewhere.err, elsewhere.out.count]).toEqual([0, '', 0]);

    // Another case: warned, the known ones listed, the close one named; the file is written.
    const wrongCase = await run('gate-1');
    expect(wrongCase.code).toBe(0);
    expect(wrongCase.out.count).toBe(0);
    expect(fs.existsSync(path.join(dir, `${backend}-${k}.jws`))).toBe(true);
    expect(wrongCase.out.warning).toBe(
      "--checkpoint gate-1: no stored check-in and no kiosk's heartbeat names this checkpoint (the match is exact, case included), so the export holds no check-in; it was written all the same; did you mean GATE-1? known checkpoints: GATE-1, HB-only, cp-a",
    );
    expect(wrongCase.err).toBe(`central export: warning: ${wrongCase.out.warning as string}\n`);
    const unrelated = await run('XYZ');
    expect(unrelated.out.warning).toMatch(/^--checkpoint XYZ: .*; known checkpoints: GATE-1, HB-only, cp-a$/);

    // Many checkpoints: not listed; a typo still named.
    storage = await open();
    try {
      await ingestCheckIns(storage, 'dev-1', Array.from({ length: 12 }, (_, i) => checkIn(`station-${String(i).padStart(2, '0')}`, 3)), new Date(T0).toISOString());
    } finally {
      await storage.close();
    }
    expect((await run('statoin-07')).out.warning).toMatch(/; did you mean station-07\? \(more than 10 checkpoints are known\)$/);
    const far = await run('QQQQQQQQQQQQ');
    expect(far.code).toBe(0);
    expect(far.out.warning).toMatch(/; more than 10 checkpoints are known, none close to it$/);
  }, 60_000);
});
