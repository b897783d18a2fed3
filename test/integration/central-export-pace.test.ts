/**
 * `central export` (every check-in as JSON lines, on a real SQLite data dir) goes at its reader's
 * pace: while stdout has not drained (a pipe to a slow `gzip` or `ssh`), no more than a few
 * hundred lines are handed over, instead of the whole table piling up in the process; once it
 * drains, the rest follows, each check-in once.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { centralMain } from '../../server/cli.js';
import { ingestCheckIns } from '../../server/checkins.js';
import { openStorage } from '../../server/storage/open.js';
import { silentLogger, uuidv7Source } from '../../src/core/system.js';
import type { CheckIn } from '../../src/shared/types.js';
import { CLI, runCli } from '../helpers/cli.js';

const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const COUNT = 1_000;
let dir: string;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'export-pace-'));
  const storage = await openStorage({ dataDir: dir, logger: silentLogger });
  const ids = uuidv7Source({ now: () => T0 });
  const all = Array.from({ length: COUNT }, (_, i) => ({
    id: ids.next(),
    deviceId: 'kiosk-a',
    checkpointId: 'cp-a',
    direction: 'in',
    scannedAt: new Date(T0 + i * 1000).toISOString(),
    format: 'cccd',
    verdict: 'accept',
    reasons: ['identity-only'],
    subject: { idNo: `00109${String(i).padStart(7, '0')}` },
  })) as CheckIn[];
  await ingestCheckIns(storage, 'kiosk-a', all, new Date(T0 + COUNT * 1000).toISOString());
  await storage.close();
});

afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('hands over at most 256 lines while stdout has not drained, then the rest, each check-in once', async () => {
  const lines: string[] = [];
  let release: () => void = () => undefined;
  const drained = new Promise<void>((r) => (release = r));
  let waits = 0;
  const running = centralMain(['export', '--data-dir', dir], {
    stdout: (t) => lines.push(...t.split('\n').filter(Boolean)),
    stderr: () => undefined,
    stdoutDrained: () => {
      waits++;
      return drained;
    },
  });
  // Let the export run as far as it goes without the reader.
  for (let i = 0; i < 50 && waits === 0; i++) await new Promise((r) => setTimeout(r, 20));
  for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
  expect(waits).toBe(1);
  expect(lines).toHaveLength(256);
  release();
  expect(await running).toBe(0);
  expect(lines).toHaveLength(COUNT);
  expect(new Set(lines.map((l) => (JSON.parse(l) as CheckIn).id)).size).toBe(COUNT);
});

it('an export cut short by its reader (| head -1) is in the audit log with the check-ins it began with', () => {
  const cmd = `${JSON.stringify(process.execPath)} ${CLI.map((a) => JSON.stringify(a)).join(' ')} central export --data-dir ${JSON.stringify(dir)} | head -1; echo "rc=\${PIPESTATUS[0]}" >&2`;
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', cwd: process.cwd() });
  expect(r.stdout.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain('rc=0');
  const audit = runCli(['central', 'audit', '--data-dir', dir]);
  expect(audit.code, audit.stderr).toBe(0);
  const exports = audit.lines.filter((l) => (l as { action?: string }).action === 'export');
  expect(exports).toEqual([expect.objectContaining({ actor: 'cli', detail: { via: 'cli', count: COUNT } })]);
}, 60_000);
