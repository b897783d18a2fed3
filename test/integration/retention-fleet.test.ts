/**
 * One retention for every node of a database: the first node records its --retention-days; on a
 * shared PostgreSQL database a node started with another value is refused before it purges
 * anything (exit 2 from the CLI, naming both values and `central retention-days --set`), a node
 * started without the flag takes the recorded value, and `central retention-days --set N` changes
 * it for the running nodes at their next purge. A SQLite data dir (one node) records the flag it is
 * started with. Real servers on 127.0.0.1, a throwaway PostgreSQL cluster.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCentral, type CentralServer } from '../../server/app.js';
import { centralMain } from '../../server/cli.js';
import { DatabaseSettingError } from '../../server/storage/errors.js';
import { silentLogger } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { startPgCluster, type PgCluster } from '../helpers/postgres.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-20T10:00:00.000Z');
const clock = { now: () => NOW };

let cluster: PgCluster;
let dir: string;
beforeAll(async () => {
  cluster = await startPgCluster({ fsync: 'off' });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ck-retention-fleet-'));
}, 120_000);
afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const checkIn = (daysAgo: number): CheckIn => ({
  id: randomUUID(),
  deviceId: 'dev-1',
  checkpointId: 'cp-1',
  direction: 'in',
  scannedAt: new Date(NOW - daysAgo * DAY).toISOString(),
  format: 'cccd',
  verdict: 'accept',
  reasons: ['identity-only'],
  subject: { idType: 'cccd', idNo: '001090000001' },
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await centralMain(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const node = (database: string, retentionDays?: number, retentionIntervalMs?: number): Promise<CentralServer> =>
  startCentral({ database, port: 0, logger: silentLogger, clock, ...(retentionDays === undefined ? {} : { retentionDays }), ...(retentionIntervalMs ? { retentionIntervalMs } : {}) });

describe('on a shared PostgreSQL database', () => {
  it('refuses a node with another --retention-days before it purges; a node without the flag follows the recorded value', async () => {
    const database = await cluster.createDatabase();
    const a = await node(database, 21);
    try {
      // Check-ins 10 days old: inside 21 days, outside 7.
      await a.storage.ingestCheckIns('dev-1', Array.from({ length: 15 }, () => checkIn(10)), new Date(NOW).toISOString());
      await expect(node(database, 7)).rejects.toThrow(DatabaseSettingError);
      await expect(node(database, 7)).rejects.toThrow(/--retention-days 7 differs from the 21 days recorded in the shared database.*central retention-days --set 7 --database URL/);
      const refused = await cli(['--database', database, '--port', '0', '--retention-days', '7']);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('--retention-days 7 differs from the 21 days recorded');
      expect(refused.stderr).not.toContain(database);
      expect(await a.storage.countCheckIns()).toBe(15);

      const b = await node(database);
      try {
        await new Promise((r) => setTimeout(r, 200));
        expect(await a.storage.countCheckIns()).toBe(15);
        expect(await cli(['retention-days', '--database', database])).toMatchObject({ code: 0, stdout: '{"retentionDays":21,"recorded":true}\n' });
      } finally {
        await b.close();
      }
      // The same value as recorded is fine.
      await (await node(database, 21)).close();
    } finally {
      await a.close();
    }
  }, 60_000);

  it('central retention-days --set changes it for the running nodes at their next purge', async () => {
    const database = await cluster.createDatabase();
    const a = await node(database, undefined, 200);
    try {
      await a.storage.ingestCheckIns('dev-1', [checkIn(10), checkIn(10), checkIn(3)], new Date(NOW).toISOString());
      const set = await cli(['retention-days', '--set', '7', '--database', database]);
      expect(set).toMatchObject({ code: 0, stdout: '{"retentionDays":7,"previous":21}\n' });
      expect(set.stderr).toContain('running nodes take it at their next purge');
      const deadline = Date.now() + 10_000;
      while ((await a.storage.countCheckIns()) !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      expect(await a.storage.countCheckIns()).toBe(1);
      const audited = [];
      for await (const r of a.storage.auditRows()) if (r.action === 'retention-days-set') audited.push(JSON.parse(r.detail ?? 'null') as unknown);
      expect(audited).toEqual([{ via: 'cli', from: 21, to: 7 }]);
      // Nodes started from now on use it; the old value is refused.
      await expect(node(database, 21)).rejects.toThrow(/--retention-days 21 differs from the 7 days recorded/);
      expect((await cli(['retention-days', '--set', '0', '--database', database])).code).toBe(2);
    } finally {
      await a.close();
    }
  }, 60_000);
});

it('a SQLite data dir (one node) records the --retention-days it is started with, and keeps it without the flag', async () => {
  const dataDir = path.join(dir, 'sqlite');
  await (await startCentral({ dataDir, port: 0, logger: silentLogger, clock, retentionDays: 30 })).close();
  expect((await cli(['retention-days', '--data-dir', dataDir])).stdout).toBe('{"retentionDays":30,"recorded":true}\n');
  await (await startCentral({ dataDir, port: 0, logger: silentLogger, clock, retentionDays: 14 })).close();
  const s = await startCentral({ dataDir, port: 0, logger: silentLogger, clock });
  await s.close();
  expect((await cli(['retention-days', '--data-dir', dataDir])).stdout).toBe('{"retentionDays":14,"recorded":true}\n');
}, 60_000);
