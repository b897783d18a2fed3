/**
 * A stdin-only headless run delivers its outbox before it exits at the end of input, within a
 * bound (--drain-seconds); when the server cannot be reached it says how many check-ins are left,
 * and the next start delivers them — none lost, none twice. Real central server (SQLite), the
 * real command.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freePort, killAndWait, spawnCentral } from '../helpers/sync-fixtures.js';
import type { ChildProcess } from 'node:child_process';

const CODE = 'DRAIN-CODE-1';
const card = (n: number) => `00109000${1000 + n}|123456789|Nguyễn Văn An|01021990|Nam|Số 1 Hàng Bạc, Hà Nội|15082021`;
let dir: string;
let port: number;
let central: { child: ChildProcess; url: string };
const centralDir = () => join(dir, 'central');
const kioskDir = () => join(dir, 'kiosk');
const startServer = async () => {
  central = await spawnCentral(['--data-dir', centralDir(), '--port', String(port), '--enrollment-code', CODE]);
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ck-drain-'));
  port = await freePort();
  await startServer();
}, 90_000);
afterAll(async () => {
  await killAndWait(central.child, 'SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

const kioskExport = () => runCli(['export', '--data-dir', kioskDir()]).lines;
const serverIds = () => runCli(['central', 'export', '--data-dir', centralDir()]).lines.map((l) => l.id as string);

it('delivers what it recorded before exiting at the end of input', () => {
  const r = runCli(['run', '--data-dir', kioskDir(), '--scanner', 'stdin', '--server', central.url, '--enroll', CODE], `${card(1)}\n${card(2)}\n`);
  expect(r.code).toBe(0);
  const printed = r.lines.filter((l) => l.event === 'checkin').map((l) => l.id as string);
  expect(printed).toHaveLength(2);
  expect(r.lines.map((l) => l.event)).not.toContain('pending');
  expect(kioskExport().map((l) => l.delivery)).toEqual(['forwarded', 'forwarded']);
  expect(serverIds().sort()).toEqual([...printed].sort());
}, 90_000);

it('with the server down, exits after --drain-seconds saying how many are pending; the next start delivers them once', async () => {
  const before = serverIds();
  await killAndWait(central.child, 'SIGTERM');
  const r = runCli(['run', '--data-dir', kioskDir(), '--scanner', 'stdin', '--server', central.url, '--drain-seconds', '1'], `${card(3)}\n${card(4)}\n`);
  expect(r.code).toBe(0);
  const printed = r.lines.filter((l) => l.event === 'checkin').map((l) => l.id as string);
  expect(printed).toHaveLength(2);
  expect(r.lines.find((l) => l.event === 'pending')).toMatchObject({ checkins: 2, overrides: 0 });
  expect(r.stderr).toMatch(/2 check-ins still pending after 1 s \(.+\); they are kept in .*kiosk and sent at the next start/);
  expect(r.lines.at(-1)?.event).toBe('stopped');
  expect(kioskExport().filter((l) => l.delivery === 'pending').map((l) => l.id)).toEqual(printed);

  await startServer();
  // No new input at all: the start delivers the backlog, then the end of input ends the run.
  const again = runCli(['run', '--data-dir', kioskDir(), '--scanner', 'stdin', '--server', central.url], '');
  expect(again.code).toBe(0);
  expect(again.lines.map((l) => l.event)).not.toContain('pending');
  expect(kioskExport().every((l) => l.delivery === 'forwarded')).toBe(true);
  const after = serverIds();
  expect(after).toHaveLength(4);
  expect(new Set(after).size).toBe(4);
  expect(after.sort()).toEqual([...before, ...printed].sort());
}, 120_000);

it('with its enrollment code refused, says at once that only a new code delivers them (waiting cannot)', () => {
  const data = join(dir, 'k-refused');
  const r = runCli(['run', '--data-dir', data, '--scanner', 'stdin', '--server', central.url, '--enroll', 'NOT-A-CODE', '--drain-seconds', '600'], `${card(5)}\n`);
  expect(r.code).toBe(0);
  expect(r.lines.find((l) => l.event === 'pending')).toMatchObject({ checkins: 1, overrides: 0 });
  expect(r.stderr).toMatch(/1 check-in not delivered \(the enrollment code was refused \(.*unknown enrollment code.*\)\); they are kept in .*k-refused and sent once the kiosk is enrolled with a new code/);
  expect(r.stderr).not.toMatch(/still pending after 600 s/);
}, 90_000);

it('given --server but never enrolled and no --enroll: says so at start, and the pending message names the fix, not an unreachable server', () => {
  const started = Date.now();
  const r = runCli(['run', '--data-dir', join(dir, 'k-unenrolled'), '--scanner', 'stdin', '--server', central.url, '--drain-seconds', '30'], `${card(6)}\n`);
  expect(r.code).toBe(0);
  // At start, before any scan: an error event (reason enrollment) and the log line on stderr.
  const first = r.lines.findIndex((l) => l.event === 'error' && l.reason === 'enrollment');
  expect(first).toBeGreaterThanOrEqual(0);
  expect(first).toBeLessThan(r.lines.findIndex((l) => l.event === 'ready'));
  expect(r.lines[first]!.message).toBe('not enrolled: start it with --server URL --enroll CODE (a code from `central enroll-code`), or scan a provisioning card');
  expect(r.stderr).toMatch(/"level":"warn".*not enrolled: start it with --server URL --enroll CODE/);
  // At the end: the check-in is held and the kiosk says why, at once (waiting cannot deliver it).
  const pending = r.lines.find((l) => l.event === 'pending');
  expect(pending).toMatchObject({ checkins: 1, overrides: 0 });
  expect(pending!.message).toMatch(/not delivered \(not enrolled: start it with --server URL --enroll CODE .*it already holds check-ins, so a provisioning card is taken only after "Re-provision by card" in the technician panel\)/);
  expect(r.stderr).not.toMatch(/could not be reached/);
  expect(Date.now() - started).toBeLessThan(25_000);
}, 90_000);

it('--drain-seconds is refused where it would do nothing', () => {
  const r = runCli(['run', '--data-dir', join(dir, 'k2'), '--scanner', 'serial:/dev/ttyUSB9', '--drain-seconds', '5']);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/--drain-seconds is only used by a headless run whose scanners all end/);
  const bad = runCli(['run', '--data-dir', join(dir, 'k2'), '--scanner', 'stdin', '--drain-seconds', '601']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--drain-seconds must be a whole number from 0 to 600, got "601"/);
});
