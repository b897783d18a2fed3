/**
 * `checkpoint-kiosk central ...` as real child processes (the stand-alone entry server/main.ts,
 * which takes the same arguments): listening line, SIGTERM, enroll-code, admin-token, export,
 * trace, usage errors.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { killAndWait, repoRoot, spawnCentral } from '../helpers/sync-fixtures.js';

let dir: string;

function central(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'server/main.ts'), ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, CHECKPOINT_KIOSK_LOG: 'warn' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'central-cli-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

it('serves until SIGTERM, then export, trace, enroll-code and admin-token work on its data dir', async () => {
  const { child, url } = await spawnCentral(['--data-dir', dir, '--port', '0']);
  try {
    const code = JSON.parse(central(['enroll-code', '--data-dir', dir, '--ttl-hours', '2']).stdout) as { code: string; expiresAt: string };
    expect(code.code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
    const enr = await fetch(`${url}/api/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code: code.code, device: { name: 'k', version: '0', platform: 'linux' } }) });
    const { token } = (await enr.json()) as { token: string };
    const records = [
      { id: '01a21000-0000-7000-8000-000000000002', scannedAt: '2026-11-25T08:10:00.000Z', subject: { idNo: '001090000002' } },
      { id: '01a21000-0000-7000-8000-000000000001', scannedAt: '2026-11-25T08:00:00.000Z', subject: { idNo: '001090000001' } },
    ].map((r) => ({ ...r, deviceId: 'k', checkpointId: 'cp-7', direction: 'in', format: 'cccd', verdict: 'accept', reasons: [] }));
    const res = await fetch(`${url}/api/v1/checkins`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${token}` },
      body: zlib.gzipSync(JSON.stringify({ checkins: records })),
    });
    expect(res.status).toBe(200);
  } finally {
    expect(await killAndWait(child, 'SIGTERM')).toBe(0);
  }
  const exported = central(['export', '--data-dir', dir]);
  expect(exported.status).toBe(0);
  expect(exported.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual([
    '01a21000-0000-7000-8000-000000000001',
    '01a21000-0000-7000-8000-000000000002',
  ]);
  const traced = central(['trace', '--data-dir', dir, '--id', '001090000001', '--from', '2026-11-25T00:00:00Z', '--to', '2026-11-26T00:00:00Z', '--window-minutes', '15']);
  expect(traced.status).toBe(0);
  const t = JSON.parse(traced.stdout) as { landmarks: { nearby: { id: string }[] }[] };
  expect(t.landmarks[0]?.nearby.map((c) => c.id)).toEqual(['01a21000-0000-7000-8000-000000000002']);
  const token1 = central(['admin-token', '--data-dir', dir]).stdout.trim();
  expect(token1).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(central(['admin-token', '--data-dir', dir]).stdout.trim()).toBe(token1);
  const rotated = central(['admin-token', '--rotate', '--data-dir', dir]);
  expect(rotated.status).toBe(0);
  const token2 = rotated.stdout.trim();
  expect(token2).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(token2).not.toBe(token1);
  expect(central(['admin-token', '--data-dir', dir]).stdout.trim()).toBe(token2);
}, 180_000);

it('exits 2 with a message naming the bad flag', () => {
  const cases: [string[], RegExp][] = [
    [['--port', '99999', '--data-dir', dir], /--port/],
    [['--bogus'], /--bogus/],
    [[], /--data-dir/],
    [['export'], /--data-dir/],
    [['export', '--data-dir', path.join(dir, 'nothing-here')], /holds no central database/],
    [['enroll-code', '--data-dir', path.join(dir, 'nothing-here')], /holds no central database/],
    [['admin-token', '--data-dir', path.join(dir, 'nothing-here')], /holds no central database/],
    [['--database', 'mysql://u@h/db'], /--database: scheme mysql:/],
    [['export', '--database', 'postgres://u@h'], /--database: no database name/],
    [['trace', '--data-dir', dir, '--id', 'x', '--from', 'x', '--to', 'y'], /--from/],
    [['enroll-code', '--data-dir', dir, '--ttl-hours', 'abc'], /--ttl-hours/],
    [['--data-dir', dir, '--trust', path.join(dir, 'missing.json')], /--trust/],
    [['frobnicate'], /frobnicate/],
  ];
  fs.writeFileSync(path.join(dir, 'central.sqlite'), '');
  for (const [args, message] of cases) {
    const r = central(args);
    expect(r.status, args.join(' ')).toBe(2);
    expect(r.stderr).toMatch(message);
  }
  // Saying "no database there" created none.
  expect(fs.existsSync(path.join(dir, 'nothing-here'))).toBe(false);
}, 180_000);

it('refuses an unknown --time-zone before creating a data dir', () => {
  const r = central(['--data-dir', path.join(dir, 'new'), '--time-zone', 'Asia/Hanoi']);
  expect(r.status).toBe(2);
  expect(r.stderr).toMatch(/--time-zone: unknown time zone "Asia\/Hanoi"/);
  expect(fs.existsSync(path.join(dir, 'new'))).toBe(false);
});
